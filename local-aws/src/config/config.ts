import { readFileSync } from "node:fs";
import { LIGHTSAIL_NAME, POWER_NAMES, type PowerName, REPOSITORY_NAME } from "../model/limits.js";
import { asArray, asObject, ConfigError, fail, optionalNumber } from "./config-fields.js";
import { type EcsConfig, parseEcsConfig } from "./ecs-config.js";

/** One container service declared in the config file. */
export interface ServiceConfig {
  name: string;
  power: PowerName;
  scale: number;
  /** Loopback port of the service URL; 0 picks a free port once and keeps it in the state dir. */
  publicPort: number;
  /** Whether the ECR image puller role starts active (its principalArn then exists from the start). */
  privateRegistryAccess: boolean;
}

export interface RepositoryConfig {
  name: string;
  /** Repository policy text (JSON), or undefined for a repository without a policy. */
  policyText?: string;
}

export interface ParameterConfig {
  name: string;
  type: "String" | "StringList" | "SecureString";
  value: string;
}

export interface Settings {
  /** Multiplies health-check intervals and timeouts, drain and update durations (1 = AWS timing). */
  timeScale: number;
  /** Seconds the old deployment keeps serving in-flight requests after the proxy switched. */
  drainSeconds: number;
  /** Seconds an UpdateContainerService stays UPDATING. */
  updateSeconds: number;
  /** A deployment that has not settled after this many seconds FAILS (not scaled). */
  activationTimeoutSeconds: number;
  /** Prefix of every container name this stand-in creates. */
  containerPrefix: string;
  /** Seconds between SIGTERM and SIGKILL when an old container is stopped (× timeScale, at least 1). */
  stopGraceSeconds: number;
}

export interface LocalAwsConfig {
  region: string;
  /** Resolvers (`ip` or `ip:port`) for certificate validation lookups; empty: the system's. */
  dnsServers: string[];
  services: ServiceConfig[];
  repositories: RepositoryConfig[];
  parameters: ParameterConfig[];
  settings: Settings;
  /** ECS services behind their load balancers; absent when the config declares none. */
  ecs?: EcsConfig;
}

export const defaultSettings: Settings = {
  timeScale: 1,
  drainSeconds: 2,
  updateSeconds: 2,
  activationTimeoutSeconds: 900,
  containerPrefix: "local-aws",
  stopGraceSeconds: 10,
};

/** The grace `docker stop --time` gets: whole seconds (what Docker takes), scaled, never below 1 s. */
export function stopGraceSeconds(settings: Pick<Settings, "stopGraceSeconds" | "timeScale">): number {
  return Math.max(1, Math.round(settings.stopGraceSeconds * settings.timeScale));
}

/** Parses and validates the config object; every error names the field and shows the bad value. */
export function parseConfig(input: unknown): LocalAwsConfig {
  const root = asObject(input, "(root)");
  const region = root.region ?? "eu-west-1";
  if (typeof region !== "string" || !/^[a-z]{2}-[a-z]+-\d$/.test(region))
    fail("region", region, "e.g. eu-west-1");
  // In this order, so a config with several errors reports the same first one as before.
  const services = parseServices(root);
  const repositories = parseRepositories(root);
  const parameters = parseParameters(root);
  const settings = parseSettings(root);
  const dnsServers = parseDnsServers(root);
  const ecs = root.ecs === undefined ? {} : { ecs: parseEcsConfig(root.ecs) };
  return { region, dnsServers, services, repositories, parameters, settings, ...ecs };
}

function parseServices(root: Record<string, unknown>): ServiceConfig[] {
  const services = asArray(root.services, "services").map((raw, index): ServiceConfig => {
    const path = `services[${index}]`;
    const item = asObject(raw, path);
    if (typeof item.name !== "string" || !LIGHTSAIL_NAME.test(item.name) || item.name.length > 63) {
      fail(`${path}.name`, item.name, "1-63 chars of a-z, 0-9 and '-', no leading or trailing '-'");
    }
    const power = item.power ?? "nano";
    if (typeof power !== "string" || !(POWER_NAMES as readonly string[]).includes(power)) {
      fail(`${path}.power`, power, `one of ${POWER_NAMES.join(", ")}`);
    }
    const scale = optionalNumber(item.scale, `${path}.scale`, 1, 1, 20);
    if (!Number.isInteger(scale)) fail(`${path}.scale`, scale, "an integer from 1 to 20");
    const publicPort = optionalNumber(item.publicPort, `${path}.publicPort`, 0, 0, 65535);
    const access = item.privateRegistryAccess ?? false;
    if (typeof access !== "boolean") fail(`${path}.privateRegistryAccess`, access, "true or false");
    return { name: item.name, power: power as PowerName, scale, publicPort, privateRegistryAccess: access };
  });
  const serviceNames = services.map((s) => s.name);
  const duplicateService = serviceNames.find((name, i) => serviceNames.indexOf(name) !== i);
  if (duplicateService) fail("services[].name", duplicateService, "unique service names");
  return services;
}

