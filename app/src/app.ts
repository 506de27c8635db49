// The app built from its dependencies: routing and one log line per request.
import { forwardAuthorize } from "./authorize.js";
import type { AnswerCache } from "./cache.js";
import type { Clock } from "./clock.js";
import type { AppConfig } from "./config.js";
import { type FetchFn, json, jsonError, type Outcome } from "./http.js";
import type { Logger } from "./logger.js";

export interface AppDeps {
  config: AppConfig;
  fetch: FetchFn;
  clock: Clock;
  logger: Logger;
  /** The /authorize answer cache (Redis), when REDIS_URL is set. */
  cache?: AnswerCache;
}

export interface App {
  /** The request handler for `Bun.serve`. */
  fetch(request: Request): Promise<Response>;
  /** Requests being handled right now (reported when shutting down). */
  inFlight(): number;
}

export function createApp(deps: AppDeps): App {
  const { config, clock, logger } = deps;
  const startedAt = clock.now();
  let inFlight = 0;

  const health = (): Outcome => ({
    response: json(200, {
      status: "ok",
      version: config.version,
      uptimeSeconds: Math.floor((clock.now() - startedAt) / 1000),
      // Whether each setting is present, never its value.
      config: {
        authorizerUrl: true,
        apiKey: config.apiKey !== undefined,
        cache: config.redisUrl !== undefined,
      },
    }),
  });

  const route = async (request: Request, path: string): Promise<Outcome> => {
    switch (path) {
      case "/health":
        if (request.method === "GET" || request.method === "HEAD") return health();
        return methodNotAllowed(request.method, "GET, HEAD");
      case "/authorize":
        if (request.method === "POST") return forwardAuthorize(request, deps);
        return methodNotAllowed(request.method, "POST");
      default:
        return { response: jsonError(404, "not_found", `no route for ${request.method} ${path}`) };
    }
  };

  const handle = async (request: Request): Promise<Response> => {
    const started = clock.now();
    // Only the path is logged: query strings and bodies may carry secrets.
    const path = new URL(request.url).pathname;
    let outcome: Outcome;
    try {
      outcome = await route(request, path);
    } catch (error) {
      outcome = {
        response: jsonError(500, "internal_error", "unexpected error"),
        detail: error instanceof Error ? error.message : String(error),
      };
    }
    const fields = {
      method: request.method,
      path,
      status: outcome.response.status,
      durationMs: clock.now() - started,
      detail: outcome.detail,
    };
    if (outcome.response.status >= 500) logger.error("request", fields);
    else logger.info("request", fields);
    return outcome.response;
  };

  return {
    async fetch(request) {
      inFlight += 1;
      try {
        return await handle(request);
      } finally {
        inFlight -= 1;
      }
    },
    inFlight: () => inFlight,
  };
}

function methodNotAllowed(method: string, allow: string): Outcome {
  return {
    response: jsonError(405, "method_not_allowed", `${method} is not allowed here; use ${allow}`, { allow }),
  };
}
