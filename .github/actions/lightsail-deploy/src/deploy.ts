import type { CreateContainerServiceDeploymentRequest } from "@aws-sdk/client-lightsail";
import { buildDeploymentRequest, targetContainerName } from "./deployment-request.js";
import type { AwsClients, Deps } from "./deps.js";
import type { Inputs } from "./inputs.js";
import type { Preflight } from "./preflight.js";
import { readSsmEnvironment } from "./ssm-environment.js";

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
  const request = buildDeploymentRequest(current, {
    serviceName: inputs.serviceName,
    containerName: inputs.containerName,
    image,
    // The workflow's own lines win over Parameter Store, so a run can override one value.
    environment: { ...ssm, ...inputs.environment },
    containerPort: inputs.containerPort,
    healthCheck: inputs.healthCheck,
  });
  deps.log.info(`Container ${targetContainerName(current, inputs.containerName)} ← ${image}`);
  return request;
}
