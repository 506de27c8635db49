import type { ContainerSpec, PortProtocol } from "../model/container.js";
import {
  DEFAULT_HEALTH_CHECK,
  ENV_NAME,
  type HealthCheck,
  LIGHTSAIL_NAME,
  MAX_CONTAINERS,
  MAX_SCALE,
  PORT_PROTOCOLS,
  POWER_NAMES,
  type PowerName,
} from "../model/limits.js";
import { invalidInput } from "../protocol/errors.js";
import { Fields } from "../protocol/fields.js";

export interface PublicEndpointSpec {
  containerName: string;
  containerPort: number;
  healthCheck: HealthCheck;
}

export interface DeploymentRequest {
  serviceName: string;
  containers: Record<string, ContainerSpec>;
  publicEndpoint?: PublicEndpointSpec;
}

export interface UpdateRequest {
  serviceName: string;
  power?: PowerName;
  scale?: number;
  isDisabled?: boolean;
  publicDomainNames?: Record<string, string[]>;
  registryAccessActive?: boolean;
}

export interface CreateServiceRequest {
  serviceName: string;
  power: PowerName;
  scale: number;
  registryAccessActive: boolean;
}

export interface LogRequest {
  serviceName: string;
  containerName: string;
  startTime?: number;
  endTime?: number;
  filterPattern?: string;
  pageToken?: string;
}

const nameRules = (max: number) => ({
  min: 1,
  max,
  pattern: LIGHTSAIL_NAME,
  patternText: "lower-case letters, digits and hyphens, not starting or ending with a hyphen",
});

export function readServiceName(fields: Fields, required = true): string | undefined {
  return required
    ? fields.string("serviceName", { required: true, ...nameRules(63) })
    : fields.string("serviceName", nameRules(63));
}

/** Parses `200`, `200,202` or `200-299` lists (each code 200-499); undefined when the text is malformed. */
export function parseSuccessCodes(text: string): ((status: number) => boolean) | undefined {
  const ranges: [number, number][] = [];
  for (const part of text.split(",")) {
    const match = /^\s*(\d{3})(?:\s*-\s*(\d{3}))?\s*$/.exec(part);
    if (!match) return undefined;
    const low = Number(match[1]);
    const high = match[2] === undefined ? low : Number(match[2]);
    if (low < 200 || high > 499 || low > high) return undefined;
    ranges.push([low, high]);
  }
  return (status) => ranges.some(([low, high]) => status >= low && status <= high);
}

function readHealthCheck(endpoint: Fields): HealthCheck {
  const check = endpoint.object("healthCheck");
  if (!check) return { ...DEFAULT_HEALTH_CHECK };
  const health: HealthCheck = {
    healthyThreshold:
      check.integer("healthyThreshold", { min: 2, max: 10 }) ?? DEFAULT_HEALTH_CHECK.healthyThreshold,
    unhealthyThreshold:
      check.integer("unhealthyThreshold", { min: 2, max: 10 }) ?? DEFAULT_HEALTH_CHECK.unhealthyThreshold,
    timeoutSeconds:
      check.integer("timeoutSeconds", { min: 2, max: 60 }) ?? DEFAULT_HEALTH_CHECK.timeoutSeconds,
    intervalSeconds:
      check.integer("intervalSeconds", { min: 5, max: 300 }) ?? DEFAULT_HEALTH_CHECK.intervalSeconds,
    path:
      check.string("path", {
        min: 1,
        max: 1024,
        pattern: /^\/\S*$/,
        patternText: "a path starting with /",
      }) ?? DEFAULT_HEALTH_CHECK.path,
    successCodes: check.string("successCodes", { min: 3, max: 100 }) ?? DEFAULT_HEALTH_CHECK.successCodes,
  };
  if (!parseSuccessCodes(health.successCodes)) {
    throw check.fail(
      "successCodes",
      health.successCodes,
      "must list HTTP codes from 200 to 499, e.g. 200,202 or 200-299",
    );
  }
  if (health.timeoutSeconds >= health.intervalSeconds) {
    throw check.fail(
      "timeoutSeconds",
      health.timeoutSeconds,
      `must be less than intervalSeconds (${health.intervalSeconds})`,
    );
  }
  return health;
}

function readContainer(name: string, fields: Fields): ContainerSpec {
  const image = fields.string("image", {
    required: true,
    min: 1,
    max: 1024,
    pattern: /^\S+$/,
    patternText: "no spaces",
  });
  const spec: ContainerSpec = { image };
  const command = fields.stringList("command", { max: 256, item: { max: 4096 } });
  if (command) spec.command = command;
  const environment = fields.map("environment");
  if (environment) {
    spec.environment = {};
    for (const [key, value] of environment) {
      if (!ENV_NAME.test(key) || key.length > 256) {
        throw fields.fail(`environment`, key, "must have variable names like MY_VAR (letters, digits, _)");
      }
      if (typeof value !== "string") throw fields.fail(`environment.${key}`, value, "must be a string");
      spec.environment[key] = value;
    }
  }
  const ports = fields.map("ports");
  if (ports) {
    spec.ports = {};
    for (const [port, protocol] of ports) {
      const number = Number(port);
      if (!/^\d+$/.test(port) || number < 1 || number > 65535) {
        throw fields.fail("ports", port, "must use port numbers from 1 to 65535 as keys");
      }
      if (typeof protocol !== "string" || !(PORT_PROTOCOLS as readonly string[]).includes(protocol)) {
        throw fields.fail(`ports.${port}`, protocol, `must be one of ${PORT_PROTOCOLS.join(", ")}`);
      }
      spec.ports[port] = protocol as PortProtocol;
    }
  }
  if (name.length === 0) throw fields.fail("name", name, "must not be empty");
  return spec;
}

