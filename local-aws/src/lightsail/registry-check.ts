import { checkPullGrant } from "../ecr/policy.js";
import type { DeploymentRecord, ServiceRecord } from "../state/state.js";
import { ActivationFailure } from "./activation-failure.js";
import type { LightsailDeps } from "./deps.js";

/** The pull check Lightsail makes: puller role active and granted both pull actions by the repo policy. */
export function checkRegistryAccess(
  deps: LightsailDeps,
  service: ServiceRecord,
  deployment: DeploymentRecord,
): void {
  const host = deps.registry.host;
  for (const [name, spec] of Object.entries(deployment.containers)) {
    const match = spec.image.startsWith(`${host}/`)
      ? /^([^:@]+)(?::[^@]+)?(?:@.+)?$/.exec(spec.image.slice(host.length + 1))
      : null;
    if (!match) {
      throw new ActivationFailure(
        `Cannot pull image "${spec.image}" for container "${name}": only images in the local registry ${host} can be pulled (there is no internet here).`,
      );
    }
    const repository = match[1] as string;
    if (!service.registryAccess.isActive) {
      throw new ActivationFailure(
        `Cannot pull image "${spec.image}": the service's private registry access (ecrImagePullerRole) is not active. Activate it with UpdateContainerService and grant its principalArn pull access in the repository policy.`,
      );
    }
    const record = deps.store.state.repositories[repository];
    if (!record) {
      throw new ActivationFailure(
        `Cannot pull image "${spec.image}": the repository "${repository}" does not exist.`,
      );
    }
    const grant = checkPullGrant(record.policyText, service.registryAccess.principalArn);
    if (!grant.ok) {
      throw new ActivationFailure(
        `Cannot pull image "${spec.image}": access denied, ${grant.reason} (repository "${repository}"). Add a statement allowing ecr:BatchGetImage and ecr:GetDownloadUrlForLayer to the service's ecrImagePullerRole principalArn.`,
      );
    }
  }
}
