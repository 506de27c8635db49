import type {
  ContainerServiceDeployment,
  CreateContainerServiceDeploymentRequest,
} from "@aws-sdk/client-lightsail";
import { DeployError, describeError } from "../../../platform/errors.js";
import type { ReleaseKind } from "../../../platform/release-kind.js";
import { timed } from "../../../platform/timeline.js";
import { hasVerifiedRelease } from "../../../release/record/release-record.js";
import type { ReleaseOutcome, Serving } from "../../deploy-target.js";
import { describeServing, readServing } from "../preflight/lightsail-reads.js";
import { type CreatedDeployment, createDeployment } from "./create/create-deployment.js";
import { publicImage } from "./create/deployment-request.js";
import { DEPLOY_ID_VARIABLE, deployIdOf } from "./deployment-id.js";
import { verdictEntry, verdictOf } from "./record-view.js";
import type { ReleaseContext } from "./release-context.js";
import { type RestoreOutcome, restoreVerifiedRelease } from "./restore/restore.js";
import { fetchDeploymentLogs } from "./verify/logs.js";
import type { Verdict } from "./verify/verify.js";

/**
 * Before this run changes anything: a record that has verified nothing yet for this service starts from the
 * release that is serving, so that a failure of this very run has something verified to return to. Only a
 * release the action did not create: one carrying this action's deploy id but no verdict was never judged
 * (a killed run's, or one whose verdict was lost) and is never trusted.
 */
async function startRecord(ctx: ReleaseContext): Promise<void> {
  const serving = ctx.checked.service.currentDeployment;
  const record = ctx.known();
  if (!serving || hasVerifiedRelease(record) || verdictOf(record, serving) !== undefined) return;
  if (deployIdOf(serving) !== undefined) {
    ctx.deps.log.warning(
      `Version ${serving.version} serves and carries this action's ${DEPLOY_ID_VARIABLE} but no verdict in the release record ${ctx.record.name} (a run killed before judging it, or a record deleted): it is not trusted, so a failure of this run has no verified release to return to`,
    );
    return;
  }
  const entry = verdictEntry(
    serving,
    "good",
    "serving when the record began",
    new Date(ctx.deps.now()),
    {},
    ctx.record.scope,
  );
  await ctx.remember(entry, `starts from version ${serving.version}, serving now`);
}

async function containerLogs(ctx: ReleaseContext, deployment: ContainerServiceDeployment | undefined) {
  if (!deployment) return [];
  const lines = await ctx
    .phase("verify", "Container logs", () =>
      fetchDeploymentLogs(ctx.aws, ctx.inputs.serviceName, deployment, new Date(ctx.deps.now())),
    )
    .catch((error: unknown) => [`(could not read the container logs: ${describeError(error)})`]);
  ctx.deps.log.info(lines.join("\n"));
  return lines;
}

function failure(what: string, phase: "verify" | "rollback", todo: string): DeployError {
  return new DeployError(what, phase, todo);
}

const FIX_TODO = "read the container logs in the step log or job summary, fix the cause and deploy again";

function notRolledBack(restore: Exclude<RestoreOutcome, { kind: "restored" }>): string {
  switch (restore.kind) {
    case "superseded":
      return `not rolled back: version ${restore.by}, another deployment, replaced it first`;
    case "no-target":
      return "not rolled back: the release record holds no verified-good release to return to";
    case "not-done":
      return restore.outOfTime
        ? `the automatic rollback could not be completed before \`wait-timeout\` (${restore.reason})`
        : `the automatic rollback was refused (${restore.reason})`;
  }
}

/** The outcome after a rejected release that served (went ACTIVE), by what the restore managed. */
function afterRestore(
  restore: RestoreOutcome,
  what: string,
  serving: Serving,
  base: Omit<ReleaseOutcome, "status" | "serving">,
): ReleaseOutcome {
  if (restore.kind === "restored") {
    const image = publicImage(restore.target);
    const notes = [...base.notes, `${base.image} failed and was rolled back to ${image}.`];
    const configuration = `the configuration of verified version ${restore.target.version}`;
    if (restore.verdict.kind === "good") {
      const message = `${what}; rolled back: version ${restore.version} (${configuration}) is serving`;
      return {
        ...base,
        status: "rolled-back",
        version: restore.version,
        image,
        notes,
        serving: { version: restore.version },
        error: failure(message, "verify", FIX_TODO),
      };
    }
    const message = `${what}; the rollback to ${configuration} (as version ${restore.version}) also ${restore.verdict.reason}; ${describeServing(serving)}`;
    return {
      ...base,
      status: "failed",
      version: restore.version,
      image,
      notes,
      serving,
      error: failure(message, "rollback", FIX_TODO),
    };
  }
  const why = notRolledBack(restore);
  return {
    ...base,
    status: "failed",
    serving,
    error: failure(`${what}; ${why}; ${describeServing(serving)}`, "rollback", FIX_TODO),
  };
}

