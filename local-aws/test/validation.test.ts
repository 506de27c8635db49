import { describe, expect, it } from "vitest";
import { parseConfig } from "../src/config/config.js";
import { checkPullGrant } from "../src/ecr/policy.js";
import { FaultController, parseFaultSpec } from "../src/faults/faults.js";
import { compileFilterPattern, parseDockerLogLine } from "../src/lightsail/log-filter.js";
import {
  parseSuccessCodes,
  validateDeploymentRequest,
  validateLogRequest,
  validateUpdateRequest,
} from "../src/lightsail/validate.js";
import { AwsError } from "../src/protocol/errors.js";

const web = { image: "127.0.0.1:5000/app:v1", ports: { "8080": "HTTP" } };
const valid = {
  serviceName: "demo",
  containers: { web },
  publicEndpoint: { containerName: "web", containerPort: 8080 },
};

function errorOf(run: () => unknown): AwsError {
  try {
    run();
  } catch (error) {
    if (error instanceof AwsError) return error;
    throw error;
  }
  throw new Error("expected a validation error");
}

describe("CreateContainerServiceDeployment validation", () => {
  it("fills the health check defaults from the reference", () => {
    expect(validateDeploymentRequest(valid).publicEndpoint?.healthCheck).toEqual({
      healthyThreshold: 2,
      unhealthyThreshold: 2,
      timeoutSeconds: 2,
      intervalSeconds: 5,
      path: "/",
      successCodes: "200-499",
    });
  });

  const tooMany = Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`c${i}`, web]));
  it.each([
    ["a missing service name", { ...valid, serviceName: undefined }, /serviceName null .*required/],
    ["a service name with upper case", { ...valid, serviceName: "Demo" }, /serviceName "Demo"/],
    ["a service name ending in a hyphen", { ...valid, serviceName: "demo-" }, /serviceName "demo-"/],
    ["a 64-char service name", { ...valid, serviceName: "a".repeat(64) }, /less than or equal to 63/],
    ["no containers", { ...valid, containers: {} }, /from 1 to 10 containers/],
    ["11 containers", { ...valid, containers: tooMany, publicEndpoint: undefined }, /at most 10 entries/],
    ["a bad container name", { ...valid, containers: { Web_1: web } }, /containers.name "Web_1"/],
    [
      "a container without image",
      { ...valid, containers: { web: { ports: web.ports } } },
      /containers.web.image null/,
    ],
    ["a bad env name", { ...valid, containers: { web: { ...web, environment: { "1X": "a" } } } }, /"1X"/],
    [
      "a non-string env value",
      { ...valid, containers: { web: { ...web, environment: { A: 1 } } } },
      /environment.A 1/,
    ],
    ["port 0", { ...valid, containers: { web: { ...web, ports: { "0": "HTTP" } } } }, /ports "0"/],
    [
      "an unknown protocol",
      { ...valid, containers: { web: { ...web, ports: { "80": "SCTP" } } } },
      /ports.80 "SCTP"/,
    ],
    [
      "a public endpoint naming no container",
      { ...valid, publicEndpoint: { containerName: "api", containerPort: 8080 } },
      /containerName "api"/,
    ],
    [
      "a public endpoint on a closed port",
      { ...valid, publicEndpoint: { containerName: "web", containerPort: 9090 } },
      /containerPort 9090/,
    ],
    [
      "a public endpoint on a TCP port",
      { ...valid, containers: { web: { ...web, ports: { "8080": "TCP" } } } },
      /HTTP or HTTPS port/,
    ],
    [
      "interval 4",
      { ...valid, publicEndpoint: { ...valid.publicEndpoint, healthCheck: { intervalSeconds: 4 } } },
      /intervalSeconds 4/,
    ],
    [
      "timeout 61",
      {
        ...valid,
        publicEndpoint: {
          ...valid.publicEndpoint,
          healthCheck: { timeoutSeconds: 61, intervalSeconds: 300 },
        },
      },
      /timeoutSeconds 61/,
    ],
    [
      "timeout >= interval",
      { ...valid, publicEndpoint: { ...valid.publicEndpoint, healthCheck: { timeoutSeconds: 5 } } },
      /less than intervalSeconds \(5\)/,
    ],
    [
      "healthy threshold 1",
      { ...valid, publicEndpoint: { ...valid.publicEndpoint, healthCheck: { healthyThreshold: 1 } } },
      /healthyThreshold 1/,
    ],
    [
      "success codes 500",
      { ...valid, publicEndpoint: { ...valid.publicEndpoint, healthCheck: { successCodes: "200-500" } } },
      /successCodes "200-500"/,
    ],
    [
      "a relative path",
      { ...valid, publicEndpoint: { ...valid.publicEndpoint, healthCheck: { path: "health" } } },
      /path "health"/,
    ],
    [
      "a string port",
      { ...valid, publicEndpoint: { containerName: "web", containerPort: "8080" } },
      /containerPort "8080" .*number/,
    ],
  ])("rejects %s with InvalidInputException naming the field and value", (_, body, message) => {
    const error = errorOf(() => validateDeploymentRequest(body));
    expect(error.shape).toBe("InvalidInputException");
    expect(error.status).toBe(400);
    expect(error.message).toMatch(message);
  });

  it("accepts ten containers, commands and env", () => {
    const ten = Object.fromEntries(
      Array.from({ length: 10 }, (_, i) => [
        `c${i}`,
        { ...web, command: ["serve", "-v"], environment: { A_1: "x" } },
      ]),
    );
    expect(
      Object.keys(validateDeploymentRequest({ serviceName: "d", containers: ten }).containers),
    ).toHaveLength(10);
  });
});

