import type { Clock, HttpGet, Logger } from "../../platform/deps.js";
import { describeError } from "../../platform/errors.js";

/**
 * One request a second: a bad release is caught within about a second of its first bad answer, and a
 * two-minute window costs the service 120 small requests.
 */
export const BAKE_REQUEST_INTERVAL_MS = 1000;
const BAKE_REQUEST_TIMEOUT_MS = 5_000;

export interface BakeMinute {
  /** 1 for the window's first minute. */
  minute: number;
  requests: number;
  errors: number;
}

export interface BakeResult {
  /** The URLs requested, in turn (for messages). */
  url: string;
  /** The window asked for (`bake-time`). */
  plannedMs: number;
  /** How long it ran: shorter when the release was caught early. */
  ranMs: number;
  requests: number;
  errors: number;
  errorRate: number;
  /** The error count had passed what `max-error-rate` allows for the whole window, so it stopped early. */
  failed: boolean;
  perMinute: BakeMinute[];
  /** A few failure reasons, for the failure message. */
  samples: string[];
  /** When the first failed request was sent (the injected clock), if any. */
  firstErrorAt?: number;
}

export interface BakeOptions {
  /** Requested in turn: every custom domain and the default URL, as the probe covers them all. */
  urls: readonly string[];
  durationMs: number;
  maxErrorRate: number;
  intervalMs?: number;
}

/**
 * Keeps requesting the URL for the window. The verdict is on the error rate over the whole window: it
 * stops as soon as the errors exceed what `max-error-rate` allows for all the window's requests, since
 * no later success can bring the rate back under it.
 */
export async function bake(
  options: BakeOptions,
  deps: Clock & { httpGet: HttpGet; log: Pick<Logger, "info"> },
): Promise<BakeResult> {
  const intervalMs = options.intervalMs ?? BAKE_REQUEST_INTERVAL_MS;
  const planned = Math.max(1, Math.floor(options.durationMs / intervalMs));
  const allowed = options.maxErrorRate * planned;
  const start = deps.now();
  const end = start + options.durationMs;
  const perMinute: BakeMinute[] = [];
  const samples: string[] = [];
  let requests = 0;
  let errors = 0;
  let firstErrorAt: number | undefined;
  const shown = options.urls.join(" and ");
  deps.log.info(
    `Bake: requesting ${shown} every ${intervalMs / 1000}s for ${Math.round(options.durationMs / 1000)}s (at most ${Math.floor(allowed)} of about ${planned} may fail)`,
  );
  for (;;) {
    const sentAt = deps.now();
    const url = options.urls[requests % options.urls.length] as string;
    const failure = await deps.httpGet(url, BAKE_REQUEST_TIMEOUT_MS).then(
      (response) => (response.status >= 200 && response.status < 400 ? undefined : `HTTP ${response.status}`),
      (error: unknown) => describeError(error),
    );
    // With several URLs, a sample says which one failed: a release can fail at one domain only.
    const reason = failure === undefined || options.urls.length === 1 ? failure : `${failure} at ${url}`;
    const index = Math.floor((sentAt - start) / 60_000);
    for (let m = perMinute.length; m <= index; m++) perMinute.push({ minute: m + 1, requests: 0, errors: 0 });
    const bucket = perMinute[index] as BakeMinute;
    requests++;
    bucket.requests++;
    if (reason !== undefined) {
      errors++;
      bucket.errors++;
      firstErrorAt ??= sentAt;
      if (samples.length < 3) samples.push(reason);
      if (errors > allowed) break;
    }
    const next = sentAt + intervalMs;
    if (next >= end) break;
    await deps.sleep(Math.max(0, next - deps.now()));
  }
  const ranMs = deps.now() - start;
  return {
    url: shown,
    plannedMs: options.durationMs,
    ranMs,
    requests,
    errors,
    errorRate: requests === 0 ? 0 : errors / requests,
    // Stopped early, or (requests slower than planned) the rate over the requests made is too high.
    failed: errors > allowed || (requests > 0 && errors / requests > options.maxErrorRate),
    perMinute,
    samples,
    ...(firstErrorAt === undefined ? {} : { firstErrorAt }),
  };
}

function percent(rate: number): string {
  return `${Math.round(rate * 1000) / 10}%`;
}

/** The summary's section: totals, then requests, errors and rate for each minute of the window. */
export function renderBake(result: BakeResult): string {
  const seconds = (ms: number) => `${Math.round(ms / 1000)} s`;
  const ran =
    result.ranMs + BAKE_REQUEST_INTERVAL_MS < result.plannedMs
      ? `stopped after ${seconds(result.ranMs)} of ${seconds(result.plannedMs)}`
      : seconds(result.plannedMs);
  return [
    `### Bake window (${ran}): ${result.requests} requests, ${result.errors} errors (${percent(result.errorRate)})`,
    "",
    "| Minute | Requests | Errors | Rate |",
    "| --- | --- | --- | --- |",
    ...result.perMinute.map(
      (m) =>
        `| ${m.minute} | ${m.requests} | ${m.errors} | ${percent(m.requests === 0 ? 0 : m.errors / m.requests)} |`,
    ),
  ].join("\n");
}
