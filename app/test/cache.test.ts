// The /authorize cache: hits, misses, expiry and a Redis that is down, through the app's handler.
import { afterAll, describe, expect, test } from "bun:test";
import { createServer } from "node:net";
import { RedisClient } from "bun";
import { createApp } from "../src/app.js";
import { type CacheStore, guardedCache, redisStore } from "../src/cache.js";
import { systemClock } from "../src/clock.js";
import type { FetchFn } from "../src/http.js";
import { ManualClock, recordingLogger, testConfig } from "./support/fakes.js";

/** Redis as far as the cache uses it, with expiry on the test's clock. */
class FakeRedis implements CacheStore {
  readonly values = new Map<string, { value: string; expiresAt: number }>();
  down = false;
  calls = 0;
  constructor(private readonly clock: ManualClock) {}

  async get(key: string) {
    this.calls += 1;
    if (this.down) throw new Error("Connection closed");
    const entry = this.values.get(key);
    return entry && entry.expiresAt > this.clock.now() ? entry.value : null;
  }

  async set(key: string, value: string, _ex: "EX", seconds: number) {
    this.calls += 1;
    if (this.down) throw new Error("Connection closed");
    this.values.set(key, { value, expiresAt: this.clock.now() + seconds * 1000 });
    return "OK";
  }
}

function setup(options: { upstreamStatus?: number; ttl?: string } = {}) {
  const clock = new ManualClock();
  const logger = recordingLogger(() => clock.now());
  const redis = new FakeRedis(clock);
  let upstreamCalls = 0;
  const fetch: FetchFn = async () => {
    upstreamCalls += 1;
    return Response.json(
      { allowed: options.upstreamStatus === undefined },
      { status: options.upstreamStatus ?? 200 },
    );
  };
  const config = testConfig({
    REDIS_URL: "redis://127.0.0.1:6379",
    ...(options.ttl ? { AUTHORIZE_CACHE_TTL_SECONDS: options.ttl } : {}),
  });
  const cache = guardedCache(() => redis, {
    ttlSeconds: config.cacheTtlSeconds,
    timeoutMs: 250,
    retryAfterMs: 5_000,
    clock,
    logger,
  });
  const app = createApp({ config, fetch, clock, logger, cache });
  const ask = async (body = '{"token":"t-1"}') => {
    const response = await app.fetch(
      new Request("http://app.test/authorize", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body,
      }),
    );
    return { status: response.status, cache: response.headers.get("x-cache"), body: await response.text() };
  };
  return { app, clock, logger, redis, ask, upstream: () => upstreamCalls };
}

const unavailableLines = (logger: ReturnType<typeof recordingLogger>) =>
  logger.entries().filter((entry) => entry.msg === "cache unavailable; answering uncached");

