import { ConfiguredRetryStrategy } from "@smithy/core/retry";
import { describe, expect, test } from "vitest";
import { awsClients } from "../src/entry/real-deps.js";
import { AWS_MAX_ATTEMPTS as MAX_ATTEMPTS } from "../src/platform/deps.js";
import { isTransient } from "../src/platform/errors.js";
import { GetContainerServiceDeploymentsCommand } from "../src/targets/lightsail/lightsail-sdk.js";
import { verifyDeployment, waitForDeployment } from "../src/targets/lightsail/release/verify/verify.js";
import { awsError, deployment, fakeDeps, OWN_ID } from "./fakes.js";

const options = { intervalMs: 5_000, timeoutMs: 60_000 };
const watch = (overrides: { intervalMs?: number; timeoutMs?: number } = {}) => ({
  serviceName: "demo",
  version: 4,
  id: OWN_ID,
  serviceUrl: "http://127.0.0.1:8081/",
  probePath: undefined,
  probeCount: 20,
  maxErrorRate: 0.01,
  ...options,
  ...overrides,
});

function sequence(...states: string[]) {
  // Newest first and then oldest first: the code must not rely on the order.
  return states.map((state, i) => ({
    deployments:
      i % 2
        ? [deployment(3, "ACTIVE"), deployment(4, state, "v4", undefined, OWN_ID)]
        : [deployment(4, state, "v4", undefined, OWN_ID), deployment(3, "ACTIVE")],
  }));
}

describe("waitForDeployment polls the exact version with the injected clock", () => {
  test.each([
    [["ACTIVATING", "ACTIVATING", "ACTIVE"], "ACTIVE", 3],
    [["ACTIVATING", "FAILED"], "FAILED", 2],
  ])("%j → %s", async (states, expected, calls) => {
    const { deps, aws, clock } = fakeDeps();
    const stub = aws.mocks.lightsail.on(GetContainerServiceDeploymentsCommand);
    for (const response of sequence(...states)) stub.resolvesOnce(response);
    const outcome = await waitForDeployment(aws.clients, watch(), deps);
    expect(outcome.state).toBe(expected);
    expect(aws.mocks.lightsail.commandCalls(GetContainerServiceDeploymentsCommand)).toHaveLength(calls);
    // random() = 0.5 gives exactly the interval; each sleep is jittered around it.
    expect(clock.sleeps).toEqual(Array(calls - 1).fill(5_000));
  });

  test("a newer deployment that served supersedes it, whatever state version 4 shows", async () => {
    const { deps, aws } = fakeDeps();
    aws.mocks.lightsail.on(GetContainerServiceDeploymentsCommand).resolves({
      deployments: [deployment(5, "ACTIVE"), deployment(4, "INACTIVE", "v4", undefined, OWN_ID)],
    });
    const outcome = await waitForDeployment(aws.clients, watch(), deps);
    expect(outcome).toMatchObject({ state: "SUPERSEDED", by: { version: 5 } });
  });

  test("a version 4 without this run's id is not this run's deployment", async () => {
    const { deps, aws } = fakeDeps();
    aws.mocks.lightsail
      .on(GetContainerServiceDeploymentsCommand)
      .resolves({ deployments: [deployment(4, "ACTIVE", "v4", undefined, "other-run")] });
    const outcome = await waitForDeployment(aws.clients, watch({ timeoutMs: 10_000 }), deps);
    expect(outcome).toMatchObject({ state: "TIMEOUT", deployment: undefined });
  });

  test("another deployment's state does not count: only version 4 is watched", async () => {
    const { deps, aws } = fakeDeps();
    aws.mocks.lightsail
      .on(GetContainerServiceDeploymentsCommand)
      .resolvesOnce({
        deployments: [deployment(5, "FAILED"), deployment(4, "ACTIVATING", "v4", undefined, OWN_ID)],
      })
      .resolvesOnce({
        deployments: [deployment(5, "FAILED"), deployment(4, "FAILED", "v4", undefined, OWN_ID)],
      });
    expect((await waitForDeployment(aws.clients, watch(), deps)).state).toBe("FAILED");
  });

  test("times out after the timeout of fake time, without sleeping past it", async () => {
    const { deps, aws, clock } = fakeDeps();
    aws.mocks.lightsail.on(GetContainerServiceDeploymentsCommand).resolves(sequence("ACTIVATING")[0] ?? {});
    const start = clock.now();
    const outcome = await waitForDeployment(aws.clients, watch({ timeoutMs: 21_000 }), deps);
    expect(outcome).toMatchObject({ state: "TIMEOUT", deployment: { version: 4, state: "ACTIVATING" } });
    expect(clock.now() - start).toBe(21_000);
    expect(clock.sleeps).toEqual([5_000, 5_000, 5_000, 5_000, 1_000]);
  });

  test("jitter spreads the interval by ±20%", async () => {
    const { deps, aws, clock } = fakeDeps({ random: () => 0 });
    aws.mocks.lightsail
      .on(GetContainerServiceDeploymentsCommand)
      .resolvesOnce(sequence("ACTIVATING")[0] ?? {})
      .resolves(sequence("ACTIVE")[0] ?? {});
    await waitForDeployment(aws.clients, watch(), deps);
    expect(clock.sleeps).toEqual([4_000]);
  });
});