describe("other Lightsail requests", () => {
  it.each([
    [{ serviceName: "demo", power: "huge" }, /power "huge"/],
    [{ serviceName: "demo", scale: 21 }, /scale 21/],
    [{ serviceName: "demo", scale: 0 }, /scale 0/],
    [{ serviceName: "demo", isDisabled: "yes" }, /isDisabled "yes"/],
    [{ serviceName: "demo", privateRegistryAccess: { ecrImagePullerRole: { isActive: 1 } } }, /isActive 1/],
    [{ serviceName: "demo", publicDomainNames: { a: [], b: [], c: [], d: [], e: [] } }, /at most 4 entries/],
  ])("rejects UpdateContainerService %j", (body, message) => {
    expect(errorOf(() => validateUpdateRequest(body)).message).toMatch(message);
  });

  it("reads the registry access switch", () => {
    expect(
      validateUpdateRequest({
        serviceName: "demo",
        privateRegistryAccess: { ecrImagePullerRole: { isActive: true } },
      }),
    ).toEqual({ serviceName: "demo", registryAccessActive: true });
  });

  it.each([
    [{ serviceName: "demo" }, /containerName null/],
    [
      { serviceName: "demo", containerName: "web", startTime: 10, endTime: 5 },
      /endTime 5 .*startTime \(10\)/,
    ],
    [{ serviceName: "demo", containerName: "web", startTime: "yesterday" }, /startTime "yesterday"/],
  ])("rejects GetContainerLog %j", (body, message) => {
    expect(errorOf(() => validateLogRequest(body)).message).toMatch(message);
  });
});

describe("success codes", () => {
  it.each([
    ["200", [200], [201]],
    ["200,202", [200, 202], [201]],
    ["200-299", [200, 250, 299], [300, 404]],
    ["200-499", [200, 404, 499], [500]],
  ])("%s", (text, good, bad) => {
    const matches = parseSuccessCodes(text);
    for (const status of good) expect(matches?.(status)).toBe(true);
    for (const status of bad) expect(matches?.(status)).toBe(false);
  });

  it.each(["", "abc", "199", "200-600", "300-200", "200;202"])("rejects %j", (text) => {
    expect(parseSuccessCodes(text)).toBeUndefined();
  });
});

describe("log filter patterns (case-sensitive)", () => {
  const lines = ["ERROR disk full", "WARN slow", "INFO ok ERROR-free", "error lower"];
  it.each([
    ["", lines],
    ["ERROR", ["ERROR disk full", "INFO ok ERROR-free"]],
    ["-ERROR", ["WARN slow", "error lower"]],
    ["ERROR disk", ["ERROR disk full"]],
    ["?WARN ?disk", ["ERROR disk full", "WARN slow"]],
    ['"disk full"', ["ERROR disk full"]],
  ])("%j", (pattern, expected) => {
    expect(lines.filter(compileFilterPattern(pattern))).toEqual(expected);
  });

  it("parses docker --timestamps lines into epoch seconds", () => {
    expect(parseDockerLogLine("2026-11-21T23:10:50.123456789Z hello world")).toEqual({
      createdAt: Date.UTC(2026, 10, 21, 23, 10, 50) / 1000 + 0.123,
      message: "hello world",
    });
    expect(parseDockerLogLine("not a log line")).toBeUndefined();
  });
});

describe("repository policy pull grant", () => {
  const arn =
    "arn:aws:iam::000000000000:role/amazon/lightsail/eu-west-1/containers/demo/private-repo-access/x";
  const allow = (principal: unknown, action: unknown) =>
    JSON.stringify({ Statement: [{ Effect: "Allow", Principal: principal, Action: action }] });
  it.each([
    [allow({ AWS: arn }, ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]), true],
    [allow({ AWS: [arn] }, "ecr:*"), true],
    [allow("*", "*"), true],
    [allow({ AWS: arn }, ["ecr:BatchGetImage"]), false],
    [allow({ AWS: "arn:aws:iam::000000000000:role/other" }, "ecr:*"), false],
    [undefined, false],
    [
      JSON.stringify({
        Statement: [
          { Effect: "Allow", Principal: "*", Action: "ecr:*" },
          { Effect: "Deny", Principal: { AWS: arn }, Action: "ecr:BatchGetImage" },
        ],
      }),
      false,
    ],
  ])("%s -> %s", (policy, ok) => {
    expect(checkPullGrant(policy, arn).ok).toBe(ok);
  });
});

