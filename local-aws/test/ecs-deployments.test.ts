import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type EcsRig, ecsRig, taskDefinition } from "./support/ecs-rig.js";

let rig: EcsRig;

beforeEach(async () => {
  rig = await ecsRig();
});
afterEach(async () => {
  await rig.close();
});

/** Registers the definition and deploys it with UpdateService; the deployment's ARN. */
async function deploy(definition: unknown, config: Record<string, unknown> = {}): Promise<string> {
  const registered = await rig.call("ecs", "RegisterTaskDefinition", definition);
  const updated = await rig.call("ecs", "UpdateService", {
    cluster: "main",
    service: "web",
    taskDefinition: registered.taskDefinition.taskDefinitionArn,
    ...(Object.keys(config).length > 0
      ? { deploymentConfiguration: { strategy: "BLUE_GREEN", ...config } }
      : {}),
  });
  return updated.service.currentServiceDeployment;
}

async function describe1(arn: string) {
  const answer = await rig.call("ecs", "DescribeServiceDeployments", { serviceDeploymentArns: [arn] });
  return answer.serviceDeployments[0];
}

async function untilStatus(arn: string, statuses: string[], stepMs = 10, maxSteps = 300) {
  await rig.until(async () => statuses.includes((await describe1(arn)).status), stepMs, maxSteps);
  return describe1(arn);
}

/** One GET at the load balancer: status and body. */
async function get(path = "/") {
  const response = await fetch(new URL(path, rig.lbUrl()));
  return { status: response.status, body: await response.text() };
}

async function firstDeploy() {
  const arn = await deploy(taskDefinition("v1"));
  await untilStatus(arn, ["SUCCESSFUL"]);
  return arn;
}

