import { describe, expect, it } from "vitest";
import { parseRehearsalArgs } from "../scripts/dev/rehearsal/args.js";
import { deploymentShape, type LiveService } from "../scripts/dev/rehearsal/live-service.js";
import { maskText, registeredMasks, secretForms } from "../scripts/dev/rehearsal/masking.js";
import { diffDeployments, planRehearsal } from "../scripts/dev/rehearsal/plan.js";
import { renderReport } from "../scripts/dev/rehearsal/report.js";
import { verdictOf } from "../scripts/dev/rehearsal/verdict.js";

const rawLive = {
  containers: {
    app: {
      image: ":svc.app.12",
      ports: { "8080": "HTTP" },
      environment: { API_KEY: "live-secret-1", DATABASE_URL: "postgres://x", LIGHTSAIL_DEPLOY_ID: "abc" },
    },
    cache: { image: "redis:7", command: ["redis-server"], ports: { "6379": "TCP" }, environment: {} },
  },
  publicEndpoint: {
    containerName: "app",
    containerPort: 8080,
    healthCheck: { path: "/healthz", intervalSeconds: 10, healthyThreshold: 2 },
  },
};
const live: LiveService = { name: "svc", power: "micro", scale: 2, deployment: deploymentShape(rawLive) };

describe("the live deployment's shape", () => {
  it("keeps variable names and drops every value", () => {
    expect(live.deployment.containers.app?.envNames).toEqual([
      "API_KEY",
      "DATABASE_URL",
      "LIGHTSAIL_DEPLOY_ID",
    ]);
    expect(JSON.stringify(live)).not.toContain("live-secret-1");
    expect(JSON.stringify(live)).not.toContain("postgres://x");
  });
});

describe("planRehearsal", () => {
  it("recreates port and health check, takes placeholders over rehearsal values, lists what has no value", () => {
    const plan = planRehearsal(
      live,
      { API_KEY: "r1", OTHER: "unused" },
      { DATABASE_URL: "p1", API_KEY: "p2" },
    );
    expect(plan.inputs).toEqual({
      "container-name": "app",
      "container-port": "8080",
      "health-check-path": "/healthz",
      "health-check-interval": "10",
      "healthy-threshold": "2",
    });
    expect(plan.values).toEqual({ API_KEY: "p2", DATABASE_URL: "p1" });
    expect(plan.missing).toEqual([]);
    expect(plan.notRehearsed).toEqual(["cache"]);
  });
  it("names each variable without a value (the action's own variables are not the service's)", () => {
    expect(planRehearsal(live, {}, {}).missing).toEqual(["API_KEY", "DATABASE_URL"]);
  });
});

describe("diffDeployments", () => {
  it("lists each change line by line, names only", () => {
    const rehearsed = deploymentShape({
      containers: {
        app: {
          image: "127.0.0.1:5/rehearsal:rehearsal",
          ports: { "8081": "HTTP" },
          environment: { API_KEY: "v", NEW: "w" },
        },
      },
      publicEndpoint: {
        containerName: "app",
        containerPort: 8081,
        healthCheck: { path: "/health", intervalSeconds: 10, healthyThreshold: 2 },
      },
    });
    expect(diffDeployments(live.deployment, rehearsed)).toEqual([
      "public port: 8080 → 8081",
      'health check path: "/healthz" → "/health"',
      "container app image: :svc.app.12 → 127.0.0.1:5/rehearsal:rehearsal",
      'container app ports: {"8080":"HTTP"} → {"8081":"HTTP"}',
      "container app variables only live: DATABASE_URL",
      "container app variables only rehearsed: NEW",
      "container cache: live only (not in the rehearsed request)",
    ]);
  });
  it("says nothing for the same deployment", () => {
    expect(diffDeployments(live.deployment, live.deployment)).toEqual([]);
  });
});

