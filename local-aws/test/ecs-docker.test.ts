import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execCommand } from "../src/docker/exec.js";
import { type LocalAws, startLocalAws } from "../src/local-aws.js";
import { buildTinyImage, dockerTestsEnabled, pushImage } from "./support/docker-env.js";
import { PULL_POLICY } from "./support/harness.js";
import { cloudWatchTarget, ecsTarget, jsonCall } from "./support/wire.js";

const enabled = await dockerTestsEnabled();
const PREFIX = `local-aws-ecs-test-${process.pid}`;
const LOCAL_IMAGE = `${PREFIX}/tiny:latest`;
const config = {
  repositories: [{ name: "app", policy: PULL_POLICY }],
  settings: { containerPrefix: PREFIX, timeScale: 0.1 },
  // 0.05: a 60 s alarm period takes 3 s, a 5 s health-check interval 250 ms, a 30-minute bake 90 s. At 0.01 a
  // loaded CI machine could not send the alarm's floor of 20 requests in one 0.6 s period, so it never fired.
  ecs: {
    cluster: "main",
    timeScale: 0.05,
    tickMs: 50,
    services: [
      {
        name: "web",
        containerName: "app",
        containerPort: 8080,
        healthCheck: {
          path: "/health",
          intervalSeconds: 5,
          timeoutSeconds: 2,
          healthyThreshold: 2,
          unhealthyThreshold: 2,
        },
        deregistrationDelaySeconds: 20,
      },
    ],
  },
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls until `done` holds, at most `timeoutMs` of real time. */
async function waitFor(done: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await done()) return;
    await sleep(50);
  }
  throw new Error(`not done within ${timeoutMs} ms`);
}

