import { describe, expect, test } from "vitest";
import { run } from "../src/entry/run.js";
import {
  BatchGetImageCommand,
  DescribeImagesCommand,
  DescribeRepositoriesCommand,
  GetRepositoryPolicyCommand,
} from "../src/platform/aws-sdk.js";
import { EMPTY_RECORD, serializeRecord } from "../src/release/record/release-record.js";
import { outputsOf, renderSummary } from "../src/report/report.js";
import type { LightsailDeps as Deps } from "../src/targets/lightsail/clients.js";
import {
  CreateContainerServiceDeploymentCommand,
  GetContainerLogCommand,
  GetContainerServicesCommand,
} from "../src/targets/lightsail/lightsail-sdk.js";
import { withVerdict } from "../src/targets/lightsail/release/record-view.js";
import {
  awsError,
  defaultExecResult,
  deployment,
  deploysVersion4,
  fakeDeps,
  fakeRecordParameter,
  REPOSITORY_URI,
  service,
  statefulLightsail,
} from "./fakes.js";

const inputs = { "service-name": "demo", repository: "app" };

const dockerCommands = (calls: { command: string; args: string[] }[]) =>
  calls.filter((c) => c.command === "docker").map((c) => c.args.slice(0, 2).join(" "));

describe("a whole deploy with every dependency faked", () => {
  test("builds, logs in, pushes, deploys, waits, probes and reports", async () => {
    const { deps, aws, execCalls, log } = fakeDeps();
    deploysVersion4(aws, "ACTIVE");
    // Not in ECR before the push; after it, ECR names the pushed manifest's digest.
    const pushed = `sha256:${"c".repeat(64)}`;
    aws.mocks.ecr
      .on(DescribeImagesCommand)
      .rejectsOnce(awsError("ImageNotFoundException"))
      .resolves({ imageDetails: [{ imageDigest: pushed, imageTags: ["0123456"] }] });
    const result = await run(inputs, deps);
    expect(result.error).toBeUndefined();
    expect(outputsOf(result)).toEqual({
      "image-uri": `${REPOSITORY_URI}:0123456`,
      "image-tag": "0123456",
      "image-digest": pushed,
      "deployment-version": "4",
      "previous-version": "3",
      "serving-version": "4",
      "service-url": "http://127.0.0.1:8081/",
      status: "deployed",
    });
    expect(dockerCommands(execCalls)).toEqual([
      "version --format",
      "buildx version",
      "version --format",
      `build --file`,
      "image inspect",
      "login --username",
      `push ${REPOSITORY_URI}:0123456`,
      "logout 127.0.0.1:5000",
    ]);
    const sent = aws.mocks.lightsail.commandCalls(CreateContainerServiceDeploymentCommand)[0]?.args[0].input;
    expect(sent?.containers?.app?.image).toBe(`${REPOSITORY_URI}:0123456`);
    expect(log.groups).toEqual([
      "Inputs",
      "Pre-flight",
      "Release record",
      "Image",
      "Deployment request",
      "Deploy",
      "Verify version 4",
      "Image protection",
      "Cost",
    ]);
    expect(result.cost).toEqual({ power: "nano", scale: 2, pricePerNode: 7, total: 14 });
    expect(renderSummary(result)).toContain("| Monthly cost | $14.00 (nano $7.00 × 2) |");
  });

  test("login and push use a private DOCKER_CONFIG; the build uses the user's", async () => {
    const { deps, aws, execCalls } = fakeDeps();
    deploysVersion4(aws, "ACTIVE");
    await run(inputs, deps);
    const env = (verb: string) => execCalls.find((c) => c.args[0] === verb)?.options?.env;
    expect(env("login")).toEqual({ DOCKER_CONFIG: "/tmp/lightsail-deploy-docker-fake" });
    expect(env("push")).toEqual({ DOCKER_CONFIG: "/tmp/lightsail-deploy-docker-fake" });
    expect(env("logout")).toEqual({ DOCKER_CONFIG: "/tmp/lightsail-deploy-docker-fake" });
    expect(env("build")).toBeUndefined();
  });

  test("a prebuilt image is tagged, not built", async () => {
    const { deps, aws, execCalls } = fakeDeps();
    deploysVersion4(aws, "ACTIVE");
    await run({ ...inputs, image: "local/app:dev" }, deps);
    expect(execCalls.find((c) => c.args[0] === "tag")?.args).toEqual([
      "tag",
      "--",
      "local/app:dev",
      `${REPOSITORY_URI}:0123456`,
    ]);
    expect(dockerCommands(execCalls)).not.toContain("build --file");
  });

  test("re-run: the tag is already in ECR, so nothing is built or pushed", async () => {
    const { deps, aws, execCalls, log } = fakeDeps();
    aws.mocks.ecr.on(DescribeImagesCommand).resolves({ imageDetails: [{ imageTags: ["0123456"] }] });
    deploysVersion4(aws, "ACTIVE");
    const result = await run(inputs, deps);
    expect(result.status).toBe("deployed");
    expect(execCalls.filter((c) => c.command === "docker")).toEqual([]);
    expect(log.lines.join("\n")).toContain("already in ECR: skipping build and push");
  });

  test("a push that fails twice is retried and succeeds", async () => {
    let pushes = 0;
    const { deps, aws, clock } = fakeDeps({
      execResult: (call) =>
        // The image's pushes (a docker with buildx pushes the build cache after it too).
        call.args[0] === "push" && call.args[1]?.endsWith(":0123456") && ++pushes < 3
          ? { exitCode: 1, stdout: "", stderr: "received unexpected HTTP status: 503" }
          : defaultExecResult(call),
    });
    deploysVersion4(aws, "ACTIVE");
    expect((await run(inputs, deps)).status).toBe("deployed");
    expect(pushes).toBe(3);
    expect(clock.sleeps.slice(0, 2)).toEqual([5_000, 10_000]);
  });

  test.each([
    ["a build on an arm64 runner", {}, "DOCKER_DEFAULT_PLATFORM: linux/amd64"],
    [
      "a prebuilt image from an Apple-silicon laptop",
      { image: "local/app:dev" },
      "rebuild `image` local/app:dev with `docker build --platform linux/amd64`",
    ],
  ])("%s (linux/arm64) is refused before it is pushed or deployed", async (_, more, todo) => {
    const { deps, aws, execCalls } = fakeDeps({
      execResult: (call) =>
        call.args.includes("{{.Os}}/{{.Architecture}}")
          ? { exitCode: 0, stdout: "linux/arm64\n", stderr: "" }
          : defaultExecResult(call),
    });
    aws.mocks.ecr.on(DescribeImagesCommand).rejects(awsError("ImageNotFoundException"));
    const result = await run({ ...inputs, ...more }, deps);
    expect(result.status).toBe("failed");
    expect(result.error).toContain(
      `image ${REPOSITORY_URI}:0123456 is built for linux/arm64, but Lightsail runs linux/amd64 containers, at image; nothing was pushed or deployed; `,
    );
    expect(result.error).toContain(todo);
    expect(dockerCommands(execCalls).filter((c) => /^(login|push)/.test(c))).toEqual([]);
    expect(aws.mocks.lightsail.commandCalls(CreateContainerServiceDeploymentCommand)).toHaveLength(0);
  });

  test("a denied push is not retried", async () => {
    let pushes = 0;
    const { deps, aws } = fakeDeps({
      execResult: (call) =>
        call.args[0] === "push" && ++pushes
          ? { exitCode: 1, stdout: "", stderr: "denied: not authorized" }
          : defaultExecResult(call),
    });
    const result = await run(inputs, deps);
    expect(pushes).toBe(1);
    expect(result.error).toMatch(
      /^lightsail-deploy failed: docker push .* failed after 1 attempt\(s\) \(denied: not authorized\), at image; /,
    );
    expect(aws.mocks.lightsail.commandCalls(CreateContainerServiceDeploymentCommand)).toHaveLength(0);
  });
});

