import { afterAll, afterEach, beforeAll, expect, inject } from "vitest";
import type { ActionRun, RunActionOptions } from "../../scripts/harness/github-runner.js";
import { repoRoot } from "../../scripts/harness/paths.js";
import {
  type DeploymentView,
  type LocalPipeline,
  type PipelineOptions,
  startLocalPipeline,
} from "../../scripts/harness/pipeline.js";
import { loadServiceUrl } from "./service-load.js";

/** The failing fixture images every stage can deploy, tagged per run: no two runs ever share (or remove) one. */
export interface FixtureImages {
  /** Builds fine but cannot start (e2e/fixtures/broken.Dockerfile). */
  broken: string;
  /** Passes Lightsail's health check, then answers 500 (e2e/fixtures/degrading.Dockerfile). */
  degrading: string;
  /** The deploy rehearsal's pull-request images (e2e/fixtures/rehearsal-*.Dockerfile). */
  rehearsal: { good: string; wrongPort: string; missingVariable: string };
}
/** Two good releases of the app, as the commits they are built from. */
export const SHA_V1 = "a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1";
export const SHA_V2 = "b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2";
export const SHA_BROKEN = "dead0bad0dead0bad0dead0bad0dead0bad0dead";
export const SHA_DEGRADING = "0fa11000fa11000fa11000fa11000fa11000fa11";

export { buildImage, removeImages } from "../../scripts/harness/images.js";

type Inputs = Record<string, string | undefined>;
type RunOptions = Pick<RunActionOptions, "onLine">;

/** One local service with the app's releases and the two failing fixtures, and ways to deploy them. */
export interface Stage {
  pipeline: LocalPipeline;
  images: FixtureImages;
  /** Builds the app at `sha` (or finds its tag already in ECR) and deploys it. */
  deployApp(sha: string, extra?: Inputs, options?: RunOptions): Promise<ActionRun>;
  /** Deploys a prebuilt image (a fixture) as the release of commit `sha`. */
  deployImage(image: string, sha: string, extra?: Inputs, options?: RunOptions): Promise<ActionRun>;
  /** `rollback-to: <to>`. */
  rollback(to: string, extra?: Inputs, options?: RunOptions): Promise<ActionRun>;
  /** The `version` the service URL's /health answers with (expects a 200). */
  healthVersion(): Promise<string>;
  /** A bounded request loop on the service URL's /health (see loadServiceUrl). */
  load(): ReturnType<typeof loadServiceUrl>;
  /** Stops the pipeline, which checks every answer of the stand-in against AWS's models (and throws on a violation). */
  close(): Promise<void>;
}

const TIMING: Inputs = { "poll-interval": "1s", "wait-timeout": "3m", "probe-count": "10" };

export async function startStage(
  options: Pick<PipelineOptions, "service" | "repository"> & Partial<PipelineOptions>,
): Promise<Stage> {
  const ssmPath = options.ssmPath ?? `/${options.service}/dev/`;
  const pipeline = await startLocalPipeline({
    ssmPath,
    parameters: [
      { name: `${ssmPath}AUTHORIZER_URL`, type: "SecureString", value: "http://127.0.0.1:9/authorize" },
    ],
    ...options,
  });
  // Built once per run by the e2e project's globalSetup (e2e/support/fixture-images.ts) and only read here.
  const images = inject("fixtureImages");
  if (!images) throw new Error("the e2e fixture images were not built (see e2e/support/fixture-images.ts)");
  return {
    pipeline,
    images,
    deployApp: (sha, extra = {}, runOptions = {}) =>
      pipeline.runAction(
        {
          context: repoRoot,
          dockerfile: "Dockerfile",
          "build-args": `BUN_IMAGE=${pipeline.baseImage}\nGIT_SHA=${sha}`,
          "container-name": "app",
          "container-port": "3000",
          "health-check-path": "/health",
          "ssm-path": ssmPath,
          ...TIMING,
          ...extra,
        },
        { GITHUB_SHA: sha },
        runOptions,
      ),
    // A fixture is not built from this checkout: tagged as its commit explicitly, so that uncommitted
    // changes in the checkout (which make the default tag `<sha7>-dirty-<time>`) do not rename it.
    deployImage: (image, sha, extra = {}, runOptions = {}) =>
      pipeline.runAction(
        { image, tag: sha.slice(0, 7), "container-name": "app", ...TIMING, ...extra },
        { GITHUB_SHA: sha },
        runOptions,
      ),
    rollback: (to, extra = {}, runOptions = {}) =>
      pipeline.runAction({ "rollback-to": to, ...TIMING, ...extra }, {}, runOptions),
    async healthVersion() {
      const response = await fetch(new URL("health", pipeline.serviceUrl));
      expect(response.status).toBe(200);
      return ((await response.json()) as { version: string }).version;
    },
    load: () => loadServiceUrl(new URL("health", pipeline.serviceUrl).toString()),
    async close() {
      const conformance = await pipeline.close();
      console.info(`stand-in answers checked against the AWS models: ${conformance.answersChecked}`);
    },
  };
}

