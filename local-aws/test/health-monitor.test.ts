import { GetContainerServicesCommand, UpdateContainerServiceCommand } from "@aws-sdk/client-lightsail";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { MAX_REPLACEMENTS_IN_A_ROW } from "../src/lightsail/health-monitor.js";
import { type Harness, startHarness } from "./support/harness.js";
import { containerLogText, deploymentCommand, deploymentStates } from "./support/lightsail-steps.js";

let h: Harness;

beforeEach(async () => {
  h = await startHarness();
  h.registry.put("app", "v1");
  h.registry.put("app", "v2");
});

afterEach(async () => {
  await h.close();
});

async function deploy(tag: string) {
  await h.lightsail.send(deploymentCommand(h, tag, tag));
  await h.local.idle();
}

/** One health-check beat of every monitored deployment, finished. */
async function beat() {
  await h.monitor.tick();
  await h.local.idle();
}

const versions = () => deploymentStates(h);
const logText = () => containerLogText(h);

function count(text: string, part: string) {
  return text.split(part).length - 1;
}

async function served() {
  return (await fetch(h.local.serviceUrl("demo"))).text();
}

describe("health checks after ACTIVE", () => {
  it("replaces a container that dies; the deployment stays ACTIVE and its old output stays in the log", async () => {
    await deploy("v1");
    await h.runtime.kill("local-aws-demo-v1-web");
    await beat();
    expect(h.runtime.running()).toEqual(["local-aws-demo-v1-web"]);
    expect(await versions()).toEqual(["1:ACTIVE"]);
    const service = await h.lightsail.send(new GetContainerServicesCommand({ serviceName: "demo" }));
    expect(service.containerServices?.[0]?.state).toBe("RUNNING");
    const log = await logText();
    expect(log).toContain('[deployment:1] Container "web" exited with code 137; replacing it');
    expect(count(log, "listening on port")).toBe(2);
    expect(await served()).toBe("hello from version v1\n");
  });

  it("replaces the public container after unhealthyThreshold failed probes in a row, not after one", async () => {
    await deploy("v1");
    h.local.faults.add({ kind: "flappingHealth", up: 1, down: 2, target: "probe" });
    const runs = () => h.runtime.containers.get("local-aws-demo-v1-web")?.spec.env.PORT;
    const firstRun = runs();
    await beat(); // ok
    await beat(); // first failure: logged only
    expect(runs()).toBe(firstRun);
    expect(await logText()).toContain('[deployment:1] Health check failed for container "web" on /health');
    await beat(); // second failure in a row: replaced
    expect(runs()).not.toBe(firstRun);
    expect(await logText()).toContain(
      '[deployment:1] Container "web" failed 2 health checks in a row; replacing it',
    );
    expect(await versions()).toEqual(["1:ACTIVE"]);
    expect(await served()).toBe("hello from version v1\n");
  });

  it(`gives up after ${MAX_REPLACEMENTS_IN_A_ROW} replacements that never become healthy, still ACTIVE`, async () => {
    await deploy("v1");
    h.local.faults.add({ kind: "flappingHealth", up: 1, down: 1000, target: "probe" });
    for (let i = 0; i < 30 && h.monitor.sleepers > 0; i++) await beat();
    expect(h.monitor.sleepers).toBe(0);
    const log = await logText();
    expect(count(log, "; replacing it")).toBe(MAX_REPLACEMENTS_IN_A_ROW);
    expect(log).toContain("so local-aws stops replacing it");
    expect(await versions()).toEqual(["1:ACTIVE"]);
  });

  it("watches only the ACTIVE deployment: after a cut-over, v1 is not brought back", async () => {
    await deploy("v1");
    await deploy("v2");
    expect(await versions()).toEqual(["2:ACTIVE", "1:INACTIVE"]);
    await beat();
    expect(h.monitor.sleepers).toBe(1);
    await h.runtime.kill("local-aws-demo-v2-web");
    await beat();
    expect(h.runtime.running()).toEqual(["local-aws-demo-v2-web"]);
  });

  it("stops watching a disabled service and starts again when it is enabled", async () => {
    await deploy("v1");
    await h.lightsail.send(new UpdateContainerServiceCommand({ serviceName: "demo", isDisabled: true }));
    await h.local.idle();
    await beat();
    expect(h.monitor.sleepers).toBe(0);
    expect(h.runtime.running()).toEqual([]);
    await h.lightsail.send(new UpdateContainerServiceCommand({ serviceName: "demo", isDisabled: false }));
    await h.local.idle();
    expect(h.monitor.sleepers).toBe(1);
    await h.runtime.kill("local-aws-demo-v1-web");
    await beat();
    expect(h.runtime.running()).toEqual(["local-aws-demo-v1-web"]);
  });

  it("stops with the stand-in and watches the re-adopted deployment after a restart", async () => {
    await deploy("v1");
    await h.restart();
    await h.runtime.kill("local-aws-demo-v1-web");
    await beat();
    expect(h.runtime.running()).toEqual(["local-aws-demo-v1-web"]);
    expect(await served()).toBe("hello from version v1\n");
  });
});
