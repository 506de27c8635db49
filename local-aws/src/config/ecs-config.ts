import { asArray, asObject, fail, optionalNumber } from "./config-fields.js";

export interface EcsHealthCheckConfig {
  path: string;
  intervalSeconds: number;
  timeoutSeconds: number;
  healthyThreshold: number;
  unhealthyThreshold: number;
  matcher: string;
}

/** One ECS service with its own Application Load Balancer (blue and green target groups, one listener). */
export interface EcsServiceConfig {
  name: string;
  desiredCount: number;
  containerName: string;
  containerPort: number;
  bakeTimeInMinutes: number;
  healthCheck: EcsHealthCheckConfig;
  deregistrationDelaySeconds: number;
  /** A RegisterTaskDefinition body registered and deployed at start, so the service has a current one. */
  taskDefinition?: unknown;
}

export interface EcsConfig {
  cluster: string;
  /** Real milliseconds per simulated millisecond for bake time, alarm periods, health checks and delays. */
  timeScale: number;
  /** Real milliseconds between two steps of the ECS, ELBv2 and CloudWatch state (not scaled). */
  tickMs: number;
  services: EcsServiceConfig[];
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$/;

function name(value: unknown, path: string): string {
  if (typeof value !== "string" || !NAME.test(value))
    fail(path, value, "letters, digits, '-' and '_' (max 32)");
  return value;
}

function healthCheck(raw: unknown, path: string): EcsHealthCheckConfig {
  const item = asObject(raw ?? {}, path);
  const route = item.path ?? "/";
  if (typeof route !== "string" || !route.startsWith("/"))
    fail(`${path}.path`, route, "a path starting with /");
  const matcher = item.matcher ?? "200";
  if (typeof matcher !== "string" || !/^\d{3}(-\d{3})?(,\d{3}(-\d{3})?)*$/.test(matcher))
    fail(`${path}.matcher`, matcher, "HTTP codes such as 200, 200,202 or 200-299");
  const intervalSeconds = optionalNumber(item.intervalSeconds, `${path}.intervalSeconds`, 30, 5, 300);
  const timeoutSeconds = optionalNumber(item.timeoutSeconds, `${path}.timeoutSeconds`, 5, 2, 120);
  if (timeoutSeconds >= intervalSeconds)
    fail(`${path}.timeoutSeconds`, timeoutSeconds, "less than intervalSeconds");
  return {
    path: route,
    intervalSeconds,
    timeoutSeconds,
    healthyThreshold: optionalNumber(item.healthyThreshold, `${path}.healthyThreshold`, 5, 2, 10),
    unhealthyThreshold: optionalNumber(item.unhealthyThreshold, `${path}.unhealthyThreshold`, 2, 2, 10),
    matcher,
  };
}

function service(raw: unknown, index: number): EcsServiceConfig {
  const path = `ecs.services[${index}]`;
  const item = asObject(raw, path);
  return {
    name: name(item.name, `${path}.name`),
    desiredCount: optionalNumber(item.desiredCount, `${path}.desiredCount`, 1, 1, 10),
    containerName:
      typeof item.containerName === "string"
        ? item.containerName
        : fail(`${path}.containerName`, item.containerName, "a container name"),
    containerPort: optionalNumber(item.containerPort, `${path}.containerPort`, 8080, 1, 65_535),
    bakeTimeInMinutes: optionalNumber(item.bakeTimeInMinutes, `${path}.bakeTimeInMinutes`, 0, 0, 1440),
    healthCheck: healthCheck(item.healthCheck, `${path}.healthCheck`),
    // AWS's default is 300 s; the AWS blue/green sample uses 20.
    deregistrationDelaySeconds: optionalNumber(
      item.deregistrationDelaySeconds,
      `${path}.deregistrationDelaySeconds`,
      300,
      0,
      3600,
    ),
    ...(item.taskDefinition === undefined
      ? {}
      : { taskDefinition: asObject(item.taskDefinition, `${path}.taskDefinition`) }),
  };
}

/** The `ecs` section: a cluster, its services, and the clock scale of the ECS, ELBv2 and CloudWatch parts. */
export function parseEcsConfig(raw: unknown): EcsConfig {
  const root = asObject(raw, "ecs");
  const services = asArray(root.services, "ecs.services").map(service);
  const names = services.map((s) => s.name);
  const duplicate = names.find((n, i) => names.indexOf(n) !== i);
  if (duplicate !== undefined) fail("ecs.services[].name", duplicate, "unique names");
  return {
    cluster: name(root.cluster ?? "default", "ecs.cluster"),
    timeScale: optionalNumber(root.timeScale, "ecs.timeScale", 1, 0.0001, 1),
    tickMs: optionalNumber(root.tickMs, "ecs.tickMs", 200, 10, 5000),
    services,
  };
}
