import { DescribeImagesCommand } from "@aws-sdk/client-ecr";
import { GetContainerServiceDeploymentsCommand } from "@aws-sdk/client-lightsail";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { summarizeCalls } from "../scripts/harness/counting-proxy.js";
import type { ActionRun } from "../scripts/harness/github-runner.js";
import { endToEndEnabled } from "./support/prerequisites.js";
import { loadServiceUrl } from "./support/service-load.js";
import { expectOutcome, SHA_DEGRADING, SHA_V1, type Stage, startStage } from "./support/stage.js";

// Build once, promote the same bytes: dev → staging → prod on one stand-in holding all three services and
// the one repository, as the workflows run it. Each environment has its own SSM path.
const enabled = await endToEndEnabled();

const DEV = "h11-promote-dev";
const STAGING = "h11-promote-staging";
const PROD = "h11-promote-prod";
const REPOSITORY = "h11-promote-app";
const ssmPath = (env: string) => `/h11-promote/${env}/`;
const TIMING = { "poll-interval": "1s", "wait-timeout": "3m", "probe-count": "10" };

/** What a push would cost: ECR hands out a registry login only to push (a promotion never asks for one). */
const pushLogins = (stage: Stage) =>
  summarizeCalls(stage.pipeline.calls).byOperation.find(([op]) => op === "GetAuthorizationToken")?.[1] ?? 0;

