import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  BatchGetImageCommand,
  DescribeImagesCommand,
  ECRClient,
  GetAuthorizationTokenCommand,
} from "@aws-sdk/client-ecr";
import {
  CreateContainerServiceDeploymentCommand,
  GetContainerLogCommand,
  GetContainerServiceDeploymentsCommand,
  LightsailClient,
} from "@aws-sdk/client-lightsail";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execCommand } from "../src/docker/exec.js";
import { type LocalAws, startLocalAws } from "../src/local-aws.js";
import { buildTinyImage, dockerTestsEnabled, pushImage } from "./support/docker-env.js";
import { PULL_POLICY } from "./support/harness.js";

const enabled = await dockerTestsEnabled();
// Per-run names, so two test runs on one engine never touch each other's containers or images.
const PREFIX = `local-aws-test-${process.pid}`;
const LOCAL_IMAGE = `${PREFIX}/tiny:latest`;
const credentials = { accessKeyId: "test", secretAccessKey: "test" };
const config = {
  services: [{ name: "demo", privateRegistryAccess: true }],
  repositories: [{ name: "app", policy: PULL_POLICY }],
  // 0.1: a 5 s probe interval takes 0.5 s here, so a deployment settles in about a second.
  settings: {
    timeScale: 0.1,
    drainSeconds: 2,
    activationTimeoutSeconds: 60,
    containerPrefix: PREFIX,
  },
};

async function docker(...args: string[]) {
  return execCommand("docker", args, { timeoutMs: 60_000 });
}

