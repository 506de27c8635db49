import { existsSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execCommand } from "../src/docker/exec.js";
import { ecsTestConfig, taskDefinition } from "./support/ecs-rig.js";
import { type Harness, startHarness, testConfig } from "./support/harness.js";

/** Debian's CLI (2.9.19: query for ELBv2 and CloudWatch, no blue/green operations in its ECS model). */
const DEBIAN_AWS = "/usr/bin/aws";
/** pip's CLI on botocore 1.43, the model the stand-in follows: it knows the service-deployment operations. */
const PIP_AWS = "/root/.pyenv/versions/3.11.7/bin/aws";
const available = existsSync(DEBIAN_AWS);
if (!available) {
  if (process.env.CI === "true")
    throw new Error(`${DEBIAN_AWS} (Debian awscli) is missing; CI=true requires this test`);
  console.warn(`SKIPPED: the ECS CLI test needs ${DEBIAN_AWS} (apt-get install awscli)`);
}

let h: Harness;

async function run(cli: string, args: string[]) {
  const result = await execCommand(cli, [...args, "--endpoint-url", h.local.endpoint, "--output", "json"], {
    env: {
      PATH: process.env.PATH,
      HOME: h.stateDir,
      AWS_ACCESS_KEY_ID: "test",
      AWS_SECRET_ACCESS_KEY: "test",
      AWS_DEFAULT_REGION: "eu-west-1",
      AWS_MAX_ATTEMPTS: "1",
      AWS_PAGER: "",
    },
    timeoutMs: 60_000,
  });
  const text = result.stdout.trim();
  return { ...result, json: result.code === 0 && text.startsWith("{") ? JSON.parse(text) : undefined };
}
const aws = (...args: string[]) => run(DEBIAN_AWS, args);

async function step(ms: number, times: number) {
  for (let index = 0; index < times; index += 1) {
    await h.clock.sleep(ms);
    await h.local.ecs.idle();
    await h.local.ecs.tick();
  }
}

