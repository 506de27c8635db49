// The /authorize answer cache: Redis through Bun's built-in client, behind a guard so that a cache that is
// down or slow only costs a lookup, never an answer.
import { RedisClient } from "bun";
import type { Clock } from "./clock.js";
import type { Logger } from "./logger.js";

/** A client's message may quote REDIS_URL; its user and password never reach the log. */
export function withoutCredentials(message: string): string {
  return message.replace(/(rediss?:\/\/)[^@\s/]*@/g, "$1***@");
}

/** Never throws: a miss and a failure look the same to the caller. */
export interface AnswerCache {
  get(key: string): Promise<string | undefined>;
  set(key: string, value: string): Promise<void>;
}

/** The part of Redis the cache uses (Bun's RedisClient has this shape). */
export interface CacheStore {
  get(key: string): Promise<string | null>;
  set(key: string, value: string, ex: "EX", seconds: number): Promise<unknown>;
}

export interface GuardedCacheOptions {
  /** How long a kept answer lives, in seconds (Redis expires it). */
  ttlSeconds: number;
  /** A lookup or write slower than this counts as a failure. */
  timeoutMs: number;
  /** After a failure, the cache is skipped (every request a miss) for this long before it is tried again. */
  retryAfterMs: number;
  clock: Clock;
  logger: Logger;
}

export const CACHE_TIMEOUT_MS = 250;
export const CACHE_RETRY_AFTER_MS = 5_000;

/**
 * Wraps a store so that its failures become misses. The first failure is logged once ("answering
 * uncached"); the cache is then left alone for `retryAfterMs`, so a dead Redis adds no latency, and the next
 * success is logged once too. `connect()` makes a fresh store, e.g. a new Redis connection after one failed.
 */
export function guardedCache(connect: () => CacheStore, options: GuardedCacheOptions): AnswerCache {
  const { clock, logger } = options;
  let store: CacheStore | undefined;
  let downSince: number | undefined;
  let retryAt = 0;

  const attempt = async <T>(operation: (store: CacheStore) => Promise<T>): Promise<T | undefined> => {
    if (downSince !== undefined && clock.now() < retryAt) return undefined;
    try {
      store ??= connect();
      const signal = clock.timeout(options.timeoutMs);
      const result = await Promise.race([
        operation(store),
        new Promise<never>((_, reject) =>
          signal.addEventListener("abort", () =>
            reject(new Error(`no answer within ${options.timeoutMs} ms`)),
          ),
        ),
      ]);
      if (downSince !== undefined) {
        logger.info("cache reachable again", { downForMs: clock.now() - downSince });
        downSince = undefined;
      }
      return result;
    } catch (error) {
      if (downSince === undefined) {
        downSince = clock.now();
        logger.error("cache unavailable; answering uncached", {
          error: withoutCredentials(error instanceof Error ? error.message : String(error)),
          retryAfterMs: options.retryAfterMs,
        });
      }
      retryAt = clock.now() + options.retryAfterMs;
      // A fresh connection next time: Bun's client stops reconnecting after its retries.
      const failed = store as { close?: () => void } | undefined;
      store = undefined;
      try {
        failed?.close?.();
      } catch {
        // Already closed.
      }
      return undefined;
    }
  };

  return {
    async get(key) {
      return (await attempt((s) => s.get(key))) ?? undefined;
    },
    async set(key, value) {
      await attempt((s) => s.set(key, value, "EX", options.ttlSeconds));
    },
  };
}

/**
 * Bun's built-in Redis client for `url`. Without an offline queue a command fails at once while disconnected,
 * so each command first waits for the connection this store opened (a failed connect fails the command).
 */
export function redisStore(url: string): CacheStore & { close(): void } {
  const client = new RedisClient(url, {
    connectionTimeout: CACHE_TIMEOUT_MS * 4,
    enableOfflineQueue: false,
    autoReconnect: true,
    maxRetries: 3,
  });
  const ready = client.connect();
  // Awaited by every command; this only keeps an unused failure from being reported as unhandled.
  ready.catch(() => {});
  return {
    async get(key) {
      await ready;
      return client.get(key);
    },
    async set(key, value, ex, seconds) {
      await ready;
      return client.set(key, value, ex, seconds);
    },
    close: () => client.close(),
  };
}
