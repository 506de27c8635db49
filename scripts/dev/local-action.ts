/*
 * Runs the action under GitHub's local tool, `npx @github/local-action run <action dir> src/main.ts
 * <env file>`, with .github/actions/lightsail-deploy/.env.example (a dry run of service toolkit-demo), against
 * a stand-in of its own (a fresh state dir, free ports), and checks the outputs and summary it wrote.
 * Exits non-zero when they are not what a dry run gives. Usage: npx tsx scripts/dev/local-action.ts [--verbose]
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startLocalAws } from "local-aws";
import { parseGithubOutput } from "../harness/github-runner.js";
import { localAwsAccess } from "../harness/local-aws-access.js";
import { actionPath, repoRoot } from "../harness/paths.js";
import { grantServicePull } from "../harness/registry-access.js";

const SERVICE = "toolkit-demo";
const REPOSITORY = "toolkit-demo-app";

const stateDir = mkdtempSync(join(tmpdir(), "local-action-standin-"));
const stepDir = mkdtempSync(join(tmpdir(), "local-action-step-"));
const local = await startLocalAws({
  stateDir,
  apiPort: 0,
  registryPort: 0,
  config: {
    region: "eu-west-1",
    services: [{ name: SERVICE, power: "nano", scale: 1, privateRegistryAccess: true }],
    repositories: [{ name: REPOSITORY }],
  },
});
let failed = false;
try {
  const access = localAwsAccess(local.endpoint);
  await grantServicePull(access, SERVICE, REPOSITORY);
  const files = { GITHUB_OUTPUT: join(stepDir, "output"), GITHUB_STEP_SUMMARY: join(stepDir, "summary") };
  for (const file of Object.values(files)) writeFileSync(file, "");
  const { AWS_ENDPOINT_URL_ECR, AWS_ENDPOINT_URL_LIGHTSAIL, AWS_ENDPOINT_URL_SSM } = access.env;
  const child = spawn(
    "npx",
    [
      "--no-install",
      "@github/local-action",
      "run",
      actionPath,
      "src/main.ts",
      join(actionPath, ".env.example"),
    ],
    {
      cwd: repoRoot,
      stdio: ["ignore", "pipe", "pipe"],
      env: {
        ...process.env,
        ...files,
        AWS_ENDPOINT_URL_ECR,
        AWS_ENDPOINT_URL_LIGHTSAIL,
        AWS_ENDPOINT_URL_SSM,
        RUNNER_TEMP: stepDir,
      },
    },
  );
  let log = "";
  child.stdout.on("data", (data: Buffer) => {
    log += data.toString();
  });
  child.stderr.on("data", (data: Buffer) => {
    log += data.toString();
  });
  const exitCode = await new Promise<number>((resolve) => child.on("close", (code) => resolve(code ?? 1)));
  const outputs = parseGithubOutput(readFileSync(files.GITHUB_OUTPUT, "utf8"));
  const summary = readFileSync(files.GITHUB_STEP_SUMMARY, "utf8");
  const checks: [string, boolean][] = [
    ["local-action exits 0", exitCode === 0],
    ["it ran src/main.ts", log.includes("Running Action")],
    ["status is empty (a dry run)", outputs.status === ""],
    [
      `image-uri names ${REPOSITORY}:toolkit-demo`,
      /\/toolkit-demo-app:toolkit-demo$/.test(outputs["image-uri"] ?? ""),
    ],
    ["service-url is the stand-in's", outputs["service-url"] === local.serviceUrl(SERVICE)],
    ["the summary says dry run", summary.includes("Dry run (nothing changed)")],
    ["the summary links the commit", summary.includes("/commit/0123456789abcdef0123456789abcdef01234567")],
  ];
  for (const [what, ok] of checks) process.stdout.write(`${ok ? "ok  " : "FAIL"} ${what}\n`);
  failed = checks.some(([, ok]) => !ok);
  if (failed || process.argv.includes("--verbose"))
    process.stdout.write(
      `\n--- local-action output ---\n${log}\n--- outputs ---\n${JSON.stringify(outputs)}\n`,
    );
} finally {
  await local.stop({ removeContainers: true });
  rmSync(stateDir, { recursive: true, force: true });
  rmSync(stepDir, { recursive: true, force: true });
}
process.exitCode = failed ? 1 : 0;
