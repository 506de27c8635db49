import type { FaultSpec } from "local-aws";
import { describe, expect, it } from "vitest";
import type { ActionRun } from "../scripts/harness/github-runner.js";
import { atLine } from "./support/log-points.js";
import { endToEndEnabled } from "./support/prerequisites.js";
import {
  expectOutcome,
  expectVerifiedServing,
  rolledBack,
  SHA_BROKEN,
  SHA_DEGRADING,
  SHA_V1,
  SHA_V2,
  useStage,
} from "./support/stage.js";

// AWS misbehaving at the worst moments, on the real stand-in: while the automatic rollback creates its
// deployment, when the answer to a Create is lost, and while the action reads back what serves. Each
// fault is injected at a point the run's live log shows, never on a timer.
const enabled = await endToEndEnabled();

const SERVICE = "e2e-faults-aws";
const CREATE = "CreateContainerServiceDeployment";
/** The Create is carried out, then its answer is lost; the SDK's retry is refused (the service is busy). */
const LOST_CREATE_ANSWER: FaultSpec = {
  kind: "dropAnswer",
  apis: ["lightsail"],
  operations: [CREATE],
  count: 1,
};

/** What a pre-flight failure says; after a bad release went ACTIVE it is untrue, whatever the fault. */
const PREFLIGHT_NOTHING_CHANGED = /at preflight;[^\n]*nothing was changed/;

/** The version the action found by its deployment id after the lost answer, from its warning. */
function createdDespiteLostAnswer(run: ActionRun): string {
  const [, version = ""] =
    /but the deployment was created: version (\d+) carries this run's id/.exec(run.log) ?? [];
  expect(version, run.log).not.toBe("");
  return version;
}

