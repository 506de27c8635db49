import type { ContainerServiceDeployment } from "@aws-sdk/client-lightsail";
import { publicImage } from "./deployment-request.js";
import { DeployError } from "./errors.js";
import type { RollbackTarget } from "./inputs.js";
import { sortByVersion } from "./verify.js";

export type RollbackChoice =
  /** Redeploy this earlier deployment's configuration. */
  | { kind: "redeploy"; deployment: ContainerServiceDeployment }
  /** The target is already the active deployment: nothing to do. */
  | { kind: "already-active"; deployment: ContainerServiceDeployment }
  /** No deployment used this tag: deploy the current configuration with this image. */
  | { kind: "image"; tag: string };

function imageTag(image: string | undefined): string | undefined {
  const match = /:([A-Za-z0-9_][A-Za-z0-9_.-]*)$/.exec(image ?? "");
  return match?.[1];
}

/**
 * Picks what a rollback deploys. `previous` is the newest INACTIVE deployment older than the active one
 * (INACTIVE means it once served; FAILED ones never did).
 */
export function selectRollbackTarget(
  deployments: readonly ContainerServiceDeployment[],
  target: RollbackTarget,
): RollbackChoice {
  const sorted = sortByVersion(deployments);
  const active = sorted.find((d) => d.state === "ACTIVE");
  const input = "`rollback-to`";
  if (target.kind === "previous") {
    const previous = sorted
      .filter((d) => d.state === "INACTIVE" && (d.version ?? 0) < (active?.version ?? Infinity))
      .pop();
    if (!previous) {
      throw new DeployError(
        `${input} is "previous", but no earlier deployment has served`,
        "rollback",
        "deploy a build instead",
      );
    }
    return { kind: "redeploy", deployment: previous };
  }
  if (target.kind === "version") {
    const found = sorted.find((d) => d.version === target.version);
    const known = sorted.map((d) => `${d.version} (${d.state})`).join(", ") || "none";
    if (!found) {
      throw new DeployError(
        `${input} is "${target.version}", but the service has no such deployment version (kept: ${known})`,
        "rollback",
        "pick a listed version (Lightsail keeps the latest 50)",
      );
    }
    if (found.state === "FAILED") {
      throw new DeployError(
        `${input} is "${target.version}", a deployment that FAILED`,
        "rollback",
        "pick a version that served",
      );
    }
    return found.state === "ACTIVE"
      ? { kind: "already-active", deployment: found }
      : { kind: "redeploy", deployment: found };
  }
  if (imageTag(publicImage(active)) === target.tag && active)
    return { kind: "already-active", deployment: active };
  const used = sorted.filter((d) => d.state !== "FAILED" && imageTag(publicImage(d)) === target.tag).pop();
  return used ? { kind: "redeploy", deployment: used } : { kind: "image", tag: target.tag };
}
