import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  BatchGetImageCommand,
  CreateRepositoryCommand,
  DeleteRepositoryPolicyCommand,
  DescribeImagesCommand,
  DescribeRepositoriesCommand,
  GetAuthorizationTokenCommand,
  GetRepositoryPolicyCommand,
  SetRepositoryPolicyCommand,
} from "@aws-sdk/client-ecr";
import {
  GetContainerLogCommand,
  GetContainerServiceDeploymentsCommand,
  GetContainerServicePowersCommand,
  GetContainerServicesCommand,
  UpdateContainerServiceCommand,
} from "@aws-sdk/client-lightsail";
import { GetParameterCommand, GetParametersByPathCommand, PutParameterCommand } from "@aws-sdk/client-ssm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkConformance } from "../src/conformance/check-conformance.js";
import { execCommand } from "../src/docker/exec.js";
import { type Harness, startHarness } from "./support/harness.js";
import { deploymentCommand } from "./support/lightsail-steps.js";

async function checkerAvailable(): Promise<boolean> {
  const probe = await execCommand("python3", ["-c", "import botocore"]).catch(() => undefined);
  if (probe?.code === 0) return true;
  const message = "the conformance checker needs python3 with botocore (pip install botocore)";
  if (process.env.CI === "true") throw new Error(`${message} (CI=true, so it must run)`);
  console.warn(`SKIPPED: ${message}`);
  return false;
}

const enabled = await checkerAvailable();
const work = mkdtempSync(join(tmpdir(), "local-aws-conformance-"));

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

/** Runs `send`, keeping an error (the recorded answer is what is checked, not the outcome). */
const attempt = (send: () => Promise<unknown>) => send().catch(() => undefined);

