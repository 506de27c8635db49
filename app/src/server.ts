// Serves the app with Bun.serve and shuts it down gracefully: stop accepting, let requests in flight finish.
import { type AppDeps, createApp } from "./app.js";

export type ShutdownResult = "clean" | "forced";

export interface RunningServer {
  /** Base URL reachable from this host, e.g. http://127.0.0.1:3000 */
  url: string;
  port: number;
  shutdown(reason: string): Promise<ShutdownResult>;
}

export function startServer(deps: AppDeps): RunningServer {
  const { config, clock, logger } = deps;
  const app = createApp(deps);
  const server = Bun.serve({
    hostname: config.host,
    port: config.port,
    // The app enforces its own, smaller limit with a JSON 413; this only stops absurd uploads early.
    maxRequestBodySize: config.maxBodyBytes * 16,
    fetch: app.fetch,
  });
  const port = server.port ?? config.port;
  const reachableHost = config.host === "0.0.0.0" ? "127.0.0.1" : config.host;
  logger.info("listening", { host: config.host, port, version: config.version });

  let stopping: Promise<ShutdownResult> | undefined;
  const shutdown = (reason: string): Promise<ShutdownResult> => {
    stopping ??= (async () => {
      logger.info("shutting down", { reason, inFlight: app.inFlight() });
      const deadline = clock.timeout(config.shutdownTimeoutMs);
      // server.stop() closes the listener at once and resolves when in-flight requests have finished.
      const finished = await Promise.race([
        server.stop().then(() => true),
        new Promise<false>((resolve) => deadline.addEventListener("abort", () => resolve(false))),
      ]);
      if (!finished) {
        logger.error("shutdown timed out; closing open connections", {
          inFlight: app.inFlight(),
          timeoutMs: config.shutdownTimeoutMs,
        });
        await server.stop(true);
        return "forced";
      }
      logger.info("stopped", { reason });
      return "clean";
    })();
    return stopping;
  };

  return { url: `http://${reachableHost}:${port}`, port, shutdown };
}