describe.skipIf(!enabled)("AWS errors during a deploy and its recovery", () => {
  /** Adds the faults at the first line matching `pattern`; `added` holds them once they are in. */
  const injectAt = (pattern: RegExp, faults: FaultSpec[]) => {
    const added: number[] = [];
    const point = atLine(pattern, () => {
      for (const fault of faults) added.push(stage.pipeline.local.faults.add(fault).id);
    });
    return {
      point,
      added,
      pending: () => stage.pipeline.local.faults.list().filter((f) => added.includes(f.id)),
    };
  };

  const stage = useStage(SERVICE, [SHA_V1, SHA_V2]);

  it("the automatic rollback outlasts throttling, 5xx answers and dropped connections on its Create", async () => {
    // 18 failed attempts in a row: three times the SDK's 6 attempts per call, tens of seconds of faults.
    const faults: FaultSpec[] = [
      { kind: "throttle", apis: ["lightsail"], operations: [CREATE], count: 8 },
      { kind: "error", status: 500, apis: ["lightsail"], operations: [CREATE], count: 4 },
      { kind: "error", status: 503, apis: ["lightsail"], operations: [CREATE], count: 4 },
      { kind: "drop", apis: ["lightsail"], operations: [CREATE], count: 2 },
    ];
    const storm = injectAt(/^▶ Automatic rollback$/, faults);
    const load = stage.load();
    const run = await stage.deployImage(
      stage.images.degrading,
      SHA_DEGRADING,
      {},
      { onLine: storm.point.onLine },
    );
    const report = await load.stopAfterRecovery("automatic rollback through a storm on its Create");
    expect(storm.added).toHaveLength(faults.length);
    expect(storm.pending()).toEqual([]); // every fault was hit to the end
    expectOutcome(run, "fails", "rolled-back");
    expect(run.log).toMatch(
      /CreateContainerServiceDeployment failed \(.*\) and created nothing; trying again/,
    );
    expect(run.log).not.toMatch(PREFLIGHT_NOTHING_CHANGED);
    const { version: restoredVersion, from: fromVersion } = rolledBack(run);
    expect(fromVersion).toBe("2");
    const serving = await expectVerifiedServing(stage, SHA_V2);
    expect(String(serving.version)).toBe(restoredVersion);
    expect(run.outputs["serving-version"]).toBe(restoredVersion);
    expect(report.after).toEqual([]);
  }, 300_000);

  it("the automatic rollback outlasts throttling on its reads of the service, and says nothing false meanwhile", async () => {
    // The rollback first waits for the service to settle (GetContainerServices): 14 throttled answers in a
    // row fail two of those calls whole (6 attempts each) before one gets through.
    const storm = injectAt(/^▶ Automatic rollback$/, [
      { kind: "throttle", apis: ["lightsail"], operations: ["GetContainerServices"], count: 14 },
    ]);
    const load = stage.load();
    const run = await stage.deployImage(
      stage.images.degrading,
      SHA_DEGRADING,
      {},
      { onLine: storm.point.onLine },
    );
    const report = await load.stopAfterRecovery("automatic rollback through throttled service reads");
    expect(storm.pending()).toEqual([]);
    expectOutcome(run, "fails", "rolled-back");
    expect(run.log).toMatch(/the automatic rollback failed \(.*\); trying again/);
    expect.soft(run.log).not.toMatch(PREFLIGHT_NOTHING_CHANGED);
    const { version: restoredVersion } = rolledBack(run);
    expect((await expectVerifiedServing(stage, SHA_V2)).version).toBe(Number(restoredVersion));
    expect(report.after).toEqual([]);
  }, 300_000);

  it("an outage that outlasts `wait-timeout` in the automatic rollback: the step says so truly, and a re-run restores", async () => {
    const outage = injectAt(/^▶ Automatic rollback$/, [
      { kind: "throttle", apis: ["lightsail"], operations: ["GetContainerServices"] },
    ]);
    const load = stage.load();
    const run = await stage.deployImage(
      stage.images.degrading,
      SHA_DEGRADING,
      { "wait-timeout": "20s" },
      { onLine: outage.point.onLine },
    );
    for (const id of outage.added) stage.pipeline.local.faults.remove(id);
    // Soft checks, so that the re-run below restores the service whatever they find.
    expect.soft(run.outputs.status).toBe("failed");
    const error = run.log.split("\n").findLast((line) => line.startsWith("Error: ")) ?? "";
    expect.soft(error).toContain("the automatic rollback could not be completed before `wait-timeout`");
    expect.soft(error).toContain("which version is serving could not be read");
    expect.soft(run.outputs["serving-version"]).toBe("");
    // The failing release was deployed and serves: nothing about this run is "nothing was changed".
    expect.soft(run.log).not.toMatch(PREFLIGHT_NOTHING_CHANGED);
    expect.soft(run.summary).not.toMatch(PREFLIGHT_NOTHING_CHANGED);

    const rerun = await stage.deployImage(stage.images.degrading, SHA_DEGRADING);
    const report = await load.stopAfterRecovery("rollback outage past wait-timeout, then a re-run");
    expectOutcome(rerun, "fails", "rolled-back");
    const { version: restoredVersion } = rolledBack(rerun);
    expect((await expectVerifiedServing(stage, SHA_V2)).version).toBe(Number(restoredVersion));
    expect(report.after).toEqual([]);
  }, 300_000);

  it("a lost Create answer: a good release is found by its id, reported deployed, and serves", async () => {
    stage.pipeline.local.faults.add(LOST_CREATE_ANSWER);
    const load = stage.load();
    const run = await stage.deployApp(SHA_V1);
    const report = await load.stopAfterRecovery("good release, Create answer lost");
    expectOutcome(run, "succeeds", "deployed");
    const found = createdDespiteLostAnswer(run);
    expect(run.outputs["deployment-version"]).toBe(found);
    expect(run.outputs["serving-version"]).toBe(found);
    const serving = await expectVerifiedServing(stage, SHA_V1);
    expect(String(serving.version)).toBe(found);
    expect(report.before).toEqual([]);
    expect(report.after).toEqual([]);
  }, 300_000);

  it("a lost Create answer: a bad release is found by its id and rolled back", async () => {
    const before = await expectVerifiedServing(stage, SHA_V1);
    stage.pipeline.local.faults.add(LOST_CREATE_ANSWER);
    const load = stage.load();
    const run = await stage.deployImage(stage.images.degrading, SHA_DEGRADING);
    const report = await load.stopAfterRecovery("bad release, Create answer lost");
    expectOutcome(run, "fails", "rolled-back");
    const found = createdDespiteLostAnswer(run);
    expect(Number(found)).toBe(before.version + 1);
    const { version: restoredVersion, from: fromVersion } = rolledBack(run);
    expect(fromVersion).toBe(String(before.version));
    expect((await expectVerifiedServing(stage, SHA_V1)).version).toBe(Number(restoredVersion));
    expect(report.after).toEqual([]);
  }, 300_000);

  it("a burst of 503s while a FAILED release reads back what serves: the message names the serving version", async () => {
    const before = await expectVerifiedServing(stage, SHA_V1);
    // 10 in a row: more than one call's 6 attempts, less than the read's budget.
    const burst = injectAt(/^Version \d+: FAILED$/, [
      { kind: "error", status: 503, apis: ["lightsail"], operations: ["GetContainerServices"], count: 10 },
    ]);
    const load = stage.load();
    const run = await stage.deployImage(stage.images.broken, SHA_BROKEN, {}, { onLine: burst.point.onLine });
    const report = await load.stopAfterRecovery("FAILED release, 503 burst on the serving read");
    expect(burst.added).toHaveLength(1);
    expect(burst.pending()).toEqual([]);
    expectOutcome(run, "fails", "failed");
    expect(run.log).toContain(`version ${before.version} is serving`);
    expect(run.log).not.toContain("no version is serving");
    expect(run.outputs["serving-version"]).toBe(String(before.version));
    await expectVerifiedServing(stage, SHA_V1);
    // The old version answered all along.
    expect(report.before).toEqual([]);
    expect(report.after).toEqual([]);
  }, 300_000);

  it("503s that outlast the read: the message says which version serves could not be read, never that none does", async () => {
    const before = await expectVerifiedServing(stage, SHA_V1);
    const outage = injectAt(/^Version \d+: FAILED$/, [
      { kind: "error", status: 503, apis: ["lightsail"], operations: ["GetContainerServices"] },
    ]);
    const load = stage.load();
    try {
      const run = await stage.deployImage(
        stage.images.broken,
        SHA_BROKEN,
        {},
        { onLine: outage.point.onLine },
      );
      const report = await load.stopAfterRecovery("FAILED release, 503s on every serving read");
      expectOutcome(run, "fails", "failed");
      expect(run.log).toMatch(
        /which version is serving could not be read \(.*(503|ServiceException|ServiceUnavailable).*\)/,
      );
      expect(run.log).not.toContain("no version is serving");
      expect(run.outputs["serving-version"]).toBe("");
      expect(report.before).toEqual([]);
      expect(report.after).toEqual([]);
    } finally {
      for (const id of outage.added) stage.pipeline.local.faults.remove(id);
    }
    expect((await expectVerifiedServing(stage, SHA_V1)).version).toBe(before.version);
  }, 300_000);

  it("a good release during a burst of 503s on the status reads is reported deployed", async () => {
    const burst = injectAt(/^▶ Verify version \d+$/, [
      {
        kind: "error",
        status: 503,
        apis: ["lightsail"],
        operations: ["GetContainerServices", "GetContainerServiceDeployments"],
        count: 10,
      },
    ]);
    const load = stage.load();
    const run = await stage.deployApp(SHA_V2, {}, { onLine: burst.point.onLine });
    const report = await load.stopAfterRecovery("good release, 503 burst during its verification");
    expect(burst.pending()).toEqual([]);
    expectOutcome(run, "succeeds", "deployed");
    const serving = await expectVerifiedServing(stage, SHA_V2);
    expect(run.outputs["serving-version"]).toBe(String(serving.version));
    expect(run.outputs["deployment-version"]).toBe(String(serving.version));
    expect(report.before).toEqual([]);
    expect(report.after).toEqual([]);
  }, 300_000);
});
