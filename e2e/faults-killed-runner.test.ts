import { describe, expect, it } from "vitest";
import { killAt } from "./support/log-points.js";
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

// A runner killed (SIGKILL: no cleanup, no report) at three points of a bad release, on the real stand-in.
// Each time the failing release is left ACTIVE, serving 500s, with nobody to roll it back; a re-run of the
// same inputs must then put back a release the action verified as good, never the failing one.
const enabled = await endToEndEnabled();

const SERVICE = "e2e-faults-killed";

describe.skipIf(!enabled)("a runner killed mid-deploy, then re-run", () => {
  const stage = useStage(SERVICE, [SHA_V1, SHA_V2]);

  it.each([
    // The Create went through: the new version exists, nothing has judged it yet.
    ["right after its Create", /^Created deployment version \d+ /],
    // The new version is ACTIVE and the probe has begun (it prints its result only at the end).
    ["while it verifies (probing) the new version", /^Version \d+: ACTIVE$/],
    // The release was rejected and recorded so; the rollback had not created its deployment yet.
    ["in the automatic rollback, before its Create", /^▶ Automatic rollback$/],
  ])(
    "killed %s: a re-run of the same inputs restores a verified-good release",
    async (when, point) => {
      const before = await stage.pipeline.deployments();
      const load = stage.load();
      const kill = killAt(point);
      const killed = await stage.deployImage(
        stage.images.degrading,
        SHA_DEGRADING,
        {},
        { onLine: kill.onLine },
      );
      expect(kill.line, killed.log).toBeDefined();
      expect(killed.signal).toBe("SIGKILL");
      expect(killed.outputs).toEqual({});
      // The push ended before the kill, so its private docker config (the ECR password) was removed; what
      // is left is the runner's own files (outputs, summary, and the state the post step reads).
      expect(Object.keys(killed.leftInTemp).sort()).toEqual(["output", "state", "summary"]);
      const killedVersion = Math.max(...(await stage.pipeline.deployments()).map((d) => d.version));
      expect(killedVersion).toBe(Math.max(...before.map((d) => d.version)) + 1);

      const rerun = await stage.deployImage(stage.images.degrading, SHA_DEGRADING);
      const report = await load.stopAfterRecovery(`runner killed ${when}, then re-run`);
      expectOutcome(rerun, "fails", "rolled-back");
      const { version: restoredVersion, from: fromVersion } = rolledBack(rerun);
      const record = await stage.pipeline.releaseRecord();
      const deployments = await stage.pipeline.deployments();
      // The restore copied a release on record as good, which is neither the killed run's nor the re-run's.
      const from = deployments.find((d) => String(d.version) === fromVersion);
      expect(record.findLast((e) => e.version === from?.version && e.id === from?.deployId)).toMatchObject({
        verdict: "good",
      });
      expect(from?.image).toContain(`:${SHA_V2.slice(0, 7)}`);
      expect(record.some((e) => e.version === killedVersion && e.verdict === "good")).toBe(false);
      const serving = await expectVerifiedServing(stage, SHA_V2);
      expect(String(serving.version)).toBe(restoredVersion);
      expect(rerun.outputs["serving-version"]).toBe(restoredVersion);
      expect(report.after).toEqual([]);
    },
    300_000,
  );
});
