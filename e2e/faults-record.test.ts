import { describe, expect, it } from "vitest";
import { endToEndEnabled } from "./support/prerequisites.js";
import { expectOutcome, expectVerifiedServing, SHA_V1, SHA_V2, useStage } from "./support/stage.js";

// H2 on the real stand-in: a release record that was deleted (the old advice for a corrupt one, or a wiped
// account) never leads to a guess. v1 and v2 verified, then every verdict deleted.
const enabled = await endToEndEnabled();

const SERVICE = "e2e-faults-record";

describe.skipIf(!enabled)("an empty release record never leads to a guess", () => {
  const stage = useStage(SERVICE, [SHA_V1, SHA_V2]);

  it("`rollback-to: previous` with the record deleted refuses, says what to pass, and v2 keeps serving", async () => {
    const before = await expectVerifiedServing(stage, SHA_V2);
    expect(await stage.pipeline.deleteReleaseRecord()).toBeGreaterThan(0);
    expect(await stage.pipeline.releaseRecord()).toEqual([]);
    const load = stage.load();
    const run = await stage.rollback("previous");
    const report = await load.stopAfterRecovery("rollback-to: previous with the record deleted");
    expectOutcome(run, "fails", "failed");
    expect(run.log).toContain("holds no verified-good release of this service other than the serving one");
    expect(run.log).toMatch(/name the version to return to with `rollback-to` \(e\.g\. `rollback-to: \d+`/);
    expect(run.log).not.toContain("Created deployment version");
    const after = (await stage.pipeline.deployments()).find((d) => d.state === "ACTIVE");
    expect(after?.version).toBe(before.version);
    expect(await stage.healthVersion()).toBe(SHA_V2);
    expect([...report.before, ...report.after]).toEqual([]);
  }, 300_000);
});