test("a status call that still fails after the SDK's retries is polled again, not taken as the outcome", async () => {
  const { deps, aws, log } = fakeDeps();
  aws.mocks.lightsail
    .on(GetContainerServiceDeploymentsCommand)
    .rejectsOnce(awsError("ThrottlingException", "Rate exceeded"))
    .rejectsOnce(
      Object.assign(awsError("ServiceException", "internal"), { $metadata: { httpStatusCode: 500 } }),
    )
    .resolves(sequence("ACTIVE")[0] ?? {});
  expect((await waitForDeployment(aws.clients, watch(), deps)).state).toBe("ACTIVE");
  expect(log.lines.filter((l) => l.includes("polling again"))).toHaveLength(2);
});

test("H1: a status read never decides a verdict: access denied mid-run is polled through, then said", async () => {
  const { deps, aws } = fakeDeps();
  aws.mocks.lightsail
    .on(GetContainerServiceDeploymentsCommand)
    .rejectsOnce(awsError("AccessDeniedException", "no"))
    .resolves(sequence("ACTIVE")[0] ?? {});
  expect((await waitForDeployment(aws.clients, watch(), deps)).state).toBe("ACTIVE");

  const denied = fakeDeps();
  denied.aws.mocks.lightsail
    .on(GetContainerServiceDeploymentsCommand)
    .rejects(awsError("AccessDeniedException", "no"));
  const verdict = await verifyDeployment(denied.aws.clients, watch({ timeoutMs: 10_000 }), denied.deps);
  expect(verdict).toMatchObject({ kind: "timed-out" });
  expect(verdict.kind === "timed-out" && verdict.reason).toContain(
    "could not be judged: its status could not be read within 10s (AccessDeniedException: no",
  );
});

test.each([
  "ENETUNREACH",
  "EHOSTUNREACH",
  "ENOTFOUND",
  "ECONNABORTED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "EAI_AGAIN",
])("H1: the network error %s is transient, as are the SDK's own classes", (code) => {
  expect(isTransient(Object.assign(new Error(`connect ${code}`), { code }))).toBe(true);
});

test.each([
  [awsError("ThrottlingException"), true],
  [awsError("TooManyRequestsException"), true],
  [awsError("RequestTimeoutException"), true],
  [awsError("RequestThrottledException"), true],
  [awsError("SlowDown"), true],
  [Object.assign(awsError("X"), { $metadata: { httpStatusCode: 503 } }), true],
  [Object.assign(awsError("X"), { $retryable: {} }), true],
  [new Error("fetch failed", { cause: Object.assign(new Error("x"), { code: "EHOSTUNREACH" }) }), true],
  [awsError("AccessDeniedException"), false],
  [awsError("InvalidInputException"), false],
  [awsError("AbortError"), false],
])("H1: isTransient(%s) = %s", (error, expected) => {
  expect(isTransient(error)).toBe(expected);
});

