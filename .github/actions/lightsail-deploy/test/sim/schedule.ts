import fc from "fast-check";
import { type CallFault, OPERATIONS, type RecordOp } from "./aws-model.js";
import { FAULT_KINDS } from "./faults.js";
import type { RunAction, RunPlan, Scenario } from "./harness.js";

const COMMANDS = Object.values(OPERATIONS).flat();

/**
 * A fault at the `nth` call of one operation, lasting `times` calls. Mostly single faults (the SDK's
 * retries used up once), sometimes an outage long enough to outlast the action's own retries.
 */
const callFault: fc.Arbitrary<CallFault> = fc.record({
  command: fc.constantFrom(...COMMANDS),
  nth: fc.nat({ max: 4 }),
  times: fc.oneof(
    { weight: 4, arbitrary: fc.constant(1) },
    { weight: 1, arbitrary: fc.integer({ min: 2, max: 40 }) },
  ),
  kind: fc.constantFrom(...FAULT_KINDS),
});

const recordOp: fc.Arbitrary<RecordOp> = fc.record({
  at: fc.nat({ max: 80 }),
  kind: fc.constantFrom("empty", "corrupt-legacy", "corrupt-entry", "fill", "concurrent"),
});

const action: fc.Arbitrary<RunAction> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant("deploy" as const),
      quality: fc.constantFrom("good", "good", "fails-health", "fails-probe", "fails-bake"),
    }),
  },
  { weight: 1, arbitrary: fc.constant({ kind: "rollback-previous" as const }) },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant("rollback-version" as const), pick: fc.nat({ max: 5 }) }),
  },
);

const runPlan: fc.Arbitrary<RunPlan> = fc.record(
  {
    action,
    autoRollback: fc.boolean(),
    debug: fc.boolean(),
    faults: fc.array(callFault, { maxLength: 4 }),
    recordOps: fc.array(recordOp, { maxLength: 1 }),
    kill: fc.option(fc.nat({ max: 150 }), { nil: undefined, freq: 3 }),
    rerunFaults: fc.array(callFault, { maxLength: 2 }),
    pauseMs: fc.integer({ min: 0, max: 600_000 }),
  },
  { requiredKeys: ["action", "autoRollback", "debug", "faults", "recordOps", "rerunFaults", "pauseMs"] },
);

/** A scenario: the record's start, bake or not, how long Lightsail takes, and one to three jobs. */
export const scenarioArbitrary: fc.Arbitrary<Scenario> = fc.record({
  record: fc.constantFrom("empty", "verified", "legacy"),
  bake: fc.boolean(),
  activationMs: fc.integer({ min: 10_000, max: 120_000 }),
  runs: fc.array(runPlan, { minLength: 1, maxLength: 3 }),
});
