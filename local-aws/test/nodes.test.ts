import {
  CreateContainerServiceDeploymentCommand,
  GetContainerLogCommand,
  UpdateContainerServiceCommand,
} from "@aws-sdk/client-lightsail";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type Harness, startHarness } from "./support/harness.js";
import { deploymentCommand, deploymentStates, serviceNamed } from "./support/lightsail-steps.js";

let h: Harness;

beforeEach(async () => {
  h = await startHarness();
  h.registry.put("app", "v1");
  h.registry.put("app", "v2");
});

afterEach(async () => {
  await h.close();
});

async function scaleTo(scale: number) {
  await h.lightsail.send(new UpdateContainerServiceCommand({ serviceName: "demo", scale }));
  await h.local.idle();
}

async function deploy(tag: string) {
  await h.lightsail.send(deploymentCommand(h, tag, tag));
  await h.local.idle();
}

async function beat() {
  await h.monitor.tick();
  await h.local.idle();
}

/** Status codes of `count` requests to the service URL, one connection each. */
async function statuses(count: number) {
  const codes: number[] = [];
  for (let i = 0; i < count; i++) {
    const answer = await fetch(h.local.serviceUrl("demo"), { headers: { connection: "close" } });
    await answer.text();
    codes.push(answer.status);
  }
  return codes;
}

/** How many proxied `GET /` requests each named container answered. */
function requestsServed(names: string[]) {
  return names.map(
    (name) => h.runtime.containers.get(name)?.log.filter((l) => l.endsWith("GET / -> 200")).length,
  );
}

const webNodes = (version: number) => [
  `local-aws-demo-v${version}-web`,
  `local-aws-demo-v${version}-web-node2`,
  `local-aws-demo-v${version}-web-node3`,
];

describe("nodes (scale)", () => {
  it("runs scale copies, goes ACTIVE when every node is healthy, and spreads requests across them", async () => {
    await scaleTo(3);
    await deploy("v1");
    expect(h.runtime.running().sort()).toEqual(webNodes(1).sort());
    expect(await deploymentStates(h)).toEqual(["1:ACTIVE"]);
    const ports = webNodes(1).map((name) => h.runtime.containers.get(name)?.spec.env.PORT);
    expect(new Set(ports).size).toBe(3);
    expect(await statuses(6)).toEqual([200, 200, 200, 200, 200, 200]);
    expect(requestsServed(webNodes(1))).toEqual([2, 2, 2]);
  });

  it("fails a release unhealthy on one node of 3; the previous one keeps serving on all nodes", async () => {
    await scaleTo(3);
    await deploy("v1");
    h.local.faults.add({ kind: "nodeFault", node: 2, target: "probe", versions: [2] });
    await deploy("v2");
    expect(await deploymentStates(h)).toEqual(["2:FAILED", "1:ACTIVE"]);
    const log = await h.lightsail.send(
      new GetContainerLogCommand({ serviceName: "demo", containerName: "web" }),
    );
    const text = (log.logEvents ?? []).map((e) => e.message).join("\n");
    expect(text).toContain('Health check of container "web" on node 2 of 3 on path /health failed');
    expect(h.runtime.running().sort()).toEqual(webNodes(1).sort());
    expect(await statuses(3)).toEqual([200, 200, 200]);
  });

  it("a node fault on the proxy fails that node's share of requests, and only that", async () => {
    await scaleTo(3);
    await deploy("v1");
    h.local.faults.add({ kind: "nodeFault", node: 3, target: "proxy", share: 0.5 });
    const codes = await statuses(12);
    // Node 3 gets every third request and fails every second of those.
    expect(codes.filter((c) => c === 503)).toHaveLength(2);
    expect(codes.filter((c) => c === 200)).toHaveLength(10);
  });

  it("takes an unhealthy node out of the rotation until it is replaced and healthy again", async () => {
    await scaleTo(2);
    await deploy("v1");
    h.local.faults.add({ kind: "nodeFault", node: 2, target: "probe" });
    await beat();
    // One failed probe is below the unhealthy threshold (2): node 2 still serves.
    await statuses(2);
    expect(requestsServed(webNodes(1).slice(0, 2))).toEqual([1, 1]);
    await beat();
    expect(await statuses(4)).toEqual([200, 200, 200, 200]);
    // Node 2 was replaced (a fresh container, empty log) and is out of the rotation while it fails.
    expect(requestsServed(webNodes(1).slice(0, 2))).toEqual([5, 0]);
    h.local.faults.clear();
    await beat();
    await statuses(4);
    expect(requestsServed(webNodes(1).slice(0, 2))).toEqual([7, 2]);
  });

  it("UpdateContainerService scale adds and removes nodes of the active deployment", async () => {
    await deploy("v1");
    expect(h.runtime.running()).toEqual(["local-aws-demo-v1-web"]);
    await scaleTo(3);
    expect(h.runtime.running().sort()).toEqual(webNodes(1).sort());
    expect((await serviceNamed(h)).scale).toBe(3);
    await beat();
    await statuses(3);
    expect(requestsServed(webNodes(1))).toEqual([1, 1, 1]);
    await scaleTo(1);
    expect(h.runtime.running()).toEqual(["local-aws-demo-v1-web"]);
    expect(await statuses(2)).toEqual([200, 200]);
    expect(await deploymentStates(h)).toEqual(["1:ACTIVE"]);
  });
});

