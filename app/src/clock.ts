// Time enters the app through this seam so tests can move it by hand instead of sleeping.

export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** A signal that aborts with a `TimeoutError` once `ms` have passed. */
  timeout(ms: number): AbortSignal;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  timeout: (ms) => AbortSignal.timeout(ms),
};
