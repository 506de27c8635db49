import { DeployError } from "../platform/errors.js";
import { parseContainerImages } from "./container-images.js";
import { parseImageReference } from "./image-reference.js";
import { defaultRecordName } from "./record-name.js";

/** `build-cache`: on (the default reference next to the images), off, or an explicit cache reference. */
export type BuildCacheSetting = { kind: "off" } | { kind: "on"; ref: string | undefined };

/** Input names exactly as in action.yml, with the defaults action.yml declares (also applied in a terminal). */
export const INPUT_DEFAULTS = {
  "service-name": undefined,
  region: undefined,
  repository: undefined,
  "container-name": undefined,
  image: undefined,
  images: undefined,
  context: ".",
  dockerfile: "Dockerfile",
  "build-args": undefined,
  "build-cache": "on",
  tag: undefined,
  "container-port": undefined,
  "health-check-path": undefined,
  "health-check-interval": undefined,
  "health-check-timeout": undefined,
  "healthy-threshold": undefined,
  "unhealthy-threshold": undefined,
  "success-codes": undefined,
  environment: undefined,
  "ssm-path": undefined,
  "poll-interval": "5s",
  "wait-timeout": "20m",
  "probe-path": undefined,
  "probe-count": "20",
  "max-error-rate": "1%",
  "bake-time": undefined,
  "auto-rollback": "true",
  "rollback-to": undefined,
  promote: undefined,
  "promote-from": undefined,
  "dry-run": "false",
  "release-record": undefined,
  "github-token": undefined,
} as const satisfies Record<string, string | undefined>;

export type InputName = keyof typeof INPUT_DEFAULTS;
export const INPUT_NAMES = Object.keys(INPUT_DEFAULTS) as InputName[];

/** Input values as text, keyed by input name; from INPUT_* variables or command-line flags. */
export type RawInputs = Readonly<Record<string, string | undefined>>;

export const DEFAULT_REGION = "eu-west-1";

export type RollbackTarget =
  | { kind: "previous" }
  | { kind: "version"; version: number }
  | { kind: "tag"; tag: string };

export type ImageSource =
  | { kind: "build"; context: string; dockerfile: string; buildArgs: Record<string, string> }
  | { kind: "prebuilt"; image: string }
  | { kind: "rollback"; target: RollbackTarget }
  | { kind: "promote"; image: PromotedImage; from: string | undefined };

/** An image already in ECR, named by its manifest digest or by a tag (resolved to its digest in pre-flight). */
export type PromotedImage = { digest: string } | { tag: string };

export interface HealthCheckOverrides {
  path?: string;
  intervalSeconds?: number;
  timeoutSeconds?: number;
  healthyThreshold?: number;
  unhealthyThreshold?: number;
  successCodes?: string;
}

export interface Inputs {
  serviceName: string;
  region: string;
  repository: string | undefined;
  containerName: string | undefined;
  source: ImageSource;
  /** A registry cache for the build (see build-cache.ts). */
  buildCache: BuildCacheSetting;
  /** Explicit tag; undefined means the short git SHA, else a UTC timestamp. */
  tag: string | undefined;
  gitSha: string | undefined;
  containerPort: number | undefined;
  healthCheck: HealthCheckOverrides;
  environment: Record<string, string>;
  /** `images`: container name → full image reference, replaced next to the deployed image. */
  images: Record<string, string>;
  ssmPath: string | undefined;
  pollIntervalMs: number;
  waitTimeoutMs: number;
  /** Undefined means the health-check path of the deployment. */
  probePath: string | undefined;
  probeCount: number;
  /** A fraction: 0.01 for `1%`. */
  maxErrorRate: number;
  /** How long to keep probing after the probe passed (0: no bake window). */
  bakeMs: number;
  autoRollback: boolean;
  dryRun: boolean;
  /** SSM parameter holding the verdicts on earlier releases (see release-record.ts). */
  releaseRecord: string;
  /** With it, the outcome is posted as a commit status (see commit-status.ts). A secret. */
  githubToken: string | undefined;
}

