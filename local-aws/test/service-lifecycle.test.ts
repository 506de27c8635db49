import {
  CreateContainerServiceCommand,
  DeleteContainerServiceCommand,
  GetContainerServicesCommand,
  InvalidInputException,
  NotFoundException,
} from "@aws-sdk/client-lightsail";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type Harness, startHarness } from "./support/harness.js";
import { deploymentCommand, deploymentStates, serviceNamed } from "./support/lightsail-steps.js";

let h: Harness;

beforeEach(async () => {
  h = await startHarness();
  h.registry.put("app", "v1");
});

afterEach(async () => {
  await h.close();
});

const create = (serviceName = "demo", extra: Record<string, unknown> = {}) =>
  h.lightsail.send(
    new CreateContainerServiceCommand({
      serviceName,
      power: "micro",
      scale: 1,
      privateRegistryAccess: { ecrImagePullerRole: { isActive: true } },
      tags: [{ key: "stack", value: "dev" }],
      ...extra,
    }),
  );

describe("DeleteContainerService and CreateContainerService (a paused environment's teardown and re-create)", () => {
  it("delete stops the containers, forgets the service and its deployments; the URL answers 503", async () => {
    await h.lightsail.send(deploymentCommand(h, "v1"));
    await h.local.idle();
    expect(h.runtime.running()).toEqual(["local-aws-demo-v1-web"]);
    const url = h.local.serviceUrl("demo");

    expect(await h.lightsail.send(new DeleteContainerServiceCommand({ serviceName: "demo" }))).toMatchObject(
      {},
    );
    expect(h.runtime.running()).toEqual([]);
    await expect(h.lightsail.send(new GetContainerServicesCommand({ serviceName: "demo" }))).rejects.toThrow(
      NotFoundException,
    );
    const answer = await fetch(url);
    expect(answer.status).toBe(503);
    expect(await answer.text()).toContain('the container service "demo" does not exist');
  });

  it("create after delete makes a new resource: READY, no deployments, a new ARN and image-puller principal", async () => {
    const before = await serviceNamed(h);
    await h.lightsail.send(deploymentCommand(h, "v1"));
    await h.local.idle();
    await h.lightsail.send(new DeleteContainerServiceCommand({ serviceName: "demo" }));
    await h.clock.sleep(60_000);

    const created = (await create()).containerService;
    expect(created).toMatchObject({ containerServiceName: "demo", state: "READY", power: "micro", scale: 1 });
    expect(created?.arn).not.toBe(before.arn);
    const after = await serviceNamed(h);
    expect(after.privateRegistryAccess?.ecrImagePullerRole?.principalArn).toMatch(/private-repo-access/);
    expect(after.privateRegistryAccess?.ecrImagePullerRole?.principalArn).not.toBe(
      before.privateRegistryAccess?.ecrImagePullerRole?.principalArn,
    );
    expect(await deploymentStates(h)).toEqual([]);
    expect((await fetch(h.local.serviceUrl("demo"))).status).toBe(503);

    // It deploys like any service; its versions count from 1 again.
    await h.lightsail.send(deploymentCommand(h, "v1"));
    await h.local.idle();
    expect(await deploymentStates(h)).toEqual(["1:ACTIVE"]);
    expect(await (await fetch(h.local.serviceUrl("demo"))).text()).toBe("hello from version v1\n");
  });

  it("refuses, naming the field: a name that exists, missing power or scale, a deployment at creation", async () => {
    await expect(create()).rejects.toThrow(/already exists/);
    await h.lightsail.send(new DeleteContainerServiceCommand({ serviceName: "demo" }));
    await expect(create("demo", { power: "huge" })).rejects.toThrow(InvalidInputException);
    await expect(create("demo", { scale: 21 })).rejects.toThrow(/scale/);
    await expect(create("demo", { deployment: { containers: {} } })).rejects.toThrow(/deployment/);
    await expect(create("never-declared")).rejects.toThrow(/declares/);
    await expect(
      h.lightsail.send(new DeleteContainerServiceCommand({ serviceName: "demo" })),
    ).rejects.toThrow(NotFoundException);
  });

  it("refuses to delete a service in a transition state", async () => {
    h.local.faults.add({ kind: "neverSettle" });
    await h.lightsail.send(deploymentCommand(h, "v1"));
    await expect(
      h.lightsail.send(new DeleteContainerServiceCommand({ serviceName: "demo" })),
    ).rejects.toThrow(/transition state/);
    h.local.faults.clear();
    await h.local.idle();
  });
});