/**
 * Checks the step's outcome: whether it succeeded (exit 0) or failed, and its `status` output (any when
 * undefined). Shows the log when the outcome is not the one expected.
 */
export function expectOutcome(run: ActionRun, step: "succeeds" | "fails", status?: string) {
  const ok =
    (step === "succeeds") === (run.exitCode === 0) && (status === undefined || run.outputs.status === status);
  if (!ok)
    console.error(
      `expected the step to ${step === "succeeds" ? "succeed" : "fail"}${status ? ` with ${status}` : ""}, got exit ${run.exitCode} status ${run.outputs.status}:\n${run.log}`,
    );
  expect(ok).toBe(true);
  const error = run.log.split("\n").findLast((line) => line.startsWith("Error: "));
  console.log(`[run] exit ${run.exitCode}, status ${run.outputs.status}${error ? `: ${error}` : ""}`);
}

/**
 * What serves is a verified-good release of `sha`: /health answers it, and the release record lists the
 * ACTIVE deployment (same version, same LIGHTSAIL_DEPLOY_ID) as good. Returns that deployment.
 */
export async function expectVerifiedServing(stage: Stage, sha: string): Promise<DeploymentView> {
  expect(await stage.healthVersion()).toBe(sha);
  const active = (await stage.pipeline.deployments()).find((d) => d.state === "ACTIVE");
  expect(active?.image).toContain(`:${sha.slice(0, 7)}`);
  const record = await stage.pipeline.releaseRecord();
  const entry = record.findLast((e) => e.version === active?.version && e.id === active?.deployId);
  expect(entry, `the record lists version ${active?.version}: ${JSON.stringify(record)}`).toMatchObject({
    verdict: "good",
  });
  return active as DeploymentView;
}

/**
 * A stage for one test file: started before its tests, with `releases` (app commits) deployed and each
 * verified, in order; closed (containers removed) after them. Each test starts without faults. The stage
 * it returns is usable in tests.
 */
export function useStage(service: string, releases: string[]): Stage {
  let stage: Stage | undefined;
  beforeAll(async () => {
    stage = await startStage({ service, repository: `${service}-app` });
    for (const sha of releases) expectOutcome(await stage.deployApp(sha), "succeeds", "deployed");
  });
  afterEach(() => {
    stage?.pipeline.local.faults.clear();
  });
  afterAll(async () => {
    await stage?.close();
  });
  return new Proxy({} as Stage, {
    get(_target, key) {
      if (!stage) throw new Error(`the stage for ${service} is not started (beforeAll)`);
      return Reflect.get(stage, key);
    },
  });
}

/** From an automatic rollback's message: the restore's version, and the verified version it copied. */
export function rolledBack(run: ActionRun): { version: string; from: string } {
  const [, version = "", from = ""] =
    /rolled back: version (\d+) \(the configuration of verified version (\d+)\) is serving/.exec(run.log) ??
    [];
  expect(version, run.log).not.toBe("");
  return { version, from };
}
