import { execFile } from "node:child_process";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { promisify } from "node:util";
import {
  CreateContainerServiceDeploymentCommand,
  type EndpointRequest,
  GetContainerServiceDeploymentsCommand,
  UpdateContainerServiceCommand,
} from "@aws-sdk/client-lightsail";
import { PutParameterCommand } from "@aws-sdk/client-ssm";
import { forwardRequest } from "local-aws";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repoRoot } from "../scripts/harness/paths.js";
import { ensureRedisImage, pushToLocalRegistry } from "../scripts/harness/push-image.js";
import { endToEndEnabled } from "./support/prerequisites.js";
import { expectOutcome, SHA_V1, SHA_V2, type Stage, startStage } from "./support/stage.js";

// Nodes and sidecars on the real stand-in: a 3-node service cut over without a failed request, a release
// bad on one node of 3 (caught by Lightsail's health check, or by the action's probe), then the app with
// its Redis sidecar, whose cache answers a repeated /authorize, and which a new app release leaves alone.
const enabled = await endToEndEnabled();
const execFileAsync = promisify(execFile);

const SERVICE = "h13-nodes";
const REPOSITORY = "h13-nodes-app";
const SSM_PATH = "/h13-nodes/dev/";

const TIMING = { "poll-interval": "1s", "wait-timeout": "3m", "probe-count": "10" };

/** The app's build inputs, as stage.deployApp sends them, for runs that need their own environment. */
function appInputs(sha: string, baseImage: string) {
  return {
    context: repoRoot,
    dockerfile: "Dockerfile",
    "build-args": `BUN_IMAGE=${baseImage}\nGIT_SHA=${sha}`,
    "container-name": "app",
    "container-port": "3000",
    "health-check-path": "/health",
    "ssm-path": SSM_PATH,
    ...TIMING,
  };
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** The authorizer, counting the questions it is asked. */
async function startAuthorizerStub() {
  let calls = 0;
  const server = createServer((req, res) => {
    calls += 1;
    req.resume();
    req.on("end", () => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end('{"allowed":true}');
    });
  });
  const url = `${await listen(server)}/authorize`;
  return { url, calls: () => calls, close: () => new Promise<void>((r) => server.close(() => r())) };
}

/** A loopback proxy to the stand-in that keeps every CreateContainerServiceDeployment body as sent. */
async function startRequestRecorder(upstream: string) {
  const target = new URL(upstream);
  const creates: string[] = [];
  const server = createServer((incoming, outgoing) => {
    const chunks: Buffer[] = [];
    incoming.on("data", (chunk: Buffer) => chunks.push(chunk));
    incoming.on("end", () => {
      const body = Buffer.concat(chunks);
      if (String(incoming.headers["x-amz-target"]).endsWith(".CreateContainerServiceDeployment"))
        creates.push(body.toString("utf8"));
      forwardRequest(incoming, outgoing, {
        host: target.hostname,
        port: Number(target.port),
        forwardedFor: "keep",
        body,
        onUpstreamError: "reset",
      });
    });
  });
  const endpoint = await listen(server);
  return { endpoint, creates, close: () => new Promise<void>((r) => server.close(() => r())) };
}

