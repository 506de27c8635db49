import type { ContainerService } from "@aws-sdk/client-lightsail";
import { describe, expect, test } from "vitest";
import { run } from "../src/entry/run.js";
import { parseInputs } from "../src/inputs/inputs.js";
import { DescribeImagesCommand } from "../src/platform/aws-sdk.js";
import { probe, probeCountFor } from "../src/release/verify/probe.js";
import { renderSummary } from "../src/report/report.js";
import {
  CreateContainerServiceDeploymentCommand,
  GetContainerServicesCommand,
} from "../src/targets/lightsail/lightsail-sdk.js";
import { awsError, deployment, deploysVersion4, fakeDeps, REPOSITORY_URI, service } from "./fakes.js";

const inputs = { "service-name": "demo", repository: "app" };

/** Lightsail's load balancer in turn over `nodes` nodes; `bad` (1-based) answers 503. */
function roundRobinNodes(nodes: number, bad: number) {
  let turn = 0;
  const answered: number[] = [];
  const httpGet = async () => {
    const node = (turn++ % nodes) + 1;
    answered.push(node);
    return { status: node === bad ? 503 : 200 };
  };
  return { httpGet, answered };
}

const CACHE = {
  image: "public.ecr.aws/docker/library/redis:7.4",
  command: ["redis-server", "--save", ""],
  environment: { MAXMEMORY: "64mb", Z_LAST: "1", A_FIRST: "2" },
  ports: { "6379": "TCP" },
} as const;

/** The serving deployment with the app, a Redis sidecar and a worker. */
function withSidecars(scale = 1): ContainerService {
  const current = deployment(3, "ACTIVE");
  current.containers = {
    ...current.containers,
    cache: structuredClone(CACHE) as never,
    worker: { image: `${REPOSITORY_URI}:w1`, command: ["bun", "worker.ts"], environment: { QUEUE: "jobs" } },
  };
  return service({ scale, currentDeployment: current });
}

describe("the probe across nodes", () => {
  test("sends at least two requests per node, so each node of 3 answers twice", async () => {
    expect(probeCountFor(1, 3)).toBe(6);
    expect(probeCountFor(20, 3)).toBe(20);
    expect(probeCountFor(0, 3)).toBe(0);
    const nodes = roundRobinNodes(3, 2);
    const result = await probe("http://x/health", probeCountFor(1, 3), nodes.httpGet);
    expect(nodes.answered).toEqual([1, 2, 3, 1, 2, 3]);
    expect(result).toMatchObject({ count: 6, failures: 2 });
    expect(result.errorRate).toBeCloseTo(1 / 3);
  });

  test("a release bad on one node of 3 fails the probe: max-error-rate is taken over all nodes", async () => {
    const nodes = roundRobinNodes(3, 3);
    const { deps, aws } = fakeDeps({ httpGet: nodes.httpGet });
    aws.mocks.lightsail
      .on(GetContainerServicesCommand)
      .resolves({ containerServices: [service({ scale: 3 })] });
    deploysVersion4(aws, "ACTIVE");
    const result = await run(
      { ...inputs, "probe-count": "1", "max-error-rate": "10%", "auto-rollback": "false" },
      deps,
    );
    expect(result.status).toBe("failed");
    expect(result.error).toContain("2 of 6 requests");
    expect(new Set(nodes.answered)).toEqual(new Set([1, 2, 3]));
  });
});

