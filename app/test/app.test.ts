// The handler in-process: fake fetch for the authorizer, a clock moved by hand.
import { describe, expect, test } from "bun:test";
import { createApp } from "../src/app.js";
import type { FetchFn } from "../src/http.js";
import { flush, ManualClock, recordingLogger, testConfig } from "./support/fakes.js";

interface Call {
  url: string;
  init: RequestInit | undefined;
}

function setup(options: { env?: Record<string, string>; upstream?: FetchFn } = {}) {
  const clock = new ManualClock();
  const logger = recordingLogger(() => clock.now());
  const calls: Call[] = [];
  const upstream: FetchFn =
    options.upstream ?? (async () => Response.json({ allowed: true }, { status: 200 }));
  const fetch: FetchFn = (input, init) => {
    calls.push({ url: String(input), init });
    return upstream(input, init);
  };
  const app = createApp({ config: testConfig(options.env), fetch, clock, logger });
  return { app, clock, logger, calls };
}

const post = (body: string, headers: Record<string, string> = {}) =>
  new Request("http://app.test/authorize", {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body,
  });

/** Never answers on its own; rejects when its signal aborts, like a real fetch. */
const hangingUpstream: FetchFn = (_input, init) =>
  new Promise((_resolve, reject) => {
    init?.signal?.addEventListener("abort", () => reject(init.signal?.reason));
  });

describe("GET /health", () => {
  test("reports status, version, uptime and which settings are set", async () => {
    const { app, clock } = setup({ env: { API_KEY: "k-secret" } });
    clock.advance(61_500);
    const response = await app.fetch(new Request("http://app.test/health"));
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("application/json");
    expect(await response.json()).toEqual({
      status: "ok",
      version: "test-version",
      uptimeSeconds: 61,
      config: { authorizerUrl: true, apiKey: true, cache: false },
    });
  });

  test("says the API key is not set when it is absent", async () => {
    const { app } = setup();
    const body = (await (await app.fetch(new Request("http://app.test/health"))).json()) as {
      config: { apiKey: boolean };
    };
    expect(body.config.apiKey).toBe(false);
  });
});

describe("POST /authorize", () => {
  test("forwards the JSON body with the bearer key and relays status and body", async () => {
    const { app, calls } = setup({
      env: { API_KEY: "k-secret", AUTHORIZER_URL: "https://authorizer.test/v1/authorize" },
      upstream: async () => Response.json({ allowed: false, reason: "expired" }, { status: 403 }),
    });
    const response = await app.fetch(post(JSON.stringify({ credential: "abc" })));
    expect(response.status).toBe(403);
    expect(await response.json()).toEqual({ allowed: false, reason: "expired" });

    expect(calls).toHaveLength(1);
    const [call] = calls;
    expect(call?.url).toBe("https://authorizer.test/v1/authorize");
    expect(call?.init?.method).toBe("POST");
    const headers = new Headers(call?.init?.headers);
    expect(headers.get("authorization")).toBe("Bearer k-secret");
    expect(headers.get("content-type")).toBe("application/json");
    expect(call?.init?.body).toBe('{"credential":"abc"}');
  });

  test("sends no Authorization header when API_KEY is not set", async () => {
    const { app, calls } = setup();
    expect((await app.fetch(post("{}"))).status).toBe(200);
    expect(new Headers(calls[0]?.init?.headers).has("authorization")).toBe(false);
  });

  test("answers 504 when the authorizer does not answer within the timeout", async () => {
    const { app, clock, logger } = setup({
      env: { AUTHORIZER_TIMEOUT_MS: "2000" },
      upstream: hangingUpstream,
    });
    const pending = app.fetch(post("{}"));
    await flush();
    clock.advance(1999);
    await flush();
    let settled = false;
    void pending.then(() => {
      settled = true;
    });
    await flush();
    expect(settled).toBe(false);

    clock.advance(1);
    const response = await pending;
    expect(response.status).toBe(504);
    expect(await response.json()).toMatchObject({ error: "gateway_timeout" });
    expect(logger.entries().at(-1)).toMatchObject({ status: 504, durationMs: 2000 });
  });

  test("answers 502 when the authorizer cannot be reached", async () => {
    const { app } = setup({
      upstream: async () => {
        throw new TypeError("ECONNREFUSED: Unable to connect");
      },
    });
    const response = await app.fetch(post("{}"));
    expect(response.status).toBe(502);
    expect(await response.json()).toMatchObject({ error: "bad_gateway" });
  });

  test("answers 502 when the authorizer's answer is absurdly large", async () => {
    const { app } = setup({ upstream: async () => new Response(new Uint8Array(2 * 1024 * 1024)) });
    expect((await app.fetch(post("{}"))).status).toBe(502);
  });

  test.each([["{"], ["not json"], [""]])("answers 400 for a body that is not JSON: %p", async (body) => {
    const { app, calls } = setup();
    const response = await app.fetch(post(body));
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: "invalid_json" });
    expect(calls).toHaveLength(0);
  });

  test("answers 413 for a body over 64 KiB and does not call the authorizer", async () => {
    const { app, calls } = setup();
    const big = JSON.stringify({ padding: "x".repeat(64 * 1024) });
    const response = await app.fetch(post(big));
    expect(response.status).toBe(413);
    expect(await response.json()).toMatchObject({ error: "payload_too_large" });
    expect(calls).toHaveLength(0);
  });

  test("answers 413 for a streamed body with no Content-Length that grows past the limit", async () => {
    const { app } = setup();
    const chunk = new TextEncoder().encode("x".repeat(16 * 1024));
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent++ < 10) controller.enqueue(chunk);
        else controller.close();
      },
    });
    const request = new Request("http://app.test/authorize", { method: "POST", body: stream });
    expect(request.headers.has("content-length")).toBe(false);
    expect((await app.fetch(request)).status).toBe(413);
  });

  test("accepts a body of exactly 64 KiB", async () => {
    const { app } = setup();
    const exact = JSON.stringify({ p: "x".repeat(64 * 1024 - 8) });
    expect(new TextEncoder().encode(exact).byteLength).toBe(64 * 1024);
    expect((await app.fetch(post(exact))).status).toBe(200);
  });
});

