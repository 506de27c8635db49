import { describe, expect, test } from "vitest";
import { run } from "../src/entry/run.js";
import { commitStatusFor } from "../src/report/commit-status.js";
import type { RunResult } from "../src/report/report.js";
import { awsError, deploysVersion4, fakeDeps, fakeGitHub, RUN_CONTEXT } from "./fakes.js";

const TOKEN = "ghs_faketoken1234567890";
const base: RunResult = {
  status: "deployed",
  dryRun: false,
  serviceName: "demo",
  serviceUrl: "http://127.0.0.1:8081/",
  deploymentVersion: 4,
  servingVersion: 4,
  context: RUN_CONTEXT,
  phases: [],
  notes: [],
  logs: [],
};

describe("which status a run posts", () => {
  test.each([
    ["deployed", {}, "success", "demo: deployed, version 4 serving", base.serviceUrl],
    [
      "a requested rollback",
      { status: "rolled-back" },
      "success",
      "demo: rolled-back, version 4 serving",
      base.serviceUrl,
    ],
    [
      "rolled back after a failed probe",
      { status: "rolled-back", servingVersion: 3, error: "lightsail-deploy failed: probe" },
      "failure",
      "demo: rolled-back, version 3 serving",
      RUN_CONTEXT.runUrl,
    ],
    [
      "failed",
      { status: "failed", servingVersion: undefined, deploymentVersion: undefined, error: "x" },
      "failure",
      "demo: failed",
      RUN_CONTEXT.runUrl,
    ],
    [
      "superseded",
      { status: "superseded", error: "x" },
      "failure",
      "demo: superseded, version 4 serving",
      RUN_CONTEXT.runUrl,
    ],
  ] as const)("%s", (_, change, state, description, target_url) => {
    expect(commitStatusFor({ ...base, ...change })).toEqual({
      owner: "acme",
      repo: "shop",
      sha: RUN_CONTEXT.sha,
      state,
      context: "lightsail-deploy/demo",
      description,
      target_url,
    });
  });

  test.each([
    ["a dry run", { dryRun: true }, "a dry run deploys nothing"],
    ["a terminal", { context: {} }, "there is no GitHub commit"],
    ["invalid inputs", { serviceName: undefined }, "the inputs were not valid"],
    // M7: neither turns GITHUB_SHA green for a build it did not deploy.
    ["a manual rollback-to", { source: "rollback" }, "`rollback-to` does not deploy"],
    ["a promotion", { source: "promote" }, "`promote` does not deploy"],
  ] as [string, Partial<RunResult>, string][])("none for %s", (_, change, why) => {
    expect(commitStatusFor({ ...base, ...change })).toEqual({ skip: expect.stringContaining(why) });
  });
});

describe("posting it with github-token", () => {
  test("a deploy posts success on the commit through Octokit; the token is masked first", async () => {
    const github = fakeGitHub();
    const fake = fakeDeps({ github: github.github });
    deploysVersion4(fake.aws, "ACTIVE");
    const result = await run({ "service-name": "demo", repository: "app", "github-token": TOKEN }, fake.deps);
    expect(result.status).toBe("deployed");
    expect(github.tokens).toEqual([TOKEN]);
    expect(github.statuses).toEqual([
      expect.objectContaining({ sha: RUN_CONTEXT.sha, state: "success", context: "lightsail-deploy/demo" }),
    ]);
    expect(fake.log.secrets[0]).toBe(TOKEN);
    expect(fake.log.lines.join("\n")).not.toContain(TOKEN);
  });

  test("a status that cannot be posted is a warning, and the deploy stays deployed", async () => {
    const github = fakeGitHub({ failWith: awsError("HttpError", "Resource not accessible by integration") });
    const fake = fakeDeps({ github: github.github });
    deploysVersion4(fake.aws, "ACTIVE");
    const result = await run({ "service-name": "demo", repository: "app", "github-token": TOKEN }, fake.deps);
    expect(result).toMatchObject({ status: "deployed", error: undefined });
    expect(fake.log.lines).toContainEqual(
      expect.stringMatching(
        /^warning: Could not post the commit status .*Resource not accessible.*statuses: write/,
      ),
    );
  });

  test("without the token nothing is posted", async () => {
    const github = fakeGitHub();
    const fake = fakeDeps({ github: github.github });
    deploysVersion4(fake.aws, "ACTIVE");
    await run({ "service-name": "demo", repository: "app" }, fake.deps);
    expect(github.tokens).toEqual([]);
  });

  test("an input error never shows the token", async () => {
    const fake = fakeDeps();
    const result = await run({ "service-name": "Bad_Name", "github-token": TOKEN, bogus: "x" }, fake.deps);
    expect(result.error).toBeDefined();
    expect(fake.log.secrets).toContain(TOKEN);
    expect(`${result.error}${fake.log.lines.join("")}`).not.toContain(TOKEN);
  });
});