describe("verdictOf", () => {
  const base = {
    containerName: "app",
    port: "8080",
    healthPath: "/healthz",
    actionLog: "",
    containerLog: "",
  };
  it.each([
    [{ actionExitCode: 0, missing: [] }, true, "deployed, verified and probed on the rehearsal service"],
    [
      {
        actionExitCode: 1,
        missing: ["DATABASE_URL"],
        containerLog:
          '[deployment:1] Container "app" exited with code 4 before the deployment became healthy',
      },
      false,
      'crash on start: container "app" exited with code 4 before it was healthy; variables without a value in the rehearsal: DATABASE_URL',
    ],
    [
      {
        actionExitCode: 1,
        missing: [],
        containerLog:
          '[deployment:1] Health check of container "app" on path /healthz failed 2 times in a row (last: connection refused; success codes 200-499)',
      },
      false,
      "no healthy answer on port 8080 at /healthz (2 health checks failed, last: connection refused): a wrong port or a broken health path",
    ],
    [
      { actionExitCode: 1, missing: [], actionLog: "x\nError: lightsail-deploy failed: boom" },
      false,
      "Error: lightsail-deploy failed: boom",
    ],
  ])("%# names the cause", (input, passed, cause) => {
    expect(verdictOf({ ...base, ...input })).toEqual({ passed, cause });
  });
});

describe("masking", () => {
  it("masks the value, each of its lines and its base64, and defuses workflow commands", () => {
    const forms = secretForms(["line-one\nline-two", ...registeredMasks("::add-mask::tok-123\nother")]);
    const b64 = Buffer.from("line-one\nline-two").toString("base64");
    const text = maskText(`a line-one b\n${b64}\n::add-mask::x tok-123`, forms);
    expect(text).toBe("a *** b\n***\n: :add-mask::x ***");
  });
});

describe("parseRehearsalArgs", () => {
  it("reads the flags into options", () => {
    expect(
      parseRehearsalArgs({
        "service-name": "svc",
        image: "pr:1",
        placeholder: ["A=b=c"],
        "probe-count": "4",
      }),
    ).toEqual({
      serviceName: "svc",
      image: "pr:1",
      placeholders: { A: "b=c" },
      actionInputs: { "poll-interval": "1s", "probe-count": "4" },
    });
  });
  it.each([
    [{ image: "x" }, "`--service-name` is required"],
    [{ "service-name": "s" }, "`--image` is required"],
    [{ "service-name": "s", image: "-x" }, '`--image` is "-x"'],
    [{ "service-name": "s", image: "x", "rehearsal-path": "no-slash" }, "`--rehearsal-path`"],
    [{ "service-name": "s", image: "x", placeholder: ["=secret-value"] }, "`--placeholder` takes NAME=VALUE"],
    [{ "service-name": "s", image: "x", "time-scale": "3" }, "`--time-scale`"],
  ])("%# rejects bad input naming the flag", (args, message) => {
    expect(() => parseRehearsalArgs(args)).toThrow(message);
    try {
      parseRehearsalArgs(args);
    } catch (error) {
      expect((error as Error).message).not.toContain("secret-value");
    }
  });
});

describe("renderReport", () => {
  it("shows the verdict, the names without a value, the diff, probe and log", () => {
    const md = renderReport({
      service: "svc",
      image: "pr:1",
      verdict: { passed: false, cause: "crash on start" },
      plan: { missing: ["DATABASE_URL"], notRehearsed: ["cache"], values: { API_KEY: "secret-v" } },
      probe: ["probe 4/4 ok"],
      diff: ["public port: 8080 → 8081"],
      containerLog: "boom ```",
    });
    expect(md).toContain("failed ❌");
    expect(md).toContain("**Verdict:** crash on start");
    expect(md).toContain("Variables without a value: DATABASE_URL");
    expect(md).toContain("Variables with a rehearsal value: API_KEY");
    expect(md).toContain("- public port: 8080 → 8081");
    expect(md).not.toContain("secret-v");
    expect(md).toContain("boom '''");
  });
});
