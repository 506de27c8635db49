import type { FaultSpec } from "local-aws";
import { describe, expect, it } from "vitest";
import type { ActionRun, RunActionOptions } from "../scripts/harness/github-runner.js";
import { atLine } from "./support/log-points.js";
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

// H1 on the real stand-in: a role without the permission verification needs fails in pre-flight with
// nothing changed, and network errors while the run polls its new version never end it unprobed.
const enabled = await endToEndEnabled();

const SERVICE = "e2e-faults-network";
const LIST = "GetContainerServiceDeployments";
const CREATE = "lightsail:CreateContainerServiceDeployment";
/** More dropped connections than one call's SDK attempts, so whole status reads fail, then recovery. */
const DROPPED_READS: FaultSpec = {
  kind: "drop",
  apis: ["lightsail"],
  operations: [LIST, "GetContainerServices"],
  count: 15,
};
type OnLine = NonNullable<RunActionOptions["onLine"]>;
const CREATED = /^Created deployment version \d+/;

describe.skipIf(!enabled)("H1: permissions and network errors around verification", () => {
  const stage = useStage(SERVICE, [SHA_V1, SHA_V2]);

  /**
   * Runs `deploy` under the request loop, with DROPPED_READS added when the Create's line shows; checks the
   * drops were all hit and that the run said so and polled on.
   */
  const withDroppedReads = async (label: string, deploy: (onLine: OnLine) => Promise<ActionRun>) => {
    const drops: number[] = [];
    const point = atLine(CREATED, () => drops.push(stage.pipeline.local.faults.add(DROPPED_READS).id));
    const load = stage.load();
    const run = await deploy(point.onLine);
    const report = await load.stopAfterRecovery(`${label}, status reads dropped after the Create`);
    expect(drops).toHaveLength(1);
    expect(stage.pipeline.local.faults.list().filter((f) => drops.includes(f.id))).toEqual([]);
    expect(run.log).toMatch(/Reading the deployment status failed \(.*\); polling again/);
    return { run, report };
  };

  it("a role without GetContainerServiceDeployments fails in pre-flight, names it, and changes nothing", async () => {
    const before = await expectVerifiedServing(stage, SHA_V2);
    stage.pipeline.local.faults.add({
      kind: "error",
      code: "AccessDeniedException",
      apis: ["lightsail"],
      operations: [LIST],
    });
    stage.pipeline.local.stats.reset();
    const load = stage.load();
    const run = await stage.deployImage(stage.images.degrading, SHA_DEGRADING);
    const report = await load.stopAfterRecovery("deploy denied GetContainerServiceDeployments");
    const calls = stage.pipeline.local.stats.snapshot().byOperation;
    stage.pipeline.local.faults.clear();
    expectOutcome(run, "fails", "failed");
    const error = run.log.split("\n").findLast((line) => line.startsWith("Error: ")) ?? "";
    expect(error).toMatch(/at preflight/);
    expect(error).toContain("access denied while listing the service's deployments");
    expect(error).toContain("lightsail:GetContainerServiceDeployments");
    expect(run.log).not.toContain("Created deployment version");
    expect(calls[CREATE] ?? 0).toBe(0);
    const after = await expectVerifiedServing(stage, SHA_V2);
    expect(after.version).toBe(before.version);
    expect([...report.before, ...report.after]).toEqual([]);
  }, 300_000);

  it("dropped status reads after the Create: a good release keeps being polled, is probed, and is verified", async () => {
    const before = await expectVerifiedServing(stage, SHA_V2);
    const { run, report } = await withDroppedReads("good release", (onLine) =>
      stage.deployApp(SHA_V1, {}, { onLine }),
    );
    expectOutcome(run, "succeeds", "deployed");
    const serving = await expectVerifiedServing(stage, SHA_V1);
    expect(serving.version).toBe(before.version + 1);
    expect(run.outputs["serving-version"]).toBe(String(serving.version));
    expect(report.after).toEqual([]);
  }, 300_000);

  it("dropped status reads after the Create: a bad release still gets its verdict and is rolled back", async () => {
    const before = await expectVerifiedServing(stage, SHA_V1);
    const { run, report } = await withDroppedReads("bad release", (onLine) =>
      stage.deployImage(stage.images.degrading, SHA_DEGRADING, {}, { onLine }),
    );
    expectOutcome(run, "fails", "rolled-back");
    const { version: restored, from } = rolledBack(run);
    expect(from).toBe(String(before.version));
    expect((await expectVerifiedServing(stage, SHA_V1)).version).toBe(Number(restored));
    expect(report.after).toEqual([]);
  }, 300_000);

  it("GetContainerServiceDeployments denied for 3 reads after the Create (a permission briefly gone): polled through to a verdict", async () => {
    // Whichever good release serves now (the tests above leave v1, run alone it is v2), the other one is deployed.
    const serves = await stage.healthVersion();
    const next = serves === SHA_V1 ? SHA_V2 : SHA_V1;
    const before = await expectVerifiedServing(stage, serves);
    const denials: number[] = [];
    const denied: FaultSpec = {
      kind: "error",
      code: "AccessDeniedException",
      apis: ["lightsail"],
      operations: [LIST],
      count: 3,
    };
    const point = atLine(CREATED, () => denials.push(stage.pipeline.local.faults.add(denied).id));
    const load = stage.load();
    const run = await stage.deployApp(next, {}, { onLine: point.onLine });
    const report = await load.stopAfterRecovery("good release, status reads denied after the Create");
    expectOutcome(run, "succeeds", "deployed");
    expect(denials).toHaveLength(1);
    expect(stage.pipeline.local.faults.list().filter((f) => denials.includes(f.id))).toEqual([]);
    expect(run.log).toMatch(
      /Reading the deployment status failed \(AccessDeniedException.*\); polling again/,
    );
    const serving = await expectVerifiedServing(stage, next);
    expect(serving.version).toBeGreaterThan(before.version);
    expect(run.outputs["serving-version"]).toBe(String(serving.version));
    expect([...report.before, ...report.after]).toEqual([]);
  }, 300_000);
});