function parseRepositories(root: Record<string, unknown>): RepositoryConfig[] {
  return asArray(root.repositories, "repositories").map((raw, index): RepositoryConfig => {
    const path = `repositories[${index}]`;
    const item = asObject(raw, path);
    const name = item.name;
    if (typeof name !== "string" || name.length < 2 || name.length > 256 || !REPOSITORY_NAME.test(name)) {
      fail(`${path}.name`, name, "an ECR repository name (2-256 chars, lower-case, e.g. my-app)");
    }
    if (item.policy === undefined) return { name };
    const policyText = typeof item.policy === "string" ? item.policy : JSON.stringify(item.policy);
    try {
      asObject(JSON.parse(policyText), `${path}.policy`);
    } catch {
      fail(`${path}.policy`, item.policy, "a policy document (object or JSON text)");
    }
    return { name, policyText };
  });
}

function parseParameters(root: Record<string, unknown>): ParameterConfig[] {
  return asArray(root.parameters, "parameters").map((raw, index): ParameterConfig => {
    const path = `parameters[${index}]`;
    const item = asObject(raw, path);
    if (
      typeof item.name !== "string" ||
      !/^\/[a-zA-Z0-9_.\-/]+$/.test(item.name) ||
      item.name.endsWith("/")
    ) {
      fail(`${path}.name`, item.name, "a hierarchical name such as /myapp/dev/DB_URL");
    }
    const type = item.type ?? "String";
    if (type !== "String" && type !== "StringList" && type !== "SecureString") {
      fail(`${path}.type`, type, "String, StringList or SecureString");
    }
    if (typeof item.value !== "string") fail(`${path}.value`, "(hidden)", "a string");
    return { name: item.name, type, value: item.value };
  });
}

function parseSettings(root: Record<string, unknown>): Settings {
  const rawSettings = asObject(root.settings ?? {}, "settings");
  const prefix = rawSettings.containerPrefix ?? defaultSettings.containerPrefix;
  if (typeof prefix !== "string" || !/^[a-z0-9][a-z0-9-]{0,30}$/.test(prefix)) {
    fail("settings.containerPrefix", prefix, "lower-case letters, digits and '-' (max 31)");
  }
  return {
    timeScale: optionalNumber(
      rawSettings.timeScale,
      "settings.timeScale",
      defaultSettings.timeScale,
      0.001,
      10,
    ),
    drainSeconds: optionalNumber(
      rawSettings.drainSeconds,
      "settings.drainSeconds",
      defaultSettings.drainSeconds,
      0,
      300,
    ),
    updateSeconds: optionalNumber(
      rawSettings.updateSeconds,
      "settings.updateSeconds",
      defaultSettings.updateSeconds,
      0,
      300,
    ),
    activationTimeoutSeconds: optionalNumber(
      rawSettings.activationTimeoutSeconds,
      "settings.activationTimeoutSeconds",
      defaultSettings.activationTimeoutSeconds,
      1,
      86_400,
    ),
    containerPrefix: prefix,
    stopGraceSeconds: optionalNumber(
      rawSettings.stopGraceSeconds,
      "settings.stopGraceSeconds",
      defaultSettings.stopGraceSeconds,
      0,
      300,
    ),
  };
}

function parseDnsServers(root: Record<string, unknown>): string[] {
  return asArray(root.dnsServers, "dnsServers").map((server, index) => {
    if (typeof server !== "string" || !/^(\d{1,3}\.){3}\d{1,3}(:\d{1,5})?$/.test(server))
      fail(`dnsServers[${index}]`, server, "an IPv4 address with an optional port, e.g. 127.0.0.1:5353");
    return server;
  });
}

export function loadConfigFile(file: string): LocalAwsConfig {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new ConfigError(`local-aws config: cannot read ${file}: ${(error as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`local-aws config: ${file} is not valid JSON: ${(error as Error).message}`);
  }
  return parseConfig(parsed);
}
export { ConfigError } from "./config-fields.js";