// Lightsail names: 1–63 (services) or 1–53 (containers) of a-z, 0-9 and -, no hyphen at either end.
const LIGHTSAIL_NAME = /^(?:[a-z0-9]{1,2}|[a-z0-9][a-z0-9-]+[a-z0-9])$/;
// ECR repository names: 2–256 characters of lower-case path components.
const ECR_REPOSITORY =
  /^(?=.{2,256}$)[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*)*$/;
const DOCKER_TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const POSIX_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/**
 * A Parameter Store path: `/`, then segments of these characters, each ended by `/` or the end. Linear: one
 * character class with no quantified group (the old `(?:[...]+\/?)*` backtracked exponentially on a long
 * segment with one bad character); an empty segment (`//`) is refused apart from the pattern.
 */
export const SSM_PATH = /^\/[A-Za-z0-9_./-]*$/;
const IMAGE_DIGEST = /^sha256:[0-9a-f]{64}$/;
// An environment's name as a GitHub environment may spell it, shown in the summary and the record.
const ENVIRONMENT_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
const SSM_PARAMETER = /^(?:\/[A-Za-z0-9_.-]+){1,15}$/;
const LIGHTSAIL_REGIONS = new Set([
  "us-east-1",
  "us-east-2",
  "us-west-1",
  "us-west-2",
  "eu-west-1",
  "eu-west-2",
  "eu-west-3",
  "eu-central-1",
  "eu-north-1",
  "ca-central-1",
  "ap-south-1",
  "ap-southeast-1",
  "ap-southeast-2",
  "ap-southeast-3",
  "ap-southeast-5",
  "ap-northeast-1",
  "ap-northeast-2",
]);

function invalid(name: string, value: string, rule: string): DeployError {
  return new DeployError(
    `\`${name}\` is ${JSON.stringify(value)}, which ${rule}`,
    "inputs",
    `fix \`${name}\``,
  );
}

/** Reads a value with the default applied; empty means unset, as GitHub passes unset inputs as "". */
function text(raw: RawInputs, name: InputName): string | undefined {
  const value = raw[name]?.trim();
  if (value) return value;
  return INPUT_DEFAULTS[name];
}

function isSet(raw: RawInputs, name: InputName): boolean {
  const value = raw[name]?.trim();
  return value !== undefined && value !== "" && value !== INPUT_DEFAULTS[name];
}

function integer(raw: RawInputs, name: InputName, min: number, max: number): number | undefined {
  const value = text(raw, name);
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) {
    throw invalid(name, value, `is not a whole number from ${min} to ${max}`);
  }
  return Number(value);
}

function boolean(raw: RawInputs, name: InputName): boolean {
  const value = text(raw, name) ?? "false";
  if (/^(true|yes)$/i.test(value)) return true;
  if (/^(false|no)$/i.test(value)) return false;
  throw invalid(name, value, "is not true or false");
}

/** `KEY=VALUE` line lists; their values may be secrets. */
const LINE_LISTS = new Set<string>(["environment", "build-args", "images"]);

const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** `500ms`, `5s`, `20m`, `1h`; a bare number means seconds. */
export function parseDuration(value: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(value);
  if (!match) return undefined;
  return Math.round(Number(match[1]) * (DURATION_UNITS[match[2] ?? "s"] ?? 1000));
}

function duration(raw: RawInputs, name: InputName, minMs: number, maxMs: number, range: string): number {
  const value = text(raw, name) ?? "";
  const ms = parseDuration(value);
  if (ms === undefined || ms < minMs || ms > maxMs) {
    throw invalid(name, value, `is not a duration from ${range} (write it like 5s, 20m or 1h)`);
  }
  return ms;
}

function percentage(raw: RawInputs, name: InputName): number {
  const value = text(raw, name) ?? "";
  const match = /^(\d+(?:\.\d+)?)%$/.exec(value);
  if (!match || Number(match[1]) > 100) throw invalid(name, value, "is not a percentage from 0% to 100%");
  return Number(match[1]) / 100;
}