/**
 * Creates the deployment, verifies that exact version, records the verdict, and on a bad verdict collects
 * the logs and (when allowed) restores a verified-good release.
 */
export async function release(
  ctx: ReleaseContext,
  request: CreateContainerServiceDeploymentRequest,
  kind: ReleaseKind,
  image: string | undefined,
  /** Bake a rollback too: its target was never verified good (see ReleaseContext.verify). */
  bake = kind === "deploy",
): Promise<ReleaseOutcome> {
  const { inputs, deps } = ctx;
  await startRecord(ctx);
  const servedBefore = ctx.checked.service.currentDeployment;
  const created = await ctx.phase(kind, kind === "deploy" ? "Deploy" : "Rollback", () =>
    timed(deps, "deployment", async () => {
      const deadline = deps.now() + inputs.waitTimeoutMs;
      const out = await createDeployment(
        request,
        ctx.aws,
        { serviceName: inputs.serviceName, id: ctx.nextDeployId(), kind, deadline },
        deps,
      );
      deps.log.info(`Created deployment version ${out.version} (${DEPLOY_ID_VARIABLE}=${out.id})`);
      return out;
    }),
  );
  try {
    return await judge(ctx, created, kind, image, servedBefore, bake);
  } catch (error) {
    // After a Create, no exception ends the run without reading back what serves and saying it.
    const serving = await readServing(ctx.aws, inputs.serviceName, deps);
    const message = `deployment version ${created.version} was created, then the run failed before judging it (${error instanceof DeployError ? error.what : describeError(error)}); ${describeServing(serving)}`;
    return {
      version: created.version,
      image,
      logs: [],
      notes: [],
      status: "failed",
      serving,
      error: failure(
        message,
        kind === "deploy" ? "verify" : "rollback",
        "check the service's deployments and re-run; the release record has no verdict on that version, so no rollback will return to it",
      ),
    };
  }
}

/** Verifies the created version, records the verdict, and on a bad one restores a verified release. */
async function judge(
  ctx: ReleaseContext,
  created: CreatedDeployment,
  kind: ReleaseKind,
  image: string | undefined,
  servedBefore: ContainerServiceDeployment | undefined,
  bake: boolean,
): Promise<ReleaseOutcome> {
  const { inputs, deps } = ctx;
  const verdict: Verdict = await ctx.phase("verify", `Verify version ${created.version}`, () =>
    ctx.verify(created, kind, bake),
  );
  await ctx.recordVerdict(verdict);
  const base = {
    version: created.version,
    image,
    logs: [] as string[],
    notes: [] as string[],
    ...("bake" in verdict && verdict.bake ? { bake: verdict.bake } : {}),
  };
  if (verdict.kind === "good") {
    return {
      ...base,
      status: kind === "deploy" ? "deployed" : "rolled-back",
      serving: { version: created.version },
    };
  }
  const what = `deployment version ${created.version} ${verdict.reason}`;
  if (verdict.kind === "superseded") {
    const serving = await readServing(ctx.aws, inputs.serviceName, deps);
    const message = `${what}; nothing was rolled back; ${describeServing(serving)}`;
    return {
      ...base,
      status: "superseded",
      serving,
      error: failure(
        message,
        "verify",
        `find out who deployed version ${verdict.by}, and re-run if this release should serve`,
      ),
    };
  }
  base.logs = await containerLogs(ctx, verdict.deployment);
  if (verdict.kind === "rejected" && verdict.activated && inputs.autoRollback) {
    const restore = await ctx.phase("rollback", "Automatic rollback", () =>
      timed(deps, "rollback", () => restoreVerifiedRelease(ctx, created.version, servedBefore)),
    );
    const serving =
      restore.kind === "restored" && restore.verdict.kind === "good"
        ? { version: restore.version }
        : await readServing(ctx.aws, inputs.serviceName, deps);
    return afterRestore(restore, what, serving, base);
  }
  const serving = await readServing(ctx.aws, inputs.serviceName, deps);
  const todo =
    verdict.kind === "timed-out"
      ? "it may still finish: check it with GetContainerServiceDeployments, and raise `wait-timeout` if the app starts slowly"
      : FIX_TODO;
  const off = verdict.kind === "rejected" && verdict.activated ? "; `auto-rollback` is off" : "";
  return {
    ...base,
    status: "failed",
    serving,
    error: failure(
      `${what}${off}; ${describeServing(serving)}`,
      kind === "deploy" ? "verify" : "rollback",
      todo,
    ),
  };
}
