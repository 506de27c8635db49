import { describe, expect, test } from "vitest";
import {
  DescribeImagesCommand,
  GetContainerServicesCommand,
  GetRepositoryPolicyCommand,
} from "../src/aws-sdk.js";
import { parseInputs } from "../src/inputs.js";
import { preflight } from "../src/preflight.js";
import { awsError, fakeDeps, PULL_POLICY, service } from "./fakes.js";

const base = { "service-name": "demo", repository: "app" };

/** Runs pre-flight alone; returns its result or its error message. */
async function check(
  raw: Record<string, string>,
  arrange: (f: ReturnType<typeof fakeDeps>) => void = () => {},
) {
  const fake = fakeDeps();
  arrange(fake);
  const inputs = parseInputs({ ...base, ...raw }, fake.deps.env);
  const outcome = await preflight(inputs, fake.aws.clients, fake.deps).then(
    (value) => ({ value, error: undefined }),
    (error: unknown) => ({ value: undefined, error: error instanceof Error ? error.message : String(error) }),
  );
  return { ...fake, ...outcome };
}

const firstDeploy = (f: ReturnType<typeof fakeDeps>) =>
  f.aws.mocks.lightsail
    .on(GetContainerServicesCommand)
    .resolves({ containerServices: [service({ state: "READY", currentDeployment: undefined })] });

describe("a first deployment needs container-port", () => {
  test("without it, pre-flight fails naming the input, before any docker or ECR image call", async () => {
    const { error, execCalls, aws } = await check({}, firstDeploy);
    expect(error).toContain("service `demo` has no deployment yet, so `container-port` is needed");
    expect(error).toContain(", at preflight; set `container-port`");
    expect(execCalls).toEqual([]);
    expect(aws.mocks.ecr.commandCalls(DescribeImagesCommand)).toHaveLength(0);
  });

  test.each([
    ["with container-port", { "container-port": "8080" }, firstDeploy],
    ["a later deploy takes the port from the current deployment", {}, () => {}],
  ])("%s: passes", async (_, raw, arrange) => {
    const { error } = await check(raw, arrange);
    expect(error).toBeUndefined();
  });
});

describe("a service whose creation failed is not waited on", () => {
  test.each([
    ["CERTIFICATE_LIMIT_EXCEEDED", "delete unused ones (aws lightsail get-certificates, delete-certificate)"],
    ["UNKNOWN_ERROR", "delete the service and create it again"],
  ] as const)("PENDING with %s fails at once, naming the code and what to do", async (code, todo) => {
    const { error, clock, execCalls } = await check({}, (f) =>
      f.aws.mocks.lightsail.on(GetContainerServicesCommand).resolves({
        containerServices: [service({ state: "PENDING", stateDetail: { code, message: "it broke" } })],
      }),
    );
    expect(error).toContain(`creating service \`demo\` failed (PENDING, ${code}: it broke), at preflight`);
    expect(error).toContain(todo);
    expect(clock.sleeps).toEqual([]);
    expect(execCalls).toEqual([]);
  });

  test("a failure that appears while waiting ends the wait", async () => {
    const { error, clock } = await check({}, (f) =>
      f.aws.mocks.lightsail
        .on(GetContainerServicesCommand)
        .resolvesOnce({ containerServices: [service({ state: "PENDING" })] })
        .resolvesOnce({ containerServices: [service({ state: "PENDING" })] })
        .resolves({
          containerServices: [service({ state: "PENDING", stateDetail: { code: "UNKNOWN_ERROR" } })],
        }),
    );
    expect(error).toContain("creating service `demo` failed (PENDING, UNKNOWN_ERROR), at preflight");
    expect(clock.sleeps).toHaveLength(1);
  });

  test("a PENDING service still being created is waited for", async () => {
    const creating = service({ state: "PENDING", stateDetail: { code: "CREATING_SYSTEM_RESOURCES" } });
    const { error, clock } = await check({}, (f) =>
      f.aws.mocks.lightsail
        .on(GetContainerServicesCommand)
        .resolvesOnce({ containerServices: [creating] })
        .resolvesOnce({ containerServices: [creating] })
        .resolves({ containerServices: [service()] }),
    );
    expect(error).toBeUndefined();
    expect(clock.sleeps).toHaveLength(1);
  });
});

describe("an account or region still being set up says so", () => {
  test.each([
    ["AccountSetupInProgressException", "the AWS account is still being set up for Lightsail"],
    ["RegionSetupInProgressException", "this region is still being set up for Lightsail"],
  ])("%s", async (name, what) => {
    const { error } = await check({}, (f) =>
      f.aws.mocks.lightsail.on(GetContainerServicesCommand).rejects(awsError(name, "setting up")),
    );
    expect(error).toContain(
      `${what} (${name}: setting up) while reading the Lightsail service, at preflight`,
    );
    expect(error).toContain("nothing was changed; wait a few minutes");
  });
});

describe("the pull-access error says why", () => {
  test.each([
    [
      { Effect: "Deny", Principal: "*", Action: "ecr:*" },
      "pull: statement #2 denies ecr:BatchGetImage to the role, at preflight; remove that Deny",
    ],
    [
      {
        Effect: "Deny",
        Principal: "*",
        Action: "ecr:*",
        Condition: { Bool: { "aws:SecureTransport": "false" } },
      },
      "under a Condition, which this check cannot evaluate, so it is taken as denying",
    ],
  ])("%j", async (statement, message) => {
    const policyText = JSON.stringify({ Statement: [JSON.parse(PULL_POLICY).Statement[0], statement] });
    const { error } = await check({}, (f) =>
      f.aws.mocks.ecr.on(GetRepositoryPolicyCommand).resolves({ policyText }),
    );
    expect(error).toContain(message);
  });

  test("a missing action: the statement to add", async () => {
    const { error } = await check({}, (f) =>
      f.aws.mocks.ecr.on(GetRepositoryPolicyCommand).rejects(awsError("RepositoryPolicyNotFoundException")),
    );
    expect(error).toContain("pull: the repository has no policy, at preflight; add this statement");
  });
});
