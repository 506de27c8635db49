import { describe, expect, test } from "vitest";
import { run } from "../src/entry/run.js";
import { parseInputs } from "../src/inputs/inputs.js";
import { bake, renderBake } from "../src/release/verify/bake.js";
import { renderSummary } from "../src/report/report.js";
import { GetContainerServiceDeploymentsCommand } from "../src/targets/lightsail/lightsail-sdk.js";
import { verifyDeployment } from "../src/targets/lightsail/release/verify/verify.js";
import {
  deployment,
  fakeClock,
  fakeDeps,
  fakeRecordParameter,
  OWN_ID,
  REPOSITORY_URI,
  statefulLightsail,
} from "./fakes.js";

const URL = "http://127.0.0.1:8081/health";

/** A service that answers 200 until `failFromMs` of fake time after the start, then 500. */
function degradingAfter(clock: ReturnType<typeof fakeClock>, failFromMs: number) {
  const start = clock.now();
  const sent: number[] = [];
  return {
    sent,
    httpGet: async () => {
      sent.push(clock.now() - start);
      return { status: clock.now() - start >= failFromMs ? 500 : 200 };
    },
  };
}

const quiet = { info: () => undefined };

describe("bake: the error rate over the whole window", () => {
  test("a healthy window makes one request a second for its length, with a row per minute", async () => {
    const clock = fakeClock();
    const service = degradingAfter(clock, Number.POSITIVE_INFINITY);
    const result = await bake(
      { urls: [URL], durationMs: 120_000, maxErrorRate: 0.01 },
      { ...clock, httpGet: service.httpGet, log: quiet },
    );
    expect(result).toMatchObject({ requests: 120, errors: 0, failed: false, ranMs: 119_000 });
    expect(result.perMinute).toEqual([
      { minute: 1, requests: 60, errors: 0 },
      { minute: 2, requests: 60, errors: 0 },
    ]);
    expect(service.sent.slice(0, 3)).toEqual([0, 1000, 2000]);
  });

  test("a release that starts failing is caught as soon as the window can no longer pass", async () => {
    const clock = fakeClock();
    const service = degradingAfter(clock, 30_000);
    const result = await bake(
      { urls: [URL], durationMs: 120_000, maxErrorRate: 0.01 },
      { ...clock, httpGet: service.httpGet, log: quiet },
    );
    // 1% of 120 requests allows one failure: the second one decides, a second after the first.
    expect(result).toMatchObject({ requests: 32, errors: 2, failed: true, ranMs: 31_000 });
    expect(result.firstErrorAt).toBe(clock.now() - 1000);
    expect(result.samples).toEqual(["HTTP 500", "HTTP 500"]);
  });

  test("one failure the rate allows does not fail the window", async () => {
    const clock = fakeClock();
    let n = 0;
    const result = await bake(
      { urls: [URL], durationMs: 120_000, maxErrorRate: 0.01 },
      { ...clock, httpGet: async () => ({ status: ++n === 50 ? 503 : 200 }), log: quiet },
    );
    expect(result).toMatchObject({ requests: 120, errors: 1, failed: false });
    expect(result.perMinute[0]).toEqual({ minute: 1, requests: 60, errors: 1 });
    expect(renderBake(result)).toContain("| 1 | 60 | 1 | 1.7% |");
  });

  test("with a custom domain, the window requests it and the default URL in turn, and names the one that fails", async () => {
    const clock = fakeClock();
    const DOMAIN = "https://api.example.test/health";
    const sent: string[] = [];
    const start = clock.now();
    const result = await bake(
      { urls: [DOMAIN, URL], durationMs: 120_000, maxErrorRate: 0.01 },
      {
        ...clock,
        httpGet: async (url) => {
          sent.push(url);
          return { status: url === DOMAIN && clock.now() - start >= 30_000 ? 421 : 200 };
        },
        log: quiet,
      },
    );
    expect(sent.slice(0, 4)).toEqual([DOMAIN, URL, DOMAIN, URL]);
    expect(result).toMatchObject({ errors: 2, failed: true });
    expect(result.samples).toEqual([`HTTP 421 at ${DOMAIN}`, `HTTP 421 at ${DOMAIN}`]);
  });

  test("no answer counts as an error", async () => {
    const clock = fakeClock();
    const result = await bake(
      { urls: [URL], durationMs: 10_000, maxErrorRate: 0 },
      {
        ...clock,
        httpGet: async () => {
          throw new Error("connect ECONNREFUSED");
        },
        log: quiet,
      },
    );
    expect(result).toMatchObject({ requests: 1, errors: 1, failed: true });
  });
});

