import * as pulumi from "@pulumi/pulumi";
import { DEFAULT_MONTHLY_BUDGET_USD } from "../policy/prices.js";

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
  /**
   * Paused out of hours (`.github/workflows/pause.yml`): the Lightsail service is removed, everything else
   * stays. Refused for prod.
   */
  paused: boolean;
  /** The most the stack may cost a month in USD (list prices); the policy pack's `monthly-budget` holds it. */
  monthlyBudgetUsd: number;
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
  /** The service's own domain over HTTPS (`<project>:domain`), or undefined for the default URL only. */
  domain: DomainConfig | undefined;
}

export interface DomainConfig {
  /** The certificate's primary domain, e.g. api.example.com. */
  name: string;
  /** Further names on the same certificate and service (at most 9). */
  alternativeNames: string[];
  /** A Route 53 hosted zone the stack writes the records into; undefined: it outputs them to create by hand. */
  hostedZoneId: string | undefined;
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
    paused: parsePaused(key("paused"), plain("paused") ?? "false", stack),
    monthlyBudgetUsd: parseDollars(
      key("monthlyBudgetUsd"),
      plain("monthlyBudgetUsd") ?? String(DEFAULT_MONTHLY_BUDGET_USD),
    ),
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
    domain: parseDomain(key, plain),
  };
}

// A host name of two labels or more, lower case; Lightsail certificates take no wildcards.
const DOMAIN_PATTERN = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,62}$/;
/**
 * Lightsail: a certificate takes one primary domain plus at most nine alternative names, but a container
 * service takes at most four public domain names, and the stack attaches every name of the certificate.
 */
export const MAX_SERVICE_DOMAINS = 4;
const HOSTED_ZONE_PATTERN = /^Z[A-Z0-9]{1,31}$/;

function parseDomainName(name: string, value: string): string {
  const domain = value.trim().toLowerCase();
  if (domain.startsWith("*."))
    throw new ConfigError(
      `\`${name}\` is a wildcard ("${value}"); Lightsail certificates do not support wildcards.`,
    );
  if (!DOMAIN_PATTERN.test(domain))
    throw new ConfigError(`\`${name}\` must be a domain name such as api.example.com; got "${value}".`);
  // The apex (example.com) cannot be a CNAME, and Route 53 has no alias target for a Lightsail container
  // service, so the stack serves subdomains only (see infrastructure/README.md).
  if (domain.split(".").length < 3)
    throw new ConfigError(
      `\`${name}\` is "${value}", an apex domain; use a subdomain such as api.${domain} or www.${domain} (an apex cannot point at a container service through a CNAME).`,
    );
  return domain;
}

function parseDomain(
  key: (name: string) => string,
  plain: (name: string) => string | undefined,
): DomainConfig | undefined {
  const primary = plain("domain");
  const alternatives = plain("domainAlternativeNames");
  const zone = plain("hostedZoneId");
  if (primary === undefined) {
    for (const [name, value] of [
      ["domainAlternativeNames", alternatives],
      ["hostedZoneId", zone],
    ] as const)
      if (value !== undefined)
        throw new ConfigError(
          `\`${key(name)}\` is set but \`${key("domain")}\` is not; set both or neither.`,
        );
    return undefined;
  }
  const name = parseDomainName(key("domain"), primary);
  const alternativeNames = [
    ...new Set(
      (alternatives ?? "")
        .split(",")
        .map((value) => value.trim())
        .filter(Boolean)
        .map((value) => parseDomainName(key("domainAlternativeNames"), value)),
    ),
  ].filter((alternative) => alternative !== name);
  if (1 + alternativeNames.length > MAX_SERVICE_DOMAINS)
    throw new ConfigError(
      `\`${key("domainAlternativeNames")}\` lists ${alternativeNames.length} names; a Lightsail container service takes at most ${MAX_SERVICE_DOMAINS} domains, so at most ${MAX_SERVICE_DOMAINS - 1} besides \`${key("domain")}\`.`,
    );
  if (zone !== undefined && !HOSTED_ZONE_PATTERN.test(zone))
    throw new ConfigError(
      `\`${key("hostedZoneId")}\` must be a Route 53 hosted zone id such as Z0123456789ABCDEFGHIJ; got "${zone}".`,
    );
  return { name, alternativeNames, hostedZoneId: zone };
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

/** The stacks that are never paused: production serves users out of hours. */
export const NEVER_PAUSED_STACKS: readonly string[] = ["prod"];

function parsePaused(name: string, value: string, stack: string): boolean {
  const paused = parseBoolean(name, value);
  if (paused && NEVER_PAUSED_STACKS.includes(stack))
    throw new ConfigError(`\`${name}\` is true on stack "${stack}"; production is never paused.`);
  return paused;
}

function parseDollars(name: string, value: string): number {
  const amount = Number(value);
  if (!/^\d+(?:\.\d{1,2})?$/.test(value) || amount <= 0)
    throw new ConfigError(
      `\`${name}\` must be an amount of US dollars above 0, such as 60 or 42.50; got "${value}".`,
    );
  return amount;
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
