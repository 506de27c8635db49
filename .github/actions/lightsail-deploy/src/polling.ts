import type { Clock } from "./deps.js";

export interface PollOptions {
  intervalMs: number;
  timeoutMs: number;
}

/**
 * Rollbacks restore service, so seconds count and the few extra status calls are cheap: they poll at
 * least this often, whatever `poll-interval` says.
 */
export const ROLLBACK_POLL_INTERVAL_MS = 2000;

export function pollIntervalFor(kind: "deploy" | "rollback", pollIntervalMs: number): number {
  return kind === "rollback" ? Math.min(pollIntervalMs, ROLLBACK_POLL_INTERVAL_MS) : pollIntervalMs;
}

/** The interval spread by ±20% so that parallel runs do not poll in step. */
export function jittered(intervalMs: number, random: number): number {
  return Math.round(intervalMs * (0.8 + 0.4 * random));
}

/**
 * Calls `check` until it returns a value or the timeout passes. Time comes from the injected clock,
 * so tests run instantly.
 */
export async function pollUntil<T>(
  check: () => Promise<T | undefined>,
  options: PollOptions,
  clock: Clock,
): Promise<{ done: true; value: T } | { done: false }> {
  const deadline = clock.now() + options.timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return { done: true, value };
    const remaining = deadline - clock.now();
    if (remaining <= 0) return { done: false };
    await clock.sleep(Math.min(jittered(options.intervalMs, clock.random()), remaining));
  }
}
