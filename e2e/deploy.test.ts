import { DescribeImagesCommand } from "@aws-sdk/client-ecr";
import type { FaultSpec } from "local-aws";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LocalPipeline } from "../scripts/harness/pipeline.js";
import { endToEndEnabled } from "./support/prerequisites.js";
import { expectOutcome, SHA_BROKEN, SHA_DEGRADING, type Stage, startStage } from "./support/stage.js";

// One story, in order, on one local service: each step starts from what the previous one left serving,
// as a team's deploys do. Real Docker, a real registry and the bundled action (dist/index.js).
const enabled = await endToEndEnabled();

const SERVICE = "e2e-shop";
const REPOSITORY = "e2e-shop-app";
const SHA_V1 = "a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1";
const SHA_V2 = "b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2";
const API_KEY = "e2e-secret-api-key-7f3a9c";

describe.skipIf(!enabled)("deploying to the local Lightsail stand-in with the bundled action", () => {
  let stage: Stage;
  let pipeline: LocalPipeline;

  const buildAndDeploy = (sha: string, extra: Record<string, string> = {}) => stage.deployApp(sha, extra);
  const healthVersion = () => stage.healthVersion();

  beforeAll(async () => {
    stage = await startStage({
      service: SERVICE,
      repository: REPOSITORY,
      ssmPath: "/e2e-shop/dev/",
      parameters: [
        { name: "/e2e-shop/dev/AUTHORIZER_URL", type: "SecureString", value: "http://127.0.0.1:9/authorize" },
        { name: "/e2e-shop/dev/API_KEY", type: "SecureString", value: API_KEY },
      ],
    });
    pipeline = stage.pipeline;
  });

  afterAll(async () => {
    await stage?.close();
  });

  it("deploys v1: the step succeeds and the service answers /health with v1", async () => {
    const run = await buildAndDeploy(SHA_V1);
    expectOutcome(run, "succeeds");
    expect(run.outputs.status).toBe("deployed");
    expect(run.outputs["image-tag"]).toBe(SHA_V1.slice(0, 7));
    expect(run.outputs["deployment-version"]).toBe("1");
    expect(run.outputs["service-url"]).toBe(pipeline.serviceUrl);
    expect(await healthVersion()).toBe(SHA_V1);
    expect(run.summary).toContain(SERVICE);
    // The SSM secret reached the container without ever reaching the step log: the raw output holds it
    // only in the runner's `::add-mask::` command, which the runner consumes before anything is shown.
    expect(run.log).not.toContain(API_KEY);
    const rawLinesWithKey = run.rawLog.split("\n").filter((line) => line.includes(API_KEY));
    expect(rawLinesWithKey).toEqual([`::add-mask::${API_KEY}`]);
  }, 300_000);

  it("a dry run prints the deployment request, masks its environment, and changes nothing", async () => {
    const before = await pipeline.deployments();
    const run = await buildAndDeploy(SHA_V2, { "dry-run": "true" });
    expectOutcome(run, "succeeds");
    expect(run.log).toContain("Dry run: this request would be sent; nothing was changed.");
    expect(run.log).toContain(`${SHA_V2.slice(0, 7)}`);
    expect(run.log).not.toContain(API_KEY);
    expect(run.log).not.toMatch(/docker build|Pushed /);
    expect(await pipeline.deployments()).toEqual(before);
    expect(await healthVersion()).toBe(SHA_V1);
  }, 300_000);

  it("deploys v2 with no failed request during the cut-over; v1 becomes INACTIVE", async () => {
    const load = stage.load();
    const run = await buildAndDeploy(SHA_V2);
    await load.stop();
    expectOutcome(run, "succeeds");
    expect(run.outputs["deployment-version"]).toBe("2");
    expect(run.outputs["previous-version"]).toBe("1");
    expect(load.answers.length).toBeGreaterThan(10);
    expect(load.answers.filter((answer) => !answer.ok)).toEqual([]);
    expect(await healthVersion()).toBe(SHA_V2);
    const states = await pipeline.deployments();
    expect(states.map((d) => [d.version, d.state])).toEqual([
      [1, "INACTIVE"],
      [2, "ACTIVE"],
    ]);
  }, 300_000);

  it("a release that cannot start fails the step, prints its container logs, and v2 keeps serving", async () => {
    const run = await stage.deployImage(stage.images.broken, SHA_BROKEN);
    expectOutcome(run, "fails", "failed");
    expect(run.log).toContain("boom: the release cannot start");
    expect(run.summary).toContain("boom: the release cannot start");
    expect(run.log).toMatch(/version 2 .*serving|serving.*version 2/i);
    expect(await healthVersion()).toBe(SHA_V2);
    const states = await pipeline.deployments();
    expect(states.at(-1)).toMatchObject({ version: 3, state: "FAILED" });
    expect(states.find((d) => d.state === "ACTIVE")?.version).toBe(2);
  }, 300_000);

  it("re-running the same commit deploys the image already in ECR without building or pushing", async () => {
    const before = await pipeline.ecr.send(
      new DescribeImagesCommand({ repositoryName: REPOSITORY, imageIds: [{ imageTag: SHA_V2.slice(0, 7) }] }),
    );
    const run = await buildAndDeploy(SHA_V2);
    expectOutcome(run, "succeeds");
    expect(run.log).toContain("already in ECR");
    expect(run.log).not.toMatch(/Pushed /);
    const after = await pipeline.ecr.send(
      new DescribeImagesCommand({ repositoryName: REPOSITORY, imageIds: [{ imageTag: SHA_V2.slice(0, 7) }] }),
    );
    expect(after.imageDetails?.[0]?.imageDigest).toBe(before.imageDetails?.[0]?.imageDigest);
    expect(await healthVersion()).toBe(SHA_V2);
  }, 300_000);

  it("rolls back to v1 by image tag without a build or a push", async () => {
    const run = await pipeline.runAction({ "rollback-to": SHA_V1.slice(0, 7), "poll-interval": "1s" });
    expectOutcome(run, "succeeds");
    expect(run.log).not.toMatch(/docker build|Pushed /);
    expect(run.outputs["image-tag"]).toBe(SHA_V1.slice(0, 7));
    expect(await healthVersion()).toBe(SHA_V1);
  }, 300_000);

  it("rolls back to the previous deployment with `rollback-to: previous`", async () => {
    const run = await stage.rollback("previous");
    expectOutcome(run, "succeeds");
    expect(await healthVersion()).toBe(SHA_V2);
  }, 300_000);

  it("refuses to roll back to an image that is no longer in ECR, and changes nothing", async () => {
    const before = await pipeline.deployments();
    const run = await stage.rollback("0000000");
    expect(run.exitCode).not.toBe(0);
    expect(run.log).toContain("0000000");
    expect(await pipeline.deployments()).toEqual(before);
    expect(await healthVersion()).toBe(SHA_V2);
  }, 300_000);

  it("a release that goes ACTIVE but fails the probe is rolled back automatically, and the step fails", async () => {
    const run = await stage.deployImage(stage.images.degrading, SHA_DEGRADING);
    expectOutcome(run, "fails", "rolled-back");
    expect(run.log).toContain("degrading release listening");
    expect(run.log).toMatch(/rolled back/i);
    const states = await pipeline.deployments();
    const [failedRelease, restored] = states.slice(-2);
    expect(failedRelease?.image).toContain(SHA_DEGRADING.slice(0, 7));
    expect(restored).toMatchObject({ state: "ACTIVE" });
    expect(restored?.image).toContain(SHA_V2.slice(0, 7));
    expect(run.outputs["deployment-version"]).toBe(String(restored?.version));
    expect(await healthVersion()).toBe(SHA_V2);
  }, 300_000);

  it("a deployment that never settles fails the step at the timeout and the old version keeps serving", async () => {
    const fault = pipeline.local.faults.add({ kind: "neverSettle", serviceNames: [SERVICE] });
    try {
      const run = await stage.rollback(SHA_V1.slice(0, 7), { "wait-timeout": "10s" });
      expect(run.exitCode).not.toBe(0);
      expect(run.outputs.status).toBe("failed");
      expect(run.log).toMatch(/10 ?s|timed out|did not/i);
      expect(await healthVersion()).toBe(SHA_V2);
    } finally {
      pipeline.local.faults.remove(fault.id);
    }
    // The stand-in, like Lightsail, fails a deployment that never settles only after its own long timeout;
    // a later deploy is refused until then, which the next test does not need: it waits for the service.
  }, 300_000);

  it("deploys through a throttling storm and through 5xx answers and dropped connections", async () => {
    const faults: FaultSpec[] = [
      // A storm: five throttled answers in a row (the SDK's default 3 attempts would give up), absorbed by the
      // action's 6 attempts per call wherever they fall, parallel calls included.
      { kind: "throttle", apis: ["lightsail", "ecr", "ssm"], count: 5 },
      { kind: "error", status: 503, apis: ["lightsail", "ecr"], count: 4 },
      { kind: "drop", apis: ["lightsail"], count: 1 },
    ];
    // The previous test's deployment of v1 may have gone ACTIVE on its own after that run timed out: it serves,
    // carries the action's id and has no verdict, so `rollback-to` v1 while it is active is refused (a release
    // is never vouched for unprobed). Going to v2 first makes every v1 below a probed, non-active target.
    for (const fault of faults) {
      pipeline.local.faults.add(fault);
      const run = await pipeline.runAction({ "rollback-to": SHA_V2.slice(0, 7), "poll-interval": "1s" });
      pipeline.local.faults.clear();
      expectOutcome(run, "succeeds");
      expect(await healthVersion()).toBe(SHA_V2);
      const again = await pipeline.runAction({ "rollback-to": SHA_V1.slice(0, 7), "poll-interval": "1s" });
      expectOutcome(again, "succeeds");
    }
    expect(await healthVersion()).toBe(SHA_V1);
  }, 600_000);
});
