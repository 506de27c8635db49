/** One answer of the service URL during a test: when it came and whether it failed. */
export interface ServiceAnswer {
  at: number;
  ok: boolean;
  status: number;
}

/** What users saw, split at the moment the pipeline said it was done (the end of the recovering run). */
export interface LoadReport {
  /** Failed answers before recovery. */
  before: ServiceAnswer[];
  /** Failed answers from recovery on: what a user still saw after the pipeline said it was done. */
  after: ServiceAnswer[];
  /** Answers from recovery on, failed or not. */
  answersAfter: number;
  /** One line for the test output: counts, and when and how the failures came. */
  summary: string;
}

/**
 * A bounded request loop on the service URL: one request at a time, `gapMs` apart, until stop() or
 * `maxRequests`. It counts what a user would see: any answer but 200, or no answer, is a failure.
 */
export function loadServiceUrl(url: string, options: { gapMs?: number; maxRequests?: number } = {}) {
  const answers: ServiceAnswer[] = [];
  const startedAt = Date.now();
  const gapMs = options.gapMs ?? 20;
  const maxRequests = options.maxRequests ?? 3000;
  let stopped = false;
  let limit = maxRequests;
  const run = async () => {
    while (!stopped && answers.length < limit) {
      const at = Date.now();
      try {
        const response = await fetch(url, { signal: AbortSignal.timeout(5000) });
        await response.arrayBuffer();
        answers.push({ at, ok: response.status === 200, status: response.status });
      } catch {
        answers.push({ at, ok: false, status: 0 });
      }
      await new Promise((resolve) => setTimeout(resolve, gapMs));
    }
  };
  let loop = run();
  return {
    answers,
    async stop() {
      stopped = true;
      await loop;
    },
    /**
     * Marks recovery now (call it when the recovering run has ended), lets `answers` more requests answer
     * (past the cap if the loop already reached it, so that the end state is always measured), stops, and
     * reports. Logs the report's summary, labelled.
     */
    async stopAfterRecovery(label: string, more = 25): Promise<LoadReport> {
      const recoveredAt = Date.now();
      const capped = answers.length >= limit;
      limit = answers.length + more;
      if (capped) loop = run();
      await loop;
      stopped = true;
      const failed = answers.filter((a) => !a.ok);
      const before = failed.filter((a) => a.at < recoveredAt);
      const after = failed.filter((a) => a.at >= recoveredAt);
      const answersAfter = answers.filter((a) => a.at >= recoveredAt).length;
      const s = (at: number) => `${((at - startedAt) / 1000).toFixed(1)}s`;
      const span = before.length
        ? ` (${s(before[0]?.at ?? 0)}–${s(before.at(-1)?.at ?? 0)}, ${[...new Set(before.map((a) => (a.status ? `HTTP ${a.status}` : "no answer")))].join(", ")})`
        : "";
      const summary =
        `[load] ${label}: ${answers.length} requests${capped ? ` (cap of ${maxRequests} reached before recovery)` : ""}; ` +
        `failed before recovery: ${before.length}${span}; after recovery at ${s(recoveredAt)}: ${after.length} of ${answersAfter}`;
      console.log(summary);
      return { before, after, answersAfter, summary };
    },
  };
}
