import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ECRClient } from "@aws-sdk/client-ecr";
import { LightsailClient } from "@aws-sdk/client-lightsail";
import { SSMClient } from "@aws-sdk/client-ssm";
import { type LocalAws, startLocalAws } from "../../src/local-aws.js";
import { freePort } from "../../src/ports.js";
import { FakeRegistry, FakeRuntime, ManualTicker, VirtualClock } from "./fakes.js";

export const PULL_POLICY = {
  Version: "2008-10-17",
  Statement: [
    {
      Sid: "AllowLightsailPull-demo",
      Effect: "Allow",
      Principal: { AWS: "*" },
      Action: ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
    },
  ],
};

export const testConfig = {
  region: "eu-west-1",
  services: [
    { name: "demo", privateRegistryAccess: true },
    { name: "locked", privateRegistryAccess: false },
  ],
  repositories: [{ name: "app", policy: PULL_POLICY }, { name: "bare" }],
  parameters: [
    { name: "/myapp/dev/LOG_LEVEL", type: "String", value: "debug" },
    { name: "/myapp/dev/DB_PASSWORD", type: "SecureString", value: "s3cret-value" },
    { name: "/myapp/dev/nested/FLAG", type: "String", value: "on" },
    { name: "/other/KEY", type: "String", value: "x" },
  ],
  settings: { drainSeconds: 1, updateSeconds: 1, activationTimeoutSeconds: 120 },
};

export interface Harness {
  local: LocalAws;
  runtime: FakeRuntime;
  registry: FakeRegistry;
  clock: VirtualClock;
  /** Steps the health monitor of ACTIVE deployments one beat at a time. */
  monitor: ManualTicker;
  stateDir: string;
  lightsail: LightsailClient;
  ecr: ECRClient;
  ssm: SSMClient;
  restart(): Promise<void>;
  close(): Promise<void>;
}

const credentials = { accessKeyId: "test", secretAccessKey: "test" };

/** The real server, routing and state machine, on a fake registry and container engine with virtual time. */
export async function startHarness(
  config: unknown = testConfig,
  stateDir?: string,
  options: { recordAnswers?: string; manualEcs?: boolean } = {},
): Promise<Harness> {
  const dir = stateDir ?? mkdtempSync(join(tmpdir(), "local-aws-test-"));
  const clock = new VirtualClock();
  const runtime = new FakeRuntime(clock.now);
  const registry = new FakeRegistry(await freePort());
  const monitor = new ManualTicker();
  const start = () =>
    startLocalAws({
      stateDir: dir,
      config,
      ...(options.recordAnswers ? { recordAnswers: options.recordAnswers } : {}),
      overrides: {
        ecsManualTick: options.manualEcs ?? true,
        runtime,
        startRegistry: async () => registry,
        sleep: clock.sleep,
        monitorSleep: monitor.sleep,
        now: clock.now,
      },
    });
  const harness: Harness = {
    local: await start(),
    runtime,
    registry,
    clock,
    monitor,
    stateDir: dir,
    lightsail: undefined as unknown as LightsailClient,
    ecr: undefined as unknown as ECRClient,
    ssm: undefined as unknown as SSMClient,
    async restart() {
      await harness.local.stop();
      harness.local = await start();
      connect();
    },
    async close() {
      await harness.local.stop({ removeContainers: true });
      if (!stateDir) rmSync(dir, { recursive: true, force: true });
    },
  };
  const connect = () => {
    const options = { endpoint: harness.local.endpoint, region: "eu-west-1", credentials };
    harness.lightsail = new LightsailClient(options);
    harness.ecr = new ECRClient(options);
    harness.ssm = new SSMClient(options);
  };
  connect();
  return harness;
}