/** `KEY=VALUE` lines; blank lines and `#` comments are skipped. Values may contain `=`. */
export function parseKeyValueLines(name: string, value: string | undefined): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [index, line] of (value ?? "").split(/\r?\n/).entries()) {
    const trimmed = line.trim();
    if (trimmed === "" || trimmed.startsWith("#")) continue;
    const equals = trimmed.indexOf("=");
    // The value may be a secret, so errors show only the line number.
    if (equals === -1) {
      // A line without `=` may be a value that lost its key, so not even it is shown.
      throw new DeployError(
        `\`${name}\` line ${index + 1} is not a KEY=VALUE line`,
        "inputs",
        `fix \`${name}\``,
      );
    }
    const key = trimmed.slice(0, equals).trim();
    if (!POSIX_NAME.test(key)) {
      // Not even the key is shown: a line like `PASSWORD:s3cret=x` or a value pasted without its key puts
      // most of a secret before the `=`.
      throw new DeployError(
        `\`${name}\` line ${index + 1}: the text before \`=\` is not a variable name (letters, digits and _, not starting with a digit; the line is not shown, as it may hold a secret)`,
        "inputs",
        `fix line ${index + 1} of \`${name}\``,
      );
    }
    result[key] = trimmed.slice(equals + 1);
  }
  return result;
}

function imagesInput(raw: RawInputs, source: ImageSource): Record<string, string> {
  const images = parseContainerImages(text(raw, "images"));
  if (source.kind === "rollback" && Object.keys(images).length > 0) {
    throw new DeployError(
      "`images` cannot be combined with `rollback-to`: a rollback redeploys an earlier deployment as it was",
      "inputs",
      "remove `images` or `rollback-to`",
    );
  }
  return images;
}

/** `200`, `200,202`, `200-299`: the Lightsail health-check form, each code from 200 to 499. */
function successCodes(raw: RawInputs): string | undefined {
  const value = text(raw, "success-codes");
  if (value === undefined) return undefined;
  const inRange = (code: string) => Number(code) >= 200 && Number(code) <= 499;
  const valid = value.split(",").every((part) => {
    const match = /^(\d{3})(?:-(\d{3}))?$/.exec(part.trim());
    if (!match?.[1] || !inRange(match[1])) return false;
    return match[2] === undefined || (inRange(match[2]) && Number(match[2]) >= Number(match[1]));
  });
  if (!valid)
    throw invalid(
      "success-codes",
      value,
      "is not a list of HTTP codes or ranges from 200 to 499 (e.g. 200-299)",
    );
  return value.replace(/\s+/g, "");
}

function matching(raw: RawInputs, name: InputName, pattern: RegExp, rule: string, maxLength = Infinity) {
  const value = text(raw, name);
  if (value !== undefined && (!pattern.test(value) || value.length > maxLength))
    throw invalid(name, value, rule);
  return value;
}

function rollbackTarget(raw: RawInputs): RollbackTarget | undefined {
  const value = text(raw, "rollback-to");
  if (value === undefined) return undefined;
  if (value === "previous") return { kind: "previous" };
  // Digits mean a deployment version; a tag made only of digits cannot be named here.
  if (/^\d+$/.test(value)) {
    if (Number(value) < 1)
      throw invalid("rollback-to", value, "is not a deployment version (versions start at 1)");
    return { kind: "version", version: Number(value) };
  }
  if (DOCKER_TAG.test(value)) return { kind: "tag", tag: value };
  throw invalid("rollback-to", value, "is not `previous`, a deployment version number or an image tag");
}

