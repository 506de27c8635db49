// POST /authorize: validate the JSON body, forward it to the authorizer, relay the answer.
import type { AnswerCache } from "./cache.js";
import type { Clock } from "./clock.js";
import type { AppConfig } from "./config.js";
import { declaredLengthExceeds, type FetchFn, jsonError, type Outcome, readLimited } from "./http.js";

// The authorizer's answer is relayed whole; a runaway upstream must not exhaust memory.
const MAX_UPSTREAM_BODY_BYTES = 1024 * 1024;

export interface AuthorizeDeps {
  config: AppConfig;
  fetch: FetchFn;
  clock: Clock;
  /** Keeps positive answers (2xx) for a while; absent: every request asks the authorizer. */
  cache?: AnswerCache;
}

interface CachedAnswer {
  status: number;
  contentType: string;
  body: string;
}

/** The same body to the same authorizer is the same question; the key never holds the body itself. */
function cacheKey(config: AppConfig, text: string): string {
  const hash = new Bun.CryptoHasher("sha256").update(`${config.authorizerUrl.href}\n${text}`).digest("hex");
  return `authorize:v1:${hash}`;
}

function fromCache(value: string | undefined): CachedAnswer | undefined {
  if (value === undefined) return undefined;
  try {
    const answer = JSON.parse(value) as CachedAnswer;
    return typeof answer.status === "number" && typeof answer.body === "string" ? answer : undefined;
  } catch {
    return undefined;
  }
}

export async function forwardAuthorize(request: Request, deps: AuthorizeDeps): Promise<Outcome> {
  const { config } = deps;
  const tooLarge = () => ({
    response: jsonError(
      413,
      "payload_too_large",
      `request body must be at most ${config.maxBodyBytes} bytes`,
    ),
  });
  if (declaredLengthExceeds(request, config.maxBodyBytes)) return tooLarge();

  const body = await readLimited(request.body, config.maxBodyBytes);
  if (!body.ok) return tooLarge();
  const text = new TextDecoder().decode(body.bytes);
  try {
    JSON.parse(text);
  } catch {
    return { response: jsonError(400, "invalid_json", "request body must be valid JSON") };
  }

  const key = deps.cache ? cacheKey(config, text) : undefined;
  const cached = key === undefined ? undefined : fromCache(await deps.cache?.get(key));
  if (cached) {
    return {
      response: new Response(Buffer.from(cached.body, "base64"), {
        status: cached.status,
        headers: { "content-type": cached.contentType, "x-cache": "hit" },
      }),
      detail: "cache hit",
    };
  }

  const headers: Record<string, string> = {
    "content-type": "application/json",
    accept: "application/json",
  };
  if (config.apiKey !== undefined) headers.authorization = `Bearer ${config.apiKey}`;

  // One signal covers the whole exchange: connecting, waiting for headers and reading the body.
  const signal = deps.clock.timeout(config.authorizerTimeoutMs);
  try {
    const upstream = await deps.fetch(config.authorizerUrl, {
      method: "POST",
      headers,
      body: text,
      signal,
      redirect: "manual",
    });
    const answer = await readLimited(upstream.body, MAX_UPSTREAM_BODY_BYTES);
    if (!answer.ok) {
      return {
        response: jsonError(502, "bad_gateway", "the authorizer's response was too large"),
        detail: `upstream body over ${MAX_UPSTREAM_BODY_BYTES} bytes`,
      };
    }
    const contentType = upstream.headers.get("content-type") ?? "application/json";
    if (key !== undefined && upstream.ok) {
      const kept: CachedAnswer = {
        status: upstream.status,
        contentType,
        body: Buffer.from(answer.bytes).toString("base64"),
      };
      await deps.cache?.set(key, JSON.stringify(kept));
    }
    return {
      response: new Response(answer.bytes, {
        status: upstream.status,
        headers: {
          "content-type": contentType,
          ...(key === undefined ? {} : { "x-cache": "miss" }),
        },
      }),
      detail: upstream.ok ? undefined : `upstream answered ${upstream.status}`,
    };
  } catch (error) {
    if (signal.aborted) {
      return {
        response: jsonError(
          504,
          "gateway_timeout",
          `the authorizer did not answer within ${config.authorizerTimeoutMs} ms`,
        ),
        detail: "upstream timeout",
      };
    }
    return {
      response: jsonError(502, "bad_gateway", "the authorizer could not be reached"),
      detail: `upstream failed: ${error instanceof Error ? error.message : String(error)}`,
    };
  }
}
