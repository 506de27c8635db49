import type { ContainerServiceDeployment } from "@aws-sdk/client-lightsail";
import { publicImage } from "./deployment-request.js";
import { DeployError } from "./errors.js";
import { imageTagOf } from "./image-tag.js";
import type { RollbackTarget } from "./inputs.js";
import { sortByVersion } from "./lightsail-reads.js";
import { hasVerifiedRelease, newestVerified, type ReleaseRecord, verdictOf } from "./release-record.js";

export type RollbackChoice =
  /** Redeploy this earlier deployment's configuration. */
  | { kind: "redeploy"; deployment: ContainerServiceDeployment }
  /** The target is already the active deployment: nothing to do. */
  | { kind: "already-active"; deployment: ContainerServiceDeployment }
  /** No deployment used this tag: deploy the current configuration with this image. */
  | { kind: "image"; tag: string };

const INPUT = "`rollback-to`";

/**
 * `previous`: the newest release the record verified as good whose image differs from the serving one
 * (right after an automatic rollback the serving release is a copy of a verified one, so "previous" is
 * the one before it). A record that has verified nothing yet falls back to the newest INACTIVE deployment
 * older than the active one that the record did not reject.
 */
function previousRelease(
  sorted: ContainerServiceDeployment[],
  record: ReleaseRecord,
  active: ContainerServiceDeployment | undefined,
): ContainerServiceDeployment | undefined {
  const servingImage = publicImage(active);
  if (hasVerifiedRelease(record)) {
    return newestVerified(
      record,
      sorted,
      (d) => d.version !== active?.version && publicImage(d) !== servingImage,
    );
  }
  return sorted
    .filter(
      (d) =>
        d.state === "INACTIVE" &&
        (d.version ?? 0) < (active?.version ?? Infinity) &&
        verdictOf(record, d) !== "rejected",
    )
    .pop();
}

/** Picks what a manual rollback deploys. */
export function selectRollbackTarget(
  deployments: readonly ContainerServiceDeployment[],
  target: RollbackTarget,
  record: ReleaseRecord,
): RollbackChoice {
  const sorted = sortByVersion(deployments);
  const active = sorted.find((d) => d.state === "ACTIVE");
  if (target.kind === "previous") {
    const previous = previousRelease(sorted, record, active);
    if (!previous) {
      throw new DeployError(
        `${INPUT} is "previous", but no earlier release was verified as good (the release record holds none other than the serving one)`,
        "rollback",
        "name a version or an image tag with `rollback-to`, or deploy a build",
      );
    }
    return { kind: "redeploy", deployment: previous };
  }
  if (target.kind === "version") {
    const found = sorted.find((d) => d.version === target.version);
    const known = sorted.map((d) => `${d.version} (${d.state})`).join(", ") || "none";
    if (!found) {
      throw new DeployError(
        `${INPUT} is "${target.version}", but the service has no such deployment version (kept: ${known})`,
        "rollback",
        "pick a listed version (Lightsail keeps the latest 50)",
      );
    }
    if (found.state === "FAILED") {
      throw new DeployError(
        `${INPUT} is "${target.version}", a deployment that FAILED`,
        "rollback",
        "pick a version that served",
      );
    }
    return found.state === "ACTIVE"
      ? { kind: "already-active", deployment: found }
      : { kind: "redeploy", deployment: found };
  }
  if (active && imageTagOf(publicImage(active)) === target.tag)
    return { kind: "already-active", deployment: active };
  const used = sorted
    .filter(
      (d) =>
        d.state !== "FAILED" &&
        verdictOf(record, d) !== "rejected" &&
        imageTagOf(publicImage(d)) === target.tag,
    )
    .pop();
  return used ? { kind: "redeploy", deployment: used } : { kind: "image", tag: target.tag };
}
