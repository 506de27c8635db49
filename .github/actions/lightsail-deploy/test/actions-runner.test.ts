import { expect, test } from "vitest";
import {
  actionsLogger,
  escapeData,
  outputFileEntry,
  publishToActions,
  type RunnerIO,
} from "../src/actions-runner.js";
import type { RunResult } from "../src/report.js";

function io(env: Record<string, string>) {
  const written: string[] = [];
  const files: Record<string, string> = {};
  const runner: RunnerIO = {
    write: (t) => written.push(t),
    appendFile: async (p, t) => {
      files[p] = (files[p] ?? "") + t;
    },
    env,
  };
  return { runner, written, files };
}

const result: RunResult = {
  status: "deployed",
  dryRun: false,
  serviceName: "demo",
  deploymentVersion: 4,
  imageUri: "r/app:abc",
  imageTag: "abc",
  phases: [{ phase: "Inputs", ms: 1 }],
  notes: [],
  logs: [],
};

test("outputs go to GITHUB_OUTPUT with a delimiter, the summary to GITHUB_STEP_SUMMARY", async () => {
  const { runner, files, written } = io({ GITHUB_OUTPUT: "/o", GITHUB_STEP_SUMMARY: "/s" });
  expect(await publishToActions(result, runner, (t) => t)).toBe(0);
  expect(files["/o"]).toContain("deployment-version<<ghadelimiter_");
  expect(files["/o"]).toMatch(/status<<(ghadelimiter_[0-9a-f-]+)\ndeployed\n\1\n/);
  expect(files["/s"]).toContain("| Version | 4 |");
  expect(written.join("")).not.toContain("::error::");
});

test("without GITHUB_STEP_SUMMARY the summary is printed instead, and a failure is an error command", async () => {
  const { runner, written, files } = io({});
  expect(
    await publishToActions(
      { ...result, status: "failed", error: "lightsail-deploy failed: x\ny" },
      runner,
      (t) => t,
    ),
  ).toBe(1);
  expect(files).toEqual({});
  const text = written.join("");
  expect(text).toContain("GITHUB_STEP_SUMMARY is not set");
  expect(text).toContain("::set-output name=status::failed");
  expect(text).toContain("::error::lightsail-deploy failed: x%0Ay");
});

test("groups wrap the phase and close even when it throws", async () => {
  const { runner, written } = io({});
  await expect(
    actionsLogger(runner).group("Deploy", async () => Promise.reject(new Error("boom"))),
  ).rejects.toThrow("boom");
  expect(written).toEqual(["::group::Deploy\n", "::endgroup::\n"]);
});

test("escaping matches @actions/core", () => {
  expect(escapeData("50%\r\nnext")).toBe("50%25%0D%0Anext");
  expect(outputFileEntry("a", "1\n2", "D")).toBe("a<<D\n1\n2\nD\n");
});

test("a secret is announced to the runner once, however often it is seen", () => {
  const { runner, written } = io({});
  const log = actionsLogger(runner);
  for (let i = 0; i < 3; i++) log.setSecret("s3cret-value");
  log.setSecret("");
  expect(written.filter((line) => line.startsWith("::add-mask::"))).toEqual(["::add-mask::s3cret-value\n"]);
  expect(log.mask("a s3cret-value b")).toBe("a *** b");
});
