import { parseEcsConfig } from "../../src/config/ecs-config.js";
import type { EcsDeps } from "../../src/ecs/deps.js";
import { type EcsApi, EcsEmulation } from "../../src/ecs/ecs-emulation.js";
import { httpProbe } from "../../src/http/health-probe.js";
import type { ScaledClock } from "../../src/model/clock.js";
import { freePort } from "../../src/ports.js";
import type { Handler } from "../../src/protocol/api-server.js";
import { FakeRuntime } from "./fakes.js";

/** A clock tests move by hand; scale 0.001 makes a simulated minute 60 real (virtual) milliseconds. */
export class StepClock implements ScaledClock {
  constructor(
    public ms = Date.UTC(2026, 10, 21, 12, 0, 0),
    readonly scale = 0.001,
  ) {}
  readonly now = () => this.ms;
}

export const REGISTRY = { host: "127.0.0.1:5999", username: "AWS", password: "fake-registry-password" };

export const ecsTestConfig = {
  cluster: "main",
  timeScale: 0.001,
  services: [
    {
      name: "web",
      containerName: "app",
      containerPort: 8080,
      bakeTimeInMinutes: 1,
      healthCheck: {
        path: "/health",
        intervalSeconds: 5,
        timeoutSeconds: 2,
        healthyThreshold: 2,
        unhealthyThreshold: 2,
      },
      deregistrationDelaySeconds: 20,
    },
  ],
};

/** A Fargate task definition of the `web` family; the fake engine's behaviour follows the image name. */
export function taskDefinition(version: string, image = "app", extra: Record<string, unknown> = {}) {
  return {
    family: "web",
    networkMode: "awsvpc",
    requiresCompatibilities: ["FARGATE"],
    cpu: "256",
    memory: "512",
    containerDefinitions: [
      {
        name: "app",
        image: `${REGISTRY.host}/${image}:${version}`,
        essential: true,
        portMappings: [{ containerPort: 8080, protocol: "tcp" }],
        environment: [{ name: "APP_VERSION", value: version }],
        ...extra,
      },
    ],
  };
}

export interface EcsRig {
  clock: StepClock;
  runtime: FakeRuntime;
  ecs: EcsEmulation;
  api: Record<EcsApi, Record<string, Handler>>;
  // biome-ignore lint/suspicious/noExplicitAny: an answer body, read as JSON the way a client reads it
  call(api: EcsApi, operation: string, body: unknown): Promise<any>;
  /** Moves the clock by `ms` (virtual), lets launches finish, and runs one tick. */
  step(ms: number): Promise<void>;
  /** Steps until `done` holds; fails after `maxSteps` (no test can hang). */
  until(done: () => Promise<boolean> | boolean, stepMs: number, maxSteps?: number): Promise<number>;
  lbUrl(): string;
  close(): Promise<void>;
}

/** The deps a rig's emulation runs on: its clock and fake engine, real probes and ports. */
export function rigDeps(
  rig: Pick<EcsRig, "clock" | "runtime">,
  secrets: Record<string, string> = {},
): EcsDeps {
  return {
    clock: rig.clock,
    region: "eu-west-1",
    runtime: rig.runtime,
    registry: REGISTRY,
    probe: httpProbe,
    freePort,
    instanceId: "test-instance",
    containerPrefix: "local-aws",
    stopGraceSeconds: 1,
    resolveSecret: (valueFrom) => secrets[valueFrom],
    notePulled: () => {},
    log: () => {},
  };
}

/** The real ECS, ELBv2 and CloudWatch emulation on a fake engine, with real HTTP probes and a real balancer. */
export async function ecsRig(
  config: unknown = ecsTestConfig,
  secrets: Record<string, string> = {},
): Promise<EcsRig> {
  const clock = new StepClock();
  const runtime = new FakeRuntime(clock.now);
  const ecs = new EcsEmulation(parseEcsConfig(config), rigDeps({ clock, runtime }, secrets));
  await ecs.start({ manual: true, sleep: async () => {} });
  const api = ecs.handlers();
  const rig: EcsRig = {
    clock,
    runtime,
    ecs,
    api,
    call: async (name, operation, body) => {
      const handler = api[name][operation];
      if (!handler) throw new Error(`no handler ${name}:${operation}`);
      return handler(body);
    },
    async step(ms) {
      clock.ms += ms;
      await ecs.idle();
      await ecs.tick();
    },
    async until(done, stepMs, maxSteps = 200) {
      for (let count = 1; count <= maxSteps; count += 1) {
        await rig.step(stepMs);
        if (await done()) return count;
      }
      throw new Error(`not done after ${maxSteps} steps of ${stepMs} ms`);
    },
    lbUrl: () => ecs.loadBalancerUrl("web"),
    async close() {
      await ecs.stop();
      for (const name of runtime.containers.keys()) await runtime.remove(name);
    },
  };
  return rig;
}
