// POST /authorize: validate the JSON body, forward it to the authorizer, relay the answer.
import type { Clock } from "./clock.js";
import type { AppConfig } from "./config.js";
import { declaredLengthExceeds, type FetchFn, jsonError, type Outcome, readLimited } from "./http.js";

// The authorizer's answer is relayed whole; a runaway upstream must not exhaust memory.
const MAX_UPSTREAM_BODY_BYTES = 1024 * 1024;

export interface AuthorizeDeps {
  config: AppConfig;
  fetch: FetchFn;
  clock: Clock;
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
    return {
      response: new Response(answer.bytes, {
        status: upstream.status,
        headers: { "content-type": upstream.headers.get("content-type") ?? "application/json" },
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
