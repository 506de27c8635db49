/**
 * When to read a deployment's state again. A deployment cannot turn ACTIVE before its health check has
 * passed `healthyThreshold` times in a row, `intervalSeconds` apart, so that is the earliest moment worth
 * checking; after it, a poll every second notices the cut-over within about a second, and the interval
 * then widens again towards `poll-interval` for a deployment that takes longer (pulling a large image).
 *
 * Rate limits: Lightsail publishes none for its API (its quotas list resource counts only), so we assume it
 * throttles like the EC2 query API's documented token bucket for reads (100 requests, refilled at 20 a
 * second per account and region) and stay far below that, since one account may run several deploys and
 * other tools at once: at most one GetContainerServiceDeployments a second per run, only for the seconds
 * around the expected cut-over, and one per `poll-interval` otherwise.
 */
export const NEAR_POLL_MS = 1000;

/** Lightsail's health-check defaults: every 5 s, healthy after 2 in a row. */
const DEFAULT_INTERVAL_SECONDS = 5;
const DEFAULT_HEALTHY_THRESHOLD = 2;

/** The earliest a deployment can turn ACTIVE after its containers start: interval × healthy threshold. */
export function expectedActivationMs(
  healthCheck: { intervalSeconds?: number; healthyThreshold?: number } | undefined,
): number {
  const interval = healthCheck?.intervalSeconds ?? DEFAULT_INTERVAL_SECONDS;
  const threshold = healthCheck?.healthyThreshold ?? DEFAULT_HEALTHY_THRESHOLD;
  return interval * threshold * 1000;
}

/**
 * The pause before the next poll, `elapsedMs` after the wait began: `baseMs` while the cut-over is far,
 * landing on the expected moment, then every second, widening by a tenth of the time since (so ten
 * seconds late polls every 2 s) back to `baseMs`.
 */
export function pollDelayMs(elapsedMs: number, expectedMs: number, baseMs: number): number {
  if (baseMs <= NEAR_POLL_MS) return baseMs;
  const untilExpected = expectedMs - elapsedMs;
  if (untilExpected > 0) return Math.min(baseMs, Math.max(NEAR_POLL_MS, untilExpected));
  return Math.min(baseMs, Math.round(NEAR_POLL_MS + -untilExpected / 10));
}