describe("verifyDeployment with a bake window", () => {
  const options = {
    serviceName: "demo",
    version: 4,
    id: OWN_ID,
    serviceUrl: "http://127.0.0.1:8081/",
    probePath: undefined,
    probeCount: 5,
    maxErrorRate: 0.01,
    intervalMs: 5_000,
    timeoutMs: 60_000,
    bakeMs: 60_000,
  };
  const active = {
    deployments: [deployment(4, "ACTIVE", "v4", undefined, OWN_ID), deployment(3, "INACTIVE")],
  };

  test("a release that passes the probe and then fails is rejected as ACTIVE, with the window's figures", async () => {
    const { deps, aws, clock } = fakeDeps();
    const service = degradingAfter(clock, 20_000);
    deps.httpGet = service.httpGet;
    aws.mocks.lightsail.on(GetContainerServiceDeploymentsCommand).resolves(active);
    const verdict = await verifyDeployment(aws.clients, options, deps);
    expect(verdict).toMatchObject({ kind: "rejected", activated: true, bake: { failed: true, errors: 1 } });
    expect(verdict.kind === "rejected" && verdict.reason).toBe(
      `went ACTIVE and passed the probe, then failed the bake window: 1 of 21 requests to ${URL} failed in 20s (more than 1% of the 60s window; e.g. HTTP 500)`,
    );
  });

  test("without bakeMs the verdict comes right after the probe", async () => {
    const { deps, aws, probes } = fakeDeps();
    aws.mocks.lightsail.on(GetContainerServiceDeploymentsCommand).resolves(active);
    const verdict = await verifyDeployment(aws.clients, { ...options, bakeMs: 0 }, deps);
    expect(verdict.kind).toBe("good");
    expect(probes).toHaveLength(5);
  });
});

describe("a run with `bake-time`", () => {
  const NEW_IMAGE = `${REPOSITORY_URI}:0123456`;

  test("a release that degrades inside the window is rolled back like a failed probe, and the summary shows the window", async () => {
    const { deps, aws, clock } = fakeDeps();
    fakeRecordParameter(aws);
    const lightsail = statefulLightsail(aws);
    let failingSince: number | undefined;
    // The new image answers well for 10 s of serving, then 500s.
    deps.httpGet = async () => {
      if (lightsail.servingImage() !== NEW_IMAGE) return { status: 200 };
      failingSince ??= clock.now() + 10_000;
      return { status: clock.now() >= failingSince ? 500 : 200 };
    };
    const result = await run({ "service-name": "demo", repository: "app", "bake-time": "2m" }, deps);
    expect(result.status).toBe("rolled-back");
    expect(result.error).toContain("failed the bake window");
    expect(result.error).toContain(
      "rolled back: version 5 (the configuration of verified version 3) is serving",
    );
    expect(lightsail.servingImage()).toBe(`${REPOSITORY_URI}:v3`);
    expect(result.bake).toMatchObject({ failed: true, errors: 2 });
    const summary = renderSummary(result);
    expect(summary).toMatch(/### Bake window \(stopped after \d+ s of 120 s\): \d+ requests, 2 errors/);
    expect(summary).toContain("| Minute | Requests | Errors | Rate |");
    const phases = (result.timeline ?? []).map((s) => s.phase);
    expect(phases).toEqual(expect.arrayContaining(["bake", "rollback", "activation", "probe", "deployment"]));
  });

  test("a rollback step has no bake window", async () => {
    const { deps, aws } = fakeDeps();
    fakeRecordParameter(aws);
    statefulLightsail(aws);
    const result = await run({ "service-name": "demo", "rollback-to": "previous", "bake-time": "2m" }, deps);
    expect(result.bake).toBeUndefined();
    expect((result.timeline ?? []).some((s) => s.phase === "bake")).toBe(false);
  });
});

describe("`bake-time`", () => {
  const base = { "service-name": "demo", repository: "app" };
  test("off unless set; a duration up to an hour", () => {
    expect(parseInputs(base, {}).bakeMs).toBe(0);
    expect(parseInputs({ ...base, "bake-time": "2m" }, {}).bakeMs).toBe(120_000);
    expect(parseInputs({ ...base, "bake-time": "90" }, {}).bakeMs).toBe(90_000);
  });
  test.each(["soon", "2d", "61m"])("%s is refused, naming the input", (value) => {
    expect(() => parseInputs({ ...base, "bake-time": value }, {})).toThrow(
      `\`bake-time\` is ${JSON.stringify(value)}, which is not a duration from 0s to 1h`,
    );
  });
});

describe("`probe-count: 0` with a bake window", () => {
  test("skips the first probe, not the window", async () => {
    const { deps, aws, clock } = fakeDeps();
    const service = degradingAfter(clock, 5_000);
    deps.httpGet = service.httpGet;
    aws.mocks.lightsail.on(GetContainerServiceDeploymentsCommand).resolves({
      deployments: [deployment(4, "ACTIVE", "v4", undefined, OWN_ID), deployment(3, "INACTIVE")],
    });
    const verdict = await verifyDeployment(
      aws.clients,
      {
        serviceName: "demo",
        version: 4,
        id: OWN_ID,
        serviceUrl: "http://127.0.0.1:8081/",
        probePath: undefined,
        probeCount: 0,
        maxErrorRate: 0.01,
        intervalMs: 5_000,
        timeoutMs: 60_000,
        bakeMs: 60_000,
      },
      deps,
    );
    expect(verdict).toMatchObject({ kind: "rejected", activated: true, bake: { failed: true } });
    expect(service.sent[0]).toBe(0);
    expect(verdict.kind === "rejected" && verdict.reason).toMatch(
      /^went ACTIVE, then failed the bake window: 1 of 6 requests/,
    );
  });
});
