import { expect, test } from "vitest";
import type { RunResult } from "../src/report.js";
import { publishToActions, toolkitLogger } from "../src/toolkit.js";
import { fakeToolkit } from "./fakes.js";

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

test("outputs through setOutput, the summary through core.summary; success fails nothing", async () => {
  const { toolkit, outputs, files, written } = fakeToolkit();
  await publishToActions(result, toolkit, (t) => t, { GITHUB_STEP_SUMMARY: "/s" });
  expect(outputs).toMatchObject({ status: "deployed", "deployment-version": "4", "image-tag": "abc" });
  expect(files["/summary"]).toContain("| Version | 4 |");
  expect(written.join("")).not.toContain("::error::");
});

test("without GITHUB_STEP_SUMMARY the summary is printed instead; a failure fails the step", async () => {
  const { toolkit, written, files, outputs } = fakeToolkit();
  await publishToActions(
    { ...result, status: "failed", error: "lightsail-deploy failed: x" },
    toolkit,
    (t) => t,
    {},
  );
  expect(files["/summary"]).toBeUndefined();
  expect(outputs.status).toBe("failed");
  expect(written.join("")).toContain("GITHUB_STEP_SUMMARY is not set");
  expect(written.join("")).toContain("::error::lightsail-deploy failed: x");
});

test("outputs and summary are masked by the action: the runner masks neither", async () => {
  const { toolkit, files, outputs } = fakeToolkit();
  const log = toolkitLogger(toolkit);
  log.setSecret("s3cret-value");
  await publishToActions(
    { ...result, imageUri: "r/app:s3cret-value", notes: ["note s3cret-value"] },
    toolkit,
    log.mask,
    { GITHUB_STEP_SUMMARY: "/s" },
  );
  expect(outputs["image-uri"]).toBe("r/app:***");
  expect(files["/summary"]).toContain("note ***");
  expect(JSON.stringify(files)).not.toContain("s3cret-value");
});

test("groups wrap the phase and close even when it throws", async () => {
  const { toolkit, written } = fakeToolkit();
  await expect(
    toolkitLogger(toolkit).group("Deploy", async () => Promise.reject(new Error("boom"))),
  ).rejects.toThrow("boom");
  expect(written).toEqual(["::group::Deploy\n", "::endgroup::\n"]);
});

test("a secret is announced to the runner once, however often it is seen", () => {
  const { toolkit, written } = fakeToolkit();
  const log = toolkitLogger(toolkit);
  for (let i = 0; i < 3; i++) log.setSecret("s3cret-value");
  log.setSecret("");
  expect(written.filter((line) => line.startsWith("::add-mask::"))).toEqual(["::add-mask::s3cret-value\n"]);
  expect(log.mask("a s3cret-value b")).toBe("a *** b");
});
