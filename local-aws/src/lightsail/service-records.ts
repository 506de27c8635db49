import { KEPT_VERSIONS } from "../model/limits.js";
import { currentDeployment, type ServiceRecord } from "../state/state.js";
import type { LogArchive } from "./container-logs.js";
import type { LightsailDeps } from "./deps.js";
import type { NodeContainers } from "./node-containers.js";
import { pullerRoleArn } from "./service-view.js";

// Steps on a service's records that only the DeploymentRunner (their one writer) takes.

/** Keeps the newest 50 versions (and always the active one), forgetting the logs of dropped ones. */
export function trimVersions(service: ServiceRecord, archive: LogArchive): void {
  const sorted = [...service.deployments].sort((a, b) => b.version - a.version);
  const dropped = sorted.slice(KEPT_VERSIONS).filter((d) => d.state !== "ACTIVE");
  if (dropped.length === 0) return;
  service.deployments = service.deployments.filter((d) => !dropped.includes(d));
  for (const deployment of dropped) archive.forget(service.name, deployment);
}
/** The service, its deployments and their containers go; images in ECR and parameters in SSM stay. */
export async function deleteService(
  deps: LightsailDeps,
  containers: NodeContainers,
  archive: LogArchive,
  service: ServiceRecord,
): Promise<void> {
  const active = currentDeployment(service);
  for (const deployment of service.deployments) deployment.state = "INACTIVE";
  if (active) await containers.archiveAndRemove(service, active);
  for (const deployment of service.deployments) archive.forget(service.name, deployment);
  delete deps.store.state.services[service.name];
  deps.store.save();
}

/** UpdateContainerService's private registry access: the image puller role on or off. */
export function setRegistryAccess(deps: LightsailDeps, service: ServiceRecord, active: boolean): void {
  const createdAt = service.createdByApi ? service.createdAt : undefined;
  service.registryAccess = {
    isActive: active,
    principalArn: active ? pullerRoleArn(deps.region, service.name, createdAt) : "",
  };
}
