import { expect, test } from "vitest";
import { publishToActions, toolkitLogger } from "../src/entry/toolkit.js";
import type { RunResult } from "../src/report/report.js";
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
    { ...result, imageUri: "r/app s3cret-value", notes: ["note s3cret-value"] },
    toolkit,
    log.mask,
    { GITHUB_STEP_SUMMARY: "/s" },
  );
  // Not the shape of an image URI, so masked: it was not built from the parts it should be.
  expect(outputs["image-uri"]).toBe("r/app ***");
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
  const announced = written.filter((line) => line.startsWith("::add-mask::"));
  expect(announced).toContain("::add-mask::s3cret-value\n");
  expect(announced).toContain(`::add-mask::${Buffer.from("s3cret-value").toString("base64")}\n`);
  expect(new Set(announced).size).toBe(announced.length);
  expect(log.mask("a s3cret-value b")).toBe("a *** b");
});

test("M6: outputs built from non-secret parts keep their shape, whatever value was masked", async () => {
  const { toolkit, outputs } = fakeToolkit();
  const log = toolkitLogger(toolkit);
  // An environment value `staging` and a Parameter Store value `4444` (a short `4` is never masked at all).
  for (const value of ["staging", "4444", "4"]) log.setSecret(value);
  const digest = `sha256:${"4444".repeat(16)}`;
  await publishToActions(
    {
      ...result,
      status: "deployed",
      deploymentVersion: 4444,
      servingVersion: 4444,
      previousVersion: 44,
      imageUri: `123456789012.dkr.ecr.eu-west-1.amazonaws.com/staging-app@${digest}`,
      imageTag: "staging-4444",
      imageDigest: digest,
      serviceUrl: "https://staging.example.com/",
    },
    toolkit,
    log.mask,
    {},
  );
  expect(outputs).toMatchObject({
    "deployment-version": "4444",
    "serving-version": "4444",
    "previous-version": "44",
    "image-tag": "staging-4444",
    "image-digest": digest,
    "service-url": "https://staging.example.com/",
    "image-uri": `123456789012.dkr.ecr.eu-west-1.amazonaws.com/staging-app@${digest}`,
    status: "deployed",
  });
});
