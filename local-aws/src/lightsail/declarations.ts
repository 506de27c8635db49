import type { LocalAwsConfig } from "../config/config.js";
import { freePort } from "../ports.js";
import type { PersistedState } from "../state/state.js";
import { pullerRoleArn, serviceArn } from "./service-view.js";

export /** Brings the state in line with the config: declared repositories and services exist, others go. */
async function syncDeclarations(
  state: PersistedState,
  config: LocalAwsConfig,
  now: number,
): Promise<string[]> {
  for (const repository of config.repositories) {
    if (!state.repositories[repository.name]) {
      state.repositories[repository.name] = {
        name: repository.name,
        createdAt: now,
        ...(repository.policyText ? { policyText: repository.policyText } : {}),
      };
    }
  }
  for (const name of Object.keys(state.repositories)) {
    const declared = config.repositories.some((r) => r.name === name);
    if (!declared && !state.repositories[name]?.createdByApi) delete state.repositories[name];
  }
  for (const service of config.services) {
    const existing = state.services[service.name];
    const publicPort =
      service.publicPort !== 0 ? service.publicPort : (existing?.publicPort ?? (await freePort()));
    if (existing) {
      existing.publicPort = publicPort;
      continue;
    }
    state.services[service.name] = {
      name: service.name,
      arn: serviceArn(config.region, service.name),
      createdAt: now,
      power: service.power,
      scale: service.scale,
      isDisabled: false,
      state: "READY",
      registryAccess: {
        isActive: service.privateRegistryAccess,
        principalArn: service.privateRegistryAccess ? pullerRoleArn(config.region, service.name) : "",
      },
      publicPort,
      publicDomainNames: {},
      deployments: [],
      events: [],
    };
  }
  const undeclared = Object.keys(state.services).filter(
    (name) => !config.services.some((s) => s.name === name),
  );
  for (const name of undeclared) delete state.services[name];
  return undeclared;
}