describe("dry run", () => {
  test("runs inputs and pre-flight, prints the request, and sends no deployment and no docker push", async () => {
    const { deps, aws, execCalls, log } = fakeDeps();
    const result = await run({ ...inputs, "dry-run": "true", environment: "GREETING=hi" }, deps);
    expect(result.error).toBeUndefined();
    expect(result.status).toBeUndefined();
    expect(aws.mocks.lightsail.commandCalls(CreateContainerServiceDeploymentCommand)).toHaveLength(0);
    expect(dockerCommands(execCalls)).toEqual(["version --format"]);
    expect(JSON.parse(result.request ?? "")).toMatchObject({
      serviceName: "demo",
      containers: {
        app: { image: `${REPOSITORY_URI}:0123456`, environment: { MODE: "***", GREETING: "***" } },
      },
    });
    expect(log.lines.join("\n")).toContain("Dry run: this request would be sent; nothing was changed.");
    expect(renderSummary(result)).toContain("Dry run (nothing changed)");
  });
});

describe("failures say what happened and which version is serving", () => {
  test("FAILED: logs fetched for the window, version 3 still serving, no rollback", async () => {
    const { deps, aws, log } = fakeDeps();
    deploysVersion4(aws, "FAILED");
    aws.mocks.lightsail.on(GetContainerLogCommand).resolves({
      logEvents: [
        { createdAt: new Date(Date.UTC(2026, 0, 1)), message: "Error: cannot connect to database" },
      ],
    });
    const result = await run(inputs, deps);
    expect(result.status).toBe("failed");
    expect(result.error).toBe(
      "lightsail-deploy failed: deployment version 4 FAILED: its containers did not start or did not pass the health check; version 3 is serving, at verify; read the container logs in the step log or job summary, fix the cause and deploy again",
    );
    expect(result.logs).toEqual(["app | 2026-01-01T00:00:00.000Z Error: cannot connect to database"]);
    expect(log.lines.join("\n")).toContain("Error: cannot connect to database");
    expect(renderSummary(result)).toContain("Error: cannot connect to database");
    expect(aws.mocks.lightsail.commandCalls(CreateContainerServiceDeploymentCommand)).toHaveLength(1);
  });

  test("timeout: says the old version serves and that the new one may still finish", async () => {
    const { deps, aws } = fakeDeps();
    deploysVersion4(aws, "ACTIVATING");
    const result = await run({ ...inputs, "wait-timeout": "30s" }, deps);
    expect(result.error).toBe(
      "lightsail-deploy failed: deployment version 4 did not become ACTIVE within 30s (last state: ACTIVATING); version 3 is serving, at verify; it may still finish: check it with GetContainerServiceDeployments, and raise `wait-timeout` if the app starts slowly",
    );
    expect(aws.mocks.lightsail.commandCalls(CreateContainerServiceDeploymentCommand)).toHaveLength(1);
  });

  /** The new image (tag 0123456) answers 500 once serving; every other image answers 200. */
  function newImageFailsProbe(deps: Deps, lightsail: ReturnType<typeof statefulLightsail>) {
    deps.httpGet = async () => ({ status: lightsail.servingImage()?.endsWith(":0123456") ? 500 : 200 });
  }

  test("ACTIVE but failing the probe: automatic rollback to version 3's configuration", async () => {
    const { deps, aws } = fakeDeps();
    const lightsail = statefulLightsail(aws);
    const record = fakeRecordParameter(aws);
    newImageFailsProbe(deps, lightsail);
    const result = await run(inputs, deps);
    const creates = aws.mocks.lightsail
      .commandCalls(CreateContainerServiceDeploymentCommand)
      .map((c) => c.args[0].input);
    expect(creates).toHaveLength(2);
    expect(creates[1]?.containers?.app?.image).toBe(`${REPOSITORY_URI}:v3`);
    expect(lightsail.serving()?.version).toBe(5);
    expect(lightsail.servingImage()).toBe(`${REPOSITORY_URI}:v3`);
    expect(result.status).toBe("rolled-back");
    expect(result.deploymentVersion).toBe(5);
    expect(result.servingVersion).toBe(5);
    expect(result.imageUri).toBe(`${REPOSITORY_URI}:v3`);
    expect(result.notes).toContain(
      `${REPOSITORY_URI}:0123456 failed and was rolled back to ${REPOSITORY_URI}:v3.`,
    );
    expect(result.error).toMatch(
      /^lightsail-deploy failed: deployment version 4 went ACTIVE but failed the probe: 20 of 20 requests .* rolled back: version 5 \(the configuration of verified version 3\) is serving, at verify;/,
    );
    // The record: 3 was serving when it began, 4 rejected, 5 (the restore) verified.
    const entries = record.entries().sort((a, b) => a.version - b.version);
    expect(entries.map((e) => [e.version, e.verdict])).toEqual([
      [3, "good"],
      [4, "rejected"],
      [5, "good"],
    ]);
  });

  test("the automatic rollback waits for the service to finish its cut-over before redeploying", async () => {
    const { deps, aws } = fakeDeps();
    // Pre-flight sees RUNNING; after version 4 went ACTIVE the service is still DEPLOYING once.
    const lightsail = statefulLightsail(aws, { serviceStates: ["RUNNING", "DEPLOYING"] });
    newImageFailsProbe(deps, lightsail);
    const result = await run(inputs, deps);
    expect(result.status).toBe("rolled-back");
    const order = aws.mocks.lightsail
      .calls()
      .map((call) => (call.args[0] as object).constructor.name)
      .filter(
        (name) =>
          name === "GetContainerServicesCommand" || name === "CreateContainerServiceDeploymentCommand",
      );
    expect(order.slice(0, 5)).toEqual([
      "GetContainerServicesCommand",
      "CreateContainerServiceDeploymentCommand",
      "GetContainerServicesCommand",
      "GetContainerServicesCommand",
      "CreateContainerServiceDeploymentCommand",
    ]);
  });

  test("auto-rollback false: the failing version stays and the message says so", async () => {
    const { deps, aws } = fakeDeps({ httpGet: async () => ({ status: 503 }) });
    deploysVersion4(aws, "ACTIVE");
    aws.mocks.lightsail
      .on(GetContainerServicesCommand)
      .resolvesOnce({ containerServices: [service()] })
      .resolves({ containerServices: [service({ currentDeployment: deployment(4, "ACTIVE") })] });
    const result = await run({ ...inputs, "auto-rollback": "false" }, deps);
    expect(result.status).toBe("failed");
    expect(result.error).toContain("failed the probe");
    expect(result.error).toContain("version 4 is serving");
    expect(aws.mocks.lightsail.commandCalls(CreateContainerServiceDeploymentCommand)).toHaveLength(1);
  });
});