describe.skipIf(!enabled)("ECS blue/green on real containers behind the real load balancer", () => {
  let stateDir: string;
  let local: LocalAws;
  let registryHost = "";
  const ecs = async (operation: string, body: unknown) =>
    (await jsonCall(local.endpoint, ecsTarget(operation), body)).json;

  async function register(version: string, environment: Record<string, string> = {}) {
    const env = Object.entries({ APP_VERSION: version, ...environment }).map(([name, value]) => ({
      name,
      value,
    }));
    const answer = await ecs("RegisterTaskDefinition", {
      family: "web",
      networkMode: "awsvpc",
      requiresCompatibilities: ["FARGATE"],
      cpu: "256",
      memory: "512",
      containerDefinitions: [
        {
          name: "app",
          image: `${registryHost}/app:v1`,
          portMappings: [{ containerPort: 8080 }],
          environment: env,
          logConfiguration: {
            logDriver: "awslogs",
            options: { "awslogs-group": "/ecs/web", "awslogs-stream-prefix": "web" },
          },
        },
      ],
    });
    return answer.taskDefinition.taskDefinitionArn as string;
  }

  async function update(
    taskDefinition: string,
    deploymentConfiguration: unknown = { strategy: "BLUE_GREEN", bakeTimeInMinutes: 1 },
  ) {
    const answer = await ecs("UpdateService", {
      cluster: "main",
      service: "web",
      taskDefinition,
      deploymentConfiguration,
    });
    return answer.service.currentServiceDeployment as string;
  }

  async function deployment(arn: string) {
    return (await ecs("DescribeServiceDeployments", { serviceDeploymentArns: [arn] })).serviceDeployments[0];
  }

  /** Sends requests one after another until `stop` holds (at most `maxMs`); statuses with their times. */
  async function load(stop: () => Promise<boolean>, maxMs: number) {
    const answers: { at: number; status: number; body: string }[] = [];
    const deadline = Date.now() + maxMs;
    while (Date.now() < deadline && !(await stop())) {
      const response = await fetch(local.ecs.loadBalancerUrl("web")).catch(() => undefined);
      answers.push({ at: Date.now(), status: response?.status ?? 0, body: (await response?.text()) ?? "" });
    }
    return answers;
  }

  beforeAll(async () => {
    stateDir = mkdtempSync(join(tmpdir(), "local-aws-ecs-docker-"));
    local = await startLocalAws({ stateDir, config });
    const token = await jsonCall(
      local.endpoint,
      "AmazonEC2ContainerRegistry_V20150921.GetAuthorizationToken",
      {},
    );
    const data = token.json.authorizationData[0];
    registryHost = data.proxyEndpoint.replace(/^https?:\/\//, "");
    const password = Buffer.from(data.authorizationToken, "base64").toString().replace(/^AWS:/, "");
    await buildTinyImage(LOCAL_IMAGE);
    await pushImage(LOCAL_IMAGE, registryHost, password, "app:v1");
  });

  afterAll(async () => {
    await local?.stop({ removeContainers: true });
    await execCommand("docker", ["rmi", "--force", LOCAL_IMAGE], { timeoutMs: 60_000 });
    if (stateDir) rmSync(stateDir, { recursive: true, force: true });
  });

  it("deploys v1 as a labelled --network host container behind the load balancer", async () => {
    const arn = await update(await register("v1"));
    await waitFor(async () => (await deployment(arn)).status === "SUCCESSFUL", 30_000);
    const answer = await fetch(local.ecs.loadBalancerUrl("web"));
    expect(await answer.text()).toBe("hello from version v1\n");
    const names = await execCommand("docker", [
      "ps",
      "--filter",
      `label=local-aws.instance=${local.instanceId}`,
      "--format",
      "{{.Names}} {{.Networks}}",
    ]);
    expect(names.stdout.trim().split("\n")).toEqual([
      expect.stringMatching(new RegExp(`^${PREFIX}-ecs-.* host$`)),
    ]);
  });

  it("shifts to v2 with no failed request at the load balancer's URL", async () => {
    const arn = await update(await register("v2"));
    const answers = await load(async () => (await deployment(arn)).status === "SUCCESSFUL", 30_000);
    expect((await deployment(arn)).status).toBe("SUCCESSFUL");
    expect(answers.filter((a) => a.status !== 200)).toEqual([]);
    expect(new Set(answers.map((a) => a.body.trim()))).toEqual(
      new Set(["hello from version v1", "hello from version v2"]),
    );
  });

  it("rolls a release that answers 500 back on the 5xx-rate alarm alone, and measures how fast", {
    timeout: 90_000,
  }, async () => {
    await putRateAlarm(local);
    const alarms = { alarmNames: ["web-5xx"], enable: true, rollback: true };
    const arn = await update(await register("v3", { MODE: "errors" }), {
      strategy: "BLUE_GREEN",
      bakeTimeInMinutes: 30,
      alarms,
    });
    const finished = ["SUCCESSFUL", "STOPPED", "ROLLBACK_SUCCESSFUL", "ROLLBACK_FAILED"];
    const answers = await load(async () => finished.includes((await deployment(arn)).status), 60_000);
    const done = await deployment(arn);
    expect(done.status).toBe("ROLLBACK_SUCCESSFUL");
    expect(done.alarms.triggeredAlarmNames).toEqual(["web-5xx"]);
    const firstBad = answers.find((a) => a.status === 500);
    const back = answers.find((a) => firstBad && a.at > firstBad.at && a.body === "hello from version v2\n");
    expect(firstBad && back).toBeTruthy();
    console.log(
      `alarm rollback: first 500 -> blue serving again in ${(back?.at ?? 0) - (firstBad?.at ?? 0)} ms (scale 0.05)`,
    );
    expect(await (await fetch(local.ecs.loadBalancerUrl("web"))).text()).toBe("hello from version v2\n");
  });

  it("rolls back at once on StopServiceDeployment after the first bad answer", async () => {
    // Alarms off, so the measured rollback is the StopServiceDeployment one alone.
    const alarms = { alarmNames: [], enable: false, rollback: false };
    const config = { strategy: "BLUE_GREEN", bakeTimeInMinutes: 30, alarms };
    const arn = await update(await register("v4", { MODE: "errors" }), config);
    await waitFor(async () => (await deployment(arn)).lifecycleStage === "BAKE_TIME", 30_000);
    const answers = await load(async () => false, 300);
    const firstBad = answers.find((a) => a.status === 500);
    expect(firstBad).toBeDefined();
    await ecs("StopServiceDeployment", { serviceDeploymentArn: arn, stopType: "ROLLBACK" });
    const after = await load(async () => false, 2_000);
    const back = after.find((a) => a.body === "hello from version v2\n");
    const took = (back?.at ?? Number.POSITIVE_INFINITY) - (firstBad?.at ?? 0);
    console.log(`manual rollback: first 500 -> blue serving again in ${took} ms`);
    expect(took).toBeLessThan(15_000);
    await waitFor(async () => (await deployment(arn)).status === "ROLLBACK_SUCCESSFUL", 30_000);
  });

  it("runs one-off tasks as containers and reports their real exit codes and output", async () => {
    const definition = await register("job", { MODE: "job", EXIT_CODE: "0" });
    const network = { awsvpcConfiguration: { subnets: ["subnet-1"] } };
    const run = async (code: string) => {
      const overrides = {
        containerOverrides: [{ name: "app", environment: [{ name: "EXIT_CODE", value: code }] }],
      };
      const started = await ecs("RunTask", {
        cluster: "main",
        taskDefinition: definition,
        networkConfiguration: network,
        overrides,
      });
      const arn = started.tasks[0].taskArn;
      const describe = async () => (await ecs("DescribeTasks", { cluster: "main", tasks: [arn] })).tasks[0];
      await waitFor(async () => (await describe()).lastStatus === "STOPPED", 30_000);
      const stream = {
        logGroupName: "/ecs/web",
        logStreamName: `web/app/${arn.split("/").at(-1)}`,
        startFromHead: true,
      };
      const logs = (await jsonCall(local.endpoint, "Logs_20140328.GetLogEvents", stream)).json;
      return {
        exit: (await describe()).containers[0].exitCode,
        lines: logs.events.map((e: { message: string }) => e.message),
      };
    };
    expect(await run("0")).toEqual({ exit: 0, lines: ["job done, exit 0"] });
    expect(await run("5")).toEqual({ exit: 5, lines: ["job done, exit 5"] });
    const service = (await ecs("DescribeServices", { cluster: "main", services: ["web"] })).services[0];
    expect(service.taskDefinition).not.toBe(definition);
  });
});

/** The reference's metric-math 5xx-rate alarm on the load balancer (CloudWatch over awsJson1_0). */
async function putRateAlarm(local: LocalAws) {
  const lbArn = await loadBalancerArn(local);
  const dimension = lbArn.split(":loadbalancer/")[1] ?? "";
  const metric = (id: string, name: string) => ({
    Id: id,
    MetricStat: {
      Metric: {
        Namespace: "AWS/ApplicationELB",
        MetricName: name,
        Dimensions: [{ Name: "LoadBalancer", Value: dimension }],
      },
      Period: 60,
      Stat: "Sum",
    },
    ReturnData: false,
  });
  const put = await jsonCall(
    local.endpoint,
    cloudWatchTarget("PutMetricAlarm"),
    {
      AlarmName: "web-5xx",
      ComparisonOperator: "GreaterThanThreshold",
      Threshold: 1,
      EvaluationPeriods: 2,
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
    },
    "1.0",
  );
  expect(put.status).toBe(200);
}

async function loadBalancerArn(local: LocalAws): Promise<string> {
  const body = new URLSearchParams({
    Action: "DescribeLoadBalancers",
    Version: "2015-12-01",
    "Names.member.1": "web",
  });
  const response = await fetch(local.endpoint, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: body.toString(),
  });
  return /<LoadBalancerArn>([^<]+)</.exec(await response.text())?.[1] ?? "";
}
