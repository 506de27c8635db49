import type { CreateContainerServiceDeploymentRequest } from "@aws-sdk/client-lightsail";
import type { Inputs } from "../../../../inputs/schema.js";
import type { Deps } from "../../../../platform/deps.js";
import { readSsmEnvironment } from "../../../../release/create/ssm-environment.js";
import type { AwsClients } from "../../clients.js";
import type { Preflight } from "../../preflight/preflight.js";
import { checkContainerImages, withContainerImages } from "./container-images.js";
import { buildDeploymentRequest, targetContainerName } from "./deployment-request.js";

/**
 * The deployment request for a new image: the serving deployment's containers and endpoint, the image
 * replaced, the inputs' overrides and the Parameter Store values applied.
 */
export async function planDeploy(
  inputs: Inputs,
  checked: Preflight,
  image: string,
  aws: AwsClients,
  deps: Deps,
): Promise<CreateContainerServiceDeploymentRequest> {
  const current = checked.service.currentDeployment;
  const ssm = inputs.ssmPath ? await readSsmEnvironment(aws, inputs.ssmPath, deps.log) : {};
  const target = targetContainerName(current, inputs.containerName);
  const built = buildDeploymentRequest(current, {
    serviceName: inputs.serviceName,
    containerName: inputs.containerName,
    image,
    // The workflow's own lines win over Parameter Store, so a run can override one value.
    environment: { ...ssm, ...inputs.environment },
    containerPort: inputs.containerPort,
    healthCheck: inputs.healthCheck,
  });
  deps.log.info(`Container ${target} ← ${image}`);
  // Only the named containers' images change; every other container stays as it is serving.
  const request = withContainerImages(built, inputs.images);
  for (const [name, other] of Object.entries(inputs.images)) deps.log.info(`Container ${name} ← ${other}`);
  return request;
}

/** `images` checked against the serving deployment and ECR before the image phase pushes anything. */
export async function checkDeployImages(inputs: Inputs, checked: Preflight, aws: AwsClients): Promise<void> {
  const current = checked.service.currentDeployment;
  const target = targetContainerName(current, inputs.containerName);
  await checkContainerImages(
    inputs.images,
    current?.containers,
    target,
    checked.repository.repositoryUri,
    aws,
  );
}
