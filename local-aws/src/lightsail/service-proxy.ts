import { createServer, request, type Server } from "node:http";

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
      const upstream = request(
        {
          host: "127.0.0.1",
          port: resolved.port,
          method: incoming.method,
          path: incoming.url,
          headers: { ...incoming.headers, "x-forwarded-for": incoming.socket.remoteAddress ?? "127.0.0.1" },
          agent: false,
        },
        (answer) => {
          outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(outgoing);
        },
      );
      upstream.on("error", (error) => {
        if (!outgoing.headersSent) outgoing.writeHead(502, { "content-type": "text/plain" });
        outgoing.end(`502 Bad Gateway: ${error.message}\n`);
      });
      incoming.pipe(upstream);
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
