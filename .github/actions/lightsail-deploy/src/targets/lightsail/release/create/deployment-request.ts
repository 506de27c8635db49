import type {
  Container,
  ContainerServiceDeployment,
  ContainerServiceHealthCheckConfig,
  CreateContainerServiceDeploymentRequest,
  EndpointRequest,
} from "@aws-sdk/client-lightsail";
import type { HealthCheckOverrides } from "../../../../inputs/schema.js";
import { DeployError } from "../../../../platform/errors.js";

export const DEFAULT_CONTAINER_NAME = "app";

export interface DeploymentChanges {
  serviceName: string;
  /** Undefined: the current deployment's public container, else `app`. */
  containerName: string | undefined;
  image: string;
  /** Added to (and overriding) the container's current environment. */
  environment: Record<string, string>;
  containerPort: number | undefined;
  healthCheck: HealthCheckOverrides;
}

function defined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined && v !== null)) as T;
}

function copyContainer(container: Container | undefined): Container {
  return defined({
    image: container?.image,
    command: container?.command ? [...container.command] : undefined,
    environment: container?.environment ? { ...container.environment } : undefined,
    ports: container?.ports ? { ...container.ports } : undefined,
  });
}

export function targetContainerName(
  current: ContainerServiceDeployment | undefined,
  input: string | undefined,
): string {
  return input ?? current?.publicEndpoint?.containerName ?? DEFAULT_CONTAINER_NAME;
}

/**
 * The CreateContainerServiceDeployment request: the current deployment's containers and public endpoint,
 * with the target container's image replaced and the inputs' overrides applied.
 */
export function buildDeploymentRequest(
  current: ContainerServiceDeployment | undefined,
  changes: DeploymentChanges,
): CreateContainerServiceDeploymentRequest {
  const name = targetContainerName(current, changes.containerName);
  const containers: Record<string, Container> = {};
  for (const [key, container] of Object.entries(current?.containers ?? {}))
    containers[key] = copyContainer(container);

  const endpoint = current?.publicEndpoint;
  const endpointName = endpoint?.containerName ?? name;
  const target = copyContainer(containers[name]);
  target.image = changes.image;
  if (Object.keys(changes.environment).length > 0)
    target.environment = { ...target.environment, ...changes.environment };
  if (changes.containerPort !== undefined) {
    const ports = { ...target.ports };
    // The endpoint moves to the new port, so the old one needs no longer be open.
    if (endpointName === name && endpoint?.containerPort !== undefined)
      delete ports[String(endpoint.containerPort)];
    ports[String(changes.containerPort)] = "HTTP";
    target.ports = ports;
  }
  containers[name] = target;

  const endpointPorts = Object.keys(containers[endpointName]?.ports ?? {});
  const containerPort =
    (endpointName === name ? changes.containerPort : undefined) ??
    endpoint?.containerPort ??
    (endpointPorts[0] === undefined ? undefined : Number(endpointPorts[0]));
  if (containerPort === undefined) {
    throw new DeployError(
      `the service has no deployment yet, so no port is known for container \`${name}\``,
      "deploy",
      "set `container-port` to the port the app listens on",
    );
  }
  const healthCheck: ContainerServiceHealthCheckConfig = defined({
    ...endpoint?.healthCheck,
    ...defined(changes.healthCheck),
  });
  const publicEndpoint: EndpointRequest = { containerName: endpointName, containerPort };
  if (Object.keys(healthCheck).length > 0) publicEndpoint.healthCheck = healthCheck;
  return { serviceName: changes.serviceName, containers, publicEndpoint };
}

/** A request that recreates an earlier deployment exactly (rollback). */
export function requestFromDeployment(
  serviceName: string,
  deployment: ContainerServiceDeployment,
): CreateContainerServiceDeploymentRequest {
  const containers: Record<string, Container> = {};
  for (const [key, container] of Object.entries(deployment.containers ?? {}))
    containers[key] = copyContainer(container);
  const endpoint = deployment.publicEndpoint;
  const request: CreateContainerServiceDeploymentRequest = { serviceName, containers };
  if (endpoint?.containerName && endpoint.containerPort !== undefined) {
    request.publicEndpoint = defined({
      containerName: endpoint.containerName,
      containerPort: endpoint.containerPort,
      healthCheck: endpoint.healthCheck ? defined({ ...endpoint.healthCheck }) : undefined,
    });
  }
  return request;
}

/**
 * The request as text for a log or the job summary, every environment value shown as ***: the current
 * deployment's environment can hold secrets from earlier runs that this run never masked.
 */
export function describeRequest(request: CreateContainerServiceDeploymentRequest): string {
  return JSON.stringify(
    request,
    (key, value: unknown) => {
      const isEnvironment = key === "environment" && typeof value === "object" && value !== null;
      return isEnvironment ? Object.fromEntries(Object.keys(value).map((name) => [name, "***"])) : value;
    },
    2,
  );
}

/** The image of the container that serves the public endpoint. */
export function publicImage(deployment: ContainerServiceDeployment | undefined): string | undefined {
  const name = deployment?.publicEndpoint?.containerName ?? Object.keys(deployment?.containers ?? {})[0];
  return name === undefined ? undefined : deployment?.containers?.[name]?.image;
}
