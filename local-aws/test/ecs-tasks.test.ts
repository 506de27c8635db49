import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { EcsEmulation } from "../src/ecs/ecs-emulation.js";
import { type EcsRig, ecsRig, rigDeps, taskDefinition } from "./support/ecs-rig.js";

let rig: EcsRig;

beforeEach(async () => {
  rig = await ecsRig(undefined, {
    "arn:aws:ssm:eu-west-1:000000000000:parameter/web/DB_URL": "postgres://db",
  });
});
afterEach(async () => {
  await rig.close();
});

const network = { awsvpcConfiguration: { subnets: ["subnet-1"], assignPublicIp: "ENABLED" } };

/** Runs a one-off task of `definition` with an exit code for the fake job, and waits until it stops. */
async function runToEnd(definition: unknown, environment: { name: string; value: string }[]) {
  const registered = await rig.call("ecs", "RegisterTaskDefinition", definition);
  const run = await rig.call("ecs", "RunTask", {
    cluster: "main",
    taskDefinition: registered.taskDefinition.taskDefinitionArn,
    networkConfiguration: network,
    startedBy: "migrations",
    overrides: { containerOverrides: [{ name: "app", command: ["migrate", "up"], environment }] },
  });
  expect(run.failures).toEqual([]);
  const arn: string = run.tasks[0].taskArn;
  const describe = async () =>
    (await rig.call("ecs", "DescribeTasks", { cluster: "main", tasks: [arn] })).tasks[0];
  await rig.until(async () => (await describe()).lastStatus === "STOPPED", 10, 20);
  return describe();
}

