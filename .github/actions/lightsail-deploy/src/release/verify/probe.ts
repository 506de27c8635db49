import type { HttpGet } from "../../platform/deps.js";
import { DeployError, describeError } from "../../platform/errors.js";

export interface ProbeResult {
  url: string;
  count: number;
  failures: number;
  errorRate: number;
  /** A few failure reasons, for the failure message. */
  samples: string[];
}

const PROBE_TIMEOUT_MS = 5_000;

/** Requests per node the probe sends at least. */
export const PROBES_PER_NODE = 2;

/**
 * How many requests the probe sends to a service of `scale` nodes: `probe-count`, raised to
 * PROBES_PER_NODE × scale. Lightsail's load balancer spreads requests across the nodes in turn, so one bad
 * node of N answers at least two of them and its share shows in the error rate (`max-error-rate` is taken
 * over all of them, whichever node answered). 0 (no probe) stays 0.
 */
export function probeCountFor(probeCount: number, scale: number | undefined): number {
  if (probeCount === 0) return 0;
  return Math.max(probeCount, PROBES_PER_NODE * (scale ?? 1));
}

/**
 * The public URL joined with the path: `http://127.0.0.1:8080/` + `/health`. The path may come from a
 * deployment's health check as well as from inputs, so a path that would leave the service
 * (`//other.example/x`) is refused here too.
 */
export function probeUrl(serviceUrl: string, path: string): string {
  const base = new URL(serviceUrl);
  const url = new URL(path, base);
  if (url.origin !== base.origin) {
    throw new DeployError(
      `the probe path ${JSON.stringify(path)} leads to ${url.origin}, not the service at ${base.origin}`,
      "verify",
      "set `probe-path` (or the health-check path) to a path starting with a single /",
    );
  }
  return url.toString();
}

/** Requests the URL `count` times in a row; anything but a 2xx or 3xx answer counts as an error. */
export async function probe(url: string, count: number, httpGet: HttpGet): Promise<ProbeResult> {
  let failures = 0;
  const samples: string[] = [];
  for (let i = 0; i < count; i++) {
    const reason = await httpGet(url, PROBE_TIMEOUT_MS).then(
      (response) => (response.status >= 200 && response.status < 400 ? undefined : `HTTP ${response.status}`),
      (error: unknown) => describeError(error),
    );
    if (reason !== undefined) {
      failures++;
      if (samples.length < 3) samples.push(reason);
    }
  }
  return { url, count, failures, errorRate: count === 0 ? 0 : failures / count, samples };
}