describe.skipIf(!enabled)("nodes and sidecars on the local Lightsail stand-in", () => {
  let stage: Stage;
  let redisImage: string;

  const deployments = async () =>
    (await stage.pipeline.lightsail.send(new GetContainerServiceDeploymentsCommand({ serviceName: SERVICE })))
      .deployments ?? [];
  const nextVersion = async () => Math.max(0, ...(await deployments()).map((d) => d.version ?? 0)) + 1;
  const scaleTo = async (scale: number) => {
    await stage.pipeline.lightsail.send(new UpdateContainerServiceCommand({ serviceName: SERVICE, scale }));
    await stage.pipeline.local.idle();
  };
  const runningNodes = async (version: number) => {
    const { stdout } = await execFileAsync("docker", [
      "ps",
      "--filter",
      `label=local-aws.instance=${stage.pipeline.local.instanceId}`,
      "--filter",
      `label=local-aws.version=${version}`,
      "--format",
      '{{.Label "local-aws.node"}}',
    ]);
    return stdout.split("\n").filter(Boolean).sort();
  };

  beforeAll(async () => {
    stage = await startStage({ service: SERVICE, repository: REPOSITORY, ssmPath: SSM_PATH });
    // The sidecar's image, built from Debian's redis-server, pushed next to the app (same pull grant).
    const local = await ensureRedisImage(repoRoot);
    redisImage = await pushToLocalRegistry(
      stage.pipeline.ecr,
      stage.pipeline.local.registryEndpoint,
      local,
      REPOSITORY,
      `redis-${local.split(":")[1]}`,
    );
    await scaleTo(3);
    expectOutcome(await stage.deployApp(SHA_V1), "succeeds", "deployed");
    expect(await runningNodes(1)).toEqual(["1", "2", "3"]);
  }, 300_000);

  afterAll(async () => {
    await stage?.close();
  });

  it("deploys to a 3-node service with no failed request to the service URL during the cut-over", async () => {
    const version = await nextVersion();
    const load = stage.load();
    const run = await stage.deployApp(SHA_V2);
    const report = await load.stopAfterRecovery("3-node cut-over");
    expectOutcome(run, "succeeds", "deployed");
    expect(run.log).toContain("Probe ");
    expect(await stage.healthVersion()).toBe(SHA_V2);
    expect(await runningNodes(version)).toEqual(["1", "2", "3"]);
    expect(report.before).toEqual([]);
    expect(report.after).toEqual([]);
  }, 180_000);

  it("a release unhealthy on one node of 3 FAILS; the action fails and the old version keeps serving", async () => {
    const version = await nextVersion();
    stage.pipeline.local.faults.add({
      kind: "nodeFault",
      node: 2,
      target: "probe",
      versions: [version],
      serviceNames: [SERVICE],
    });
    const load = stage.load();
    const run = await stage.deployApp(SHA_V1);
    const report = await load.stopAfterRecovery("one node of 3 unhealthy");
    expectOutcome(run, "fails", "failed");
    expect(run.log).toContain('Health check of container "app" on node 2 of 3');
    expect((await deployments()).find((d) => d.version === version)?.state).toBe("FAILED");
    expect(await stage.healthVersion()).toBe(SHA_V2);
    expect(report.before).toEqual([]);
    expect(report.after).toEqual([]);
  }, 180_000);

  it("a release failing requests on one node of 3 after ACTIVE is caught by the probe and rolled back", async () => {
    const version = await nextVersion();
    stage.pipeline.local.faults.add({
      kind: "nodeFault",
      node: 3,
      target: "proxy",
      versions: [version],
      serviceNames: [SERVICE],
    });
    // No other traffic here, so the load balancer's turns are the probe's alone.
    const run = await stage.deployApp(SHA_V1);
    expectOutcome(run, "fails", "rolled-back");
    // The probe's 10 requests went round all 3 nodes in turn: node 3 answered 3 or 4 of them, all failed.
    expect(run.log).toMatch(/failed the probe: [34] of 10 requests/);
    expect(await stage.healthVersion()).toBe(SHA_V2);
    const after = stage.load();
    const report = await after.stopAfterRecovery("after the rollback");
    expect(report.after).toEqual([]);
  }, 180_000);

  describe("the app with its Redis sidecar", () => {
    let authorizer: Awaited<ReturnType<typeof startAuthorizerStub>>;
    let recorder: Awaited<ReturnType<typeof startRequestRecorder>>;
    // Command, environment and ports too, so that "unchanged" covers every field a container has.
    const cache = () => ({
      image: redisImage,
      command: ["--maxmemory", "32mb", "--maxmemory-policy", "allkeys-lru"],
      // Any value: the action masks every environment value it reads back, so keep it distinctive.
      environment: { CACHE_NOTE: "h13-sidecar-env" },
      ports: { "6379": "TCP" as const },
    });

    beforeAll(async () => {
      authorizer = await startAuthorizerStub();
      recorder = await startRequestRecorder(stage.pipeline.local.endpoint);
      await stage.pipeline.ssm.send(
        new PutParameterCommand({
          Name: `${SSM_PATH}AUTHORIZER_URL`,
          Value: authorizer.url,
          Type: "SecureString",
          Overwrite: true,
        }),
      );
    });

    afterAll(async () => {
      await authorizer?.close();
      await recorder?.close();
    });

    const authorize = async () => {
      const response = await fetch(new URL("authorize", stage.pipeline.serviceUrl), {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: '{"token":"h13-token"}',
      });
      return { status: response.status, cache: response.headers.get("x-cache"), body: await response.text() };
    };

    it("answers a repeated /authorize from the cache: the authorizer is asked once", async () => {
      // One node, so both requests meet the same Redis (each node runs its own copy of the sidecar).
      await scaleTo(1);
      const active = (await deployments()).find((d) => d.state === "ACTIVE");
      // Scaling in stopped nodes 2 and 3 of the serving deployment; it kept serving.
      expect(await runningNodes(active?.version ?? 0)).toEqual(["1"]);
      expect(await stage.healthVersion()).toBe(SHA_V2);
      const app = active?.containers?.app;
      const { LIGHTSAIL_DEPLOY_ID: _notThisRun, ...environment } = app?.environment ?? {};
      // The sidecar is added to the serving deployment the way a team would, once, through the API.
      await stage.pipeline.lightsail.send(
        new CreateContainerServiceDeploymentCommand({
          serviceName: SERVICE,
          containers: {
            app: {
              ...app,
              environment: {
                ...environment,
                AUTHORIZER_URL: authorizer.url,
                REDIS_URL: "redis://localhost:6379",
              },
            },
            cache: cache(),
          },
          publicEndpoint: active?.publicEndpoint as EndpointRequest,
        }),
      );
      await stage.pipeline.local.idle();
      expect((await deployments())[0]?.state).toBe("ACTIVE");
      expect(await authorize()).toEqual({ status: 200, cache: "miss", body: '{"allowed":true}' });
      expect(await authorize()).toEqual({ status: 200, cache: "hit", body: '{"allowed":true}' });
      expect(authorizer.calls()).toBe(1);
    }, 120_000);

    it("a new app release leaves the sidecar byte-for-byte unchanged in the deployment request", async () => {
      const run = await stage.pipeline.runAction(appInputs(SHA_V1, stage.pipeline.baseImage), {
        GITHUB_SHA: SHA_V1,
        AWS_ENDPOINT_URL_LIGHTSAIL: recorder.endpoint,
      });
      expectOutcome(run, "succeeds", "deployed");
      expect(recorder.creates).toHaveLength(1);
      const sent = JSON.parse(recorder.creates[0] ?? "{}") as {
        containers: Record<string, { image: string; environment?: Record<string, string> }>;
      };
      expect(JSON.stringify(sent.containers.cache)).toBe(JSON.stringify(cache()));
      // …and exactly as the serving deployment reported it.
      const previous = (await deployments()).find((d) => d.state === "INACTIVE" && d.containers?.cache);
      expect(JSON.stringify(sent.containers.cache)).toBe(JSON.stringify(previous?.containers?.cache));
      expect(sent.containers.app?.image).toContain(`:${SHA_V1.slice(0, 7)}`);
      expect(sent.containers.app?.environment?.REDIS_URL).toBe("redis://localhost:6379");
      expect(run.summary).toContain(`| Container: cache | ${redisImage} |`);
      expect(await stage.healthVersion()).toBe(SHA_V1);
      // The new release talks to its own Redis: one more question, then answers from the cache.
      expect((await authorize()).cache).toBe("miss");
      expect((await authorize()).cache).toBe("hit");
      expect(authorizer.calls()).toBe(2);
    }, 180_000);
  });
});
