import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { expect, test } from "vitest";

// The committed bundle, started the way GitHub and a terminal start it. Only input errors are
// exercised here: they end before any AWS call, so no network is needed.
const entry = join(import.meta.dirname, "..", "dist", "index.js");
const base = { PATH: process.env.PATH, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" };

async function start(args: string[], env: Record<string, string | undefined>) {
  return promisify(execFile)(process.execPath, [entry, ...args], { env: { ...base, ...env } }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (error: { code: number; stdout: string; stderr: string }) => error,
  );
}

test("as an action (INPUT_* variables): a bad input fails the step with an error command and a summary", async () => {
  const { code, stdout } = await start([], { "INPUT_SERVICE-NAME": "Bad_Name", INPUT_REPOSITORY: "app" });
  expect(code).toBe(1);
  expect(stdout).toContain('::error::lightsail-deploy failed: `service-name` is "Bad_Name"');
  expect(stdout).toContain("GITHUB_STEP_SUMMARY is not set; the summary follows");
  expect(stdout).toContain("::set-output name=status::failed");
});

test("with the runner's files: outputs and summary through @actions/core, the token masked everywhere", async () => {
  const dir = mkdtempSync(join(tmpdir(), "lightsail-deploy-entry-"));
  try {
    const files = { GITHUB_OUTPUT: join(dir, "output"), GITHUB_STEP_SUMMARY: join(dir, "summary") };
    for (const file of Object.values(files)) writeFileSync(file, "");
    const token = "ghs_entrytesttoken0123456789";
    const { code, stdout } = await start([], {
      ...files,
      "INPUT_SERVICE-NAME": "Bad_Name",
      "INPUT_GITHUB-TOKEN": token,
    });
    expect(code).toBe(1);
    expect(stdout).toContain(`::add-mask::${token}`);
    expect(stdout.replace(`::add-mask::${token}`, "")).not.toContain(token);
    expect(readFileSync(files.GITHUB_OUTPUT, "utf8")).toMatch(
      /^status<<(ghadelimiter_[0-9a-f-]+)\nfailed\n\1$/m,
    );
    expect(readFileSync(files.GITHUB_STEP_SUMMARY, "utf8")).toContain("## lightsail-deploy: ❌ Failed");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("in a terminal (flags): the same report on stdout, the error on stderr, exit code 1", async () => {
  const { code, stdout, stderr } = await start(
    ["--service-name", "demo", "--repository", "app", "--wait-timeout", "2 days"],
    {},
  );
  expect(code).toBe(1);
  expect(stdout).toContain("## lightsail-deploy: ❌ Failed");
  expect(stdout).toContain("status=failed");
  expect(stderr).toContain('`wait-timeout` is "2 days"');
});

test("--help lists every input and exits 0", async () => {
  const { code, stdout } = await start(["--help"], {});
  expect(code).toBe(0);
  expect(stdout).toContain("--rollback-to");
});
