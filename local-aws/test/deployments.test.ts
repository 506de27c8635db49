import {
  CreateContainerServiceDeploymentCommand,
  GetContainerLogCommand,
  GetContainerServiceDeploymentsCommand,
  InvalidInputException,
  UpdateContainerServiceCommand,
} from "@aws-sdk/client-lightsail";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type Harness, startHarness } from "./support/harness.js";
import {
  containerLogText,
  deploymentCommand,
  deploymentStates,
  serviceNamed,
} from "./support/lightsail-steps.js";

let h: Harness;

beforeEach(async () => {
  h = await startHarness();
  h.registry.put("app", "v1");
});

afterEach(async () => {
  await h.close();
});

const deployment = (image: string, version = "v1", serviceName = "demo") =>
  deploymentCommand(h, image, version, serviceName);
const service = (name = "demo") => serviceNamed(h, name);
const versions = () => deploymentStates(h);
const logText = (filterPattern?: string) => containerLogText(h, filterPattern);

describe("deployment state machine", () => {
  it("moves a first deployment ACTIVATING -> ACTIVE and the service DEPLOYING -> RUNNING, then serves it", async () => {
    const created = await h.lightsail.send(deployment("v1"));
    expect(created.containerService?.state).toBe("DEPLOYING");
    expect(created.containerService?.nextDeployment).toMatchObject({ version: 1, state: "ACTIVATING" });
    expect(created.containerService?.stateDetail?.code).toBe("CREATING_DEPLOYMENT");
    expect(created.containerService?.currentDeployment).toBeUndefined();

    await h.local.idle();
    const after = await service();
    expect(after.state).toBe("RUNNING");
    expect(after.stateDetail).toBeUndefined();
    expect(after.currentDeployment).toMatchObject({ version: 1, state: "ACTIVE" });
    expect(after.nextDeployment).toBeUndefined();
    expect(after.url).toBe(h.local.serviceUrl("demo"));
    const served = await fetch(`${after.url}anything`);
    expect(served.status).toBe(200);
    expect(await served.text()).toBe("hello from version v1\n");
  });

  it("steps stateDetail through CREATING_DEPLOYMENT, EVALUATING_HEALTH_CHECK and ACTIVATING_DEPLOYMENT", async () => {
    h.local.faults.add({ kind: "neverSettle" });
    await h.lightsail.send(deployment("v1"));
    const seen = new Set<string>();
    for (let i = 0; i < 20 && !seen.has("EVALUATING_HEALTH_CHECK"); i++) {
      seen.add((await service()).stateDetail?.code ?? "none");
      await h.clock.sleep(1000);
    }
    expect(seen).toContain("EVALUATING_HEALTH_CHECK");
    h.local.faults.clear();
    await h.local.idle();
    expect((await service()).stateDetail).toBeUndefined();
    expect(await logText()).toContain("[deployment:1] Reached a steady state");
  });

  it("cuts over to v2: v1 becomes INACTIVE, its container is stopped, v2 serves", async () => {
    h.registry.put("app", "v2");
    await h.lightsail.send(deployment("v1"));
    await h.local.idle();
    await h.lightsail.send(deployment("v2", "v2"));
    const during = await service();
    expect(during.currentDeployment?.version).toBe(1);
    expect(during.nextDeployment?.version).toBe(2);
    await h.local.idle();
    expect(await versions()).toEqual(["2:ACTIVE", "1:INACTIVE"]);
    expect(h.runtime.running()).toEqual(["local-aws-demo-v2-web"]);
    expect(await (await fetch(h.local.serviceUrl("demo"))).text()).toBe("hello from version v2\n");
  });

  it("fails a crashing deployment, keeps its logs, and keeps the previous one serving (service RUNNING)", async () => {
    h.registry.put("app", "crash");
    await h.lightsail.send(deployment("v1"));
    await h.local.idle();
    await h.lightsail.send(deployment("crash", "broken"));
    await h.local.idle();
    expect(await versions()).toEqual(["2:FAILED", "1:ACTIVE"]);
    expect((await service()).state).toBe("RUNNING");
    expect(h.runtime.running()).toEqual(["local-aws-demo-v1-web"]);
    const log = await logText();
    expect(log).toContain("fatal: crashing on purpose");
    expect(log).toContain('[deployment:2] Container "web" exited with code 3');
    expect(await (await fetch(h.local.serviceUrl("demo"))).text()).toBe("hello from version v1\n");
  });

  it("fails a first deployment whose health check answers 500 and returns the service to READY", async () => {
    h.registry.put("app", "unhealthy");
    await h.lightsail.send(deployment("unhealthy"));
    await h.local.idle();
    expect(await versions()).toEqual(["1:FAILED"]);
    const after = await service();
    expect(after.state).toBe("READY");
    expect(after.currentDeployment).toBeUndefined();
    expect(await logText("Health")).toContain("failed 2 times in a row (last: HTTP 500");
    expect(h.runtime.containers.size).toBe(0);
    expect((await fetch(h.local.serviceUrl("demo"))).status).toBe(503);
  });

  it("probes the configured path until the configured healthy threshold is reached", async () => {
    await h.lightsail.send(
      new CreateContainerServiceDeploymentCommand({
        serviceName: "demo",
        containers: { web: { image: `${h.registry.host}/app:v1`, ports: { "80": "HTTP" } } },
        publicEndpoint: {
          containerName: "web",
          containerPort: 80,
          healthCheck: {
            path: "/x",
            successCodes: "200",
            healthyThreshold: 3,
            intervalSeconds: 10,
            timeoutSeconds: 5,
          },
        },
      }),
    );
    await h.local.idle();
    expect(await versions()).toEqual(["1:ACTIVE"]);
    const probes = (await logText("/x")).split("\n").filter((line) => line.startsWith("GET /x"));
    expect(probes).toHaveLength(3);
  });

  it("rejects a deployment while another is activating, and while the service is updating or disabled", async () => {
    h.local.faults.add({ kind: "neverSettle" });
    await h.lightsail.send(deployment("v1"));
    const concurrent = h.lightsail.send(deployment("v1"));
    await expect(concurrent).rejects.toBeInstanceOf(InvalidInputException);
    await expect(concurrent).rejects.toThrow(/transition state \("DEPLOYING"\)/);
    await expect(
      h.lightsail.send(new UpdateContainerServiceCommand({ serviceName: "demo", scale: 2 })),
    ).rejects.toThrow(/transition state/);
    h.local.faults.clear();
    await h.local.idle();

    const update = await h.lightsail.send(
      new UpdateContainerServiceCommand({ serviceName: "demo", isDisabled: true }),
    );
    expect(update.containerService?.state).toBe("UPDATING");
    expect(update.containerService?.stateDetail?.code).toBe("PROVISIONING_SERVICE");
    await expect(h.lightsail.send(deployment("v1"))).rejects.toThrow(/is disabled/);
    await h.local.idle();
    expect((await service()).state).toBe("DISABLED");
    expect(h.runtime.running()).toEqual([]);
    expect((await fetch(h.local.serviceUrl("demo"))).status).toBe(503);

    await h.lightsail.send(new UpdateContainerServiceCommand({ serviceName: "demo", isDisabled: false }));
    await h.local.idle();
    expect((await service()).state).toBe("RUNNING");
    expect(await (await fetch(h.local.serviceUrl("demo"))).text()).toBe("hello from version v1\n");
  });

  it("fails the deployment with a log line when the puller role is inactive or the repo policy does not grant it", async () => {
    await h.lightsail.send(deployment("v1", "v1", "locked"));
    await h.local.idle();
    const locked = await h.lightsail.send(
      new GetContainerLogCommand({ serviceName: "locked", containerName: "web" }),
    );
    expect(locked.logEvents?.map((e) => e.message).join("\n")).toMatch(/ecrImagePullerRole\) is not active/);

    await h.lightsail.send(
      new UpdateContainerServiceCommand({
        serviceName: "locked",
        privateRegistryAccess: { ecrImagePullerRole: { isActive: true } },
      }),
    );
    await h.local.idle();
    const role = (await service("locked")).privateRegistryAccess?.ecrImagePullerRole;
    expect(role?.isActive).toBe(true);
    expect(role?.principalArn).toMatch(
      /^arn:aws:iam::000000000000:role\/amazon\/lightsail\/eu-west-1\/containers\/locked\//,
    );
    h.registry.put("bare", "v1");
    await h.lightsail.send(
      new CreateContainerServiceDeploymentCommand({
        serviceName: "locked",
        containers: { web: { image: `${h.registry.host}/bare:v1` } },
      }),
    );
    await h.local.idle();
    const denied = await h.lightsail.send(
      new GetContainerLogCommand({ serviceName: "locked", containerName: "web" }),
    );
    expect(denied.logEvents?.map((e) => e.message).join("\n")).toMatch(
      /access denied, the repository has no policy/,
    );
    const deployments = await h.lightsail.send(
      new GetContainerServiceDeploymentsCommand({ serviceName: "locked" }),
    );
    expect(deployments.deployments?.map((d) => d.state)).toEqual(["FAILED", "FAILED"]);
    expect(h.runtime.pulls).toEqual([]);
  });

  it("keeps only the newest 50 versions", async () => {
    for (let i = 0; i < 53; i++) {
      await h.lightsail.send(deployment("v1", `v${i + 1}`));
      await h.local.idle();
    }
    const listed = await versions();
    expect(listed).toHaveLength(50);
    expect(listed[0]).toBe("53:ACTIVE");
    expect(listed.at(-1)).toBe("4:INACTIVE");
  });

  it("survives a restart: the active deployment is re-adopted, a dead container is re-run", async () => {
    await h.lightsail.send(deployment("v1"));
    await h.local.idle();
    const url = h.local.serviceUrl("demo");
    await h.restart();
    expect(h.local.serviceUrl("demo")).toBe(url);
    expect(await versions()).toEqual(["1:ACTIVE"]);
    expect(await logText()).toContain("Re-adopted the running containers");

    await h.runtime.kill("local-aws-demo-v1-web");
    await h.restart();
    expect(await logText()).toContain("Re-ran the containers");
    expect(await (await fetch(h.local.serviceUrl("demo"))).text()).toBe("hello from version v1\n");
    expect((await service()).state).toBe("RUNNING");
  });

  it("fails a deployment that was activating when the server stopped", async () => {
    h.local.faults.add({ kind: "neverSettle" });
    await h.lightsail.send(deployment("v1"));
    await h.clock.sleep(10);
    await h.restart();
    expect(await versions()).toEqual(["1:FAILED"]);
    expect((await service()).state).toBe("READY");
    expect(await logText()).toContain("restarted while this deployment was activating");
  });

  it("refuses to replace a container of the same name that another state dir created", async () => {
    await h.runtime.run({
      name: "local-aws-demo-v1-web",
      image: "someone/else",
      env: { PORT: "0" },
      labels: { "local-aws.instance": "another" },
    });
    await h.lightsail.send(deployment("v1"));
    await h.local.idle();
    expect(await versions()).toEqual(["1:FAILED"]);
    expect(await logText("containerPrefix")).toContain("belongs to another local-aws state dir");
    expect(h.runtime.containers.get("local-aws-demo-v1-web")?.spec.image).toBe("someone/else");
    await h.runtime.remove("local-aws-demo-v1-web");
  });

  it("filters GetContainerLog by time and pattern", async () => {
    await h.lightsail.send(deployment("v1"));
    await h.local.idle();
    const all = await h.lightsail.send(
      new GetContainerLogCommand({ serviceName: "demo", containerName: "web" }),
    );
    const events = all.logEvents ?? [];
    const probe = events.find((e) => e.message?.startsWith("GET /health"));
    const startTime = probe?.createdAt;
    const later = await h.lightsail.send(
      new GetContainerLogCommand({ serviceName: "demo", containerName: "web", startTime }),
    );
    expect(later.logEvents?.length).toBeLessThan(events.length);
    expect(later.logEvents?.every((e) => (e.createdAt?.getTime() ?? 0) >= (startTime?.getTime() ?? 0))).toBe(
      true,
    );
    expect(await logText("-GET ?Started ?Reached")).not.toContain("GET /health");
  });

  it("delays activation by a slowActivation fault", async () => {
    h.local.faults.add({ kind: "slowActivation", delayMs: 90_000, serviceNames: ["demo"] });
    const before = h.clock.ms;
    await h.lightsail.send(deployment("v1"));
    await h.local.idle();
    expect(h.clock.ms - before).toBeGreaterThanOrEqual(90_000);
    expect(await versions()).toEqual(["1:ACTIVE"]);
  });

  it("never settles under flapping health and fails after the activation timeout", async () => {
    h.local.faults.add({ kind: "flappingHealth", up: 1, down: 1, target: "probe" });
    await h.lightsail.send(deployment("v1"));
    await h.local.idle();
    expect(await versions()).toEqual(["1:FAILED"]);
    const log = await logText();
    expect(log).toContain("Health check failed");
    expect(log).toContain("Took too long: not healthy after 120 s");
  });

  it("makes the service URL answer 503 on the down beats of a proxy flap", async () => {
    await h.lightsail.send(deployment("v1"));
    await h.local.idle();
    h.local.faults.add({ kind: "flappingHealth", up: 2, down: 1, target: "proxy" });
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await fetch(h.local.serviceUrl("demo"))).status);
    expect(statuses).toEqual([200, 200, 503, 200, 200, 503]);
  });
});