describe.skipIf(!enabled)("answers keep to the AWS models", () => {
  const file = join(work, "answers.jsonl");
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness(undefined, undefined, { recordAnswers: file });
  });

  afterAll(async () => {
    await h?.close();
  });

  async function raw(target: string, body: string, headers: Record<string, string> = {}) {
    await fetch(h.local.endpoint, {
      method: "POST",
      headers: { "x-amz-target": target, ...headers },
      body,
    });
  }

  async function everyEcrOperation() {
    const policyText = JSON.stringify({ Version: "2008-10-17", Statement: [] });
    h.registry.put("app", "v1");
    await h.ecr.send(new GetAuthorizationTokenCommand({}));
    await h.ecr.send(new DescribeRepositoriesCommand({}));
    await attempt(() => h.ecr.send(new DescribeRepositoriesCommand({ repositoryNames: ["missing"] })));
    await attempt(() => h.ecr.send(new DescribeRepositoriesCommand({ repositoryNames: ["Bad_Name"] })));
    await h.ecr.send(new CreateRepositoryCommand({ repositoryName: "made" }));
    await attempt(() => h.ecr.send(new CreateRepositoryCommand({ repositoryName: "made" })));
    await h.ecr.send(new DescribeImagesCommand({ repositoryName: "app" }));
    await attempt(() =>
      h.ecr.send(new DescribeImagesCommand({ repositoryName: "app", imageIds: [{ imageTag: "nope" }] })),
    );
    await h.ecr.send(
      new BatchGetImageCommand({
        repositoryName: "app",
        imageIds: [{ imageTag: "v1" }, { imageTag: "nope" }],
      }),
    );
    await attempt(() => h.ecr.send(new GetRepositoryPolicyCommand({ repositoryName: "bare" })));
    await h.ecr.send(new SetRepositoryPolicyCommand({ repositoryName: "bare", policyText }));
    await h.ecr.send(new GetRepositoryPolicyCommand({ repositoryName: "bare" }));
    await h.ecr.send(new DeleteRepositoryPolicyCommand({ repositoryName: "bare" }));
  }

  async function everyLightsailOperation() {
    const deploy = (tag: string) => h.lightsail.send(deploymentCommand(h, tag));
    h.registry.put("app", "crash");
    await h.lightsail.send(new GetContainerServicePowersCommand({}));
    const release = h.runtime.holdPulls();
    await deploy("v1");
    await h.lightsail.send(new GetContainerServicesCommand({})); // DEPLOYING, nextDeployment, stateDetail
    await attempt(() => deploy("v1")); // refused while DEPLOYING
    release();
    await h.local.idle();
    await deploy("crash");
    await h.local.idle();
    await h.lightsail.send(new GetContainerServiceDeploymentsCommand({ serviceName: "demo" }));
    await h.lightsail.send(new GetContainerLogCommand({ serviceName: "demo", containerName: "web" }));
    await h.lightsail.send(new UpdateContainerServiceCommand({ serviceName: "demo", scale: 2 })); // UPDATING
    await h.local.idle();
    await h.lightsail.send(new GetContainerServicesCommand({ serviceName: "demo" })); // RUNNING, current
    await attempt(() => h.lightsail.send(new GetContainerServicesCommand({ serviceName: "nope" })));
    h.local.faults.add({ kind: "notFoundQuirk" });
    await attempt(() => h.lightsail.send(new GetContainerServicesCommand({ serviceName: "nope" })));
  }

  async function everySsmOperation() {
    await h.ssm.send(new GetParametersByPathCommand({ Path: "/myapp/dev", Recursive: true }));
    await attempt(() => h.ssm.send(new GetParametersByPathCommand({ Path: "/", NextToken: "bogus" })));
    await attempt(() => h.ssm.send(new GetParametersByPathCommand({ Path: "no-slash" })));
    await h.ssm.send(new PutParameterCommand({ Name: "/myapp/dev/RELEASE", Value: "r1", Type: "String" }));
    await attempt(() => h.ssm.send(new PutParameterCommand({ Name: "/myapp/dev/RELEASE", Value: "r2" })));
    await h.ssm.send(new GetParameterCommand({ Name: "/myapp/dev/RELEASE" }));
    await attempt(() => h.ssm.send(new GetParameterCommand({ Name: "/missing" })));
  }

  async function faultsAndProtocolErrors() {
    h.local.faults.add({ kind: "throttle", count: 1 });
    await h.ssm.send(new GetParameterCommand({ Name: "/myapp/dev/RELEASE" }));
    for (const status of [500, 502, 503, 504] as const) {
      h.local.faults.add({ kind: "error", status, count: 3 });
      await attempt(() => h.lightsail.send(new GetContainerServicePowersCommand({})));
      h.local.faults.add({ kind: "error", status, count: 1 });
      await h.ecr.send(new DescribeRepositoriesCommand({}));
      h.local.faults.add({ kind: "error", status, count: 1 });
      await h.ssm.send(new GetParameterCommand({ Name: "/myapp/dev/RELEASE" }));
    }
    await raw("AmazonSSM.GetParameter", "{not json");
    await raw("AmazonSSM.GetParameter", "x".repeat(2 * 1024 * 1024));
    await raw("Lightsail_20161128.DeleteContainerService", "{}");
    await raw("NoSuchService_2020.DoIt", "{}");
  }

  it("records every operation, errors and faults included, with zero violations", async () => {
    await everyEcrOperation();
    await everyLightsailOperation();
    await everySsmOperation();
    await faultsAndProtocolErrors();
    const result = await checkConformance(file);
    expect(result.violations).toEqual([]);
    const recorded = readFileSync(file, "utf8")
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line));
    expect(result.checked).toBe(recorded.length);
    const seen = new Set(recorded.map((r) => `${r.api}:${r.operation}:${r.errorShape ?? r.status}`));
    for (const expected of [
      "lightsail:GetContainerServices:200",
      "lightsail:CreateContainerServiceDeployment:InvalidInputException",
      "lightsail:GetContainerServicePowers:ServiceException",
      "ecr:DescribeImages:ImageNotFoundException",
      "ssm:PutParameter:ParameterAlreadyExists",
      "ssm:GetParameter:ParameterNotFound",
      "ssm:GetParameter:ThrottlingException",
      "ssm:GetParameter:SerializationException",
      "ssm:GetParametersByPath:InvalidNextToken",
    ]) {
      expect(seen).toContain(expected);
    }
    expect(recorded.some((r) => r.status === 413)).toBe(true);
  });
});