/** Validates a CreateContainerServiceDeployment request into a normalized deployment. */
export function validateDeploymentRequest(body: unknown): DeploymentRequest {
  const fields = Fields.of("lightsail", body);
  const serviceName = readServiceName(fields) as string;
  const entries = fields.map("containers", { max: MAX_CONTAINERS });
  if (!entries || entries.length === 0) {
    throw invalidInput("The containers map is required and must contain from 1 to 10 containers.");
  }
  const containers: Record<string, ContainerSpec> = {};
  const containerFields = fields.object("containers") as Fields;
  for (const [name] of entries) {
    if (name.length > 53 || !LIGHTSAIL_NAME.test(name)) {
      throw containerFields.fail(
        "name",
        name,
        "must be 1-53 lower-case letters, digits and hyphens, not starting or ending with a hyphen",
      );
    }
    containers[name] = readContainer(name, containerFields.object(name, true) as Fields);
  }
  const request: DeploymentRequest = { serviceName, containers };
  const endpoint = fields.object("publicEndpoint");
  if (endpoint) {
    const containerName = endpoint.string("containerName", { required: true, ...nameRules(53) });
    const containerPort = endpoint.integer("containerPort", { required: true, min: 1, max: 65535 });
    const container = containers[containerName];
    if (!container) {
      throw endpoint.fail(
        "containerName",
        containerName,
        `must name a container of this deployment (${Object.keys(containers).join(", ")})`,
      );
    }
    const protocol = container.ports?.[String(containerPort)];
    if (protocol !== "HTTP" && protocol !== "HTTPS") {
      throw endpoint.fail(
        "containerPort",
        containerPort,
        `must be an HTTP or HTTPS port open on container "${containerName}" (its ports: ${JSON.stringify(container.ports ?? {})})`,
      );
    }
    request.publicEndpoint = { containerName, containerPort, healthCheck: readHealthCheck(endpoint) };
  }
  return request;
}

/** Validates an UpdateContainerService request. */
export function validateUpdateRequest(body: unknown): UpdateRequest {
  const fields = Fields.of("lightsail", body);
  const request: UpdateRequest = { serviceName: readServiceName(fields) as string };
  const power = fields.string("power", { oneOf: POWER_NAMES });
  if (power) request.power = power as PowerName;
  const scale = fields.integer("scale", { min: 1, max: MAX_SCALE });
  if (scale !== undefined) request.scale = scale;
  const isDisabled = fields.boolean("isDisabled");
  if (isDisabled !== undefined) request.isDisabled = isDisabled;
  const domains = fields.map("publicDomainNames", { max: 4 });
  if (domains) {
    request.publicDomainNames = {};
    const domainFields = fields.object("publicDomainNames") as Fields;
    for (const [certificate] of domains) {
      request.publicDomainNames[certificate] = domainFields.stringList(certificate, {
        required: true,
        min: 1,
        max: 10,
        item: { min: 1, max: 253, pattern: /^[a-z0-9.-]+$/i, patternText: "a domain name" },
      }) as string[];
    }
  }
  const access = fields.object("privateRegistryAccess");
  const role = access?.object("ecrImagePullerRole");
  const active = role?.boolean("isActive");
  if (active !== undefined) request.registryAccessActive = active;
  return request;
}

/**
 * Validates a CreateContainerService request (botocore: serviceName, power and scale required). The
 * stand-in does not take `deployment` or `publicDomainNames` at creation: deploy with
 * CreateContainerServiceDeployment and attach domains with UpdateContainerService afterwards, as the deploy
 * action and the Pulumi stack do. `tags` are accepted and not kept (nothing reads them back).
 */
export function validateCreateServiceRequest(body: unknown): CreateServiceRequest {
  const fields = Fields.of("lightsail", body);
  const serviceName = readServiceName(fields) as string;
  const power = fields.string("power", { required: true, oneOf: POWER_NAMES }) as PowerName;
  const scale = fields.integer("scale", { required: true, min: 1, max: MAX_SCALE });
  for (const unsupported of ["deployment", "publicDomainNames"])
    if (fields.has(unsupported))
      throw fields.fail(
        unsupported,
        fields.raw(unsupported),
        "is not supported at creation by the stand-in (see local-aws/README.md); set it after the service is READY",
      );
  fields.array("tags", { max: 50 });
  const active = fields.object("privateRegistryAccess")?.object("ecrImagePullerRole")?.boolean("isActive");
  return { serviceName, power, scale, registryAccessActive: active ?? false };
}

/** Validates a GetContainerLog request. */
export function validateLogRequest(body: unknown): LogRequest {
  const fields = Fields.of("lightsail", body);
  const request: LogRequest = {
    serviceName: readServiceName(fields) as string,
    containerName: fields.string("containerName", { required: true, ...nameRules(53) }),
  };
  const startTime = fields.number("startTime", { min: 0 });
  const endTime = fields.number("endTime", { min: 0 });
  if (startTime !== undefined) request.startTime = startTime;
  if (endTime !== undefined) request.endTime = endTime;
  if (startTime !== undefined && endTime !== undefined && endTime < startTime) {
    throw fields.fail("endTime", endTime, `must not be before startTime (${startTime})`);
  }
  const filterPattern = fields.string("filterPattern", { max: 1024 });
  if (filterPattern !== undefined) request.filterPattern = filterPattern;
  const pageToken = fields.string("pageToken", { min: 1, max: 64 });
  if (pageToken !== undefined) request.pageToken = pageToken;
  return request;
}
