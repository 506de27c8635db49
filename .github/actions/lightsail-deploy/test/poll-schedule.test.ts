import { describe, expect, test } from "vitest";
import { GetContainerServiceDeploymentsCommand } from "../src/targets/lightsail/lightsail-sdk.js";
import {
  expectedActivationMs,
  NEAR_POLL_MS,
  pollDelayMs,
} from "../src/targets/lightsail/release/verify/poll-schedule.js";
import { waitForDeployment } from "../src/targets/lightsail/release/verify/verify.js";
import { deployment, fakeDeps, OWN_ID } from "./fakes.js";

describe("polls derived from the health check", () => {
  test("the expected activation is interval × healthy threshold, Lightsail's defaults 5 s × 2", () => {
    expect(expectedActivationMs(undefined)).toBe(10_000);
    expect(expectedActivationMs({ intervalSeconds: 30, healthyThreshold: 3 })).toBe(90_000);
    expect(expectedActivationMs({ intervalSeconds: 10 })).toBe(20_000);
  });

  test("far from it: the poll interval, landing on the expected moment; then every second, widening back", () => {
    const delays = [0, 5_000, 8_000, 9_500, 10_000, 20_000, 30_000, 60_000, 600_000].map((t) =>
      pollDelayMs(t, 10_000, 5_000),
    );
    expect(delays).toEqual([5_000, 5_000, 2_000, 1_000, 1_000, 2_000, 3_000, 5_000, 5_000]);
  });

  test("a poll interval already at a second or less is kept", () => {
    expect(pollDelayMs(0, 10_000, 1_000)).toBe(1_000);
    expect(pollDelayMs(12_000, 10_000, 500)).toBe(500);
  });

  test("never faster than one request a second (the rate-limit budget)", () => {
    for (let t = 0; t < 300_000; t += 250)
      expect(pollDelayMs(t, 10_000, 5_000)).toBeGreaterThanOrEqual(NEAR_POLL_MS);
  });

  test("waitForDeployment follows it: a deployment turning ACTIVE at 12.5 s is seen within a second, not at 15 s", async () => {
    const { deps, aws, clock } = fakeDeps();
    const start = clock.now();
    const withHealthCheck = (state: string) => {
      const d = deployment(4, state, "v4", undefined, OWN_ID);
      d.publicEndpoint = { ...d.publicEndpoint, healthCheck: { intervalSeconds: 5, healthyThreshold: 2 } };
      return { deployments: [d, deployment(3, state === "ACTIVE" ? "INACTIVE" : "ACTIVE")] };
    };
    aws.mocks.lightsail
      .on(GetContainerServiceDeploymentsCommand)
      .callsFake(async () => withHealthCheck(clock.now() - start >= 12_500 ? "ACTIVE" : "ACTIVATING"));
    const outcome = await waitForDeployment(
      aws.clients,
      {
        serviceName: "demo",
        version: 4,
        id: OWN_ID,
        serviceUrl: undefined,
        intervalMs: 5_000,
        timeoutMs: 60_000,
        probePath: undefined,
        probeCount: 0,
        maxErrorRate: 0.01,
      },
      deps,
    );
    expect(outcome.state).toBe("ACTIVE");
    expect(clock.sleeps).toEqual([5_000, 5_000, 1_000, 1_100, 1_210]);
    expect(clock.now() - start).toBe(13_310);
  });
});
