import type { ContainerServiceDeployment } from "@aws-sdk/client-lightsail";
import { imageTagOf } from "../../../inputs/image-reference.js";
import type { RollbackTarget } from "../../../inputs/schema.js";
import { DeployError } from "../../../platform/errors.js";
import type { ReleaseRecord } from "../../../release/record/release-record.js";
import { sortByVersion } from "../preflight/lightsail-reads.js";
import { publicImage } from "../release/create/deployment-request.js";
import { newestVerified, verdictOf } from "../release/record-view.js";

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
 * the one before it). Never a guess: with no such verdict there is no "previous" (an older INACTIVE
 * deployment may be the release that failed, or a killed run's that nobody judged).
 */
function previousRelease(
  sorted: ContainerServiceDeployment[],
  record: ReleaseRecord,
  active: ContainerServiceDeployment | undefined,
): ContainerServiceDeployment | undefined {
  const servingImage = publicImage(active);
  return newestVerified(
    record,
    sorted,
    (d) => d.version !== active?.version && publicImage(d) !== servingImage,
  );
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
      const kept = sorted
        .filter((d) => d.state === "INACTIVE")
        .map((d) => d.version)
        .join(", ");
      throw new DeployError(
        `${INPUT} is "previous", but the release record holds no verified-good release of this service other than the serving one (it may have been deleted, or never written), so nothing was changed`,
        "rollback",
        `name the version to return to with \`rollback-to\` (e.g. \`rollback-to: ${sorted.filter((d) => d.state === "INACTIVE").at(-1)?.version ?? 1}\`; kept INACTIVE versions: ${kept || "none"}) or an image tag that is still in ECR`,
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
