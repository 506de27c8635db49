import { type IncomingMessage, request, type ServerResponse } from "node:http";

export interface ForwardOptions {
  /** The upstream port on `host` (default 127.0.0.1). */
  port: number;
  host?: string;
  /**
   * `append` (a load balancer: the service URL): the peer's address is appended to any `X-Forwarded-For` the
   * request carries, as Lightsail's load balancer does (ELB's default), so the app sees the client after what
   * the client sent. `keep` (a hop inside the same balancer, or a test's transparent proxy): headers pass as sent.
   */
  forwardedFor: "append" | "keep";
  /** The request body when the caller has already read it (to record it); otherwise the request is piped. */
  body?: Buffer;
  /**
   * When the upstream cannot be reached: `bad-gateway` answers 502 with the reason (what Lightsail's load
   * balancer answers); `reset` drops the client's connection (a transparent proxy in front of an API).
   */
  onUpstreamError: "bad-gateway" | "reset";
  /**
   * Told who answered and with which status: `target` (the upstream's status) or `balancer` (the 502 this
   * forwarder made up); the ELBv2 stand-in counts its CloudWatch metrics from it.
   */
  observe?: (origin: "target" | "balancer", status: number) => void;
}

/**
 * The one HTTP forwarder: the service URL, the custom domains' TLS front and the test harness's proxies all
 * forward with it, so they cannot drift apart. Streams the answer back with its status and headers.
 */
export function forwardRequest(
  incoming: IncomingMessage,
  outgoing: ServerResponse,
  options: ForwardOptions,
): void {
  const upstream = request(
    {
      host: options.host ?? "127.0.0.1",
      port: options.port,
      method: incoming.method,
      path: incoming.url,
      headers: options.forwardedFor === "append" ? withForwardedFor(incoming) : incoming.headers,
      agent: false,
    },
    (answer) => {
      options.observe?.("target", answer.statusCode ?? 502);
      outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(outgoing);
    },
  );
  upstream.on("error", (error) => {
    if (options.onUpstreamError === "reset") {
      outgoing.destroy();
      return;
    }
    if (!outgoing.headersSent) {
      options.observe?.("balancer", 502);
      outgoing.writeHead(502, { "content-type": "text/plain" });
    }
    outgoing.end(`502 Bad Gateway: ${error.message}\n`);
  });
  if (options.body) upstream.end(options.body);
  else incoming.pipe(upstream);
}

function withForwardedFor(incoming: IncomingMessage): IncomingMessage["headers"] {
  const peer = incoming.socket.remoteAddress ?? "127.0.0.1";
  const sent = incoming.headers["x-forwarded-for"];
  return { ...incoming.headers, "x-forwarded-for": sent ? `${sent}, ${peer}` : peer };
}
