// Entry point: read the config, serve, and exit cleanly on SIGTERM/SIGINT.
import { CACHE_RETRY_AFTER_MS, CACHE_TIMEOUT_MS, guardedCache, redisStore } from "./cache.js";
import { systemClock } from "./clock.js";
import { ConfigError, parseConfig } from "./config.js";
import { createJsonLogger } from "./logger.js";
import { startServer } from "./server.js";

const logger = createJsonLogger((line) => process.stdout.write(line), systemClock.now);

let config: ReturnType<typeof parseConfig>;
try {
  config = parseConfig(process.env);
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  process.stderr.write(`app: ${error.message}\n`);
  process.exit(1);
}

const redisUrl = config.redisUrl;
const server = startServer({
  config,
  fetch: (input, init) => fetch(input, init),
  clock: systemClock,
  logger,
  ...(redisUrl
    ? {
        cache: guardedCache(() => redisStore(redisUrl), {
          ttlSeconds: config.cacheTtlSeconds,
          timeoutMs: CACHE_TIMEOUT_MS,
          retryAfterMs: CACHE_RETRY_AFTER_MS,
          clock: systemClock,
          logger,
        }),
      }
    : {}),
});

for (const signal of ["SIGTERM", "SIGINT"] as const) {
  process.on(signal, () => {
    void server.shutdown(signal).then((result) => process.exit(result === "clean" ? 0 : 1));
  });
}
