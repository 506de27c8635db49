import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:https";
import { createSecureContext, type SecureContext, type TLSSocket } from "node:tls";
import { forwardRequest } from "../http/forward.js";

/** Where an attached domain leads: the service URL's loopback port, and the certificate's files. */
export interface DomainRoute {
  servicePort: number;
  certFile: string;
  keyFile: string;
}

/**
 * The custom domains: one HTTPS listener on loopback for every attached domain of every service. SNI picks
 * the certificate (issued by the local authority for the certificate the domain is attached with), so a
 * client verifies the chain and the host name for real; a name no service has attached gets no certificate
 * and the handshake fails, as it would at AWS. Behind TLS it forwards to the service URL, Host unchanged,
 * so the service URL's proxy (cut-overs, faults) applies to both.
 */
export class TlsFront {
  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  static async start(port: number, route: (domain: string) => DomainRoute | undefined): Promise<TlsFront> {
    // One context per certificate file, rebuilt when its contents change (a certificate created again under
    // the same name).
    const contexts = new Map<string, { cert: string; context: SecureContext }>();
    const contextFor = (target: DomainRoute): SecureContext => {
      const cert = readFileSync(target.certFile, "utf8");
      const cached = contexts.get(target.certFile);
      if (cached?.cert === cert) return cached.context;
      const context = createSecureContext({ cert, key: readFileSync(target.keyFile) });
      contexts.set(target.certFile, { cert, context });
      return context;
    };
    const server = createServer(
      {
        SNICallback: (servername, callback) => {
          const target = route(servername.toLowerCase());
          if (!target)
            return callback(new Error(`no domain ${servername} is attached to a container service`));
          try {
            callback(null, contextFor(target));
          } catch (error) {
            callback(error as Error);
          }
        },
      },
      (incoming, outgoing) => {
        const servername = (incoming.socket as TLSSocket).servername;
        const target = typeof servername === "string" ? route(servername.toLowerCase()) : undefined;
        if (!target) {
          outgoing.writeHead(421, { "content-type": "text/plain" });
          outgoing.end("421 Misdirected Request: the domain is no longer attached\n");
          return;
        }
        // The service URL behind it is the load balancer that adds X-Forwarded-For; this hop adds nothing.
        forwardRequest(incoming, outgoing, {
          port: target.servicePort,
          forwardedFor: "keep",
          onUpstreamError: "bad-gateway",
        });
      },
    );
    const bound = await new Promise<number>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, "127.0.0.1", () => {
        const address = server.address();
        resolve(typeof address === "object" && address ? address.port : port);
      });
    });
    return new TlsFront(server, bound);
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
