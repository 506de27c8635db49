import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkConformance } from "../src/conformance/check-conformance.js";
import { execCommand } from "../src/docker/exec.js";
import { ecsTestConfig, taskDefinition } from "./support/ecs-rig.js";
import { type Harness, startHarness, testConfig } from "./support/harness.js";
import { CLOUDWATCH, cloudWatchTarget, ELBV2, ecsTarget, jsonCall, queryCall } from "./support/wire.js";

async function checkerAvailable(): Promise<boolean> {
  const probe = await execCommand("python3", ["-c", "import botocore"]).catch(() => undefined);
  if (probe?.code === 0) return true;
  const message = "the conformance checker needs python3 with botocore (pip install botocore)";
  if (process.env.CI === "true") throw new Error(`${message} (CI=true, so it must run)`);
  console.warn(`SKIPPED: ${message}`);
  return false;
}

const enabled = await checkerAvailable();
const work = mkdtempSync(join(tmpdir(), "local-aws-ecs-conformance-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe.skipIf(!enabled)("ECS, ELBv2 and CloudWatch answers keep to the AWS models", () => {
  const file = join(work, "answers.jsonl");
  let h: Harness;
  const ecs = (operation: string, body: unknown) => jsonCall(h.local.endpoint, ecsTarget(operation), body);
  const elb = (action: string, params: Record<string, unknown> = {}) =>
    queryCall(h.local.endpoint, ELBV2, action, params);
  const cw = (operation: string, body: unknown) =>
    jsonCall(h.local.endpoint, cloudWatchTarget(operation), body, "1.0");
  const image = (version: string, kind = "app") =>
    taskDefinition(version, kind).containerDefinitions.map((c) => ({
      ...c,
      image: `${h.registry.host}/${kind}:${version}`,
    }));

  async function step(ms: number, times: number) {
    for (let index = 0; index < times; index += 1) {
      await h.clock.sleep(ms);
      await h.local.ecs.idle();
      await h.local.ecs.tick();
    }
  }

  async function deployment(arn: string) {
    return (await ecs("DescribeServiceDeployments", { serviceDeploymentArns: [arn, `${arn}-gone`] })).json;
  }

  beforeAll(async () => {
    h = await startHarness({ ...testConfig, ecs: ecsTestConfig }, undefined, { recordAnswers: file });
  });
  afterAll(async () => {
    await h?.close();
  });

  async function everyEcsOperation() {
    const v1 = await ecs("RegisterTaskDefinition", {
      ...taskDefinition("v1"),
      containerDefinitions: image("v1"),
    });
    expect(v1.status).toBe(200);
    await ecs("RegisterTaskDefinition", { family: "web", containerDefinitions: [{ name: "app" }] });
    await ecs("RegisterTaskDefinition", { family: "web", containerDefinitions: image("v1"), bogus: 1 });
    await ecs("DescribeTaskDefinition", { taskDefinition: "web:1", include: ["TAGS"] });
    await ecs("DescribeTaskDefinition", { taskDefinition: "nope" });
    await ecs("DescribeServices", { cluster: "main", services: ["web", "gone"] });
    await ecs("DescribeServices", { cluster: "other", services: ["web"] });
    const first = await ecs("UpdateService", { cluster: "main", service: "web", taskDefinition: "web:1" });
    await step(10, 12);
    expect((await deployment(first.json.service.currentServiceDeployment)).serviceDeployments[0].status).toBe(
      "SUCCESSFUL",
    );
    await ecs("RegisterTaskDefinition", { ...taskDefinition("v2"), containerDefinitions: image("v2") });
    const alarms = { alarmNames: ["web-5xx"], enable: true, rollback: true };
    const config = { strategy: "BLUE_GREEN", bakeTimeInMinutes: 30, alarms };
    const second = await ecs("UpdateService", {
      cluster: "main",
      service: "web",
      taskDefinition: "web:2",
      deploymentConfiguration: config,
    });
    const arn = second.json.service.currentServiceDeployment;
    await step(10, 6);
    await ecs("DescribeServices", { cluster: "main", services: ["web"] });
    expect((await deployment(arn)).serviceDeployments[0].lifecycleStage).toBe("BAKE_TIME");
    await ecs("StopServiceDeployment", { serviceDeploymentArn: arn, stopType: "ROLLBACK" });
    await step(10, 4);
    await deployment(arn);
    await ecs("StopServiceDeployment", { serviceDeploymentArn: arn });
    await ecs("StopServiceDeployment", { serviceDeploymentArn: `${arn}x` });
    await ecs("ListServiceDeployments", {
      cluster: "main",
      service: "web",
      status: ["ROLLBACK_SUCCESSFUL"],
      maxResults: 1,
    });
    await ecs("ListServiceDeployments", { cluster: "main", service: "web", status: ["DONE"] });
    await ecs("UpdateService", { cluster: "main", service: "nope", taskDefinition: "web:1" });
    await ecs("UpdateService", {
      service: "web",
      cluster: "main",
      deploymentConfiguration: { strategy: "CANARY" },
    });
  }

  async function oneOffTasks() {
    const network = { awsvpcConfiguration: { subnets: ["subnet-1"] } };
    const override = (code: string) => ({
      containerOverrides: [{ name: "app", environment: [{ name: "EXIT_CODE", value: code }] }],
    });
    const ok = await ecs("RunTask", {
      cluster: "main",
      taskDefinition: "web:1",
      networkConfiguration: network,
      overrides: override("0"),
    });
    const bad = await ecs("RunTask", {
      cluster: "main",
      taskDefinition: "web:1",
      networkConfiguration: network,
      overrides: override("3"),
    });
    await ecs("RunTask", { cluster: "main", taskDefinition: "web:1" });
    await step(10, 2);
    const tasks = [ok.json.tasks[0].taskArn, bad.json.tasks[0].taskArn];
    const described = await ecs("DescribeTasks", { cluster: "main", tasks: [...tasks, "missing"] });
    expect(
      described.json.tasks.map((t: { containers: { exitCode: number }[] }) => t.containers[0]?.exitCode),
    ).toEqual([0, 3]);
    await ecs("StopTask", { cluster: "main", task: tasks[0] });
    await logEvents(network, override("2"));
  }

  async function logEvents(network: unknown, overrides: unknown) {
    const options = {
      "awslogs-group": "/ecs/web",
      "awslogs-stream-prefix": "web",
      "awslogs-region": "eu-west-1",
    };
    const containers = image("v1").map((c) => ({
      ...c,
      logConfiguration: { logDriver: "awslogs", options },
    }));
    await ecs("RegisterTaskDefinition", { ...taskDefinition("v1"), containerDefinitions: containers });
    const run = await ecs("RunTask", {
      cluster: "main",
      taskDefinition: "web",
      networkConfiguration: network,
      overrides,
    });
    await step(10, 2);
    const logs = (body: unknown) => jsonCall(h.local.endpoint, "Logs_20140328.GetLogEvents", body);
    const stream = `web/app/${run.json.tasks[0].taskArn.split("/").at(-1)}`;
    const page = await logs({ logGroupName: "/ecs/web", logStreamName: stream, startFromHead: true });
    expect(page.json.events).toHaveLength(1);
    await logs({ logGroupName: "/ecs/web", logStreamName: "web/app/none" });
    await logs({ logGroupName: "/ecs/web", logStreamName: stream, nextToken: "bogus" });
    h.local.faults.add({ kind: "error", status: 503, count: 1, apis: ["logs"] });
    await logs({ logGroupName: "/ecs/web", logStreamName: stream });
  }

  async function everyElbOperation() {
    const lbs = await elb("DescribeLoadBalancers", { Names: ["web"] });
    expect(lbs.text).toContain("<DescribeLoadBalancersResult>");
    const lbArn = /<LoadBalancerArn>([^<]+)</.exec(lbs.text)?.[1] ?? "";
    const groups = await elb("DescribeTargetGroups", { LoadBalancerArn: lbArn });
    const tgArn = /<TargetGroupArn>([^<]+)</.exec(groups.text)?.[1] ?? "";
    const listeners = await elb("DescribeListeners", { LoadBalancerArn: lbArn });
    const listenerArn = /<ListenerArn>([^<]+)</.exec(listeners.text)?.[1] ?? "";
    const rules = await elb("DescribeRules", { ListenerArn: listenerArn });
    expect(rules.text).toMatch(/<Weight>100<\/Weight>/);
    expect((await elb("DescribeTargetHealth", { TargetGroupArn: tgArn })).status).toBe(200);
    const missing = await elb("DescribeTargetHealth", { TargetGroupArn: `${tgArn}0` });
    expect(missing.text).toContain("<Code>TargetGroupNotFound</Code>");
    await elb("DescribeLoadBalancers", { Names: ["nope"] });
    await elb("DescribeRules", {});
    await elb("DescribeListeners", { ListenerArns: ["arn:nope"] });
  }

  async function everyCloudWatchOperation() {
    const metric = {
      Namespace: "AWS/ApplicationELB",
      MetricName: "RequestCount",
      Dimensions: [{ Name: "LoadBalancer", Value: "app/web/x" }],
    };
    const put = await cw("PutMetricAlarm", {
      AlarmName: "web-5xx",
      ComparisonOperator: "GreaterThanThreshold",
      Threshold: 1,
      EvaluationPeriods: 2,
      TreatMissingData: "notBreaching",
      Metrics: [
        { Id: "rate", Expression: "IF(req >= 20, 100 * FILL(t5, 0) / req, 0)", ReturnData: true },
        {
          Id: "t5",
          MetricStat: {
            Metric: { ...metric, MetricName: "HTTPCode_Target_5XX_Count" },
            Period: 60,
            Stat: "Sum",
          },
          ReturnData: false,
        },
        { Id: "req", MetricStat: { Metric: metric, Period: 60, Stat: "Sum" }, ReturnData: false },
      ],
    });
    expect(put.status).toBe(200);
    await cw("PutMetricAlarm", {
      AlarmName: "single",
      ComparisonOperator: "GreaterThanThreshold",
      Threshold: 5,
      EvaluationPeriods: 1,
      Period: 60,
      Statistic: "Sum",
      ...metric,
    });
    await cw("PutMetricAlarm", {
      AlarmName: "bad",
      ComparisonOperator: "Nope",
      Threshold: 5,
      EvaluationPeriods: 1,
    });
    const listed = await cw("DescribeAlarms", { AlarmNamePrefix: "web", MaxRecords: 1 });
    expect(typeof listed.json.MetricAlarms[0].StateUpdatedTimestamp).toBe("number");
    await cw("SetAlarmState", { AlarmName: "web-5xx", StateValue: "OK", StateReason: "test" });
    const gone = await cw("SetAlarmState", { AlarmName: "gone", StateValue: "OK", StateReason: "test" });
    expect([gone.status, gone.headers.get("x-amzn-query-error")]).toEqual([404, "ResourceNotFound;Sender"]);
    const viaQuery = await queryCall(h.local.endpoint, CLOUDWATCH, "DescribeAlarms", {
      AlarmNames: ["web-5xx"],
    });
    expect(viaQuery.text).toMatch(/<StateUpdatedTimestamp>\d{4}-\d\d-\d\dT/);
    await queryCall(h.local.endpoint, CLOUDWATCH, "DeleteAlarms", { AlarmNames: ["single"] });
    await queryCall(h.local.endpoint, CLOUDWATCH, "DeleteAlarms", { AlarmNames: ["single"] });
  }

  async function faults() {
    h.local.faults.add({ kind: "throttle", count: 1, apis: ["ecs"] });
    await ecs("DescribeServices", { cluster: "main", services: ["web"] });
    h.local.faults.add({ kind: "error", status: 503, count: 1, apis: ["elbv2"] });
    await elb("DescribeLoadBalancers");
    h.local.faults.add({ kind: "error", status: 500, count: 1, apis: ["cloudwatch"] });
    await cw("DescribeAlarms", {});
    h.local.faults.add({
      kind: "error",
      code: "AccessDeniedException",
      count: 1,
      operations: ["UpdateService"],
    });
    await ecs("UpdateService", { cluster: "main", service: "web" });
  }

  it("records every operation, errors and faults included, with zero violations", async () => {
    await everyCloudWatchOperation();
    await everyEcsOperation();
    await oneOffTasks();
    await everyElbOperation();
    await faults();
    const result = await checkConformance(file);
    expect(result.violations).toEqual([]);
    expect(result.checked).toBeGreaterThanOrEqual(45);
  });

  it("lists the ECS load balancers in /_local/health, where the other services are listed", async () => {
    const health = (await (await fetch(`${h.local.endpoint}/_local/health`)).json()) as {
      loadBalancers: Record<string, string>;
    };
    expect(health.loadBalancers).toEqual({ web: h.local.ecs.loadBalancerUrl("web") });
    expect(health.loadBalancers.web).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
  });

  it("flags a wrong enum value and a query error code other than the model's", async () => {
    const bad = join(work, "bad.jsonl");
    const lines = [
      { api: "ecs", operation: "StopServiceDeployment", status: 200, body: { serviceDeploymentArn: 1 } },
      {
        api: "ecs",
        operation: "DescribeServiceDeployments",
        status: 200,
        body: { serviceDeployments: [{ lifecycleStage: "BAKING" }] },
      },
      {
        api: "elbv2",
        operation: "DescribeTargetHealth",
        status: 400,
        errorShape: "TargetGroupNotFoundException",
        wire: "query",
        wireCode: "TargetGroupNotFoundException",
        body: { __type: "TargetGroupNotFoundException", message: "x" },
      },
    ];
    writeFileSync(bad, `${lines.map((line) => JSON.stringify(line)).join("\n")}\n`);
    const result = await checkConformance(bad);
    expect(result.violations).toHaveLength(3);
    expect(result.violations.join("\n")).toMatch(/BAKING[\s\S]*TargetGroupNotFound/);
  });
});
