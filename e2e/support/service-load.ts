/** One answer of the service URL during a test: when it came and whether it failed. */
export interface ServiceAnswer {
  at: number;
  ok: boolean;
  status: number;
}

/**
 * A bounded request loop on the service URL: one request at a time, `gapMs` apart, until stop() or
 * `maxRequests`. It counts what a user would see: any answer but 200, or no answer, is a failure.
 */
export function loadServiceUrl(url: string, options: { gapMs?: number; maxRequests?: number } = {}) {
  const answers: ServiceAnswer[] = [];
  const gapMs = options.gapMs ?? 20;
  const maxRequests = options.maxRequests ?? 3000;
  let stopped = false;
  const loop = (async () => {
    while (!stopped && answers.length < maxRequests) {
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
  })();
  return {
    answers,
    /** Failed answers before and from `recoveredAt` (e.g. the end of the run that recovered). */
    failures(recoveredAt: number) {
      const failed = answers.filter((a) => !a.ok);
      return {
        before: failed.filter((a) => a.at < recoveredAt).length,
        after: failed.filter((a) => a.at >= recoveredAt).length,
      };
    },
    async stop() {
      stopped = true;
      await loop;
    },
  };
}