describe.skipIf(!enabled)("on a real docker-registry and real Docker containers", () => {
  let stateDir: string;
  let local: LocalAws;
  let lightsail: LightsailClient;
  let ecr: ECRClient;
  let registryHost: string;
  let registryPassword = "";
  const logLines: string[] = [];

  const connect = () => {
    lightsail = new LightsailClient({ endpoint: local.endpoint, region: "eu-west-1", credentials });
    ecr = new ECRClient({ endpoint: local.endpoint, region: "eu-west-1", credentials });
  };

  async function deploy(tag: string, environment: Record<string, string>) {
    const answer = await lightsail.send(
      new CreateContainerServiceDeploymentCommand({
        serviceName: "demo",
        containers: { web: { image: `${registryHost}/app:${tag}`, environment, ports: { "8080": "HTTP" } } },
        publicEndpoint: { containerName: "web", containerPort: 8080, healthCheck: { path: "/health" } },
      }),
    );
    return answer.containerService?.nextDeployment?.version;
  }

  async function states() {
    const answer = await lightsail.send(new GetContainerServiceDeploymentsCommand({ serviceName: "demo" }));
    return (answer.deployments ?? []).map((d) => `${d.version}:${d.state}`);
  }

  beforeAll(async () => {
    stateDir = mkdtempSync(join(tmpdir(), "local-aws-docker-"));
    local = await startLocalAws({ stateDir, config, log: (line) => logLines.push(line) });
    connect();
    const auth = await ecr.send(new GetAuthorizationTokenCommand({}));
    const data = auth.authorizationData?.[0];
    registryHost = (data?.proxyEndpoint ?? "").replace(/^https?:\/\//, "");
    registryPassword = Buffer.from(data?.authorizationToken ?? "", "base64")
      .toString()
      .replace(/^AWS:/, "");
    await buildTinyImage(LOCAL_IMAGE);
    await pushImage(LOCAL_IMAGE, registryHost, registryPassword, "app:v1");
    await pushImage(LOCAL_IMAGE, registryHost, registryPassword, "app:v2");
  });

  let stopped = false;
  afterAll(async () => {
    if (!stopped) await local?.stop({ removeContainers: true });
    const images = await docker("images", "--format", "{{.Repository}}:{{.Tag}}");
    const ours = images.stdout.split("\n").filter((name) => name.startsWith(`${registryHost}/`));
    if (ours.length) await docker("rmi", "--force", ...ours);
    if (stateDir) rmSync(stateDir, { recursive: true, force: true });
  });

  it("reports what was really pushed: tags, digest of the manifest, size from its layers", async () => {
    const described = await ecr.send(new DescribeImagesCommand({ repositoryName: "app" }));
    expect(described.imageDetails).toHaveLength(1);
    const detail = described.imageDetails?.[0];
    expect(detail?.imageTags?.sort()).toEqual(["v1", "v2"]);
    expect(detail?.imageSizeInBytes).toBeGreaterThan(100_000);
    const batch = await ecr.send(
      new BatchGetImageCommand({ repositoryName: "app", imageIds: [{ imageTag: "v1" }] }),
    );
    const manifest = batch.images?.[0]?.imageManifest ?? "";
    expect(`sha256:${createHash("sha256").update(manifest).digest("hex")}`).toBe(detail?.imageDigest);
    expect(batch.images?.[0]?.imageManifestMediaType).toBe(
      "application/vnd.docker.distribution.manifest.v2+json",
    );
  });

  it("deploys v1 into a labelled --network host container and serves it at the service URL", async () => {
    expect(await deploy("v1", { APP_VERSION: "v1" })).toBe(1);
    await local.idle();
    expect(await states()).toEqual(["1:ACTIVE"]);
    const answer = await fetch(local.serviceUrl("demo"));
    expect(await answer.text()).toBe("hello from version v1\n");
    const inspect = await docker(
      "inspect",
      "--format",
      '{{.HostConfig.NetworkMode}} {{index .Config.Labels "local-aws.instance"}}',
      `${PREFIX}-demo-v1-web`,
    );
    expect(inspect.stdout.trim()).toBe(`host ${local.instanceId}`);
  });

  it("cuts over to v2 without a failed request, then stops v1", async () => {
    await deploy("v2", { APP_VERSION: "v2" });
    const seen = new Map<string, number>();
    let settled = false;
    const done = local.idle().then(() => {
      settled = true;
    });
    while (!settled) {
      const response = await fetch(local.serviceUrl("demo"));
      const key = `${response.status} ${(await response.text()).trim()}`;
      seen.set(key, (seen.get(key) ?? 0) + 1);
    }
    await done;
    expect([...seen.keys()].every((key) => key.startsWith("200 "))).toBe(true);
    expect(seen.get("200 hello from version v2")).toBeGreaterThan(0);
    expect(await states()).toEqual(["2:ACTIVE", "1:INACTIVE"]);
    expect((await docker("inspect", `${PREFIX}-demo-v1-web`)).code).not.toBe(0);
    // v1 was stopped with SIGTERM and a grace period, so its drain line is in its archived output.
    const log = await lightsail.send(
      new GetContainerLogCommand({ serviceName: "demo", containerName: "web", filterPattern: "SIGTERM" }),
    );
    expect((log.logEvents ?? []).map((e) => e.message)).toContain("SIGTERM received, draining");
  });

  it("fails a container that exits, keeps its output in GetContainerLog, and v2 keeps serving", async () => {
    await deploy("v1", { APP_VERSION: "broken", MODE: "exit" });
    await local.idle();
    expect(await states()).toEqual(["3:FAILED", "2:ACTIVE", "1:INACTIVE"]);
    const log = await lightsail.send(
      new GetContainerLogCommand({ serviceName: "demo", containerName: "web" }),
    );
    const messages = (log.logEvents ?? []).map((e) => e.message);
    expect(messages).toContain("fatal: MODE=exit, refusing to start");
    expect(messages).toContain(
      '[deployment:3] Container "web" exited with code 3 before the deployment became healthy',
    );
    // Events are merged across versions of the container name: v1's archived output is there too.
    expect(messages.some((m) => /^listening on port \d+, version v1$/.test(m ?? ""))).toBe(true);
    expect((await docker("inspect", `${PREFIX}-demo-v3-web`)).code).not.toBe(0);
    expect(await (await fetch(local.serviceUrl("demo"))).text()).toBe("hello from version v2\n");
  });

  it("fails an unhealthy deployment by its health check", async () => {
    await deploy("v2", { APP_VERSION: "sick", MODE: "unhealthy" });
    await local.idle();
    expect((await states())[0]).toBe("4:FAILED");
    const log = await lightsail.send(
      new GetContainerLogCommand({
        serviceName: "demo",
        containerName: "web",
        filterPattern: "deployment:4",
      }),
    );
    expect((log.logEvents ?? []).map((e) => e.message).join("\n")).toContain(
      "failed 2 times in a row (last: HTTP 500",
    );
  });

  it("never writes the registry password to its log, the state file or a container's command line", async () => {
    expect(registryPassword.length).toBeGreaterThan(20);
    expect(logLines.length).toBeGreaterThan(5);
    expect(logLines.join("\n")).not.toContain(registryPassword);
    expect(readFileSync(join(stateDir, "state.json"), "utf8")).not.toContain(registryPassword);
    const inspect = await docker("inspect", `${PREFIX}-demo-v2-web`);
    expect(inspect.stdout).not.toContain(registryPassword);
  });

  it("survives a restart: containers keep running and are re-adopted, the URL keeps serving", async () => {
    const url = local.serviceUrl("demo");
    await local.stop();
    expect(
      (await docker("inspect", "--format", "{{.State.Running}}", `${PREFIX}-demo-v2-web`)).stdout.trim(),
    ).toBe("true");
    local = await startLocalAws({ stateDir, config });
    connect();
    expect(local.serviceUrl("demo")).toBe(url);
    expect(await states()).toEqual(["4:FAILED", "3:FAILED", "2:ACTIVE", "1:INACTIVE"]);
    expect(await (await fetch(url)).text()).toBe("hello from version v2\n");
    const log = await lightsail.send(
      new GetContainerLogCommand({ serviceName: "demo", containerName: "web", filterPattern: "Re-adopted" }),
    );
    expect(log.logEvents).toHaveLength(1);
  });

  it("stop with removeContainers removes its containers and the images it pulled", async () => {
    await local.stop({ removeContainers: true });
    stopped = true;
    const containers = await docker(
      "ps",
      "--all",
      "--filter",
      `label=local-aws.instance=${local.instanceId}`,
      "--format",
      "{{.Names}}",
    );
    expect(containers.stdout.trim()).toBe("");
    const images = await docker("images", "--format", "{{.Repository}}:{{.Tag}}");
    expect(images.stdout.split("\n").filter((name) => name.startsWith(`${registryHost}/`))).toEqual([]);
  });
});

afterAll(async () => {
  if (enabled) await docker("rmi", "--force", LOCAL_IMAGE);
});

describe.skipIf(!enabled)("the CLI", () => {
  it("runs in the foreground, writes server.json, and down stops it and removes its containers", async () => {
    const dir = mkdtempSync(join(tmpdir(), "local-aws-cli-"));
    const configFile = join(dir, "config.json");
    writeFileSync(configFile, JSON.stringify({ services: [{ name: "demo" }] }));
    const tsx = join(import.meta.dirname, "../../node_modules/.bin/tsx");
    const server = execCommand(
      tsx,
      [join(import.meta.dirname, "../src/cli/server.ts"), "--config", configFile, "--state-dir", dir],
      {
        timeoutMs: 60_000,
      },
    );
    const infoFile = join(dir, "server.json");
    for (let i = 0; i < 200 && !existsSync(infoFile); i++) await new Promise((r) => setTimeout(r, 100));
    const { readServerInfo } = await import("../src/cli/server-info.js");
    const info = readServerInfo(dir);
    expect(info?.services.demo).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    expect(info?.https?.caFile).toBe(join(dir, "tls", "ca.pem"));
    expect(existsSync(info?.https?.caFile ?? "")).toBe(true);
    const health = await fetch(`${info?.endpoint}/_local/health`);
    expect(((await health.json()) as { ok: boolean }).ok).toBe(true);
    // A leftover container labelled for this instance, as a crashed run would leave behind.
    const leftover = await docker(
      "run",
      "-d",
      "--network",
      "host",
      "--label",
      "local-aws=1",
      "--label",
      `local-aws.instance=${info?.instanceId}`,
      "--name",
      `${PREFIX}-cli-leftover`,
      "--env",
      "PORT=1",
      LOCAL_IMAGE,
    );
    expect(leftover.stderr).toBe("");
    const down = await execCommand(
      tsx,
      [join(import.meta.dirname, "../src/cli/down.ts"), "--state-dir", dir],
      { timeoutMs: 60_000 },
    );
    expect(down.stdout).toContain(`stopped local-aws server (pid ${info?.pid})`);
    expect(down.stdout).toContain(`removed containers: ${PREFIX}-cli-leftover`);
    const exited = await server;
    expect(exited.code).toBe(0);
    expect(existsSync(infoFile)).toBe(false);
    await expect(fetch(`${info?.registryEndpoint}/v2/`)).rejects.toThrow();
    rmSync(dir, { recursive: true, force: true });
  });
});

describe.skipIf(!enabled)("ensureLocalAwsServer", () => {
  it("starts a detached server once, reuses it while it answers, and down stops it", async () => {
    const dir = mkdtempSync(join(tmpdir(), "local-aws-bg-"));
    const configFile = join(dir, "config.json");
    writeFileSync(configFile, JSON.stringify({ services: [{ name: "demo" }] }));
    const { ensureLocalAwsServer } = await import("../src/cli/background.js");
    const { localAwsDown } = await import("../src/cli/down.js");
    const first = await ensureLocalAwsServer({ stateDir: dir, configFile });
    expect(first.started).toBe(true);
    const second = await ensureLocalAwsServer({ stateDir: dir, configFile });
    expect(second).toMatchObject({ started: false, pid: first.pid, endpoint: first.endpoint });
    const lines: string[] = [];
    await localAwsDown(dir, (line) => lines.push(line));
    expect(lines[0]).toBe(`stopped local-aws server (pid ${first.pid})`);
    await expect(fetch(`${first.endpoint}/_local/health`)).rejects.toThrow();
    rmSync(dir, { recursive: true, force: true });
  });
});