describe("RunTask one-off tasks (migrations) as containers with exit codes", () => {
  it.each([
    { code: "0", exit: 0 },
    { code: "3", exit: 3 },
  ])("a job that exits $code is STOPPED with exitCode $exit", async ({ code, exit }) => {
    const task = await runToEnd(taskDefinition("v1"), [{ name: "EXIT_CODE", value: code }]);
    expect(task).toMatchObject({
      lastStatus: "STOPPED",
      desiredStatus: "STOPPED",
      stopCode: "EssentialContainerExited",
    });
    expect(task.containers[0]).toMatchObject({ name: "app", lastStatus: "STOPPED", exitCode: exit });
    expect(task.overrides.containerOverrides[0].command).toEqual(["migrate", "up"]);
    const container = [...rig.runtime.containers.values()].find((c) => c.spec.labels["local-aws.ecs-task"]);
    expect(container?.spec.command).toEqual(["migrate", "up"]);
    expect(container?.spec.labels["local-aws.instance"]).toBe("test-instance");
  });

  it("injects secrets from their valueFrom, and fails to start a task whose secret does not resolve", async () => {
    const ok = taskDefinition("v1", "app", {
      secrets: [{ name: "DB_URL", valueFrom: "arn:aws:ssm:eu-west-1:000000000000:parameter/web/DB_URL" }],
    });
    await runToEnd(ok, [{ name: "EXIT_CODE", value: "0" }]);
    const spec = [...rig.runtime.containers.values()].at(-1)?.spec;
    expect(spec?.env.DB_URL).toBe("postgres://db");
    const missing = taskDefinition("v1", "app", { secrets: [{ name: "X", valueFrom: "/nope" }] });
    const failed = await runToEnd(missing, []);
    expect(failed.stopCode).toBe("TaskFailedToStart");
    expect(failed.stoppedReason).toContain("/nope");
  });

  it("refuses what Fargate refuses: no network configuration, an unknown container override", async () => {
    const registered = await rig.call("ecs", "RegisterTaskDefinition", taskDefinition("v1"));
    const arn = registered.taskDefinition.taskDefinitionArn;
    await expect(rig.call("ecs", "RunTask", { cluster: "main", taskDefinition: arn })).rejects.toMatchObject({
      shape: "InvalidParameterException",
    });
    await expect(
      rig.call("ecs", "RunTask", {
        cluster: "main",
        taskDefinition: arn,
        networkConfiguration: network,
        overrides: { containerOverrides: [{ name: "web" }] },
      }),
    ).rejects.toMatchObject({ shape: "InvalidParameterException" });
    await expect(rig.call("ecs", "RunTask", { cluster: "other", taskDefinition: arn })).rejects.toMatchObject(
      {
        shape: "ClusterNotFoundException",
      },
    );
  });

  it("numbers revisions per family and describes by family, family:revision and ARN", async () => {
    const first = await rig.call("ecs", "RegisterTaskDefinition", taskDefinition("v1"));
    const second = await rig.call("ecs", "RegisterTaskDefinition", taskDefinition("v2"));
    expect([first.taskDefinition.revision, second.taskDefinition.revision]).toEqual([1, 2]);
    const latest = await rig.call("ecs", "DescribeTaskDefinition", { taskDefinition: "web" });
    expect(latest.taskDefinition.containerDefinitions[0].environment).toEqual([
      { name: "APP_VERSION", value: "v2" },
    ]);
    const byRevision = await rig.call("ecs", "DescribeTaskDefinition", { taskDefinition: "web:1" });
    expect(byRevision.taskDefinition.taskDefinitionArn).toBe(first.taskDefinition.taskDefinitionArn);
    await expect(
      rig.call("ecs", "DescribeTaskDefinition", { taskDefinition: "web:9" }),
    ).rejects.toMatchObject({
      shape: "ClientException",
    });
    await expect(
      rig.call("ecs", "RegisterTaskDefinition", { ...taskDefinition("v1"), networkMode: "bridge" }),
    ).rejects.toMatchObject({ shape: "ClientException" });
  });

  it("serves a one-off task's output as its awslogs stream through GetLogEvents", async () => {
    const logConfiguration = {
      logDriver: "awslogs",
      options: { "awslogs-group": "/ecs/web", "awslogs-region": "eu-west-1", "awslogs-stream-prefix": "web" },
    };
    const task = await runToEnd(taskDefinition("v1", "app", { logConfiguration }), [
      { name: "EXIT_CODE", value: "3" },
    ]);
    const stream = `web/app/${task.taskArn.split("/").at(-1)}`;
    const page = await rig.call("logs", "GetLogEvents", {
      logGroupName: "/ecs/web",
      logStreamName: stream,
      startFromHead: true,
    });
    expect(page.events.map((event: { message: string }) => event.message)).toEqual([
      "job migrate up exits 3",
    ]);
    // The fake engine stamps its lines with the virtual clock, as Docker stamps them with the real one.
    expect(page.events[0].timestamp).toBeGreaterThanOrEqual(task.createdAt.getTime());
    expect(page.events[0].timestamp).toBeLessThanOrEqual(rig.clock.ms);
    const next = await rig.call("logs", "GetLogEvents", {
      logGroupName: "/ecs/web",
      logStreamName: stream,
      startFromHead: true,
      nextToken: page.nextForwardToken,
    });
    expect([next.events, next.nextForwardToken]).toEqual([[], page.nextForwardToken]);
    await expect(
      rig.call("logs", "GetLogEvents", { logGroupName: "/ecs/web", logStreamName: "web/app/nope" }),
    ).rejects.toMatchObject({ shape: "ResourceNotFoundException" });
  });

  it("removes the task containers an earlier run left, since no task owns them any more", async () => {
    await runToEnd(taskDefinition("v1"), [{ name: "EXIT_CODE", value: "0" }]);
    const left = [...rig.runtime.containers.keys()];
    expect(left).toHaveLength(1);
    await rig.ecs.stop();
    const again = new EcsEmulation(rig.ecs.config, { ...rigDeps(rig), instanceId: "test-instance" });
    await again.start({ manual: true, sleep: async () => {} });
    expect([...rig.runtime.containers.keys()]).toEqual([]);
    await again.stop();
  });
});
