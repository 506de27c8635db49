import { DeployError } from "../platform/errors.js";
import { rejectConflicts, rejectUnknown } from "./conflicts.js";
import { parseContainerImages } from "./container-images.js";
import { parseImageReference } from "./image-reference.js";
import { defaultRecordName } from "./record-name.js";
import {
  type BuildCacheSetting,
  DEFAULT_REGION,
  type HealthCheckOverrides,
  type ImageSource,
  type Inputs,
  type PromotedImage,
  type RawInputs,
  type RollbackTarget,
} from "./schema.js";
import {
  boolean,
  DOCKER_TAG,
  duration,
  ECR_REPOSITORY,
  ENVIRONMENT_NAME,
  IMAGE_DIGEST,
  integer,
  invalid,
  LIGHTSAIL_NAME,
  LIGHTSAIL_REGIONS,
  matching,
  notAnOption,
  parseKeyValueLines,
  path,
  percentage,
  SSM_PARAMETER,
  SSM_PATH,
  successCodes,
  text,
} from "./values.js";

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

const nameRule = (max: number) =>
  `is not a Lightsail name (1–${max} of a-z, 0-9 and -, not starting or ending with -)`;

function requiredServiceName(raw: RawInputs): string {
  const serviceName = matching(raw, "service-name", LIGHTSAIL_NAME, nameRule(63), 63);
  if (serviceName === undefined) {
    throw new DeployError("`service-name` is required", "inputs", "name the Lightsail container service");
  }
  return serviceName;
}

function healthCheck(raw: RawInputs): HealthCheckOverrides {
  return {
    path: path(raw, "health-check-path"),
    intervalSeconds: integer(raw, "health-check-interval", 5, 300),
    timeoutSeconds: integer(raw, "health-check-timeout", 2, 60),
    healthyThreshold: integer(raw, "healthy-threshold", 2, 10),
    unhealthyThreshold: integer(raw, "unhealthy-threshold", 2, 10),
    successCodes: successCodes(raw),
  };
}

/** The one place inputs are read and checked; nothing calls AWS before this succeeds. */
export function parseInputs(raw: RawInputs, env: Readonly<Record<string, string | undefined>>): Inputs {
  rejectUnknown(raw);
  rejectConflicts(raw);
  const serviceName = requiredServiceName(raw);
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
    healthCheck: healthCheck(raw),
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