/** A path on the service's own host: `//host/x` (and `/\host/x`, which URLs read alike) names another host. */
function path(raw: RawInputs, name: InputName): string | undefined {
  return matching(
    raw,
    name,
    /^\/(?!\/)[^\s?#\\]*$/,
    "is not a URL path on the service (one / then the path, without spaces, ?, # or \\)",
  );
}

/** Inputs that change what gets built or deployed; a rollback redeploys an old configuration as it was. */
const CHANGE_INPUTS: InputName[] = [
  "promote",
  "image",
  "context",
  "dockerfile",
  "build-args",
  "tag",
  "environment",
  "ssm-path",
  "container-port",
  "health-check-path",
  "health-check-interval",
  "health-check-timeout",
  "healthy-threshold",
  "unhealthy-threshold",
  "success-codes",
];

/** An input as an error shows it: line lists by their keys only, since their values may be secrets. */
function shown(raw: RawInputs, name: InputName): string {
  const value = raw[name]?.trim() ?? "";
  if (!LINE_LISTS.has(name)) return `\`${name}\` (${JSON.stringify(value)})`;
  const keys = value
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== "" && !line.startsWith("#"))
    .map((line) => (line.includes("=") ? line.slice(0, line.indexOf("=")).trim() : "?"));
  return `\`${name}\` (keys ${keys.join(", ")})`;
}

function rejectConflicts(raw: RawInputs): void {
  const conflict = (a: InputName, b: InputName, why: string) =>
    new DeployError(
      `${shown(raw, a)} conflicts with ${shown(raw, b)}: ${why}`,
      "inputs",
      `remove one of \`${a}\` and \`${b}\``,
    );
  if (isSet(raw, "rollback-to")) {
    const other = CHANGE_INPUTS.find((name) => isSet(raw, name));
    if (other)
      throw conflict(
        "rollback-to",
        other,
        "a rollback redeploys an earlier image and configuration unchanged",
      );
  }
  if (isSet(raw, "promote")) {
    const other = (["image", "context", "dockerfile", "build-args", "tag"] as const).find((name) =>
      isSet(raw, name),
    );
    if (other)
      throw conflict(
        "promote",
        other,
        "a promotion deploys an image already in ECR, so nothing is built or pushed",
      );
  }
  if (isSet(raw, "promote-from") && !isSet(raw, "promote")) {
    throw new DeployError(
      "`promote-from` is set without `promote`: it names the environment a promoted image comes from",
      "inputs",
      "set `promote` to the digest or tag to promote, or remove `promote-from`",
    );
  }
  if (isSet(raw, "image")) {
    const other = (["context", "dockerfile", "build-args"] as const).find((name) => isSet(raw, name));
    if (other) throw conflict("image", other, "`image` pushes a prebuilt image, so nothing is built");
  }
}

function rejectUnknown(raw: RawInputs): void {
  const known = new Set<string>(INPUT_NAMES);
  const unknown = Object.keys(raw).find((name) => !known.has(name));
  if (unknown !== undefined) {
    throw new DeployError(
      // Its value is not shown: a misspelt `environment` would print its secrets.
      `unknown input \`${unknown}\``,
      "inputs",
      `use one of: ${INPUT_NAMES.join(", ")}`,
    );
  }
}

/** A path handed to docker: one starting with `-` would read as an option (`-` alone means stdin). */
function notAnOption(raw: RawInputs, name: InputName): string | undefined {
  return matching(raw, name, /^[^-]/, "starts with -, which docker would read as an option (write ./-name)");
}

/** `promote`: a manifest digest (`sha256:` and 64 hex digits) or a tag already in the repository. */
function promotedImage(raw: RawInputs): PromotedImage | undefined {
  const value = text(raw, "promote");
  if (value === undefined) return undefined;
  if (value.startsWith("sha256:")) {
    if (!IMAGE_DIGEST.test(value))
      throw invalid("promote", value, "is not an image digest (sha256: and 64 lower-case hex digits)");
    return { digest: value };
  }
  if (DOCKER_TAG.test(value)) return { tag: value };
  throw invalid("promote", value, "is not an image digest (sha256:…) or an image tag");
}

