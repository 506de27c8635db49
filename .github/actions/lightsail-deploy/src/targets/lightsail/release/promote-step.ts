import type { StepOutcome } from "../../deploy-target.js";
import { planDeploy } from "./create/deploy.js";
import { describeRequest } from "./create/deployment-request.js";
import { checkOtherImages } from "./deploy-step.js";
import { release } from "./release.js";
import { deploying, type ReleaseContext } from "./release-context.js";
import { dryRun } from "./step-outcome.js";

/** Deploys an image already in ECR, pinned by digest, with this environment's own configuration. */
export async function promoteStep(ctx: ReleaseContext): Promise<StepOutcome> {
  const { inputs, checked, aws, deps, phase } = ctx;
  const promotion = checked.promotion;
  if (!promotion) throw new Error("promoteStep needs a promotion resolved in pre-flight");
  await checkOtherImages(ctx);
  const request = await phase("deploy", "Deployment request", async () => {
    const planned = await planDeploy(inputs, checked, promotion.uri, aws, deps);
    deps.log.debug(describeRequest(planned));
    return planned;
  });
  const deployed = { uri: promotion.uri, digest: promotion.digest, from: promotion.from };
  const note = `Promoted ${promotion.digest}${promotion.from ? ` from ${promotion.from}` : ""}: nothing was built or pushed.`;
  if (inputs.dryRun) return { ...dryRun(request, promotion.uri, deps, note), deployed };
  const outcome = await release(deploying(ctx, deployed), request, "deploy", promotion.uri);
  outcome.notes.unshift(note);
  return { kind: "released", outcome, deployed };
}
