// Small HTTP helpers shared by the routes: JSON responses and size-limited body reads.

export type FetchFn = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

/** What a route produced, plus a short reason for the request log when something went wrong. */
export interface Outcome {
  response: Response;
  detail?: string;
}

export function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json; charset=utf-8", ...headers },
  });
}

export function jsonError(
  status: number,
  error: string,
  message: string,
  headers: Record<string, string> = {},
): Response {
  return json(status, { error, message }, headers);
}

export type LimitedRead = { ok: true; bytes: Uint8Array } | { ok: false; reason: "too_large" };

/** Reads a body stream, giving up as soon as it passes `limit` bytes, so a huge body is never buffered. */
export async function readLimited(
  stream: ReadableStream<Uint8Array> | null,
  limit: number,
): Promise<LimitedRead> {
  if (stream === null) return { ok: true, bytes: new Uint8Array(0) };
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = stream.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limit) {
      await reader.cancel().catch(() => undefined);
      return { ok: false, reason: "too_large" };
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return { ok: true, bytes };
}

/** A declared Content-Length over the limit lets us refuse before reading anything. */
export function declaredLengthExceeds(request: Request, limit: number): boolean {
  const declared = Number(request.headers.get("content-length"));
  return Number.isFinite(declared) && declared > limit;
}
