import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { forwardRequest } from "local-aws";

/** Counts of AWS API calls by `X-Amz-Target` operation (e.g. `Lightsail_20161128.GetContainerLog`). */
export type CallCounts = Map<string, number>;

/** Pure: short operation names with counts, largest first, and the total. */
export function summarizeCalls(counts: CallCounts): { total: number; byOperation: [string, number][] } {
  const byOperation = [...counts.entries()]
    .map(([target, count]): [string, number] => [target.replace(/^.*\./, ""), count])
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  return { total: byOperation.reduce((sum, [, count]) => sum + count, 0), byOperation };
}

/**
 * A loopback HTTP proxy in front of the stand-in's API that counts every request a client makes,
 * retries included, so the bench counts calls from the outside rather than trusting either side.
 */
export async function startCountingProxy(upstream: string): Promise<{
  endpoint: string;
  counts: CallCounts;
  /** `Date.now()` of the first request since the last reset. */
  firstRequestAt(): number | undefined;
  reset(): void;
  close(): Promise<void>;
}> {
  const target = new URL(upstream);
  const counts: CallCounts = new Map();
  let firstAt: number | undefined;
  const server: Server = createServer((incoming, outgoing) => {
    firstAt ??= Date.now();
    const operation = String(incoming.headers["x-amz-target"] ?? `${incoming.method} ${incoming.url}`);
    counts.set(operation, (counts.get(operation) ?? 0) + 1);
    forwardRequest(incoming, outgoing, {
      host: target.hostname,
      port: Number(target.port),
      forwardedFor: "keep",
      onUpstreamError: "reset",
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    counts,
    firstRequestAt: () => firstAt,
    reset: () => {
      counts.clear();
      firstAt = undefined;
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
