import { describe, expect, it } from "vitest";
import { endToEndEnabled } from "./support/prerequisites.js";
import {
  expectOutcome,
  expectVerifiedServing,
  rolledBack,
  SHA_DEGRADING,
  SHA_V1,
  SHA_V2,
  useStage,
} from "./support/stage.js";

// Rollbacks go only to releases the action verified as good (the release record), on the real stand-in:
// v1 and v2 verified, then a release that passes Lightsail's health check and fails the action's probe.
const enabled = await endToEndEnabled();

const SERVICE = "e2e-faults-rollback";

describe.skipIf(!enabled)("rollbacks return only to verified-good releases", () => {
  const stage = useStage(SERVICE, [SHA_V1, SHA_V2]);

  it("`rollback-to: previous` right after an automatic rollback picks the release before, not the failed one", async () => {
    const load = stage.load();
    const failing = await stage.deployImage(stage.images.degrading, SHA_DEGRADING);
    expectOutcome(failing, "fails", "rolled-back");
    const { version: restoredVersion, from: fromVersion } = rolledBack(failing);
    expect(fromVersion).toBe("2");
    expect(failing.outputs["deployment-version"]).toBe(restoredVersion);
    expect(failing.outputs["serving-version"]).toBe(restoredVersion);
    await expectVerifiedServing(stage, SHA_V2);

    // The serving release is a copy of v2, so "previous" is the verified release before v2: v1.
    const previous = await stage.rollback("previous");
    const report = await load.stopAfterRecovery("rollback-to: previous after an automatic rollback");
    expectOutcome(previous, "succeeds", "rolled-back");
    expect(previous.log).toContain("Rolling back to the configuration of version 1");
    const serving = await expectVerifiedServing(stage, SHA_V1);
    expect(previous.outputs["serving-version"]).toBe(String(serving.version));
    expect(report.before.length).toBeGreaterThan(0); // the failing release did serve its 500s for a while
    expect(report.after).toEqual([]);
  }, 300_000);

  it.each([
    ["its image tag", () => SHA_DEGRADING.slice(0, 7)],
    ["its version", () => "3"],
  ])(
    "a manual rollback to the failed release (by %s) fails its probe and is rolled back to the last verified release",
    async (_by, target) => {
      const before = await expectVerifiedServing(stage, SHA_V1);
      const record = await stage.pipeline.releaseRecord();
      expect(record.find((e) => e.version === 3)).toMatchObject({ verdict: "rejected" });
      const load = stage.load();
      const run = await stage.rollback(target());
      const report = await load.stopAfterRecovery(`manual rollback to the failed release by ${_by}`);
      expectOutcome(run, "fails", "rolled-back");
      const { version: restoredVersion, from: fromVersion } = rolledBack(run);
      expect(fromVersion).toBe(String(before.version));
      expect(run.outputs["serving-version"]).toBe(restoredVersion);
      const serving = await expectVerifiedServing(stage, SHA_V1);
      expect(String(serving.version)).toBe(restoredVersion);
      // The manual rollback's own deployment is on record as rejected, so nothing will return to it.
      const rollbackVersion = Number(restoredVersion) - 1;
      const entry = (await stage.pipeline.releaseRecord()).findLast((e) => e.version === rollbackVersion);
      expect(entry).toMatchObject({ verdict: "rejected", why: "failed the probe" });
      expect(report.after).toEqual([]);
    },
    300_000,
  );
});
