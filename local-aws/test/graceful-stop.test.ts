import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GetContainerLogCommand, UpdateContainerServiceCommand } from "@aws-sdk/client-lightsail";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { stopGraceSeconds } from "../src/config/config.js";
import { DockerCli } from "../src/docker/docker-cli.js";
import type { Exec } from "../src/docker/exec.js";
import { type Harness, startHarness } from "./support/harness.js";
import { deploymentCommand } from "./support/lightsail-steps.js";

describe("the grace an old container gets between SIGTERM and SIGKILL", () => {
  it.each([
    [10, 1, 10],
    [10, 0.2, 2],
    [10, 0.01, 1],
    [0, 1, 1],
    [7, 0.25, 2],
  ])("stopGraceSeconds %s × timeScale %s → docker stop --time %s", (seconds, timeScale, expected) => {
    expect(stopGraceSeconds({ stopGraceSeconds: seconds, timeScale })).toBe(expected);
  });

  it("is docker stop --time <n>, then docker rm --force", async () => {
    const calls: string[][] = [];
    const exec: Exec = async (_file, args) => {
      calls.push(args);
      return { code: 0, stdout: "", stderr: "" };
    };
    const configDir = mkdtempSync(join(tmpdir(), "local-aws-docker-config-"));
    const docker = new DockerCli(configDir, exec);
    await docker.stop("h1-demo-v1-web", 3);
    await docker.remove("h1-demo-v1-web");
    rmSync(configDir, { recursive: true, force: true });
    expect(calls).toEqual([
      ["stop", "--time", "3", "h1-demo-v1-web"],
      ["rm", "--force", "h1-demo-v1-web"],
    ]);
  });
});

describe("old containers are stopped gracefully", () => {
  let h: Harness;

  beforeEach(async () => {
    h = await startHarness();
    h.registry.put("app", "v1");
  });

  afterEach(async () => {
    await h.close();
  });

  const deploy = async (tag: string) => {
    await h.lightsail.send(deploymentCommand(h, tag));
    await h.local.idle();
  };

  it("after the drain of a cut-over and on disable, with the drain line kept in GetContainerLog", async () => {
    await deploy("v1");
    await deploy("v1");
    expect(h.runtime.stops).toEqual([{ name: "local-aws-demo-v1-web", graceSeconds: 10 }]);
    await h.lightsail.send(new UpdateContainerServiceCommand({ serviceName: "demo", isDisabled: true }));
    await h.local.idle();
    expect(h.runtime.stops.map((s) => s.name)).toEqual(["local-aws-demo-v1-web", "local-aws-demo-v2-web"]);
    const log = await h.lightsail.send(
      new GetContainerLogCommand({ serviceName: "demo", containerName: "web", filterPattern: "SIGTERM" }),
    );
    expect(log.logEvents?.map((e) => e.message)).toEqual([
      "SIGTERM received, draining",
      "SIGTERM received, draining",
    ]);
  });

  it("when the stand-in stops with removeContainers (as `down` does)", async () => {
    await deploy("v1");
    await h.local.stop({ removeContainers: true });
    expect(h.runtime.stops).toEqual([{ name: "local-aws-demo-v1-web", graceSeconds: 10 }]);
    await h.restart();
  });
});