describe.skipIf(!enabled)("promotion: one image, built once, through dev → staging → prod", () => {
  let stage: Stage;
  beforeAll(async () => {
    stage = await startStage({
      service: DEV,
      repository: REPOSITORY,
      moreServices: [STAGING, PROD],
      ssmPath: ssmPath("dev"),
      parameters: ["dev", "staging", "prod"].map((env) => ({
        name: `${ssmPath(env)}AUTHORIZER_URL`,
        type: "SecureString" as const,
        value: "http://127.0.0.1:9/authorize",
      })),
    });
  }, 300_000);
  afterAll(async () => {
    await stage?.close();
  });

  /** The workflow's promote job: the digest the previous environment verified, with this one's config. */
  const promote = (service: string, env: string, digest: string, from: string) =>
    stage.pipeline.runAction({
      "service-name": service,
      promote: digest,
      "promote-from": from,
      "container-name": "app",
      "container-port": "3000",
      "health-check-path": "/health",
      "ssm-path": ssmPath(env),
      ...TIMING,
    });

  /** Like the workflow's `needs:`: each environment runs only when the one before it verified. */
  async function chain(digest: string, steps: [string, string, string][]): Promise<ActionRun[]> {
    const runs: ActionRun[] = [];
    for (const [service, env, from] of steps) {
      const run = await promote(service, env, digest, from);
      runs.push(run);
      if (run.exitCode !== 0 || run.outputs["image-digest"] !== digest) break;
    }
    return runs;
  }

  const healthVersion = async (service: string) => {
    const response = await fetch(new URL("health", stage.pipeline.urlOf(service)));
    expect(response.status).toBe(200);
    return ((await response.json()) as { version: string }).version;
  };
  const servingImage = async (service: string) => {
    const { deployments } = await stage.pipeline.lightsail.send(
      new GetContainerServiceDeploymentsCommand({ serviceName: service }),
    );
    const active = deployments?.find((d) => d.state === "ACTIVE");
    return { version: active?.version, image: active?.containers?.app?.image, count: deployments?.length };
  };
  const record = (service: string) => stage.pipeline.releaseRecord(service);

  it("builds once in dev, promotes twice: the same digest serves in all three, no build or push after the first", async () => {
    stage.pipeline.resetCalls();
    const dev = await stage.deployApp(SHA_V1);
    expectOutcome(dev, "succeeds", "deployed");
    const digest = dev.outputs["image-digest"] ?? "";
    expect(digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(pushLogins(stage)).toBeGreaterThan(0); // the dev deploy did push

    stage.pipeline.resetCalls();
    const runs = await chain(digest, [
      [STAGING, "staging", "dev"],
      [PROD, "prod", "staging"],
    ]);
    expect(runs).toHaveLength(2);
    for (const run of runs) {
      expectOutcome(run, "succeeds", "deployed");
      expect(run.outputs["image-digest"]).toBe(digest);
      expect(run.outputs["image-uri"]).toMatch(new RegExp(`/${REPOSITORY}@${digest}$`));
      expect(run.log).not.toMatch(/docker build|Pushed /);
    }
    expect(pushLogins(stage)).toBe(0);
    console.log(
      `[promotion] dev built and pushed ${digest}; staging and prod promoted it with ${summarizeCalls(stage.pipeline.calls).total} API calls and no registry login`,
    );

    // The same bytes serve everywhere: dev by its tag (which names the digest), staging and prod by digest.
    for (const service of [DEV, STAGING, PROD]) expect(await healthVersion(service)).toBe(SHA_V1);
    const devImage = (await servingImage(DEV)).image ?? "";
    const tag = devImage.slice(devImage.lastIndexOf(":") + 1);
    const { imageDetails } = await stage.pipeline.ecr.send(
      new DescribeImagesCommand({ repositoryName: REPOSITORY }),
    );
    // One image in the repository; each environment tagged it as serving (the lifecycle policy keeps those).
    expect(imageDetails?.map((d) => d.imageDigest)).toEqual([digest]);
    expect(imageDetails?.[0]?.imageTags?.sort()).toEqual(
      [tag, ...[DEV, STAGING, PROD].map((service) => `keep-${service}-serving`)].sort(),
    );
    for (const service of [STAGING, PROD]) expect((await servingImage(service)).image).toMatch(`@${digest}`);
    expect((await record(DEV)).at(-1)).toMatchObject({ verdict: "good", digest });
    expect((await record(STAGING)).at(-1)).toMatchObject({ verdict: "good", digest, from: "dev" });
    expect((await record(PROD)).at(-1)).toMatchObject({ verdict: "good", digest, from: "staging" });
  }, 600_000);

  it("a release that fails in staging never reaches prod, and prod keeps serving its version", async () => {
    // Healthy under dev's configuration; staging's own configuration (the fixture's default of 2 good
    // answers) makes it fail the probe there.
    const dev = await stage.deployImage(stage.images.degrading, SHA_DEGRADING, {
      "ssm-path": ssmPath("dev"),
      environment: "HEALTHY_REQUESTS=1000000",
    });
    expectOutcome(dev, "succeeds", "deployed");
    const digest = dev.outputs["image-digest"] ?? "";
    expect(digest).toMatch(/^sha256:/);

    const prodBefore = await servingImage(PROD);
    const prodLoad = loadServiceUrl(new URL("health", stage.pipeline.urlOf(PROD)).toString());
    const runs = await chain(digest, [
      [STAGING, "staging", "dev"],
      [PROD, "prod", "staging"],
    ]);
    await prodLoad.stop();

    expect(runs).toHaveLength(1);
    expectOutcome(runs[0] as ActionRun, "fails", "rolled-back");
    expect(runs[0]?.outputs["image-digest"]).toBe("");
    expect(await healthVersion(STAGING)).toBe(SHA_V1);
    expect((await record(STAGING)).find((e) => e.digest === digest)).toMatchObject({ verdict: "rejected" });

    const failedOnProd = prodLoad.answers.filter((a) => !a.ok);
    console.log(
      `[promotion] prod answered ${prodLoad.answers.length} requests, ${failedOnProd.length} failed`,
    );
    expect(prodLoad.answers.length).toBeGreaterThan(10);
    expect(failedOnProd).toEqual([]);
    expect(await servingImage(PROD)).toEqual(prodBefore);
    // The rejected digest was never tagged as anyone's serving image; staging's tag still names v1.
    const { imageDetails } = await stage.pipeline.ecr.send(
      new DescribeImagesCommand({
        repositoryName: REPOSITORY,
        imageIds: [{ imageTag: `keep-${STAGING}-serving` }],
      }),
    );
    expect(imageDetails?.[0]?.imageDigest).not.toBe(digest);
    expect(await healthVersion(PROD)).toBe(SHA_V1);
  }, 600_000);
});
