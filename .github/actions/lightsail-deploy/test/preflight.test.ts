import { describe, expect, test } from "vitest";
import { DescribeImagesCommand, GetContainerServicesCommand } from "../src/aws-sdk.js";
import { parseInputs } from "../src/inputs.js";
import { preflight } from "../src/preflight.js";
import { fakeDeps, service } from "./fakes.js";

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
