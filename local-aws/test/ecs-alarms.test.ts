import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type EcsRig, ecsRig, taskDefinition } from "./support/ecs-rig.js";

let rig: EcsRig;

beforeEach(async () => {
  rig = await ecsRig();
});
afterEach(async () => {
  await rig.close();
});

/** The reference's 5xx-rate alarm on the load balancer: metric math with a floor of 20 requests a period. */
async function putRateAlarm(name: string) {
  const lbs = await rig.call("elbv2", "DescribeLoadBalancers", { Names: ["web"] });
  const arn: string = lbs.LoadBalancers[0].LoadBalancerArn;
  const dimension = arn.split(":loadbalancer/")[1];
  const metric = (id: string, metricName: string) => ({
    Id: id,
    MetricStat: {
      Metric: {
        Namespace: "AWS/ApplicationELB",
        MetricName: metricName,
        Dimensions: [{ Name: "LoadBalancer", Value: dimension }],
      },
      Period: 60,
      Stat: "Sum",
    },
    ReturnData: false,
  });
  await rig.call("cloudwatch", "PutMetricAlarm", {
    AlarmName: name,
    ComparisonOperator: "GreaterThanThreshold",
    Threshold: 1,
    EvaluationPeriods: 2,
    DatapointsToAlarm: 2,
    TreatMissingData: "notBreaching",
    Metrics: [
      {
        Id: "rate",
        Expression: "IF(req >= 20, 100 * (FILL(t5, 0) + FILL(e5, 0)) / req, 0)",
        ReturnData: true,
      },
      metric("t5", "HTTPCode_Target_5XX_Count"),
      metric("e5", "HTTPCode_ELB_5XX_Count"),
      metric("req", "RequestCount"),
    ],
  });
}

async function deploy(definition: unknown, config: Record<string, unknown> = {}): Promise<string> {
  const registered = await rig.call("ecs", "RegisterTaskDefinition", definition);
  const updated = await rig.call("ecs", "UpdateService", {
    service: "web",
    cluster: "main",
    taskDefinition: registered.taskDefinition.taskDefinitionArn,
    deploymentConfiguration: { strategy: "BLUE_GREEN", ...config },
  });
  return updated.service.currentServiceDeployment;
}

async function deployment(arn: string) {
  return (await rig.call("ecs", "DescribeServiceDeployments", { serviceDeploymentArns: [arn] }))
    .serviceDeployments[0];
}

async function alarmState(name: string): Promise<string> {
  return (await rig.call("cloudwatch", "DescribeAlarms", { AlarmNames: [name] })).MetricAlarms[0].StateValue;
}

/** Sends `count` requests to the load balancer; the statuses. */
async function traffic(count: number): Promise<number[]> {
  const statuses: number[] = [];
  for (let index = 0; index < count; index += 1) statuses.push((await fetch(rig.lbUrl())).status);
  return statuses;
}

const alarms = { alarmNames: ["web-5xx"], enable: true, rollback: true };

describe("the 5xx-rate alarm, counted at the load balancer, rolls a bad release back during the bake", () => {
  beforeEach(async () => {
    await putRateAlarm("web-5xx");
    const first = await deploy(taskDefinition("v1"));
    await rig.until(async () => (await deployment(first)).status === "SUCCESSFUL", 10);
  });

  it("goes to ALARM on two busy periods of 500s and flips the weights back to blue", async () => {
    const arn = await deploy(taskDefinition("v2", "errors"), { bakeTimeInMinutes: 30, alarms });
    await rig.until(async () => (await deployment(arn)).lifecycleStage === "BAKE_TIME", 10);
    let bad = 0;
    // One step a simulated minute, 25 requests in each: above the floor, all answered 500 by green.
    await rig.until(
      async () => {
        bad += (await traffic(25)).filter((status) => status === 500).length;
        return (await deployment(arn)).status !== "IN_PROGRESS";
      },
      60,
      10,
    );
    expect(bad).toBeGreaterThanOrEqual(40);
    expect(await alarmState("web-5xx")).toBe("ALARM");
    const rolling = await deployment(arn);
    expect(rolling.status).toBe("ROLLBACK_IN_PROGRESS");
    expect(rolling.alarms).toEqual({
      status: "TRIGGERED",
      alarmNames: ["web-5xx"],
      triggeredAlarmNames: ["web-5xx"],
    });
    expect(rolling.rollback.reason).toContain("web-5xx");
    expect(await traffic(5)).toEqual([200, 200, 200, 200, 200]);
    await rig.until(async () => (await deployment(arn)).status === "ROLLBACK_SUCCESSFUL", 10);
  });

  it("stays OK when a quiet release answers fewer requests than the floor, and completes", async () => {
    const arn = await deploy(taskDefinition("v2", "errors"), { bakeTimeInMinutes: 3, alarms });
    await rig.until(async () => (await deployment(arn)).lifecycleStage === "BAKE_TIME", 10);
    await rig.until(
      async () => {
        await traffic(5);
        return (await deployment(arn)).status !== "IN_PROGRESS";
      },
      60,
      10,
    );
    expect((await deployment(arn)).status).toBe("SUCCESSFUL");
    expect(await alarmState("web-5xx")).toBe("OK");
  });

  it("ignores an alarm that was already in ALARM when the deployment started, but not a later trip", async () => {
    await rig.call("cloudwatch", "SetAlarmState", {
      AlarmName: "web-5xx",
      StateValue: "ALARM",
      StateReason: "test",
    });
    const arn = await deploy(taskDefinition("v2"), { bakeTimeInMinutes: 30, alarms });
    await rig.until(async () => (await deployment(arn)).lifecycleStage === "BAKE_TIME", 1);
    expect((await deployment(arn)).status).toBe("IN_PROGRESS");
    // The next period's evaluation sets it OK (no traffic, notBreaching); a new ALARM then counts.
    await rig.until(async () => (await alarmState("web-5xx")) === "OK", 10);
    await rig.call("cloudwatch", "SetAlarmState", {
      AlarmName: "web-5xx",
      StateValue: "ALARM",
      StateReason: "again",
    });
    await rig.step(1);
    expect((await deployment(arn)).status).toBe("ROLLBACK_IN_PROGRESS");
  });
});