describe("ECS blue/green deployments on a stepped clock", () => {
  it("takes a first deployment through its lifecycle stages to the load balancer", async () => {
    const arn = await deploy(taskDefinition("v1"));
    const stages: string[] = [];
    await rig.until(async () => {
      const deployment = await describe1(arn);
      if (stages.at(-1) !== deployment.lifecycleStage) stages.push(deployment.lifecycleStage);
      return deployment.status === "SUCCESSFUL";
    }, 10);
    expect(stages).toEqual(["SCALE_UP", "PRODUCTION_TRAFFIC_SHIFT", "BAKE_TIME", "CLEAN_UP"]);
    expect(await get()).toEqual({ status: 200, body: "hello from version v1\n" });
    const done = await describe1(arn);
    expect(done.targetServiceRevision).toMatchObject({
      runningTaskCount: 1,
      requestedProductionTrafficWeight: 100,
    });
    expect(done.alarms.status).toBe("DISABLED");
  });

  it("keeps blue running through the bake, shifts with no failed request, then cleans blue up", async () => {
    await firstDeploy();
    const blue = rig.runtime.running();
    const arn = await deploy(taskDefinition("v2"), { bakeTimeInMinutes: 2 });
    const answers: number[] = [];
    let bakeSeenAt: number | undefined;
    await rig.until(async () => {
      answers.push((await get()).status);
      const deployment = await describe1(arn);
      if (deployment.lifecycleStage === "BAKE_TIME" && bakeSeenAt === undefined) {
        bakeSeenAt = rig.clock.ms;
        expect(rig.runtime.running()).toEqual(expect.arrayContaining(blue));
        expect((await get()).body).toBe("hello from version v2\n");
      }
      return deployment.status === "SUCCESSFUL";
    }, 10);
    expect(bakeSeenAt).toBeDefined();
    // Two simulated minutes at scale 0.001: at least 120 virtual ms between the shift and the end.
    expect(rig.clock.ms - (bakeSeenAt ?? 0)).toBeGreaterThanOrEqual(120);
    expect(answers.filter((status) => status !== 200)).toEqual([]);
    expect(rig.runtime.running().some((name) => blue.includes(name))).toBe(false);
    expect((await get()).body).toBe("hello from version v2\n");
  });

  it("rolls a green task that exits back before any traffic moves, with the exit code in the reason", async () => {
    await firstDeploy();
    const arn = await deploy(taskDefinition("v2", "crash"));
    const done = await untilStatus(arn, ["ROLLBACK_SUCCESSFUL", "ROLLBACK_FAILED"]);
    expect(done.status).toBe("ROLLBACK_SUCCESSFUL");
    expect(done.statusReason).toContain("exit code 3");
    expect(done.rollback.serviceRevisionArn).toBe(done.sourceServiceRevisions[0].arn);
    expect((await get()).body).toBe("hello from version v1\n");
  });

  it("StopServiceDeployment rolls back during the bake, and is refused once the deployment is over", async () => {
    await firstDeploy();
    const arn = await deploy(taskDefinition("v2"), { bakeTimeInMinutes: 30 });
    await rig.until(async () => (await describe1(arn)).lifecycleStage === "BAKE_TIME", 10);
    expect((await get()).body).toBe("hello from version v2\n");
    expect(
      await rig.call("ecs", "StopServiceDeployment", { serviceDeploymentArn: arn, stopType: "ROLLBACK" }),
    ).toEqual({
      serviceDeploymentArn: arn,
    });
    expect((await describe1(arn)).status).toBe("ROLLBACK_REQUESTED");
    await rig.step(10);
    // The weight flip is immediate; green drains for its deregistration delay before its tasks stop.
    expect((await describe1(arn)).status).toBe("ROLLBACK_IN_PROGRESS");
    expect((await get()).body).toBe("hello from version v1\n");
    const done = await untilStatus(arn, ["ROLLBACK_SUCCESSFUL"]);
    expect(done.rollback.reason).toContain("StopServiceDeployment");
    await expect(
      rig.call("ecs", "StopServiceDeployment", { serviceDeploymentArn: arn }),
    ).rejects.toMatchObject({
      shape: "ConflictException",
    });
  });

  it("ends an unfinished deployment as STOPPED when a newer UpdateService supersedes it", async () => {
    await firstDeploy();
    const first = await deploy(taskDefinition("v2"), { bakeTimeInMinutes: 30 });
    await rig.until(async () => (await describe1(first)).lifecycleStage === "BAKE_TIME", 10);
    const second = await deploy(taskDefinition("v3"), { bakeTimeInMinutes: 0 });
    expect((await untilStatus(first, ["STOPPED"])).statusReason).toContain("Superseded");
    await untilStatus(second, ["SUCCESSFUL"]);
    expect((await get()).body).toBe("hello from version v3\n");
    const listed = await rig.call("ecs", "ListServiceDeployments", { cluster: "main", service: "web" });
    expect(listed.serviceDeployments.map((d: { status: string }) => d.status)).toEqual([
      "SUCCESSFUL",
      "STOPPED",
      "SUCCESSFUL",
    ]);
  });

  it("scales a deployment to the desiredCount UpdateService asks for, every green task behind the balancer", async () => {
    await firstDeploy();
    const registered = await rig.call("ecs", "RegisterTaskDefinition", taskDefinition("v2"));
    const arn = (
      await rig.call("ecs", "UpdateService", {
        cluster: "main",
        service: "web",
        desiredCount: 2,
        taskDefinition: registered.taskDefinition.taskDefinitionArn,
      })
    ).service.currentServiceDeployment;
    const done = await untilStatus(arn, ["SUCCESSFUL"]);
    expect(done.targetServiceRevision).toMatchObject({ requestedTaskCount: 2, runningTaskCount: 2 });
    const service = (await rig.call("ecs", "DescribeServices", { cluster: "main", services: ["web"] }))
      .services[0];
    // The live target group alternates: the first deployment went to green, this one back to blue.
    const live = service.loadBalancers[0].targetGroupArn;
    expect(live).toBe(rig.ecs.balancers[0]?.blue.arn);
    const health = await rig.call("elbv2", "DescribeTargetHealth", { TargetGroupArn: live });
    const states = health.TargetHealthDescriptions.map(
      (d: { TargetHealth: { State: string } }) => d.TargetHealth.State,
    );
    expect(states).toEqual(["healthy", "healthy"]);
    expect(service).toMatchObject({ desiredCount: 2, runningCount: 2 });
    expect(service.deployments).toHaveLength(1);
  });
});
