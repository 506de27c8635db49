import type { CreateContainerServiceDeploymentRequest } from "@aws-sdk/client-lightsail";
import { missingImages } from "../../../image/ecr-images.js";
import { imageUri } from "../../../image/image-tag.js";
import type { Inputs, RollbackTarget } from "../../../inputs/schema.js";
import type { Deps } from "../../../platform/deps.js";
import { DeployError } from "../../../platform/errors.js";
import type { ReleaseRecord } from "../../../release/record/release-record.js";
import type { AwsClients } from "../clients.js";
import { listDeployments } from "../preflight/lightsail-reads.js";
import type { Preflight } from "../preflight/preflight.js";
import { buildDeploymentRequest, requestFromDeployment } from "../release/create/deployment-request.js";
import { verdictOf } from "../release/record-view.js";
import { type RollbackChoice, selectRollbackTarget } from "./rollback.js";

export interface RollbackPlan {
  choice: RollbackChoice;
  request: CreateContainerServiceDeploymentRequest;
}

/** What a manual rollback will deploy, after checking that its images are still in ECR. */
export async function planRollback(
  inputs: Inputs,
  checked: Preflight,
  target: RollbackTarget,
  record: ReleaseRecord,
  aws: AwsClients,
  deps: Deps,
): Promise<RollbackPlan> {
  const choice = selectRollbackTarget(await listDeployments(aws, inputs.serviceName), target, record);
  if (choice.kind === "already-active" && verdictOf(record, choice.deployment) !== "good") {
    // Nothing would be deployed or verified, so "rolled back" would vouch for a release nobody verified.
    const version = choice.deployment.version;
    const why =
      verdictOf(record, choice.deployment) === "rejected"
        ? "which an earlier verification rejected"
        : "which the release record does not hold as verified";
    throw new DeployError(
      `\`rollback-to\` names version ${version}, the active deployment, ${why}; nothing was changed; version ${version} is serving`,
      "rollback",
      "name a version (or image tag) that passed verification, e.g. `rollback-to: previous`",
    );
  }
  if (choice.kind === "redeploy" && verdictOf(record, choice.deployment) === "rejected") {
    deps.log.warning(
      `Version ${choice.deployment.version} was rejected by an earlier verification; rolling back to it because \`rollback-to\` names it`,
    );
  }
  const repositoryUri = checked.repository.repositoryUri ?? "";
  const request =
    choice.kind === "image"
      ? buildDeploymentRequest(checked.service.currentDeployment, {
          serviceName: inputs.serviceName,
          containerName: inputs.containerName,
          image: imageUri(repositoryUri, choice.tag),
          environment: {},
          containerPort: undefined,
          healthCheck: {},
        })
      : requestFromDeployment(inputs.serviceName, choice.deployment);
  const images = Object.values(request.containers ?? {}).flatMap((c) => (c.image ? [c.image] : []));
  const repository = { repositoryName: checked.repository.repositoryName ?? "", repositoryUri };
  const missing = await missingImages(aws, repository, images);
  if (missing.length > 0) {
    throw new DeployError(
      `${missing.join(", ")} is no longer in ECR (a lifecycle policy may have expired it)`,
      "rollback",
      "pick a newer version or tag with `rollback-to`, or build and deploy that commit again",
    );
  }
  deps.log.info(
    choice.kind === "image"
      ? `Rolling back to image tag ${choice.tag} with the current configuration`
      : `Rolling back to the configuration of version ${choice.deployment.version}`,
  );
  return { choice, request };
}