function imageSource(raw: RawInputs): ImageSource {
  const target = rollbackTarget(raw);
  if (target) return { kind: "rollback", target };
  const promoted = promotedImage(raw);
  if (promoted) {
    const from = matching(
      raw,
      "promote-from",
      ENVIRONMENT_NAME,
      "is not an environment name (1–64 of A-Z a-z 0-9 _ . -, starting with a letter or digit)",
    );
    return { kind: "promote", image: promoted, from };
  }
  const image = text(raw, "image");
  if (image !== undefined) {
    if (!parseImageReference(image))
      throw invalid("image", image, "is not a Docker image reference (e.g. myapp:latest)");
    return { kind: "prebuilt", image };
  }
  return {
    kind: "build",
    context: notAnOption(raw, "context") ?? ".",
    dockerfile: notAnOption(raw, "dockerfile") ?? "Dockerfile",
    buildArgs: parseKeyValueLines("build-args", text(raw, "build-args")),
  };
}

/** `on`, `off`, or an image reference to keep the cache at (e.g. `<registry>/<repository>:buildcache`). */
function buildCache(raw: RawInputs): BuildCacheSetting {
  const value = text(raw, "build-cache") ?? "on";
  if (/^(on|true|yes)$/i.test(value)) return { kind: "on", ref: undefined };
  if (/^(off|false|no)$/i.test(value)) return { kind: "off" };
  const ref = parseImageReference(value);
  if (!ref?.tag || ref.digest || value.startsWith("-"))
    throw invalid(
      "build-cache",
      value,
      "is not `on`, `off` or an image reference with a tag (e.g. 123.dkr.ecr.eu-west-1.amazonaws.com/app:buildcache)",
    );
  return { kind: "on", ref: value };
}

/** The one place inputs are read and checked; nothing calls AWS before this succeeds. */
export function parseInputs(raw: RawInputs, env: Readonly<Record<string, string | undefined>>): Inputs {
  rejectUnknown(raw);
  rejectConflicts(raw);
  const nameRule = (max: number) =>
    `is not a Lightsail name (1–${max} of a-z, 0-9 and -, not starting or ending with -)`;
  const serviceName = matching(raw, "service-name", LIGHTSAIL_NAME, nameRule(63), 63);
  if (serviceName === undefined) {
    throw new DeployError("`service-name` is required", "inputs", "name the Lightsail container service");
  }
  const region = text(raw, "region") ?? (env.AWS_REGION?.trim() || DEFAULT_REGION);
  if (!LIGHTSAIL_REGIONS.has(region)) {
    throw invalid("region", region, `is not a Lightsail region (${[...LIGHTSAIL_REGIONS].join(", ")})`);
  }
  const source = imageSource(raw);
  const repository = matching(
    raw,
    "repository",
    ECR_REPOSITORY,
    "is not an ECR repository name (2–256 of a-z, 0-9, ., _, - and /, each part starting and ending with a letter or digit)",
  );
  if (repository === undefined && source.kind !== "rollback") {
    throw new DeployError("`repository` is required to push an image", "inputs", "name the ECR repository");
  }
  const ssmPath = matching(raw, "ssm-path", SSM_PATH, "is not a Parameter Store path (e.g. /myapp/dev/)");
  if (ssmPath?.includes("//"))
    throw invalid(
      "ssm-path",
      ssmPath,
      "is not a Parameter Store path (e.g. /myapp/dev/): it has an empty segment",
    );
  const releaseRecord = releaseRecordName(raw, serviceName, ssmPath);
  const gitSha = env.GITHUB_SHA?.trim();
  return {
    serviceName,
    region,
    repository,
    containerName: matching(raw, "container-name", LIGHTSAIL_NAME, nameRule(53), 53),
    source,
    buildCache: buildCache(raw),
    tag: matching(
      raw,
      "tag",
      DOCKER_TAG,
      "is not a Docker tag (up to 128 of A-Z a-z 0-9 _ . -, not starting with . or -)",
    ),
    gitSha: gitSha && /^[0-9a-f]{7,64}$/i.test(gitSha) ? gitSha : undefined,
    containerPort: integer(raw, "container-port", 1, 65535),
    healthCheck: {
      path: path(raw, "health-check-path"),
      intervalSeconds: integer(raw, "health-check-interval", 5, 300),
      timeoutSeconds: integer(raw, "health-check-timeout", 2, 60),
      healthyThreshold: integer(raw, "healthy-threshold", 2, 10),
      unhealthyThreshold: integer(raw, "unhealthy-threshold", 2, 10),
      successCodes: successCodes(raw),
    },
    environment: parseKeyValueLines("environment", text(raw, "environment")),
    images: imagesInput(raw, source),
    ssmPath,
    pollIntervalMs: duration(raw, "poll-interval", 1000, 600_000, "1s to 10m"),
    waitTimeoutMs: duration(raw, "wait-timeout", 10_000, 6 * 3_600_000, "10s to 6h"),
    probePath: path(raw, "probe-path"),
    probeCount: integer(raw, "probe-count", 0, 1000) ?? 20,
    maxErrorRate: percentage(raw, "max-error-rate"),
    bakeMs: text(raw, "bake-time") === undefined ? 0 : duration(raw, "bake-time", 0, 3_600_000, "0s to 1h"),
    autoRollback: boolean(raw, "auto-rollback"),
    dryRun: boolean(raw, "dry-run"),
    releaseRecord,
    githubToken: text(raw, "github-token"),
  };
}