describe("containers of one deployment", () => {
  function sidecarDeployment() {
    return new CreateContainerServiceDeploymentCommand({
      serviceName: "demo",
      containers: {
        web: {
          image: `${h.registry.host}/app:v1`,
          environment: { APP_VERSION: "v1", REDIS_URL: "redis://localhost:6379", OTHER: "localhost:9999" },
          ports: { "8080": "HTTP" },
        },
        cache: { image: `${h.registry.host}/app:v2`, ports: { "6379": "TCP" } },
      },
      publicEndpoint: { containerName: "web", containerPort: 8080, healthCheck: { path: "/health" } },
    });
  }

  it("points localhost:<sidecar port> at the sidecar on the same node, and keeps each container's log apart", async () => {
    await scaleTo(2);
    await h.lightsail.send(sidecarDeployment());
    await h.local.idle();
    expect(await deploymentStates(h)).toEqual(["1:ACTIVE"]);
    for (const suffix of ["", "-node2"]) {
      const web = h.runtime.containers.get(`local-aws-demo-v1-web${suffix}`)?.spec.env;
      const cache = h.runtime.containers.get(`local-aws-demo-v1-cache${suffix}`)?.spec.env;
      expect(web?.REDIS_URL).toBe(`redis://127.0.0.1:${cache?.PORT}`);
      // Not a port of any container: left as sent.
      expect(web?.OTHER).toBe("localhost:9999");
    }
    await statuses(2);
    const logOf = async (containerName: string) =>
      (
        (await h.lightsail.send(new GetContainerLogCommand({ serviceName: "demo", containerName })))
          .logEvents ?? []
      ).map((e) => e.message ?? "");
    const web = await logOf("web");
    const cache = await logOf("cache");
    expect(web.filter((m) => m.endsWith("GET / -> 200"))).toHaveLength(2);
    expect(cache.filter((m) => m.includes("GET / ->"))).toHaveLength(0);
    expect(cache.filter((m) => m.startsWith("listening on port"))).toHaveLength(2);
    expect(web.some((m) => m.includes("REDIS_URL now points localhost"))).toBe(true);
  });
});

describe("the nodeFault spec", () => {
  it("names the bad field", async () => {
    const { parseFaultSpec } = await import("../src/faults/faults.js");
    expect(() => parseFaultSpec({ kind: "nodeFault" })).toThrow("fault `node` is undefined");
    expect(() => parseFaultSpec({ kind: "nodeFault", node: 2, share: 0 })).toThrow("fault `share` is 0");
    expect(() => parseFaultSpec({ kind: "nodeFault", node: 2, target: "lb" })).toThrow("fault `target`");
    expect(() => parseFaultSpec({ kind: "nodeFault", node: 2, versions: ["3"] })).toThrow("fault `versions`");
    expect(parseFaultSpec({ kind: "nodeFault", node: 2, share: 0.5, versions: [3] })).toMatchObject({
      node: 2,
    });
  });
});
