import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rehearse } from "../scripts/dev/rehearsal/rehearse.js";
import { runNode } from "../scripts/harness/github-runner.js";
import { localAwsAccess } from "../scripts/harness/local-aws-access.js";
import { repoRoot } from "../scripts/harness/paths.js";
import { endToEndEnabled } from "./support/prerequisites.js";
import { expectOutcome, SHA_V1, type Stage, startStage } from "./support/stage.js";

// The deploy rehearsal against a "live" service on one stand-in, configured like a real one (its own port and
// health path, variables from Parameter Store and from the deploy's environment), with three pull-request
// images rehearsed on a private stand-in of their own. The live stand-in must only ever be read.
const enabled = await endToEndEnabled();

const SERVICE = "h21-rehearse-live";
const SSM_PATH = `/${SERVICE}/prod/`;
const REHEARSAL_PATH = `/${SERVICE}/rehearsal/`;
const LIVE_SECRETS = ["live-api-key-5e1b7c9d", "postgres://app:live-db-pass-77a1@db/app"];
const REHEARSAL_KEY = "rehearsal-key-9f3c2a7e";
const PLACEHOLDER = "placeholder-level-3d8e";
const ACTION = { "probe-count": "4", "wait-timeout": "3m", "poll-interval": "1s" };

describe.skipIf(!enabled)("deploy rehearsal: the pull request's image on a copy of the live service", () => {
  let stage: Stage;
  let liveVersions: number[];
  beforeAll(async () => {
    stage = await startStage({
      service: SERVICE,
      repository: `${SERVICE}-app`,
      ssmPath: SSM_PATH,
      parameters: [
        { name: `${SSM_PATH}API_KEY`, type: "SecureString", value: LIVE_SECRETS[0] as string },
        { name: `${REHEARSAL_PATH}API_KEY`, type: "SecureString", value: REHEARSAL_KEY },
      ],
    });
    const live = await stage.deployImage(stage.images.rehearsal.good, SHA_V1, {
      "container-port": "8080",
      "health-check-path": "/healthz",
      "ssm-path": SSM_PATH,
      environment: `DATABASE_URL=${LIVE_SECRETS[1]}\nLOG_LEVEL=info`,
    });
    expectOutcome(live, "succeeds", "deployed");
    liveVersions = (await stage.pipeline.deployments()).map((d) => d.version);
    stage.pipeline.local.stats.reset();
  }, 600_000);
  afterAll(async () => {
    // Only reads reached the live stand-in during every rehearsal, and its deployments are the same.
    try {
      if (stage) {
        const calls = stage.pipeline.local.stats.snapshot().byOperation;
        console.info(`live stand-in requests during the rehearsals: ${JSON.stringify(calls)}`);
        expect(Object.keys(calls)).toContain("lightsail:GetContainerServices");
        expect(Object.keys(calls).filter((op) => !/^\w+:(Get|Describe)[A-Z]/.test(op))).toEqual([]);
        expect((await stage.pipeline.deployments()).map((d) => d.version)).toEqual(liveVersions);
      }
    } finally {
      await stage?.close();
    }
  });

  const rehearseImage = (image: string) =>
    rehearse(
      {
        serviceName: SERVICE,
        image,
        rehearsalPath: REHEARSAL_PATH,
        placeholders: { LOG_LEVEL: PLACEHOLDER },
        actionInputs: ACTION,
        settings: { timeScale: 0.2 },
      },
      {
        live: { lightsail: stage.pipeline.lightsail, ssm: stage.pipeline.ssm },
        mask: () => {},
        log: () => {},
      },
    );

  const expectNoValue = (text: string) => {
    for (const value of [...LIVE_SECRETS, REHEARSAL_KEY, PLACEHOLDER]) expect(text).not.toContain(value);
  };

  it("passes the good image, names the variable without a value, and masks the values it used", async () => {
    const { report, markdown } = await rehearseImage(stage.images.rehearsal.good);
    console.info(markdown);
    expect(report.verdict.passed, markdown).toBe(true);
    expect(report.plan.missing).toEqual(["DATABASE_URL"]);
    expect(markdown).toContain("Variables without a value: DATABASE_URL");
    expect(markdown).toContain("Variables with a rehearsal value: API_KEY, LOG_LEVEL");
    expect(report.containerLog).toContain("starting with API_KEY=***");
    expect(report.diff.some((line) => line.startsWith("container app image:"))).toBe(true);
    expect(report.diff).toContain("container app variables only live: DATABASE_URL");
    expect(report.probe.length).toBeGreaterThan(0);
    expectNoValue(markdown);
  }, 300_000);

  it("fails the image listening on the wrong port, naming the port and health path", async () => {
    const { report, markdown } = await rehearseImage(stage.images.rehearsal.wrongPort);
    console.info(markdown);
    expect(report.verdict.passed).toBe(false);
    expect(report.verdict.cause).toMatch(/^no healthy answer on port 8080 at \/healthz/);
    expect(report.containerLog).toContain("wrong-port release listening on");
    expectNoValue(markdown);
  }, 300_000);

  it("from the terminal: fails the image that crashes on a missing variable, exit 1, verdict in the summary", async () => {
    const dir = mkdtempSync(join(tmpdir(), "rehearsal-cli-"));
    try {
      const summary = join(dir, "summary");
      writeFileSync(summary, "");
      const out: string[] = [];
      const { code } = await runNode(
        [
          join(repoRoot, "node_modules/tsx/dist/cli.mjs"),
          "scripts/dev/rehearse.ts",
          "--service-name",
          SERVICE,
          "--image",
          stage.images.rehearsal.missingVariable,
          "--rehearsal-path",
          REHEARSAL_PATH,
          "--placeholder",
          `LOG_LEVEL=${PLACEHOLDER}`,
          "--probe-count",
          "4",
          "--wait-timeout",
          "3m",
          "--time-scale",
          "0.2",
        ],
        {
          cwd: repoRoot,
          env: {
            PATH: process.env.PATH ?? "/usr/bin:/bin",
            HOME: process.env.HOME ?? dir,
            TMPDIR: dir,
            GITHUB_STEP_SUMMARY: summary,
            ...localAwsAccess(stage.pipeline.local.endpoint).env,
          },
        },
        (data) => out.push(data),
      );
      const text = readFileSync(summary, "utf8");
      console.info(out.join(""));
      expect(code).toBe(1);
      expect(text).toMatch(
        /\*\*Verdict:\*\* crash on start: container "app" exited with code 4 before it was healthy; variables without a value in the rehearsal: DATABASE_URL/,
      );
      expect(text).toContain("fatal: DATABASE_URL is not set");
      expectNoValue(text + out.join(""));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 300_000);
});
