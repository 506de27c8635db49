import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ActionRun } from "../scripts/harness/github-runner.js";
import { atLine } from "./support/log-points.js";
import { endToEndEnabled } from "./support/prerequisites.js";
import {
  buildImage,
  expectOutcome,
  expectVerifiedServing,
  removeImages,
  SHA_V1,
  useStage,
} from "./support/stage.js";

// Two deploys of one service at once, on the real stand-in: the second starts while the first is probing
// its new version, and replaces it before the first can judge it.
const enabled = await endToEndEnabled();

const SERVICE = "e2e-faults-concurrent";
/** A good release that answers each request after 15 ms: 1,000 probe requests take 15 s or more. */
const SLOW_IMAGE = `e2e-slow-release:${SERVICE}-${process.pid}`;
const SHA_SLOW = "5105105105105105105105105105105105105105";

describe.skipIf(!enabled)("another deploy while this one is probing", () => {
  const stage = useStage(SERVICE, [SHA_V1]);

  beforeAll(async () => {
    await buildImage(stage.pipeline.baseImage, SLOW_IMAGE, "e2e/fixtures/slow.Dockerfile", "e2e/fixtures");
  });

  afterAll(async () => {
    await removeImages(SLOW_IMAGE);
  });

  it("the first run reports superseded, rolls nothing back, and the other deploy's version serves", async () => {
    const load = stage.load();
    let other: Promise<ActionRun> | undefined;
    // v1's tag is already in ECR, so the other deploy skips the build and reaches its Create quickly.
    const probing = atLine(/^Version \d+: ACTIVE$/, () => {
      other = stage.deployApp(SHA_V1);
    });
    // The most requests a probe may make, each slow: a window of 15 s or more for the other deploy.
    const first = await stage.deployImage(
      SLOW_IMAGE,
      SHA_SLOW,
      { "probe-count": "1000" },
      { onLine: probing.onLine },
    );
    expect(other, first.log).toBeDefined();
    const second = (await other) as ActionRun;
    const report = await load.stopAfterRecovery("a second deploy while the first probes");
    expectOutcome(second, "succeeds", "deployed");
    const otherVersion = second.outputs["deployment-version"];
    expectOutcome(first, "fails", "superseded");
    expect(first.log).toContain(
      `was superseded by version ${otherVersion}, another deployment, before it could be judged; nothing was rolled back`,
    );
    expect(first.log).not.toMatch(/Automatic rollback|rolled back:/);
    expect(first.outputs["serving-version"]).toBe(otherVersion);
    const firstVersion = Number(first.outputs["deployment-version"]);
    // Nothing after the other deploy: no rollback deployment, and no verdict on the superseded version.
    const deployments = await stage.pipeline.deployments();
    expect(deployments.at(-1)).toMatchObject({ version: Number(otherVersion), state: "ACTIVE" });
    expect(Number(otherVersion)).toBe(firstVersion + 1);
    expect((await stage.pipeline.releaseRecord()).some((e) => e.version === firstVersion)).toBe(false);
    const serving = await expectVerifiedServing(stage, SHA_V1);
    expect(String(serving.version)).toBe(otherVersion);
    expect(report.before).toEqual([]);
    expect(report.after).toEqual([]);
  }, 300_000);
});