describe("sidecars", () => {
  test("a new app image leaves every other container exactly as it is serving", async () => {
    const { deps, aws } = fakeDeps();
    aws.mocks.lightsail.on(GetContainerServicesCommand).resolves({ containerServices: [withSidecars()] });
    deploysVersion4(aws, "ACTIVE");
    const result = await run(inputs, deps);
    expect(result.status).toBe("deployed");
    const sent = aws.mocks.lightsail.commandCalls(CreateContainerServiceDeploymentCommand)[0]?.args[0].input;
    expect(sent?.containers?.app?.image).toBe(`${REPOSITORY_URI}:0123456`);
    expect(JSON.stringify(sent?.containers?.cache)).toBe(JSON.stringify(CACHE));
    expect(sent?.containers?.worker).toEqual({
      image: `${REPOSITORY_URI}:w1`,
      command: ["bun", "worker.ts"],
      environment: { QUEUE: "jobs" },
    });
    const summary = renderSummary(result);
    expect(summary).toContain(`| Container: app | ${REPOSITORY_URI}:0123456 |`);
    expect(summary).toContain(`| Container: cache | ${CACHE.image} |`);
    expect(summary).toContain(`| Container: worker | ${REPOSITORY_URI}:w1 |`);
  });

  test("`images` replaces the worker's image too, after checking it is in ECR; the sidecar stays", async () => {
    const { deps, aws } = fakeDeps();
    aws.mocks.lightsail.on(GetContainerServicesCommand).resolves({ containerServices: [withSidecars()] });
    aws.mocks.ecr
      .on(DescribeImagesCommand, { repositoryName: "app", imageIds: [{ imageTag: "w2" }] })
      .resolves({ imageDetails: [{ imageTags: ["w2"] }] });
    deploysVersion4(aws, "ACTIVE");
    const result = await run({ ...inputs, images: `# the worker\nworker=${REPOSITORY_URI}:w2\n` }, deps);
    expect(result.status).toBe("deployed");
    const sent = aws.mocks.lightsail.commandCalls(CreateContainerServiceDeploymentCommand)[0]?.args[0].input;
    expect(sent?.containers?.worker).toEqual({
      image: `${REPOSITORY_URI}:w2`,
      command: ["bun", "worker.ts"],
      environment: { QUEUE: "jobs" },
    });
    expect(JSON.stringify(sent?.containers?.cache)).toBe(JSON.stringify(CACHE));
    expect(renderSummary(result)).toContain(`| Container: worker | ${REPOSITORY_URI}:w2 |`);
  });

  test.each([
    [
      `worker=${REPOSITORY_URI}:missing`,
      "`images` gives container `worker` the image 127.0.0.1:5000/app:missing, which is not in ECR",
    ],
    [
      `queue=${REPOSITORY_URI}:w2`,
      "`images` names container `queue`, which is not in the current deployment (containers: app, cache, worker)",
    ],
    [`app=${REPOSITORY_URI}:w2`, "`images` names container `app`, which gets the image this run deploys"],
    // L1: an entry pinned by digest is checked too.
    [
      `worker=${REPOSITORY_URI}@sha256:${"e".repeat(64)}`,
      `\`images\` gives container \`worker\` the image ${REPOSITORY_URI}@sha256:${"e".repeat(64)}, which is not in ECR`,
    ],
  ])("%s fails before anything is built, pushed or deployed", async (line, message) => {
    const { deps, aws, execCalls } = fakeDeps();
    aws.mocks.lightsail.on(GetContainerServicesCommand).resolves({ containerServices: [withSidecars()] });
    deploysVersion4(aws, "ACTIVE");
    const result = await run({ ...inputs, images: line }, deps);
    expect(result.status).toBe("failed");
    expect(result.error).toContain(message);
    expect(execCalls.filter((c) => c.args[0] === "build" || c.args[0] === "push")).toEqual([]);
    expect(aws.mocks.lightsail.commandCalls(CreateContainerServiceDeploymentCommand)).toHaveLength(0);
  });

  test.each([
    ["worker", '`images` line 1 ("worker") is not a container=image line'],
    [
      "Worker=r.example.com/w:1",
      '`images` line 1 names container "Worker", which is not a Lightsail container name',
    ],
    [
      "worker=w:1",
      '`images` line 1 gives container `worker` the image "w:1", which is not a full image reference',
    ],
    ["worker=r.example.com/w", "which is not a full image reference with a registry and a tag or digest"],
    ["w=r.example.com/w:1\nw=r.example.com/w:2", "`images` line 2 names container `w` a second time"],
  ])("the input %j is refused naming `images`", (images, message) => {
    expect(() => parseInputs({ ...inputs, images }, {})).toThrow(message);
  });

  test("`images` with `rollback-to` is refused", () => {
    expect(() =>
      parseInputs({ "service-name": "demo", "rollback-to": "previous", images: "w=r.io/w:1" }, {}),
    ).toThrow("`images` cannot be combined with `rollback-to`");
  });

  test("L1: a failed image lookup names the container, not the AWS error", async () => {
    const { deps, aws } = fakeDeps();
    aws.mocks.lightsail.on(GetContainerServicesCommand).resolves({ containerServices: [withSidecars()] });
    aws.mocks.ecr
      .on(DescribeImagesCommand, { repositoryName: "app", imageIds: [{ imageTag: "w2" }] })
      .rejects(awsError("AccessDeniedException", "nope"));
    deploysVersion4(aws, "ACTIVE");
    const result = await run({ ...inputs, images: `worker=${REPOSITORY_URI}:w2` }, deps);
    expect(result.status).toBe("failed");
    expect(result.error).toContain(
      `could not look up image ${REPOSITORY_URI}:w2 for container \`worker\` in ECR (AccessDeniedException: nope)`,
    );
  });

  test("images from another registry (public ECR) are not looked up in this account's ECR", async () => {
    const { deps, aws } = fakeDeps();
    aws.mocks.lightsail.on(GetContainerServicesCommand).resolves({ containerServices: [withSidecars()] });
    deploysVersion4(aws, "ACTIVE");
    const result = await run({ ...inputs, images: "cache=public.ecr.aws/docker/library/redis:7.4.1" }, deps);
    expect(result.status).toBe("deployed");
    const sent = aws.mocks.lightsail.commandCalls(CreateContainerServiceDeploymentCommand)[0]?.args[0].input;
    expect(sent?.containers?.cache).toEqual({ ...CACHE, image: "public.ecr.aws/docker/library/redis:7.4.1" });
  });
});
