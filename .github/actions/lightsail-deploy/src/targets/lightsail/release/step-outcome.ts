import type { CreateContainerServiceDeploymentRequest } from "@aws-sdk/client-lightsail";
import type { Deps } from "../../../platform/deps.js";
import type { StepOutcome } from "../../deploy-target.js";
import { containerImageList } from "./create/container-images.js";
import { describeRequest } from "./create/deployment-request.js";

/** A dry run stops before the Create: it prints the request (environment values as ***) and changes nothing. */
export function dryRun(
  request: CreateContainerServiceDeploymentRequest,
  image: string | undefined,
  deps: Deps,
  note?: string,
): StepOutcome {
  const text = describeRequest(request);
  deps.log.info(`Dry run: this request would be sent; nothing was changed.\n${text}`);
  const containers = containerImageList(request);
  return {
    kind: "unchanged",
    image,
    version: undefined,
    request: text,
    containers,
    ...(note ? { note } : {}),
  };
}
