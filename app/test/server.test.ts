// The real server on an ephemeral loopback port, talking to a fake authorizer over real HTTP.
import { afterEach, describe, expect, test } from "bun:test";
import { type RunningServer, startServer } from "../src/server.js";
import {
  closedPortUrl,
  type FakeAuthorizer,
  gate,
  type Reply,
  startFakeAuthorizer,
} from "./support/fake-authorizer.js";
import { flush, ManualClock, type RecordingLogger, recordingLogger, testConfig } from "./support/fakes.js";

const API_KEY = "k-live-7f3a9c2e";

let cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  cleanups = [];
});

interface Harness {
  server: RunningServer;
  authorizer: FakeAuthorizer;
  clock: ManualClock;
  logger: RecordingLogger;
}

function start(reply: Reply, env: Record<string, string> = {}, authorizerUrl?: string): Harness {
  const authorizer = startFakeAuthorizer(reply);
  cleanups.push(() => authorizer.stop());
  const clock = new ManualClock();
  const logger = recordingLogger(() => clock.now());
  const config = testConfig({
    AUTHORIZER_URL: authorizerUrl ?? authorizer.url,
    API_KEY,
    HOST: "127.0.0.1",
    PORT: "0",
    ...env,
  });
  const server = startServer({ config, fetch: (input, init) => fetch(input, init), clock, logger });
  cleanups.push(() => server.shutdown("test cleanup"));
  return { server, authorizer, clock, logger };
}

const authorize = (server: RunningServer, body: string) =>
  fetch(`${server.url}/authorize`, { method: "POST", headers: { "content-type": "application/json" }, body });

describe("server on a loopback port", () => {
  test("forwards POST /authorize with the bearer key and relays the authorizer's answer", async () => {
    const { server, authorizer } = start(() =>
      Response.json({ allowed: true, subject: "u-1" }, { status: 201 }),
    );
    const response = await authorize(server, JSON.stringify({ credential: "vc-123" }));
    expect(response.status).toBe(201);
    expect(await response.json()).toEqual({ allowed: true, subject: "u-1" });

    expect(authorizer.received).toHaveLength(1);
    const [forwarded] = authorizer.received;
    expect(forwarded?.method).toBe("POST");
    expect(forwarded?.path).toBe("/v1/authorize");
    expect(forwarded?.headers.get("authorization")).toBe(`Bearer ${API_KEY}`);
    expect(forwarded?.headers.get("content-type")).toBe("application/json");
    expect(JSON.parse(forwarded?.body ?? "")).toEqual({ credential: "vc-123" });
  });

  test("relays an authorizer error status and body unchanged", async () => {
    const { server } = start(() => Response.json({ error: "denied" }, { status: 403 }));
    const response = await authorize(server, "{}");
    expect(response.status).toBe(403);
    expect(await response.json()).toEqual({ error: "denied" });
  });

  test("answers 502 when nothing listens at AUTHORIZER_URL", async () => {
    const { server } = start(() => new Response(), {}, await closedPortUrl());
    const response = await authorize(server, "{}");
    expect(response.status).toBe(502);
    expect(await response.json()).toMatchObject({ error: "bad_gateway" });
  });

  test("answers 504 when the authorizer is slower than AUTHORIZER_TIMEOUT_MS", async () => {
    const held = gate();
    cleanups.push(async () => held.open());
    const { server, authorizer, clock } = start(
      async () => {
        await held.promise;
        return Response.json({ allowed: true });
      },
      { AUTHORIZER_TIMEOUT_MS: "3000" },
    );
    const arrived = authorizer.nextRequest();
    const pending = authorize(server, "{}");
    await arrived;
    clock.advance(3000);
    const response = await pending;
    expect(response.status).toBe(504);
    expect(await response.json()).toMatchObject({ error: "gateway_timeout" });
  });

  test("answers 400 for bad JSON and 413 for a body over 64 KiB, without calling the authorizer", async () => {
    const { server, authorizer } = start(() => Response.json({ allowed: true }));
    const bad = await authorize(server, "{not json");
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: "invalid_json" });

    const big = await authorize(server, JSON.stringify({ pad: "x".repeat(70 * 1024) }));
    expect(big.status).toBe(413);
    expect(await big.json()).toMatchObject({ error: "payload_too_large" });
    expect(authorizer.received).toHaveLength(0);
  });

  test("answers 404 JSON for unknown routes and 200 on /health", async () => {
    const { server } = start(() => Response.json({}));
    const missing = await fetch(`${server.url}/admin`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ error: "not_found" });

    const health = await fetch(`${server.url}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({
      status: "ok",
      version: "test-version",
      config: { authorizerUrl: true, apiKey: true },
    });
  });

  test("never writes the API key or bodies to the log", async () => {
    const { server, logger } = start(() => Response.json({ token: "upstream-body-marker" }));
    await authorize(server, JSON.stringify({ credential: "request-body-marker" }));
    await authorize(server, "{broken");
    await fetch(`${server.url}/health`);
    await server.shutdown("test");
    const log = logger.lines.join("");
    expect(log).toContain('"path":"/authorize"');
    for (const secret of [API_KEY, "request-body-marker", "upstream-body-marker", "{broken"]) {
      expect(log).not.toContain(secret);
    }
  });
});

describe("graceful shutdown in-process", () => {
  test("stops accepting, lets an in-flight request finish, and reports a clean stop", async () => {
    const held = gate();
    const { server, authorizer } = start(async () => {
      await held.promise;
      return Response.json({ allowed: true });
    });
    const arrived = authorizer.nextRequest();
    const inFlight = authorize(server, "{}");
    await arrived;

    const stopped = server.shutdown("SIGTERM");
    await flush();
    await expect(fetch(`${server.url}/health`)).rejects.toThrow();

    held.open();
    const response = await inFlight;
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ allowed: true });
    expect(await stopped).toBe("clean");
  });

  test("gives up after SHUTDOWN_TIMEOUT_MS when a request never finishes", async () => {
    const held = gate();
    cleanups.push(async () => held.open());
    const { server, authorizer, clock, logger } = start(
      async () => {
        await held.promise;
        return Response.json({ allowed: true });
      },
      { SHUTDOWN_TIMEOUT_MS: "1000", AUTHORIZER_TIMEOUT_MS: "60000" },
    );
    const arrived = authorizer.nextRequest();
    const inFlight = authorize(server, "{}").catch((error: unknown) => error);
    await arrived;

    const stopped = server.shutdown("SIGTERM");
    await flush();
    clock.advance(1000);
    expect(await stopped).toBe("forced");
    expect(await inFlight).toBeInstanceOf(Error);
    expect(logger.entries().map((entry) => entry.msg)).toContain(
      "shutdown timed out; closing open connections",
    );
  });
});
