import { createServer, type Server } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import { LoadBalancer } from "../src/elbv2/load-balancer.js";
import { listen } from "../src/ports.js";
import { StepClock } from "./support/ecs-rig.js";

const servers: Server[] = [];
let lb: LoadBalancer | undefined;

afterEach(async () => {
  await lb?.stop();
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

/** A target that answers `status` with its name. */
async function target(name: string, status = 200): Promise<number> {
  const server = createServer((_request, response) => {
    response.writeHead(status);
    response.end(name);
  });
  servers.push(server);
  return listen(server, 0);
}

const healthCheck = {
  path: "/",
  intervalSeconds: 5,
  timeoutSeconds: 2,
  healthyThreshold: 2,
  unhealthyThreshold: 2,
  matcher: "200",
};

async function balancer(clock: StepClock): Promise<LoadBalancer> {
  lb = new LoadBalancer(
    { name: "web", healthCheck, deregistrationDelaySeconds: 20, containerPort: 8080 },
    "eu-west-1",
    clock,
  );
  await lb.start();
  return lb;
}

async function bodies(count: number): Promise<string[]> {
  const seen: string[] = [];
  for (let index = 0; index < count; index += 1) seen.push(await (await fetch(lb?.url ?? "")).text());
  return seen;
}

describe("the load balancer", () => {
  it("splits requests by the production rule's weights, exactly over each cycle", async () => {
    const clock = new StepClock();
    const front = await balancer(clock);
    front.blue.register(await target("blue"));
    front.green.register(await target("green"));
    front.setWeights({ [front.blue.arn]: 75, [front.green.arn]: 25 });
    const seen = await bodies(8);
    expect(seen.filter((body) => body === "blue")).toHaveLength(6);
    expect(seen.filter((body) => body === "green")).toHaveLength(2);
    front.setWeights({ [front.blue.arn]: 0, [front.green.arn]: 100 });
    expect(new Set(await bodies(4))).toEqual(new Set(["green"]));
  });

  it("counts the metrics an alarm reads: requests, target 5xx, and its own 503 outside RequestCount", async () => {
    const clock = new StepClock();
    const front = await balancer(clock);
    const metric = (metricName: string) => ({
      namespace: "AWS/ApplicationELB",
      metricName,
      dimensions: [{ Name: "LoadBalancer", Value: front.dimension }],
    });
    await bodies(2); // blue has no target yet: the balancer answers 503 itself
    front.blue.register(await target("bad", 500));
    await bodies(3);
    const window = [clock.ms, clock.ms + 1] as const;
    expect(front.metrics.sum(metric("RequestCount"), ...window)).toBe(3);
    expect(front.metrics.sum(metric("HTTPCode_Target_5XX_Count"), ...window)).toBe(3);
    expect(front.metrics.sum(metric("HTTPCode_ELB_5XX_Count"), ...window)).toBe(2);
    expect(front.metrics.sum(metric("HTTPCode_ELB_503_Count"), ...window)).toBe(2);
    expect(front.metrics.sum(metric("HTTPCode_Target_2XX_Count"), ...window)).toBeUndefined();
    expect(front.metrics.sum(metric("RequestCount"), clock.ms + 1, clock.ms + 2)).toBeUndefined();
  });

  it("health-checks targets to healthy, drains a deregistered one for the delay, then drops it", async () => {
    const clock = new StepClock();
    const front = await balancer(clock);
    const port = await target("blue");
    front.blue.register(port);
    const probe = async () => 200;
    await front.blue.tick(probe);
    expect(front.blue.isHealthy(port)).toBe(false);
    clock.ms += 5;
    await front.blue.tick(probe);
    expect(front.blue.isHealthy(port)).toBe(true);
    front.blue.deregister(port);
    expect(front.blue.targets[0]?.state).toBe("draining");
    clock.ms += 19;
    await front.blue.tick(probe);
    expect(front.blue.holds(port)).toBe(true);
    clock.ms += 1;
    await front.blue.tick(probe);
    expect(front.blue.holds(port)).toBe(false);
  });
});
