import type { IncomingMessage } from "node:http";

/** How much a client may send and how long it may take: the API never buffers more or waits longer. */
export interface RequestLimits {
  /** Largest request body accepted; larger ones get 413 before (or as soon as) they exceed it. */
  maxBodyBytes: number;
  /** A request (headers and body) must arrive within this; Node answers 408 otherwise. */
  requestTimeoutMs: number;
  /** The headers must arrive within this. */
  headersTimeoutMs: number;
  /** How often Node looks for requests over those timeouts. */
  checkIntervalMs: number;
}

export const DEFAULT_REQUEST_LIMITS: RequestLimits = {
  maxBodyBytes: 1024 * 1024,
  requestTimeoutMs: 30_000,
  headersTimeoutMs: 10_000,
  checkIntervalMs: 1_000,
};

/** Marks a body over `maxBodyBytes`. */
export const TOO_LARGE = Symbol("body too large");

/**
 * Reads the body as UTF-8 text, keeping at most `maxBytes`. A declared `content-length` over the limit is
 * refused before anything is read; a streamed body is dropped as soon as it goes over.
 */
export function readBoundedBody(
  request: IncomingMessage,
  maxBytes: number,
): Promise<string | typeof TOO_LARGE> {
  if (Number(request.headers["content-length"] ?? 0) > maxBytes) return Promise.resolve(TOO_LARGE);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= maxBytes) {
        chunks.push(chunk);
        return;
      }
      chunks.length = 0;
      request.off("data", onData);
      resolve(TOO_LARGE);
    };
    request.on("data", onData);
    request.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    request.on("error", reject);
  });
}
