import * as pulumi from "@pulumi/pulumi";

export const SERVICE_POWERS = ["nano", "micro", "small", "medium", "large", "xlarge"] as const;
export type ServicePower = (typeof SERVICE_POWERS)[number];

/** Everything the program needs, validated once. Secrets stay wrapped in secret Outputs. */
export interface StackConfig {
  project: string;
  stack: string;
  region: string;
  owner: string;
  /** `OWNER/REPO` whose GitHub environment named like the stack may assume the deploy role. */
  githubRepository: string;
  serviceName: string;
  servicePower: ServicePower;
  serviceScale: number;
  repositoryName: string;
  forceDelete: boolean;
  createOidcProvider: boolean;
  /**
   * The build environment (dev): its stack owns the one repository every environment pulls from, and only
   * its deploy role pushes. Every other stack names that repository in `repositoryName` and promotes.
   */
  buildsImages: boolean;
  /** Build stack only: the other environments' stacks (`org/project/stack`), whose image-pullers may pull. */
  imagePullerStacks: string[];
  /** SSM path holding the app's parameters, with leading and trailing slash: `/<project>/<stack>/`. */
  ssmPath: string;
  authorizerUrl: pulumi.Output<string>;
  apiKey: pulumi.Output<string> | undefined;
}

export interface ConfigSource {
  project: string;
  stack: string;
  /** Reads a fully qualified key such as `vidos:owner` or `aws:region`. */
  read: (key: string) => string | undefined;
}

export class ConfigError extends Error {
  override name = "ConfigError";
}

const DEFAULT_REGION = "eu-west-1";
const REGION_PATTERN = /^[a-z]{2}(-[a-z]+)+-\d$/;
const GITHUB_REPOSITORY_PATTERN = /^[A-Za-z0-9-]+\/[A-Za-z0-9._-]+$/;
// Lightsail: lowercase letters, digits and hyphens, 1–63 characters, no hyphen at either end.
const SERVICE_NAME_PATTERN = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const REPOSITORY_NAME_PATTERN =
  /^[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*)*$/;
const OWNER_PATTERN = /^[A-Za-z0-9 _.:/=+@-]{1,256}$/;

/** Reads and validates the stack configuration; every error names the key and shows the bad value. */
export function parseStackConfig(source: ConfigSource): StackConfig {
  const { project, stack } = source;
  const key = (name: string) => `${project}:${name}`;
  const plain = (name: string) => source.read(key(name))?.trim() || undefined;
  const required = (name: string) => {
    const value = plain(name);
    if (value === undefined) {
      throw new ConfigError(
        `Missing required configuration \`${key(name)}\`: set it with \`pulumi config set ${key(name)} <value>\`.`,
      );
    }
    return value;
  };
  const matching = (name: string, value: string, pattern: RegExp, rule: string) => {
    if (!pattern.test(value)) throw new ConfigError(`\`${name}\` must be ${rule}; got "${value}".`);
    return value;
  };

  const region = matching(
    "aws:region",
    source.read("aws:region")?.trim() || DEFAULT_REGION,
    REGION_PATTERN,
    "an AWS region such as eu-west-1",
  );
  const defaultName = `${project}-${stack}`.toLowerCase();

  return {
    project,
    stack,
    region,
    owner: matching(
      key("owner"),
      required("owner"),
      OWNER_PATTERN,
      "a tag value (letters, digits, spaces and _.:/=+@-)",
    ),
    githubRepository: matching(
      key("githubRepository"),
      required("githubRepository"),
      GITHUB_REPOSITORY_PATTERN,
      "OWNER/REPO",
    ),
    serviceName: matching(
      key("serviceName"),
      plain("serviceName") ?? defaultName,
      SERVICE_NAME_PATTERN,
      "1–63 lowercase letters, digits or hyphens, not starting or ending with a hyphen",
    ),
    servicePower: parsePower(key("servicePower"), plain("servicePower") ?? "micro"),
    serviceScale: parseInteger(key("serviceScale"), plain("serviceScale") ?? "1", 1, 20),
    repositoryName: matching(
      key("repositoryName"),
      plain("repositoryName") ?? defaultName,
      REPOSITORY_NAME_PATTERN,
      "an ECR repository name (lowercase letters, digits, and . _ - / separators)",
    ),
    forceDelete: parseBoolean(key("forceDelete"), plain("forceDelete") ?? "false"),
    createOidcProvider: parseBoolean(key("createOidcProvider"), required("createOidcProvider")),
    buildsImages: parseBoolean(key("buildsImages"), plain("buildsImages") ?? "false"),
    imagePullerStacks: parseStackList(key("imagePullerStacks"), plain("imagePullerStacks")),
    ssmPath: `/${project}/${stack}/`,
    authorizerUrl: pulumi.secret(parseSecretUrl(key("authorizerUrl"), source.read(key("authorizerUrl")))),
    apiKey: optionalSecret(source.read(key("apiKey"))),
  };
}

/** Reads the configuration of the running stack (the one place that touches Pulumi config). */
export function loadStackConfig(): StackConfig {
  return parseStackConfig({
    project: pulumi.getProject(),
    stack: pulumi.getStack(),
    read: (fullKey) => pulumi.runtime.getConfig(fullKey),
  });
}

function parsePower(name: string, value: string): ServicePower {
  const power = SERVICE_POWERS.find((candidate) => candidate === value);
  if (power === undefined)
    throw new ConfigError(`\`${name}\` must be one of ${SERVICE_POWERS.join(", ")}; got "${value}".`);
  return power;
}

function parseInteger(name: string, value: string, min: number, max: number): number {
  const number = Number(value);
  if (!/^\d+$/.test(value) || number < min || number > max) {
    throw new ConfigError(`\`${name}\` must be a whole number from ${min} to ${max}; got "${value}".`);
  }
  return number;
}

// `organization/project/stack`, as `pulumi stack ls --all` prints a fully qualified stack name.
const STACK_REFERENCE_PATTERN = /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/;

/** A comma-separated list of fully qualified stack names; empty means none. */
function parseStackList(name: string, value: string | undefined): string[] {
  const stacks = (value ?? "")
    .split(",")
    .map((stack) => stack.trim())
    .filter((stack) => stack !== "");
  const bad = stacks.find((stack) => !STACK_REFERENCE_PATTERN.test(stack));
  if (bad !== undefined)
    throw new ConfigError(`\`${name}\` must list stacks as organization/project/stack; got "${bad}".`);
  return stacks;
}

function parseBoolean(name: string, value: string): boolean {
  if (value === "true") return true;
  if (value === "false") return false;
  throw new ConfigError(`\`${name}\` must be true or false; got "${value}".`);
}

// The value is secret, so errors describe it without showing it.
function parseSecretUrl(name: string, value: string | undefined): string {
  if (value === undefined || value.trim() === "") {
    throw new ConfigError(
      `Missing required secret \`${name}\`: set it with \`pulumi config set --secret ${name} <url>\`.`,
    );
  }
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    throw new ConfigError(
      `\`${name}\` must be an absolute https URL; the value (hidden, it is secret) does not parse.`,
    );
  }
  if (url.protocol !== "https:") {
    throw new ConfigError(
      `\`${name}\` must use https; the value (hidden, it is secret) uses "${url.protocol}".`,
    );
  }
  return value.trim();
}

function optionalSecret(value: string | undefined): pulumi.Output<string> | undefined {
  const trimmed = value?.trim();
  return trimmed ? pulumi.secret(trimmed) : undefined;
}
