import { type Observed, secretsOf } from "./harness.js";
import { exposed } from "./secrets.js";
import { active, publicImageOf, qualityOf } from "./world.js";

/** A broken promise, with what the simulation saw. */
export class InvariantBroken extends Error {
  constructor(invariant: string, detail: string, observed: Observed) {
    const r = observed.result;
    super(
      `invariant ${invariant}: ${detail}\n  run: ${JSON.stringify(observed.plan.action)} attempt ${observed.attempt}; status ${r?.status}, serving-version ${r?.servingVersion ?? ""}, deployment-version ${r?.deploymentVersion ?? ""}\n  error: ${r?.error ?? "(none)"}\n  model: ${observed.world.deployments.map((d) => `v${d.version} ${d.state} ${qualityOf(observed.world, d)}`).join(", ")}`,
    );
    this.name = "InvariantBroken";
  }
}

const SAYS_SERVING =
  /version (\d+) is serving|no version is serving|which version is serving could not be read/;

/**
 * The three promises, judged against the model's truth after each attempt:
 * 1. what serves is a verified-good release, or the run failed and says plainly that it is not and why;
 * 2. `status`, `serving-version` and the messages match the model;
 * 3. no secret, nor any form of one, is in any byte written (a killed attempt's output included).
 */
export function checkInvariants(observed: Observed): void {
  const leak = exposed(observed.output, secretsOf(observed.world));
  if (leak) throw new InvariantBroken("3 (secrets)", `${leak} was written`, observed);
  const { result, world } = observed;
  if (observed.killed || !result) return;
  const serving = active(world);
  const quality = qualityOf(world, serving);
  const created = world.deployments.some((d) => !observed.versionsBefore.includes(d.version));
  const error = result.error ?? "";
  const broken = (invariant: string, detail: string) => new InvariantBroken(invariant, detail, observed);

  // 2: the status and the exit code agree; every claim about what serves is the model's.
  if (
    (result.status === "deployed") !== (observed.exitCode === 0) &&
    !(result.status === "rolled-back" && !result.error)
  )
    throw broken("2 (status)", `status ${result.status} with exit code ${observed.exitCode}`);
  if (result.servingVersion !== undefined && result.servingVersion !== serving?.version)
    throw broken(
      "2 (serving-version)",
      `serving-version ${result.servingVersion}, but version ${serving?.version} serves`,
    );
  for (const said of error.matchAll(new RegExp(SAYS_SERVING, "g"))) {
    if (said[1] !== undefined && Number(said[1]) !== serving?.version)
      throw broken(
        "2 (message)",
        `the message says version ${said[1]} is serving, but ${serving?.version} is`,
      );
    if (said[0] === "no version is serving" && serving)
      throw broken("2 (message)", `the message says no version is serving, but ${serving.version} is`);
  }
  if (/nothing was changed/.test(error) && created)
    throw broken("2 (message)", "the message says nothing was changed, but the run created a deployment");
  if (result.status === "deployed" && publicImageOf(serving) !== observed.deployed && !result.promotedFrom)
    throw broken(
      "2 (status)",
      `status deployed, but ${publicImageOf(serving)} serves, not ${observed.deployed}`,
    );

  // 1: what serves is good, or the failure says what serves and that it is not good.
  const good = quality === "good";
  if (result.status === "deployed" || result.status === "rolled-back") {
    if (!good)
      throw broken(
        "1 (serving)",
        `status ${result.status}, but the serving release is ${quality ?? "nothing"}`,
      );
    return;
  }
  if (good || !created) return;
  // 1 (the last good version): a run that found a good release serving, through faults the action is built
  // to outlast (each at most a few calls long, none a lasting refusal), leaves a good one serving when
  // auto-rollback is on and a verified release exists.
  const before = world.deployments.find((d) => d.version === observed.servingBefore);
  const passing =
    qualityOf(world, before) === "good" && observed.faults.every((f) => f.times <= 3 && f.kind !== "denied");
  const noTarget = /holds no verified-good release/.test(error);
  if (observed.plan.autoRollback && passing && !noTarget && result.status !== "superseded")
    throw broken(
      "1 (last good version)",
      `auto-rollback on, only passing faults, and a ${quality ?? "missing"} release serves`,
    );
  if (!SAYS_SERVING.test(error))
    throw broken(
      "1 (serving)",
      `the run failed leaving a ${quality ?? "missing"} release serving, and does not say what serves`,
    );
}