describe("throttling bursts are absorbed by the SDK's retries", () => {
  // aws-sdk-client-mock replaces Client#send, so its `rejects` never reach the retry middleware.
  // These tests use real clients (the production configuration) with a fake HTTP handler instead,
  // and a zero backoff so nothing sleeps.
  function throttlingClients(throttles: number) {
    const requests: string[] = [];
    const clients = awsClients("eu-west-1", {
      credentials: { accessKeyId: "test", secretAccessKey: "test" },
      retryStrategy: new ConfiguredRetryStrategy(MAX_ATTEMPTS, 0),
      requestHandler: {
        handle: async (request: { headers: Record<string, string> }) => {
          requests.push(request.headers["x-amz-target"] ?? "");
          const throttled = requests.length <= throttles;
          const body = throttled
            ? { __type: "ThrottlingException", message: "Rate exceeded" }
            : {
                deployments: [
                  { ...deployment(4, "ACTIVE", "v4", undefined, OWN_ID), createdAt: 1_700_000_000 },
                ],
              };
          return {
            response: {
              statusCode: throttled ? 400 : 200,
              headers: { "content-type": "application/x-amz-json-1.1" },
              body: Buffer.from(JSON.stringify(body)),
            },
          };
        },
      },
    });
    return { clients, requests };
  }

  test("three ThrottlingExceptions in a row, then the answer: one poll, four requests", async () => {
    const { deps } = fakeDeps();
    const { clients, requests } = throttlingClients(3);
    const outcome = await waitForDeployment(clients, watch(), deps);
    expect(outcome.state).toBe("ACTIVE");
    expect(requests).toEqual(Array(4).fill("Lightsail_20161128.GetContainerServiceDeployments"));
  });

  test("a burst longer than the retries costs one poll interval, and the next poll gets the answer", async () => {
    const { deps, clock } = fakeDeps();
    const { clients, requests } = throttlingClients(MAX_ATTEMPTS);
    expect((await waitForDeployment(clients, watch(), deps)).state).toBe("ACTIVE");
    expect(requests.length).toBe(MAX_ATTEMPTS + 1);
    expect(clock.sleeps).toEqual([5_000]);
  });
});

describe("verifyDeployment", () => {
  const verifyOptions = watch();

  test("ACTIVE and all probes answer: ok, probing the health-check path", async () => {
    const { deps, aws, probes } = fakeDeps();
    aws.mocks.lightsail.on(GetContainerServiceDeploymentsCommand).resolves(sequence("ACTIVE")[0] ?? {});
    const verdict = await verifyDeployment(aws.clients, verifyOptions, deps);
    expect(verdict.kind).toBe("good");
    expect(probes).toEqual(Array(20).fill("http://127.0.0.1:8081/health"));
  });

  test("an error rate above max-error-rate fails the deploy, and says it went ACTIVE", async () => {
    let n = 0;
    const { deps, aws } = fakeDeps({
      httpGet: async () => {
        n++;
        if (n === 3) throw awsError("TypeError", "fetch failed");
        return { status: n % 5 === 0 ? 502 : 200 };
      },
    });
    aws.mocks.lightsail.on(GetContainerServiceDeploymentsCommand).resolves(sequence("ACTIVE")[0] ?? {});
    const verdict = await verifyDeployment(aws.clients, verifyOptions, deps);
    expect(verdict).toMatchObject({ kind: "rejected", activated: true });
    expect(verdict.kind === "rejected" && verdict.reason).toBe(
      "went ACTIVE but failed the probe: 5 of 20 requests to http://127.0.0.1:8081/health failed (25% > 1%; e.g. TypeError: fetch failed, HTTP 502, HTTP 502)",
    );
  });

  test("an error rate at the limit passes", async () => {
    let n = 0;
    const { deps, aws } = fakeDeps({ httpGet: async () => ({ status: ++n === 1 ? 500 : 200 }) });
    aws.mocks.lightsail.on(GetContainerServiceDeploymentsCommand).resolves(sequence("ACTIVE")[0] ?? {});
    expect((await verifyDeployment(aws.clients, { ...verifyOptions, maxErrorRate: 0.05 }, deps)).kind).toBe(
      "good",
    );
  });

  test.each([
    ["FAILED", "rejected", "FAILED: its containers did not start or did not pass the health check"],
    ["ACTIVATING", "timed-out", "did not become ACTIVE within 60s (last state: ACTIVATING)"],
  ])("%s is a failure before activation", async (state, kind, reason) => {
    const { deps, aws, probes } = fakeDeps();
    aws.mocks.lightsail.on(GetContainerServiceDeploymentsCommand).resolves(sequence(state)[0] ?? {});
    expect(await verifyDeployment(aws.clients, verifyOptions, deps)).toMatchObject({ kind, reason });
    expect(probes).toEqual([]);
  });
});
