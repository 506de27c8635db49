// What a deploy, promote or rollback step produced, for the result to report.
import type { CreateContainerServiceDeploymentRequest } from "@aws-sdk/client-lightsail";
import { containerImageList } from "../image/container-images.js";
import type { Deps } from "../platform/deps.js";
import { describeRequest } from "./create/deployment-request.js";
import type { ReleaseOutcome } from "./release.js";
import type { DeployedImage } from "./release-context.js";

/** Each container of the deployment and its image, as the summary lists them. */
export type ContainerImages = { name: string; image: string }[];

/**
 * What the deploy, promote or rollback step produced: a release, or (dry run, nothing to do) a note.
 * `deployed`: the image a deploy or promote step deployed (or would have), with its digest, for the result.
 */
export type StepOutcome = (
  | { kind: "released"; outcome: ReleaseOutcome; containers?: ContainerImages }
  | {
      kind: "unchanged";
      image: string | undefined;
      version: number | undefined;
      note?: string;
      request?: string;
      containers?: ContainerImages;
    }
) & { deployed?: DeployedImage };

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
