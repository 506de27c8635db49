import { describe, expect, test } from "vitest";
import type { Coverage } from "./aws-model.js";
import { type Observed, type RunPlan, runScenario, type Scenario } from "./harness.js";
import { checkInvariants } from "./invariants.js";

/** Bugs the simulation found, each as the shrunk scenario of its seed, replayed exactly. */

const quiet = { autoRollback: true, debug: false, faults: [], recordOps: [], rerunFaults: [], pauseMs: 0 };

async function replay(scenario: Scenario): Promise<Observed[]> {
  const seen: Observed[] = [];
  await runScenario(scenario, 0, new Map() as Coverage, (observed) => {
    seen.push(observed);
    checkInvariants(observed);
  });
  return seen;
}

describe("found by the simulation", () => {
  // SIM_SEED=20261205 SIM_RUNS=2000 (before the fix): a rejected release left serving (auto-rollback off),
  // then `rollback-to` naming that very version reported `rolled-back` with exit 0.
  test("`rollback-to` the active version that verification rejected fails and says so, changing nothing", async () => {
    const runs: RunPlan[] = [
      { ...quiet, autoRollback: false, action: { kind: "deploy", quality: "fails-probe" } },
      { ...quiet, action: { kind: "rollback-version", pick: 0 } },
    ];
    const seen = await replay({ record: "empty", bake: false, activationMs: 10_000, runs });
    const rollback = seen.at(-1)?.result;
    expect(rollback?.status).toBe("failed");
    expect(rollback?.error).toMatch(/rejected/);
    expect(rollback?.error).toContain("version 4 is serving");
  });

  // SIM_SEED=20261205 SIM_RUNS=2000, after the fix above: the record filled past its limit with verdicts of
  // higher versions (a service recreated under the same name) evicted the fresh rejection of version 4;
  // `rollback-to: 4` then vouched for it again, as a release with no verdict at all.
  test("`rollback-to` the active version the record holds no verdict on fails too, changing nothing", async () => {
    const runs: RunPlan[] = [
      {
        ...quiet,
        autoRollback: false,
        recordOps: [{ at: 0, kind: "fill" }],
        action: { kind: "deploy", quality: "fails-probe" },
      },
      { ...quiet, action: { kind: "rollback-version", pick: 0 } },
    ];
    const seen = await replay({ record: "empty", bake: false, activationMs: 10_000, runs });
    const rollback = seen.at(-1)?.result;
    expect(rollback?.status).toBe("failed");
    expect(rollback?.error).toContain("does not hold as verified");
  });

  // SIM_SEED=2 SIM_RUNS=3000: a killed run left its unjudged release (v4); `rollback-to: 4` verified it
  // without the bake window and recorded it good; a later failed deploy was "rolled back" to it, and a
  // release that fails after its first requests served as verified.
  test("a rollback to a release the record does not hold as verified bakes before it is recorded good", async () => {
    const runs: RunPlan[] = [
      // Killed at step 19: after the deployment was created, before its verdict (18 before the platform check
      // added a docker call ahead of the push).
      { ...quiet, autoRollback: false, kill: 19, action: { kind: "deploy", quality: "fails-bake" } },
      { ...quiet, autoRollback: false, action: { kind: "rollback-version", pick: 1 } },
      { ...quiet, action: { kind: "deploy", quality: "fails-bake" } },
    ];
    const seen = await replay({ record: "empty", bake: true, activationMs: 10_000, runs });
    const manual = seen.find((o) => o.plan.action.kind === "rollback-version")?.result;
    expect(manual?.status).toBe("failed");
    expect(manual?.error).toContain("failed the bake window");
  });
});
