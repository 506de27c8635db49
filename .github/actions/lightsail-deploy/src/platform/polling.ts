import type { Clock, Logger } from "./deps.js";
import { describeError, isTransient } from "./errors.js";
import type { ReleaseKind } from "./release-kind.js";

export interface PollOptions {
  intervalMs: number;
  timeoutMs: number;
  /** The pause before the next call, by the time since the first; `intervalMs` without it. */
  delayMs?: (elapsedMs: number) => number;
}

/**
 * Rollbacks restore service, so seconds count and the few extra status calls are cheap: they poll at
 * least this often, whatever `poll-interval` says.
 */
export const ROLLBACK_POLL_INTERVAL_MS = 2000;

export function pollIntervalFor(kind: ReleaseKind, pollIntervalMs: number): number {
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
  const start = clock.now();
  const deadline = start + options.timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return { done: true, value };
    const remaining = deadline - clock.now();
    if (remaining <= 0) return { done: false };
    const interval = options.delayMs ? options.delayMs(clock.now() - start) : options.intervalMs;
    await clock.sleep(Math.min(jittered(interval, clock.random()), remaining));
  }
}

/** Backoff between attempts of a call that keeps failing: 1 s, 2 s, 4 s … at most 15 s, jittered. */
export function backoffMs(attempt: number, random: number): number {
  return jittered(Math.min(1000 * 2 ** (attempt - 1), 15_000), random);
}

/**
 * Calls `attempt` until it succeeds, retrying errors that `retryable` accepts (by default throttling,
 * server faults and network errors, after the SDK's own retries) with backoff until `deadline`. Then the
 * last error is thrown. Recovery uses it: a rollback must outlast an AWS bad patch, not give up in seconds.
 */
export async function retryUntil<T>(
  attempt: () => Promise<T>,
  options: {
    deadline: number;
    what: string;
    retryable?: (error: unknown) => boolean;
    /** What a failed attempt is known to have left behind, e.g. "and created nothing". */
    aftermath?: string;
  },
  deps: Clock & { log: Logger },
): Promise<T> {
  const retryable = options.retryable ?? isTransient;
  for (let n = 1; ; n++) {
    try {
      return await attempt();
    } catch (error) {
      const delay = backoffMs(n, deps.random());
      if (!retryable(error) || deps.now() + delay > options.deadline) throw error;
      const aftermath = options.aftermath === undefined ? "" : ` ${options.aftermath}`;
      deps.log.warning(
        `${options.what} failed (${describeError(error)})${aftermath}; trying again in ${delay} ms`,
      );
      await deps.sleep(delay);
    }
  }
}