describe("pre-flight", () => {
  test.each([
    [
      "missing service (DoesNotExist quirk)",
      (a: ReturnType<typeof fakeDeps>["aws"]) =>
        a.mocks.lightsail
          .on(GetContainerServicesCommand)
          .rejects(Object.assign(awsError("LightsailServiceException", "x"), { code: "DoesNotExist" })),
      "Lightsail container service `demo` does not exist in eu-west-1, at preflight",
    ],
    [
      "throttling that outlasts every retry",
      (a: ReturnType<typeof fakeDeps>["aws"]) =>
        a.mocks.lightsail
          .on(GetContainerServicesCommand)
          .rejects(awsError("ThrottlingException", "Rate exceeded")),
      "kept failing after 6 attempts (ThrottlingException: Rate exceeded), at preflight; AWS is throttling or unavailable; nothing was changed",
    ],
    [
      "disabled service",
      (a: ReturnType<typeof fakeDeps>["aws"]) =>
        a.mocks.lightsail
          .on(GetContainerServicesCommand)
          .resolves({ containerServices: [service({ isDisabled: true, state: "DISABLED" })] }),
      "service `demo` is disabled, at preflight; enable it",
    ],
    [
      "inactive puller role",
      (a: ReturnType<typeof fakeDeps>["aws"]) =>
        a.mocks.lightsail.on(GetContainerServicesCommand).resolves({
          containerServices: [
            service({ privateRegistryAccess: { ecrImagePullerRole: { isActive: false } } }),
          ],
        }),
      "has no active ECR image-puller role",
    ],
    [
      "no repository policy",
      (a: ReturnType<typeof fakeDeps>["aws"]) =>
        a.mocks.ecr.on(GetRepositoryPolicyCommand).rejects(awsError("RepositoryPolicyNotFoundException")),
      "does not let the service's image-puller role",
    ],
    [
      "bad credentials",
      (a: ReturnType<typeof fakeDeps>["aws"]) =>
        a.mocks.lightsail
          .on(GetContainerServicesCommand)
          .rejects(
            awsError("UnrecognizedClientException", "The security token included in the request is invalid"),
          ),
      "AWS rejected the credentials",
    ],
  ])("%s", async (_, arrange, message) => {
    const { deps, aws, execCalls } = fakeDeps();
    arrange(aws);
    const result = await run(inputs, deps);
    expect(result.status).toBe("failed");
    expect(result.error).toContain(message);
    expect(execCalls.filter((c) => c.args[0] === "push")).toEqual([]);
  });

  test("a repository in another region is refused: Lightsail pulls only from its own region", async () => {
    const { deps, aws } = fakeDeps();
    aws.mocks.ecr.on(DescribeRepositoriesCommand).resolves({
      repositories: [
        {
          repositoryName: "app",
          repositoryUri: "x/app",
          repositoryArn: "arn:aws:ecr:us-east-1:000000000000:repository/app",
        },
      ],
    });
    const result = await run(inputs, deps);
    expect(result.error).toContain("ECR repository `app` is in us-east-1, not eu-west-1, at preflight");
  });

  test("a service in a transition state is waited for", async () => {
    const { deps, aws, clock } = fakeDeps();
    aws.mocks.lightsail
      .on(GetContainerServicesCommand)
      .resolvesOnce({ containerServices: [service({ state: "UPDATING" })] })
      .resolvesOnce({ containerServices: [service({ state: "UPDATING" })] })
      .resolves({ containerServices: [service()] });
    deploysVersion4(aws, "ACTIVE");
    expect((await run(inputs, deps)).status).toBe("deployed");
    expect(clock.sleeps[0]).toBe(5_000);
  });

  test("docker missing is reported before anything is pushed", async () => {
    const { deps } = fakeDeps({
      execResult: () => ({ exitCode: 127, stdout: "", stderr: "docker: not found" }),
    });
    const result = await run(inputs, deps);
    expect(result.error).toContain("docker is not usable (docker: not found), at preflight");
  });
});