/** The record parameter; never directly under `ssm-path`, where it would become an environment variable. */
function releaseRecordName(raw: RawInputs, serviceName: string, ssmPath: string | undefined): string {
  const name =
    matching(
      raw,
      "release-record",
      SSM_PARAMETER,
      "is not a Parameter Store parameter name (e.g. /lightsail-deploy/my-service/releases, at most 15 levels)",
      1011,
    ) ?? defaultRecordName(serviceName);
  const prefix = ssmPath?.endsWith("/") ? ssmPath : `${ssmPath}/`;
  if (ssmPath && name.startsWith(prefix) && !name.slice(prefix.length).includes("/")) {
    throw invalid(
      "release-record",
      name,
      `is directly under \`ssm-path\` (${ssmPath}), so the record would become a container environment variable`,
    );
  }
  return name;
}

/**
 * Every input by name, from `get` (production: @actions/core's getInput, which reads the runner's INPUT_*
 * variables; a terminal puts its flags in front of it). Empty means unset, as GitHub passes unset inputs.
 */
export function rawInputs(get: (name: InputName) => string): Record<string, string> {
  const raw: Record<string, string> = {};
  for (const name of INPUT_NAMES) {
    const value = get(name);
    if (value !== "") raw[name] = value;
  }
  return raw;
}

/** Inputs that are true or false, the only ones a flag may set without a value. */
const BOOLEAN_INPUTS = new Set<string>(["dry-run", "auto-rollback"] satisfies InputName[]);

/**
 * `--service-name demo`, `--service-name=demo`; a boolean flag with no value (`--dry-run`) means "true".
 * Unknown flags are kept so that parseInputs names them in its error.
 */
export function rawInputsFromArgv(argv: readonly string[]): Record<string, string> {
  const raw: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? "";
    if (!arg.startsWith("--")) {
      throw new DeployError(
        `unexpected argument ${JSON.stringify(arg)}`,
        "inputs",
        "pass inputs as --name value",
      );
    }
    const equals = arg.indexOf("=");
    const name = equals === -1 ? arg.slice(2) : arg.slice(2, equals);
    let value: string;
    if (equals !== -1) {
      value = arg.slice(equals + 1);
    } else if (argv[i + 1] === undefined || argv[i + 1]?.startsWith("--")) {
      // `--service-name --dry-run` would otherwise name a service "true".
      if (!BOOLEAN_INPUTS.has(name) && INPUT_NAMES.includes(name as InputName)) {
        throw new DeployError(
          `\`--${name}\` needs a value`,
          "inputs",
          `pass it as --${name} <value> or --${name}=<value>`,
        );
      }
      value = "true";
    } else {
      value = argv[++i] ?? "";
    }
    // Repeating a line-list flag adds a line: --environment A=1 --environment B=2.
    raw[name] = LINE_LISTS.has(name) && raw[name] !== undefined ? `${raw[name]}\n${value}` : value;
  }
  return raw;
}
