import type { ContainerServiceDeployment } from "@aws-sdk/client-lightsail";
import { missingImages } from "../../../../image/ecr-images.js";
import { DeployError, describeError, errorName, isTransient } from "../../../../platform/errors.js";
import { pollIntervalFor, retryUntil } from "../../../../platform/polling.js";
import { listDeployments } from "../../preflight/lightsail-reads.js";
import { settledService } from "../../preflight/settled-service.js";
import { createDeployment } from "../create/create-deployment.js";
import { requestFromDeployment } from "../create/deployment-request.js";
import { restoreTarget } from "../record-view.js";
import type { ReleaseContext } from "../release-context.js";
import { replacedBy, type Verdict } from "../verify/verify.js";

export type RestoreOutcome =
  /** The restore deployment was created and judged (its verdict may still be bad). */
  | { kind: "restored"; target: ContainerServiceDeployment; version: number; verdict: Verdict }
  /** Another deployment replaced the failed one first: restoring now would undo it. */
  | { kind: "superseded"; by: number }
  | { kind: "no-target" }
  /** AWS kept failing until `wait-timeout`, or refused for good. */
  | { kind: "not-done"; reason: string; outOfTime: boolean };

/** Lightsail refuses a deployment while the service is in a transition state (InvalidInputException). */
export function isServiceBusy(error: unknown): boolean {
  const text = error instanceof Error ? error.message : String(error);
  return (
    errorName(error) === "InvalidInputException" &&
    /transition|DEPLOYING|UPDATING|PENDING|ACTIVATING|in progress/i.test(text)
  );
}

const worthRetrying = (error: unknown) =>
  isTransient(error) || isServiceBusy(error instanceof Error && error.cause ? error.cause : error);

/**
 * The verified release to restore whose every image is still in ECR (Lightsail would fail a restore whose
 * image expired, and the failed release would stay): one with an image missing is passed over, said.
 */
async function restorableTarget(
  ctx: ReleaseContext,
  deployments: ContainerServiceDeployment[],
  servedBefore: ContainerServiceDeployment | undefined,
  failedVersion: number,
): Promise<ContainerServiceDeployment | undefined> {
  const repository = {
    repositoryName: ctx.checked.repository.repositoryName ?? "",
    repositoryUri: ctx.checked.repository.repositoryUri ?? "",
  };
  const passedOver = new Set<number | undefined>();
  for (;;) {
    const target = restoreTarget(
      ctx.known(),
      deployments.filter((d) => !passedOver.has(d.version)),
      servedBefore && !passedOver.has(servedBefore.version) ? servedBefore : undefined,
      failedVersion,
    );
    if (!target) return undefined;
    const images = Object.values(target.containers ?? {}).flatMap((c) => (c.image ? [c.image] : []));
    const missing = await missingImages(ctx.aws, repository, images);
    if (missing.length === 0) return target;
    ctx.deps.log.warning(
      `Verified version ${target.version} cannot be restored: ${missing.join(", ")} is no longer in ECR`,
    );
    passedOver.add(target.version);
  }
}

/**
 * Replaces the failed version with a verified-good release, and keeps at it through throttling, server
 * faults, dropped connections and a service still busy with the cut-over, until `wait-timeout`.
 */
export async function restoreVerifiedRelease(
  ctx: ReleaseContext,
  failedVersion: number,
  servedBefore: ContainerServiceDeployment | undefined,
): Promise<RestoreOutcome> {
  const { inputs, aws, deps } = ctx;
  const deadline = deps.now() + inputs.waitTimeoutMs;
  const intervalMs = pollIntervalFor("rollback", inputs.pollIntervalMs);
  let target: ContainerServiceDeployment | undefined;
  try {
    const created = await retryUntil(
      async () => {
        // The failed release can be ACTIVE while the service still finishes its cut-over (DEPLOYING), and
        // Lightsail refuses a new deployment until the service settles.
        await settledService(aws, inputs, deps, intervalMs, "rollback");
        const deployments = await listDeployments(aws, inputs.serviceName);
        const newer = replacedBy(deployments, failedVersion);
        if (newer) return { superseded: newer.version ?? 0 };
        // What this run read at the start plus its own verdicts: a re-read could fail mid-rollback.
        target = await restorableTarget(ctx, deployments, servedBefore, failedVersion);
        if (!target) return undefined;
        deps.log.info(`Restoring the configuration of verified version ${target.version}`);
        return createDeployment(
          requestFromDeployment(inputs.serviceName, target),
          aws,
          {
            serviceName: inputs.serviceName,
            id: ctx.nextDeployId(),
            kind: "rollback",
            deadline,
            retryRefusal: isServiceBusy,
          },
          deps,
        );
      },
      { deadline, what: "the automatic rollback", retryable: worthRetrying },
      deps,
    );
    if (created === undefined || target === undefined) return { kind: "no-target" };
    if ("superseded" in created) return { kind: "superseded", by: created.superseded };
    const verdict = await ctx.phase("rollback", `Verify rollback version ${created.version}`, () =>
      ctx.verify(created, "rollback"),
    );
    await ctx.recordVerdict(verdict);
    return { kind: "restored", target, version: created.version, verdict };
  } catch (error) {
    const reason = error instanceof DeployError ? error.what : describeError(error);
    // retryUntil gives up on a retryable error only when `wait-timeout` has passed; on any other at once.
    return { kind: "not-done", reason, outOfTime: worthRetrying(error) };
  }
}