describe.skipIf(!available)("the AWS CLI against the ECS, ELBv2 and CloudWatch stand-in", () => {
  beforeAll(async () => {
    h = await startHarness({ ...testConfig, ecs: ecsTestConfig });
    const definition = taskDefinition("v1");
    const containers = definition.containerDefinitions.map((c) => ({
      ...c,
      image: `${h.registry.host}/app:v1`,
    }));
    const registered = await aws(
      ...["ecs", "register-task-definition", "--family", "web", "--network-mode", "awsvpc"],
      ...["--requires-compatibilities", "FARGATE", "--cpu", "256", "--memory", "512"],
      ...["--container-definitions", JSON.stringify(containers)],
    );
    expect(registered.code, registered.stderr).toBe(0);
  });
  afterAll(async () => {
    await h?.close();
  });

  it("deploys with update-service and reads the service and the weighted rule back (Debian CLI)", async () => {
    const updated = await aws(
      "ecs",
      "update-service",
      "--cluster",
      "main",
      "--service",
      "web",
      "--task-definition",
      "web:1",
    );
    expect(updated.code, updated.stderr).toBe(0);
    await step(10, 12);
    const services = await aws("ecs", "describe-services", "--cluster", "main", "--services", "web");
    expect(services.json.services[0]).toMatchObject({
      runningCount: 1,
      taskDefinition: expect.stringContaining("web:1"),
    });
    expect(services.json.services[0].deployments).toHaveLength(1);
    const groups = await aws("elbv2", "describe-target-groups", "--names", "web-green");
    const green = groups.json.TargetGroups[0].TargetGroupArn;
    const health = await aws("elbv2", "describe-target-health", "--target-group-arn", green);
    expect(
      health.json.TargetHealthDescriptions.map(
        (d: { TargetHealth: { State: string } }) => d.TargetHealth.State,
      ),
    ).toEqual(["healthy"]);
    const listeners = await aws(
      "elbv2",
      "describe-listeners",
      "--load-balancer-arn",
      groups.json.TargetGroups[0].LoadBalancerArns[0],
    );
    const rules = await aws(
      "elbv2",
      "describe-rules",
      "--listener-arn",
      listeners.json.Listeners[0].ListenerArn,
    );
    const weights = rules.json.Rules[0].Actions[0].ForwardConfig.TargetGroups;
    expect(weights.find((g: { TargetGroupArn: string }) => g.TargetGroupArn === green).Weight).toBe(100);
    const missing = await aws("elbv2", "describe-target-health", "--target-group-arn", `${green}0`);
    expect(missing.stderr).toContain("(TargetGroupNotFound)");
  });

  it("runs a one-off task and reads its exit code (Debian CLI)", async () => {
    const overrides = {
      containerOverrides: [
        { name: "app", command: ["migrate"], environment: [{ name: "EXIT_CODE", value: "4" }] },
      ],
    };
    const network = { awsvpcConfiguration: { subnets: ["subnet-1"], assignPublicIp: "ENABLED" } };
    const started = await aws(
      ...["ecs", "run-task", "--cluster", "main", "--task-definition", "web:1", "--launch-type", "FARGATE"],
      ...["--network-configuration", JSON.stringify(network), "--overrides", JSON.stringify(overrides)],
    );
    expect(started.code, started.stderr).toBe(0);
    await step(10, 2);
    const tasks = await aws(
      "ecs",
      "describe-tasks",
      "--cluster",
      "main",
      "--tasks",
      started.json.tasks[0].taskArn,
    );
    expect(tasks.json.tasks[0]).toMatchObject({
      lastStatus: "STOPPED",
      stopCode: "EssentialContainerExited",
    });
    expect(tasks.json.tasks[0].containers[0].exitCode).toBe(4);
  });

  it("puts the metric-math alarm and sets and reads its state over the query protocol (Debian CLI)", async () => {
    const dims = [{ Name: "LoadBalancer", Value: "app/web/0" }];
    const stat = (name: string) => ({
      Metric: { Namespace: "AWS/ApplicationELB", MetricName: name, Dimensions: dims },
      Period: 60,
      Stat: "Sum",
    });
    const metrics = [
      { Id: "rate", Expression: "IF(req >= 20, 100 * FILL(t5, 0) / req, 0)", ReturnData: true },
      { Id: "t5", MetricStat: stat("HTTPCode_Target_5XX_Count"), ReturnData: false },
      { Id: "req", MetricStat: stat("RequestCount"), ReturnData: false },
    ];
    const put = await aws(
      ...[
        "cloudwatch",
        "put-metric-alarm",
        "--alarm-name",
        "web-5xx",
        "--comparison-operator",
        "GreaterThanThreshold",
      ],
      ...["--threshold", "1", "--evaluation-periods", "2", "--metrics", JSON.stringify(metrics)],
    );
    expect(put.code, put.stderr).toBe(0);
    await aws(
      "cloudwatch",
      "set-alarm-state",
      "--alarm-name",
      "web-5xx",
      "--state-value",
      "ALARM",
      "--state-reason",
      "cli",
    );
    const alarms = await aws("cloudwatch", "describe-alarms", "--alarm-names", "web-5xx");
    expect(alarms.json.MetricAlarms[0]).toMatchObject({
      StateValue: "ALARM",
      StateReason: "cli",
      EvaluationPeriods: 2,
    });
    expect(alarms.json.MetricAlarms[0].Metrics.map((m: { Id: string }) => m.Id)).toEqual([
      "rate",
      "t5",
      "req",
    ]);
    const bad = await aws(
      "cloudwatch",
      "set-alarm-state",
      "--alarm-name",
      "nope",
      "--state-value",
      "OK",
      "--state-reason",
      "x",
    );
    expect(bad.stderr).toContain("(ResourceNotFound)");
  });

  it.skipIf(!existsSync(PIP_AWS))(
    "follows a blue/green deployment and stops it (pip CLI on botocore 1.43)",
    async () => {
      const config = { strategy: "BLUE_GREEN", bakeTimeInMinutes: 30 };
      const updated = await run(PIP_AWS, [
        ...["ecs", "update-service", "--cluster", "main", "--service", "web", "--task-definition", "web:1"],
        ...["--force-new-deployment", "--deployment-configuration", JSON.stringify(config)],
      ]);
      expect(updated.code, updated.stderr).toBe(0);
      await step(10, 6);
      const listed = await run(PIP_AWS, [
        "ecs",
        "list-service-deployments",
        "--cluster",
        "main",
        "--service",
        "web",
      ]);
      const arn = listed.json.serviceDeployments[0].serviceDeploymentArn;
      expect(arn).toBe(updated.json.service.currentServiceDeployment);
      const described = await run(PIP_AWS, [
        "ecs",
        "describe-service-deployments",
        "--service-deployment-arns",
        arn,
      ]);
      expect(described.json.serviceDeployments[0]).toMatchObject({
        status: "IN_PROGRESS",
        lifecycleStage: "BAKE_TIME",
      });
      const stopped = await run(PIP_AWS, [
        "ecs",
        "stop-service-deployment",
        "--service-deployment-arn",
        arn,
        "--stop-type",
        "ROLLBACK",
      ]);
      expect(stopped.code, stopped.stderr).toBe(0);
      await step(10, 4);
      const after = await run(PIP_AWS, [
        "ecs",
        "describe-service-deployments",
        "--service-deployment-arns",
        arn,
      ]);
      expect(after.json.serviceDeployments[0].status).toBe("ROLLBACK_SUCCESSFUL");
    },
  );
});