describe.skipIf(!enabled)("the checker", () => {
  const services = (service: Record<string, unknown>) => ({
    api: "lightsail",
    operation: "GetContainerServices",
    status: 200,
    body: { containerServices: [{ containerServiceName: "demo", ...service }] },
  });
  const error = (api: string, operation: string, status: number, body: Record<string, unknown>) => ({
    api,
    operation,
    status,
    errorShape: body.__type,
    body,
  });
  const cases: [string, unknown, RegExp][] = [
    ["accepts a good answer", services({ state: "RUNNING", createdAt: 1_790_000_000.5 }), /^$/],
    [
      "flags a stateDetail code outside the enum",
      services({ stateDetail: { code: "UPDATING" } }),
      /'UPDATING' is not a value of ContainerServiceStateDetailCode/,
    ],
    [
      "flags an ISO timestamp",
      services({ createdAt: "2026-11-21T12:00:00Z" }),
      /createdAt: '2026-11-21T12:00:00Z' where the model has a timestamp/,
    ],
    [
      "flags a member the model does not have",
      services({ colour: "blue" }),
      /member 'colour' is not in ContainerService/,
    ],
    [
      "flags a string where the model has an integer",
      services({ scale: "2" }),
      /scale: '2' where the model has an integer/,
    ],
    ["flags a null member", services({ nextDeployment: null }), /nextDeployment: null/],
    [
      "flags a missing required member",
      error("ssm", "GetParameter", 400, { __type: "ThrottlingException", message: "x" }),
      /required member 'Message' of ThrottlingException is missing/,
    ],
    [
      "flags an unmodeled error",
      error("lightsail", "GetContainerServices", 503, {
        __type: "ServiceUnavailableException",
        message: "x",
      }),
      /ServiceUnavailableException is not an error of GetContainerServices/,
    ],
    [
      "flags a modeled fault with a 4xx status",
      error("ecr", "DescribeRepositories", 400, { __type: "ServerException", message: "x" }),
      /ServerException answered 400; the model gives \[500, 502, 503, 504\]/,
    ],
    [
      "flags SSM's ValidationException with message instead of Message",
      error("ssm", "GetParametersByPath", 400, { __type: "ValidationException", message: "x" }),
      /member 'message' is not in ValidationException/,
    ],
    [
      "flags an ECR error with Lightsail's code member",
      error("ecr", "DescribeRepositories", 400, {
        __type: "RepositoryNotFoundException",
        message: "x",
        code: "y",
      }),
      /member 'code' is not in RepositoryNotFoundException/,
    ],
    [
      "flags an operation the model does not have",
      { api: "ecr", operation: "DescribeEverything", status: 200, body: {} },
      /ecr has no operation 'DescribeEverything'/,
    ],
  ];
  let violations: string[] = [];

  beforeAll(async () => {
    // One file, one run: each case is one line, and its violations name that line.
    const file = join(work, "crafted.jsonl");
    writeFileSync(file, cases.map(([, answer]) => JSON.stringify(answer)).join("\n"));
    const result = await checkConformance(file);
    expect(result.checked).toBe(cases.length);
    violations = result.violations;
  });

  it.each(cases.map(([what, , expected], index) => [what, index + 1, expected] as const))(
    "%s (line %d)",
    (_what, line, expected) => {
      const mine = violations.filter((v) => new RegExp(`crafted\\.jsonl:${line}[: ]`).test(v)).join("\n");
      expect(mine).toMatch(expected);
    },
  );
});