describe("routing", () => {
  test("answers 404 JSON for an unknown route", async () => {
    const { app } = setup();
    const response = await app.fetch(new Request("http://app.test/nope"));
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ error: "not_found" });
  });

  test.each([
    ["POST", "/health", "GET, HEAD"],
    ["GET", "/authorize", "POST"],
    ["DELETE", "/authorize", "POST"],
  ])("answers 405 JSON for %s %s with an Allow header", async (method, path, allow) => {
    const { app } = setup();
    const response = await app.fetch(new Request(`http://app.test${path}`, { method }));
    expect(response.status).toBe(405);
    expect(response.headers.get("allow")).toBe(allow);
    expect(await response.json()).toMatchObject({ error: "method_not_allowed" });
  });

  test("answers 500 JSON and logs an error when something unexpected throws", async () => {
    const { app, logger } = setup();
    const failing = new ReadableStream<Uint8Array>({
      pull(controller) {
        controller.error(new Error("client stream broke"));
      },
    });
    const response = await app.fetch(
      new Request("http://app.test/authorize", { method: "POST", body: failing }),
    );
    expect(response.status).toBe(500);
    expect(await response.json()).toMatchObject({ error: "internal_error" });
    expect(logger.entries().at(-1)).toMatchObject({
      level: "error",
      status: 500,
      detail: "client stream broke",
    });
  });
});

describe("request log", () => {
  test("writes one JSON line per request with method, path, status and duration", async () => {
    const { app, clock, logger } = setup({
      upstream: async () => {
        clock.advance(42);
        return Response.json({ allowed: true });
      },
    });
    await app.fetch(new Request("http://app.test/health?token=abc"));
    await app.fetch(post("{}"));
    expect(logger.entries()).toEqual([
      expect.objectContaining({ level: "info", msg: "request", method: "GET", path: "/health", status: 200 }),
      expect.objectContaining({ method: "POST", path: "/authorize", status: 200, durationMs: 42 }),
    ]);
    expect(logger.lines.join("")).not.toContain("token=abc");
  });

  test("never contains the API key or the request and response bodies", async () => {
    const { app, logger } = setup({
      env: { API_KEY: "k-very-secret-123" },
      upstream: async () => Response.json({ grant: "response-body-marker" }, { status: 401 }),
    });
    await app.fetch(post(JSON.stringify({ credential: "request-body-marker" })));
    await app.fetch(new Request("http://app.test/health"));
    const log = logger.lines.join("");
    expect(log).not.toContain("k-very-secret-123");
    expect(log).not.toContain("request-body-marker");
    expect(log).not.toContain("response-body-marker");
    expect(logger.lines).toHaveLength(2);
  });
});