describe("config file", () => {
  it("applies defaults", () => {
    const config = parseConfig({ services: [{ name: "demo" }] });
    expect(config.services[0]).toEqual({
      name: "demo",
      power: "nano",
      scale: 1,
      publicPort: 0,
      privateRegistryAccess: false,
    });
    expect(config.settings.timeScale).toBe(1);
  });

  it.each([
    [{ services: [{ name: "Demo" }] }, /`services\[0\].name` is "Demo"/],
    [{ services: [{ name: "a" }, { name: "a" }] }, /unique service names/],
    [{ services: [{ name: "a", scale: 21 }] }, /`services\[0\].scale` is 21/],
    [{ repositories: [{ name: "A" }] }, /`repositories\[0\].name` is "A"/],
    [{ parameters: [{ name: "x", value: "v" }] }, /`parameters\[0\].name` is "x"/],
    [{ parameters: [{ name: "/x", value: 5 }] }, /`parameters\[0\].value` is "\(hidden\)"/],
    [{ settings: { timeScale: 0 } }, /`settings.timeScale` is 0/],
    [{ ecs: { services: [{ name: "web" }] } }, /`ecs.services\[0\].containerName` is undefined/],
    [{ ecs: { services: [{ name: "w b", containerName: "a" }] } }, /`ecs.services\[0\].name` is "w b"/],
    [{ ecs: { timeScale: 2 } }, /`ecs.timeScale` is 2/],
    [
      { ecs: { services: [{ name: "w", containerName: "a", healthCheck: { timeoutSeconds: 40 } }] } },
      /timeoutSeconds` is 40/,
    ],
    [
      { ecs: { services: [{ name: "w", containerName: "a", healthCheck: { matcher: "2xx" } }] } },
      /matcher` is "2xx"/,
    ],
    [
      {
        ecs: {
          services: [
            { name: "w", containerName: "a" },
            { name: "w", containerName: "a" },
          ],
        },
      },
      /unique names/,
    ],
  ])("rejects %j", (config, message) => {
    expect(() => parseConfig(config)).toThrow(message);
  });

  it("applies ALB's defaults to an ECS service", () => {
    const ecs = parseConfig({ ecs: { services: [{ name: "web", containerName: "app" }] } }).ecs;
    expect(ecs).toMatchObject({ cluster: "default", timeScale: 1, tickMs: 200 });
    expect(ecs?.services[0]).toMatchObject({
      desiredCount: 1,
      containerPort: 8080,
      deregistrationDelaySeconds: 300,
      healthCheck: {
        path: "/",
        intervalSeconds: 30,
        timeoutSeconds: 5,
        healthyThreshold: 5,
        unhealthyThreshold: 2,
        matcher: "200",
      },
    });
  });
});

describe("faults", () => {
  it("expires a counted fault after N hits and scopes by API and operation", () => {
    const faults = new FaultController();
    faults.add(parseFaultSpec({ kind: "throttle", count: 2, apis: ["ecr"], operations: ["DescribeImages"] }));
    expect(faults.takeRequestFault("lightsail", "DescribeImages")).toBeUndefined();
    expect(faults.takeRequestFault("ecr", "DescribeRepositories")).toBeUndefined();
    expect(faults.takeRequestFault("ecr", "DescribeImages")?.kind).toBe("throttle");
    expect(faults.takeRequestFault("ecr", "DescribeImages")?.kind).toBe("throttle");
    expect(faults.takeRequestFault("ecr", "DescribeImages")).toBeUndefined();
  });

  it("flaps health: up probes ok, then down probes failing, repeated", () => {
    const faults = new FaultController();
    faults.add(parseFaultSpec({ kind: "flappingHealth", up: 2, down: 1, target: "probe" }));
    const pattern = Array.from({ length: 6 }, () => faults.flapsDown("demo", "probe"));
    expect(pattern).toEqual([false, false, true, false, false, true]);
    expect(faults.flapsDown("demo", "proxy")).toBe(false);
  });

  it.each([
    [{ kind: "throttle", count: 0 }, /`count` is 0/],
    [{ kind: "error", status: 404 }, /`status` is 404/],
    [{ kind: "slowActivation" }, /`delayMs`/],
    [{ kind: "flappingHealth", target: "db" }, /`target` is "db"/],
    [
      { kind: "throttle", apis: ["ecs2"] },
      /`apis` is \["ecs2"\]; expected ecr \| lightsail \| ssm \| ecs \| elbv2 \| cloudwatch/,
    ],
  ])("rejects %j", (spec, message) => {
    expect(() => parseFaultSpec(spec)).toThrow(message);
  });
});
