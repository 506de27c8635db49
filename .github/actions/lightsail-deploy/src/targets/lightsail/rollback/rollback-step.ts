import type { StepOutcome } from "../../deploy-target.js";
import { containerImageList } from "../release/create/container-images.js";
import { publicImage } from "../release/create/deployment-request.js";
import { verdictOf } from "../release/record-view.js";
import { release } from "../release/release.js";
import type { ReleaseContext } from "../release/release-context.js";
import { dryRun } from "../release/step-outcome.js";
import { planRollback } from "./rollback-plan.js";

export async function rollbackStep(ctx: ReleaseContext): Promise<StepOutcome> {
  const { inputs, checked, aws, deps, phase } = ctx;
  if (inputs.source.kind !== "rollback") throw new Error("rollbackStep needs a rollback source");
  const target = inputs.source.target;
  const plan = await phase("rollback", "Rollback target", () =>
    planRollback(inputs, checked, target, ctx.recordAtStart, aws, deps),
  );
  const image = publicImage({
    containers: plan.request.containers,
    publicEndpoint: plan.request.publicEndpoint,
  });
  if (plan.choice.kind === "already-active") {
    const version = plan.choice.deployment.version;
    return {
      kind: "unchanged",
      image,
      version,
      note: `Version ${version} is already the active deployment; nothing was changed.`,
    };
  }
  if (inputs.dryRun) return dryRun(plan.request, image, deps);
  const containers = containerImageList(plan.request);
  // A target the record does not hold as verified good gets its first verdict here, bake window included.
  const verified =
    plan.choice.kind === "redeploy" && verdictOf(ctx.recordAtStart, plan.choice.deployment) === "good";
  const outcome = await release(ctx, plan.request, "rollback", image, !verified);
  return { kind: "released", outcome, containers };
}
