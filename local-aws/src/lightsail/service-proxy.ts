import { createServer, type Server } from "node:http";
import { forwardRequest } from "../http/forward.js";

/** Where the service URL currently points: a loopback port, or a reason to answer 503. */
export type ProxyTarget = { port: number } | { unavailable: string };

/**
 * The service URL: a loopback HTTP proxy to the active deployment's public container. It resolves the target
 * per request, so a cut-over takes effect for the next request while in-flight ones finish on the old one.
 */
export class ServiceProxy {
  private constructor(private readonly server: Server) {}

  static async start(port: number, target: () => ProxyTarget): Promise<ServiceProxy> {
    const server = createServer((incoming, outgoing) => {
      const resolved = target();
      if ("unavailable" in resolved) {
        outgoing.writeHead(503, { "content-type": "text/plain", "retry-after": "1" });
        outgoing.end(`503 Service Unavailable: ${resolved.unavailable}\n`);
        return;
      }
      forwardRequest(incoming, outgoing, {
        port: resolved.port,
        forwardedFor: "append",
        onUpstreamError: "bad-gateway",
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, "127.0.0.1", () => resolve());
    });
    return new ServiceProxy(server);
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
