import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { endToEndEnabled } from "./support/prerequisites.js";
import {
  buildImage,
  expectOutcome,
  expectVerifiedServing,
  removeImages,
  rolledBack,
  SHA_V1,
  useStage,
} from "./support/stage.js";

// The bake window (`bake-time`) on the real stand-in: a release that passes Lightsail's health check and the
// action's first probe, then starts answering 500 inside the window, is rolled back within the window.
const enabled = await endToEndEnabled();

const SERVICE = "h12-bake";
const SHA_SOURING = "50a150a150a150a150a150a150a150a150a150a1";
const BAKE_SECONDS = 60;

describe.skipIf(!enabled)("a release that sours inside the bake window", () => {
  const stage = useStage(SERVICE, [SHA_V1]);
  const souring = `h12-souring-release:${process.pid}`;

  beforeAll(async () => {
    await buildImage(stage.pipeline.baseImage, souring, "e2e/fixtures/souring.Dockerfile", "e2e/fixtures");
  }, 120_000);
  afterAll(async () => {
    await removeImages(souring);
  });

  it("is rolled back within the window, the step fails with its logs, and the previous version serves", async () => {
    const load = stage.load();
    const startedAt = Date.now();
    const run = await stage.deployImage(souring, SHA_SOURING, { "bake-time": `${BAKE_SECONDS}s` });
    const report = await load.stopAfterRecovery("souring release inside the bake window");
    expectOutcome(run, "fails", "rolled-back");
    expect(run.log).toContain("Probe ");
    expect(run.log).toMatch(
      /went ACTIVE and passed the probe, then failed the bake window: \d+ of \d+ requests/,
    );
    const { from } = rolledBack(run);
    expect(from).toBe("1");
    // The container logs of the bad release are in the step log.
    expect(run.log).toContain("souring, answering 500");
    // Caught inside the window: the summary says the window stopped early, and shows it minute by minute.
    const stopped = /### Bake window \(stopped after (\d+) s of (\d+) s\): (\d+) requests, (\d+) errors/.exec(
      run.summary,
    );
    expect(stopped, run.summary).not.toBeNull();
    expect(Number(stopped?.[1])).toBeLessThan(BAKE_SECONDS);
    expect(run.summary).toContain("| Minute | Requests | Errors | Rate |");
    // The summary starts with the run's timeline, the bake and the rollback in it.
    expect(run.summary.startsWith("```mermaid\ngantt\n")).toBe(true);
    expect(run.summary).toMatch(/ {4}bake \d+\.\d s :t\d+, \d+, \d+/);
    expect(run.summary).toMatch(/ {4}rollback \d+\.\d s :t\d+, \d+, \d+/);
    await expectVerifiedServing(stage, SHA_V1);
    // The bad release served 500s for a while; from the end of the step on, nothing failed.
    expect(report.before.length).toBeGreaterThan(0);
    expect(report.after).toEqual([]);
    const record = await stage.pipeline.releaseRecord();
    expect(record.find((e) => e.why === "failed the bake window")).toMatchObject({ verdict: "rejected" });
    console.log(`[bake] step took ${((Date.now() - startedAt) / 1000).toFixed(1)} s`);
  }, 300_000);
});
