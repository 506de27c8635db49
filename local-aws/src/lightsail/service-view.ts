import { createHash } from "node:crypto";
import { ACCOUNT_ID } from "../model/account.js";
import {
  currentDeployment,
  type DeploymentRecord,
  nextDeployment,
  type ServiceRecord,
} from "../state/state.js";

function stableId(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

/** `createdAt` is given for a service created through the API: a re-created service gets a new ARN, as in AWS. */
export function serviceArn(region: string, name: string, createdAt?: number): string {
  const hex = stableId(createdAt === undefined ? `service:${name}` : `service:${name}:${createdAt}`);
  const uuid = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
  return `arn:aws:lightsail:${region}:${ACCOUNT_ID}:ContainerService/${uuid}`;
}

/** The image puller role's ARN, in the shape Lightsail uses (a Lightsail-owned account in AWS). */
export function pullerRoleArn(region: string, name: string, createdAt?: number): string {
  const id = stableId(createdAt === undefined ? `puller:${name}` : `puller:${name}:${createdAt}`).slice(
    0,
    12,
  );
  return `arn:aws:iam::${ACCOUNT_ID}:role/amazon/lightsail/${region}/containers/${name}/private-repo-access/${id}`;
}

export function deploymentView(deployment: DeploymentRecord) {
  return {
    version: deployment.version,
    state: deployment.state,
    containers: deployment.containers,
    ...(deployment.publicEndpoint ? { publicEndpoint: deployment.publicEndpoint } : {}),
    createdAt: deployment.createdAt,
  };
}

/** The `ContainerService` wire object for one service record. */
export function serviceView(service: ServiceRecord, region: string) {
  const current = currentDeployment(service);
  const next = nextDeployment(service);
  return {
    containerServiceName: service.name,
    arn: service.arn,
    createdAt: service.createdAt,
    location: { availabilityZone: "all", regionName: region },
    resourceType: "ContainerService",
    tags: [],
    power: service.power,
    powerId: `${service.power}-1`,
    state: service.state,
    ...(service.stateDetail ? { stateDetail: service.stateDetail } : {}),
    scale: service.scale,
    ...(current ? { currentDeployment: deploymentView(current) } : {}),
    ...(next ? { nextDeployment: deploymentView(next) } : {}),
    isDisabled: service.isDisabled,
    principalArn: `arn:aws:iam::${ACCOUNT_ID}:role/amazon/lightsail/${region}/containers/${service.name}/service`,
    privateDomainName: `${service.name}.service.local`,
    publicDomainNames: service.publicDomainNames,
    url: `http://127.0.0.1:${service.publicPort}/`,
    privateRegistryAccess: {
      ecrImagePullerRole: {
        isActive: service.registryAccess.isActive,
        principalArn: service.registryAccess.principalArn,
      },
    },
  };
}