describe("POST /authorize with a cache", () => {
  test("a miss asks the authorizer and keeps the answer; the same question again is a hit", async () => {
    const { ask, upstream } = setup();
    const first = await ask();
    expect(first).toEqual({ status: 200, cache: "miss", body: '{"allowed":true}' });
    expect(upstream()).toBe(1);
    const second = await ask();
    expect(second).toEqual({ status: 200, cache: "hit", body: '{"allowed":true}' });
    expect(upstream()).toBe(1);
    // Another question is another key.
    expect((await ask('{"token":"t-2"}')).cache).toBe("miss");
    expect(upstream()).toBe(2);
  });

  test("a refusal is never kept", async () => {
    const { ask, upstream, redis } = setup({ upstreamStatus: 403 });
    expect((await ask()).status).toBe(403);
    expect((await ask()).status).toBe(403);
    expect(upstream()).toBe(2);
    expect(redis.values.size).toBe(0);
  });

  test("a kept answer expires after AUTHORIZE_CACHE_TTL_SECONDS", async () => {
    const { ask, upstream, clock } = setup({ ttl: "10" });
    await ask();
    clock.advance(9_999);
    expect((await ask()).cache).toBe("hit");
    clock.advance(2);
    expect((await ask()).cache).toBe("miss");
    expect(upstream()).toBe(2);
  });

  test("with Redis down it answers uncached, says so once, skips Redis for a while, and recovers", async () => {
    const { ask, upstream, redis, clock, logger } = setup();
    redis.down = true;
    for (let i = 0; i < 5; i++) expect(await ask()).toMatchObject({ status: 200, body: '{"allowed":true}' });
    expect(upstream()).toBe(5);
    expect(unavailableLines(logger)).toHaveLength(1);
    // Only the first lookup reached Redis: then it is left alone for the retry window.
    expect(redis.calls).toBe(1);
    redis.down = false;
    clock.advance(5_000);
    expect((await ask()).cache).toBe("miss");
    expect((await ask()).cache).toBe("hit");
    expect(upstream()).toBe(6);
    expect(logger.entries().filter((e) => e.msg === "cache reachable again")).toHaveLength(1);
    expect(unavailableLines(logger)).toHaveLength(1);
  });

  test("a Redis that never answers costs one timeout, then is skipped", async () => {
    const { clock, logger } = setup();
    const hanging: CacheStore = { get: () => new Promise(() => {}), set: () => new Promise(() => {}) };
    const cache = guardedCache(() => hanging, {
      ttlSeconds: 30,
      timeoutMs: 250,
      retryAfterMs: 5_000,
      clock,
      logger,
    });
    const lookup = cache.get("k");
    clock.advance(250);
    expect(await lookup).toBeUndefined();
    expect(await cache.get("k")).toBeUndefined();
    expect(unavailableLines(logger)).toHaveLength(1);
  });

  test("a failure quoting the Redis URL is logged without its password", async () => {
    const { clock, logger } = setup();
    const failing: CacheStore = {
      get: async () => {
        throw new Error("cannot connect to redis://default:s3cret-pw@cache:6379");
      },
      set: async () => "OK",
    };
    const cache = guardedCache(() => failing, {
      ttlSeconds: 30,
      timeoutMs: 250,
      retryAfterMs: 5_000,
      clock,
      logger,
    });
    await cache.get("k");
    expect(logger.lines.join("")).not.toContain("s3cret-pw");
    expect(unavailableLines(logger)[0]?.error).toBe("cannot connect to redis://***@cache:6379");
  });

  test("REDIS_URL and the TTL are checked, and a bad URL is never echoed", () => {
    expect(() => testConfig({ REDIS_URL: "http://user:pw@cache:6379" })).toThrow(
      "`REDIS_URL` must start with redis:// or rediss://",
    );
    expect(() => testConfig({ REDIS_URL: "not a url pw-123" })).toThrow(
      "`REDIS_URL` is not a URL (value hidden)",
    );
    expect(() => testConfig({ AUTHORIZE_CACHE_TTL_SECONDS: "0" })).toThrow(
      "`AUTHORIZE_CACHE_TTL_SECONDS` must be from 1 to 3600",
    );
    expect(testConfig().cacheTtlSeconds).toBe(30);
    expect(testConfig().redisUrl).toBeUndefined();
  });
});

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return typeof address === "object" && address ? address.port : 0;
}

describe("Bun's Redis client behind the guard", () => {
  const redisServer = Bun.which("redis-server");
  const started: { kill(): void }[] = [];
  afterAll(() => {
    for (const process of started) process.kill();
  });

  test("a Redis that is not there: lookups are misses, logged once", async () => {
    const logger = recordingLogger();
    const url = `redis://127.0.0.1:${await closedPort()}`;
    const cache = guardedCache(() => redisStore(url), {
      ttlSeconds: 30,
      timeoutMs: 1_000,
      retryAfterMs: 0,
      clock: systemClock,
      logger,
    });
    expect(await cache.get("k")).toBeUndefined();
    await cache.set("k", "v");
    expect(await cache.get("k")).toBeUndefined();
    expect(unavailableLines(logger)).toHaveLength(1);
  });

  test.skipIf(!redisServer)("a real redis-server keeps the answer with the TTL as its expiry", async () => {
    const port = await closedPort();
    const server = Bun.spawn(
      [redisServer as string, "--port", String(port), "--bind", "127.0.0.1", "--save", ""],
      {
        stdout: "ignore",
        stderr: "ignore",
      },
    );
    started.push(server);
    const url = `redis://127.0.0.1:${port}`;
    const logger = recordingLogger();
    const cache = guardedCache(() => redisStore(url), {
      ttlSeconds: 7,
      timeoutMs: 1_000,
      retryAfterMs: 0,
      clock: systemClock,
      logger,
    });
    // redis-server takes a moment to listen; the guard turns the early failures into misses.
    let kept: string | undefined;
    for (let i = 0; i < 50 && kept === undefined; i++) {
      await cache.set("authorize:test", "answer");
      kept = await cache.get("authorize:test");
      if (kept === undefined) await Bun.sleep(50);
    }
    expect(kept).toBe("answer");
    const direct = new RedisClient(url);
    const ttl = await direct.ttl("authorize:test");
    direct.close();
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(7);
  });
});
