import { GetAuthorizationTokenCommand } from "@aws-sdk/client-ecr";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ActionRun } from "../scripts/harness/github-runner.js";
import { type LocalPipeline, startLocalPipeline } from "../scripts/harness/pipeline.js";
import { endToEndEnabled } from "./support/prerequisites.js";
import { loadServiceUrl } from "./support/service-load.js";
import { buildImage, removeImages } from "./support/stage.js";
import { runInTerminal } from "./support/terminal-run.js";

// Every byte the action writes, in every mode, on the real stand-in: no secret, no base64 of one, no ECR
// password. The secrets reach the containers through Parameter Store and `environment`, and a release
// prints its whole environment, so they reach container logs too.
const enabled = await endToEndEnabled();

const SERVICE = "e2e-secrets";
const REPOSITORY = "e2e-secrets-app";
const SSM_PATH = "/e2e-secrets/dev/";
const SSM_SECRET = "ssm-secret-4b1d9e2a77";
const INPUT_SECRET = "input-secret-c0ffee5150";
// Per run, so that two checkouts testing on one Docker engine never remove each other's images.
const APP_IMAGE = `e2e-secrets-app:${process.pid}`;
const PRINTING_IMAGE = `e2e-env-printing:${process.pid}`;

describe.skipIf(!enabled)("no secret reaches a log, a summary, an output or a file left behind", () => {
  let pipeline: LocalPipeline;
  let forbidden: string[];
  /** Everything one run wrote that a person or a later step can read. */
  const written: { mode: string; text: string }[] = [];

  /**
   * What a run wrote that someone can read: the step log as the runner shows it (it consumes each add-mask
   * command and hides that value from then on, so a secret printed before its mask shows), and, unmasked
   * by any runner, the job summary, the outputs file and every other file left under RUNNER_TEMP.
   */
  const capture = (mode: string, run: ActionRun) => {
    written.push({ mode, text: [run.log, ...Object.values(run.leftInTemp)].join("\n") });
  };

  const expectNoSecret = (mode: string) => {
    for (const { text } of written.filter((w) => w.mode.startsWith(mode))) {
      for (const secret of forbidden) expect(text, `${mode} wrote a secret`).not.toContain(secret);
    }
  };

  const deploy = (sha: string, extra: Record<string, string> = {}) =>
    pipeline.runAction(
      {
        image: APP_IMAGE,
        "container-name": "app",
        "container-port": "3000",
        "health-check-path": "/health",
        "ssm-path": SSM_PATH,
        environment: `EXTRA_TOKEN=${INPUT_SECRET}`,
        "poll-interval": "1s",
        "wait-timeout": "3m",
        "probe-count": "5",
        ...extra,
      },
      { GITHUB_SHA: sha },
    );

  beforeAll(async () => {
    pipeline = await startLocalPipeline({
      service: SERVICE,
      repository: REPOSITORY,
      ssmPath: SSM_PATH,
      parameters: [
        { name: `${SSM_PATH}API_KEY`, type: "SecureString", value: SSM_SECRET },
        { name: `${SSM_PATH}AUTHORIZER_URL`, type: "SecureString", value: "http://127.0.0.1:9/authorize" },
      ],
    });
    await buildImage(pipeline.baseImage, APP_IMAGE, "Dockerfile", ".");
    await buildImage(
      pipeline.baseImage,
      PRINTING_IMAGE,
      "e2e/fixtures/env-printing.Dockerfile",
      "e2e/fixtures",
    );
    const token = await pipeline.ecr.send(new GetAuthorizationTokenCommand({}));
    const encoded = token.authorizationData?.[0]?.authorizationToken ?? "";
    const password = Buffer.from(encoded, "base64").toString("utf8").replace(/^AWS:/, "");
    expect(password.length).toBeGreaterThan(10);
    forbidden = [
      SSM_SECRET,
      INPUT_SECRET,
      password,
      encoded,
      ...[SSM_SECRET, INPUT_SECRET, password].map((s) => Buffer.from(s).toString("base64")),
    ];
  }, 600_000);

  afterAll(async () => {
    // close() also checks every answer the stand-in gave against AWS's models, and throws on a violation.
    const conformance = await pipeline?.close();
    console.info(`stand-in answers checked against the AWS models: ${conformance?.answersChecked}`);
    await removeImages(APP_IMAGE, PRINTING_IMAGE);
  });

  it("deploy: a build pushed with the ECR password, Parameter Store and `environment` secrets", async () => {
    const run = await deploy("5ec1000000000000000000000000000000000000");
    expect(run.exitCode, run.log).toBe(0);
    capture("deploy", run);
    expect(run.rawLog).toContain("::add-mask::");
    expectNoSecret("deploy");
  }, 300_000);

  it("dry run: the printed request masks every environment value", async () => {
    const run = await deploy("5ec2000000000000000000000000000000000000", { "dry-run": "true" });
    expect(run.exitCode, run.log).toBe(0);
    expect(run.log).toContain('"API_KEY": "***"');
    capture("dry run", run);
    expectNoSecret("dry run");
  }, 300_000);

  it("a release that prints its environment and fails: its container log is shown with every value masked", async () => {
    const run = await deploy("5ec3000000000000000000000000000000000000", { image: PRINTING_IMAGE });
    capture("print", run);
    expect(run.outputs.status).toBe("rolled-back");
    expect(run.log).toContain("env API_KEY=***");
    expect(run.summary).toContain("env API_KEY=***");
    expect(run.summary).toContain("env EXTRA_TOKEN=***");
    expectNoSecret("print");
  }, 300_000);

  it("a manual rollback to that release fails its probe, is itself rolled back, and shows no secret", async () => {
    const printed = await pipeline.deployments();
    const rejected = printed.filter((d) => d.image?.endsWith(":5ec3000")).at(-1);
    expect(rejected).toBeDefined();
    const load = loadServiceUrl(new URL("health", pipeline.serviceUrl).toString());
    // The rollback reads no Parameter Store; the release it brings back holds the secrets and prints them.
    const rollback = await pipeline.runAction({
      "rollback-to": String(rejected?.version),
      "poll-interval": "1s",
    });
    const report = await load.stopAfterRecovery("rollback to a release that prints its environment");
    capture("rollback", rollback);
    expect(rollback.exitCode).not.toBe(0);
    expect(rollback.outputs.status).toBe("rolled-back");
    expect(rollback.log).toContain("was rejected by an earlier verification");
    expect(rollback.log).toContain("env API_KEY=***");
    expect(rollback.log).toMatch(
      /rolled back: version \d+ \(the configuration of verified version \d+\) is serving/,
    );
    expect(report.after).toEqual([]);
    const serving = (await pipeline.deployments()).find((d) => d.state === "ACTIVE");
    expect(serving?.image).toMatch(/:5ec1000$/);
    expectNoSecret("rollback");
  }, 300_000);

  it("terminal: the report after the log masks what the release printed", async () => {
    const run = await runInTerminal(
      [
        "--service-name",
        SERVICE,
        "--repository",
        REPOSITORY,
        "--image",
        PRINTING_IMAGE,
        "--tag",
        "terminal-printing",
        "--ssm-path",
        SSM_PATH,
        "--poll-interval",
        "1s",
      ],
      { ...pipeline.awsEnv },
    );
    const text = [run.stdout, run.stderr, ...Object.values(run.leftInTemp)].join("\n");
    written.push({ mode: "terminal", text });
    expect(run.exitCode).not.toBe(0);
    expect(run.stdout).toContain("env API_KEY=***");
    expect(run.stdout).toContain("status=rolled-back");
    expectNoSecret("terminal");
  }, 300_000);

  it("an input error names the key of an `environment` line, never its value", async () => {
    const run = await pipeline.runAction({
      "rollback-to": "previous",
      environment: `EXTRA_TOKEN=${INPUT_SECRET}`,
    });
    capture("input error", run);
    expect(run.exitCode).not.toBe(0);
    expect(run.log).toContain("`environment`");
    expectNoSecret("input error");
  }, 300_000);
});