describe("manual rollback", () => {
  test("rollback-to previous redeploys the previous configuration, with no build or push", async () => {
    const { deps, aws, execCalls } = fakeDeps();
    const [two, three] = [deployment(2, "INACTIVE", "two"), deployment(3, "ACTIVE")];
    statefulLightsail(aws, { deployments: [two, three] });
    fakeRecordParameter(
      aws,
      serializeRecord(withVerdict(EMPTY_RECORD, two, "good", "probe passed", new Date(1_700_000_000_000))),
    );
    const result = await run({ "service-name": "demo", "rollback-to": "previous" }, deps);
    expect(result.error).toBeUndefined();
    expect(result.status).toBe("rolled-back");
    expect(result.imageUri).toBe(`${REPOSITORY_URI}:two`);
    expect(
      aws.mocks.lightsail.commandCalls(CreateContainerServiceDeploymentCommand)[0]?.args[0].input.containers
        ?.app?.image,
    ).toBe(`${REPOSITORY_URI}:two`);
    expect(execCalls.filter((c) => c.command === "docker")).toEqual([]);
  });

  test("a rollback polls at least every 2 s even when poll-interval is longer, a deploy keeps its interval", async () => {
    const rollback = fakeDeps();
    statefulLightsail(rollback.aws, {
      deployments: [deployment(2, "INACTIVE", "two"), deployment(3, "ACTIVE")],
    });
    const rolledBack = await run(
      { "service-name": "demo", "rollback-to": "2", "poll-interval": "30s" },
      rollback.deps,
    );
    expect(rolledBack.status).toBe("rolled-back");
    expect(rollback.clock.sleeps.length).toBeGreaterThan(0);
    expect(Math.max(...rollback.clock.sleeps)).toBeLessThanOrEqual(2000 * 1.2);

    const deploy = fakeDeps();
    deploysVersion4(deploy.aws, "ACTIVE");
    await run({ ...inputs, "poll-interval": "30s" }, deploy.deps);
    expect(Math.max(...deploy.clock.sleeps)).toBeGreaterThan(2000 * 1.2);
  });

  test("an image expired from ECR is a clear error and nothing is deployed", async () => {
    const { deps, aws } = fakeDeps();
    aws.mocks.ecr.on(BatchGetImageCommand).resolves({
      images: [],
      failures: [
        {
          imageId: { imageTag: "two" },
          failureCode: "ImageNotFound",
          failureReason: "Requested image not found",
        },
      ],
    });
    const result = await run({ "service-name": "demo", "rollback-to": "2" }, deps);
    expect(result.error).toBe(
      `lightsail-deploy failed: ${REPOSITORY_URI}:v2 is no longer in ECR (a lifecycle policy may have expired it), at rollback; pick a newer version or tag with \`rollback-to\`, or build and deploy that commit again`,
    );
    expect(aws.mocks.lightsail.commandCalls(CreateContainerServiceDeploymentCommand)).toHaveLength(0);
  });
});
