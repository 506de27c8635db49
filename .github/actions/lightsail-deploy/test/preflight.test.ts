import { describe, expect, test } from "vitest";
import { timestampTag } from "../src/image/image-tag.js";
import { parseInputs } from "../src/inputs/inputs.js";
import {
  BatchGetImageCommand,
  DescribeImagesCommand,
  GetRepositoryPolicyCommand,
} from "../src/platform/aws-sdk.js";
import { GetContainerServicesCommand } from "../src/targets/lightsail/lightsail-sdk.js";
import { preflight } from "../src/targets/lightsail/preflight/preflight.js";
import { awsError, fakeClock, fakeDeps, PULL_POLICY, service } from "./fakes.js";

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

describe("a tag already in ECR: same tag, same content", () => {
  const CONFIG = `sha256:${"c0".repeat(32)}`;
  const MANIFEST = `sha256:${"a1".repeat(32)}`;
  const OTHER = `sha256:${"ff".repeat(32)}`;

  /** The tag is in ECR, its manifest names CONFIG, and the local image's id is `localId`. */
  const inEcr =
    (localId: string, status = "", platform = "linux/amd64") =>
    (f: ReturnType<typeof fakeDeps>) => {
      f.aws.mocks.ecr.on(DescribeImagesCommand).resolves({ imageDetails: [{ imageTags: ["x"] }] });
      f.aws.mocks.ecr.on(BatchGetImageCommand).resolves({
        images: [
          {
            imageId: { imageTag: "x", imageDigest: MANIFEST },
            imageManifest: JSON.stringify({ schemaVersion: 2, config: { digest: CONFIG } }),
          },
        ],
      });
      f.deps.exec = async (command, args) => {
        f.execCalls.push({ command, args, options: undefined });
        if (command === "git") return { exitCode: 0, stdout: args[0] === "status" ? status : "", stderr: "" };
        if (args.includes("{{.Os}}/{{.Architecture}}"))
          return { exitCode: 0, stdout: `${platform}\n`, stderr: "" };
        return { exitCode: 0, stdout: `${localId}\n`, stderr: "" };
      };
    };

  test.each([
    ["the classic store: the local id is the config digest", CONFIG],
    ["the containerd store: the local id is the manifest digest", MANIFEST],
  ])("a prebuilt image with the same content is not pushed again (%s)", async (_, localId) => {
    const { value, error, execCalls, log, aws } = await check({ image: "local/app:dev" }, inEcr(localId));
    expect(error).toBeUndefined();
    expect(value?.imageExists).toBe(true);
    expect(execCalls.filter((c) => c.command === "docker").map((c) => c.args)).toEqual([
      ["image", "inspect", "--format", "{{.Os}}/{{.Architecture}}", "--", "local/app:dev"],
      ["image", "inspect", "--format", "{{.Id}}", "--", "local/app:dev"],
    ]);
    expect(aws.mocks.ecr.commandCalls(BatchGetImageCommand)[0]?.args[0].input.imageIds).toEqual([
      { imageTag: "0123456" },
    ]);
    expect(log.lines.join("\n")).toContain(
      `Tag 0123456 in ECR holds the same image as local/app:dev (${localId}), so it is not pushed again`,
    );
  });

  test("a prebuilt arm64 image whose tag is already in ECR fails in pre-flight, naming image, platform and the fix", async () => {
    const { error, aws } = await check({ image: "local/app:dev" }, inEcr(CONFIG, "", "linux/arm64"));
    expect(error).toBe(
      "lightsail-deploy failed: image local/app:dev is built for linux/arm64, but Lightsail runs linux/amd64 containers, at preflight; nothing was pushed or deployed; rebuild `image` local/app:dev with `docker build --platform linux/amd64`",
    );
    expect(aws.mocks.ecr.commandCalls(BatchGetImageCommand)).toHaveLength(0);
  });

  test("a prebuilt image with other content fails before any change, naming tag, image and both digests", async () => {
    const { error } = await check({ image: "local/app:dev", tag: "v1" }, inEcr(OTHER));
    expect(error).toContain(
      `\`tag\` v1 is already in ECR with other content than \`image\` local/app:dev (local ${OTHER}; in ECR ${CONFIG} / ${MANIFEST}), at preflight; nothing was changed`,
    );
  });

  test("a build from a clean tree at the same commit is not rebuilt, and the log says so plainly", async () => {
    const { value, error, execCalls, log } = await check({}, inEcr(OTHER));
    expect(error).toBeUndefined();
    expect(value).toMatchObject({ tag: "0123456", imageExists: true });
    expect(execCalls.filter((c) => c.command === "docker")).toEqual([]);
    expect(log.lines.join("\n")).toContain(
      "Tag 0123456 is already in ECR: that image was built from this commit earlier, so it is not rebuilt",
    );
  });

  test("a build from a dirty tree gets its own tag, so the committed image is not redeployed", async () => {
    const { value, error, log, aws } = await check({}, (f) => {
      inEcr(OTHER, " M src/app.ts\n")(f);
      f.aws.mocks.ecr.on(DescribeImagesCommand).rejects(awsError("ImageNotFoundException"));
    });
    const tag = `0123456-dirty-${timestampTag(fakeClock().now())}`;
    expect(error).toBeUndefined();
    expect(value).toMatchObject({ tag, imageExists: false });
    expect(aws.mocks.ecr.commandCalls(DescribeImagesCommand)[0]?.args[0].input.imageIds).toEqual([
      { imageTag: tag },
    ]);
    expect(log.lines.join("\n")).toContain(`uncommitted changes, so the image gets a tag of its own: ${tag}`);
  });
});
