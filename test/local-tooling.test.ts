import { describe, expect, it } from "vitest";
import { deployFigures, figuresTable } from "../scripts/bench/bench-figures.js";
import { summarizeCalls } from "../scripts/harness/counting-proxy.js";
import { dirtyTag } from "../scripts/harness/git-revision.js";
import {
  inputEnv,
  parseGithubOutput,
  renderStepLog,
  StepLogRenderer,
  stateEnv,
} from "../scripts/harness/github-runner.js";
import { withLightsailPullStatement } from "../scripts/harness/registry-access.js";

describe("running the action as a GitHub runner does", () => {
  it("passes inputs as INPUT_ variables, upper-cased with hyphens kept and spaces as underscores", () => {
    expect(inputEnv({ "service-name": "demo", "dry run": "true", skipped: undefined })).toEqual({
      "INPUT_SERVICE-NAME": "demo",
      INPUT_DRY_RUN: "true",
    });
  });

  it("reads GITHUB_OUTPUT files in both the heredoc and the name=value forms", () => {
    const file = [
      "status<<ghadelimiter_1",
      "deployed",
      "ghadelimiter_1",
      "notes<<ghadelimiter_2",
      "line one",
      "line two",
      "ghadelimiter_2",
      "service-url=http://127.0.0.1:8080/",
      "",
    ].join("\n");
    expect(parseGithubOutput(file)).toEqual({
      status: "deployed",
      notes: "line one\nline two",
      "service-url": "http://127.0.0.1:8080/",
    });
  });

  it("masks a secret from the moment it is registered, not before, and consumes the command", () => {
    const raw = ["early s3cr3t", "::add-mask::s3cr3t", "late s3cr3t and s3cr3t", ""].join("\n");
    expect(renderStepLog(raw)).toBe("early s3cr3t\nlate *** and ***\n");
  });

  it("renders groups as headings, hides debug lines, and keeps lines split across chunks whole", () => {
    const renderer = new StepLogRenderer();
    const shown =
      renderer.push("::group::Image\n::debug::raw response\nPushed ima") +
      renderer.push("ge:1\n::endgroup::\n::error::lightsail-deploy failed") +
      renderer.flush();
    expect(shown).toBe("▶ Image\nPushed image:1\nError: lightsail-deploy failed\n");
  });

  it("undoes the escaping of command data, as the runner does", () => {
    expect(renderStepLog("::error::100%25 > 1%25%0Asecond line\n")).toBe("Error: 100% > 1%\nsecond line\n");
    expect(renderStepLog("::add-mask::a%25b\nkey a%b\n")).toBe("key ***\n");
  });
});

describe("granting the service pull access, as the Pulumi stack does", () => {
  const principal =
    "arn:aws:iam::000000000000:role/amazon/lightsail/eu-west-1/containers/demo/private-repo-access/x";

  it("creates a policy with exactly the two pull actions for the puller principal", () => {
    const policy = JSON.parse(withLightsailPullStatement(undefined, "demo", principal));
    expect(policy.Statement).toEqual([
      {
        Sid: "AllowLightsailPull-demo",
        Effect: "Allow",
        Principal: { AWS: principal },
        Action: ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
      },
    ]);
  });

  it("keeps other statements and replaces its own, so running it twice changes nothing", () => {
    const other = { Sid: "Other", Effect: "Allow", Principal: { AWS: "x" }, Action: "ecr:DescribeImages" };
    const start = JSON.stringify({ Version: "2012-10-17", Statement: [other] });
    const once = withLightsailPullStatement(start, "demo", principal);
    expect(withLightsailPullStatement(once, "demo", principal)).toBe(once);
    expect(JSON.parse(once).Statement).toHaveLength(2);
    expect(JSON.parse(once).Version).toBe("2012-10-17");
  });
});

describe("local deploy and bench helpers", () => {
  it("tags a dirty work tree with the commit and a UTC timestamp, a valid Docker tag", () => {
    const tag = dirtyTag("6ecfbfa469973d3289b30aabc32d961d8535df87", new Date("2026-11-21T23:38:47.123Z"));
    expect(tag).toBe("6ecfbfa-dirty-20261121-233847");
    expect(tag).toMatch(/^[\w][\w.-]{0,127}$/);
  });

  it("counts API calls by operation, largest first", () => {
    const counts = new Map([
      ["Lightsail_20161128.GetContainerServiceDeployments", 4],
      ["AmazonEC2ContainerRegistry_V20150921.GetAuthorizationToken", 1],
      ["Lightsail_20161128.CreateContainerServiceDeployment", 1],
    ]);
    expect(summarizeCalls(counts)).toEqual({
      total: 6,
      byOperation: [
        ["GetContainerServiceDeployments", 4],
        ["CreateContainerServiceDeployment", 1],
        ["GetAuthorizationToken", 1],
      ],
    });
  });

  it("derives activation, ACTIVE-to-done and overhead from one measured deploy", () => {
    const figures = deployFigures({
      label: "action: deploy",
      startedAt: 1_000,
      firstCallAt: 1_250,
      createdAt: 3_000,
      activeAt: 13_000,
      finishedAt: 15_500,
      apiCalls: 11,
    });
    expect(figures).toEqual({
      label: "action: deploy",
      stepSeconds: 14.5,
      startupMs: 250,
      activationSeconds: 10,
      activeToDoneSeconds: 2.5,
      overheadSeconds: 4.5,
      apiCalls: 11,
    });
    expect(figuresTable([figures])).toContain("| overhead on top of activation | 4.5 s |");
    const unknown = deployFigures({ label: "x", startedAt: 0, finishedAt: 1000, apiCalls: 0 });
    expect(figuresTable([unknown])).toContain("| deployment activation (ACTIVATING → ACTIVE) | – |");
  });
});

describe("the post step's state", () => {
  it("turns what core.saveState wrote into the STATE_<name> variables the runner gives the post step", () => {
    const text = "temp-dirs<<ghadelimiter_1\n/tmp/a\n/tmp/b\nghadelimiter_1\nplain=x\n";
    expect(stateEnv(text)).toEqual({ "STATE_temp-dirs": "/tmp/a\n/tmp/b", STATE_plain: "x" });
  });
});
