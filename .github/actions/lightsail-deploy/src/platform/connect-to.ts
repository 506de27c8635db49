import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import type { HttpGet } from "./deps.js";

/**
 * `LIGHTSAIL_DEPLOY_CONNECT_TO`, for local runs and tests only: like curl's `--connect-to`, a request for
 * `host:port` connects to `toHost:toPort` instead, while the URL, the Host header, SNI and the certificate
 * check keep the original name. It lets the probe reach `https://api.example.test/` on the stand-in's
 * loopback TLS listener and verify its certificate for real (trusting the stand-in's authority through
 * NODE_EXTRA_CA_CERTS). On a runner it is not set, and every request goes out as the URL says.
 */
export const CONNECT_TO_VARIABLE = "LIGHTSAIL_DEPLOY_CONNECT_TO";

export interface ConnectTo {
  host: string;
  port: number;
  toHost: string;
  toPort: number;
}

/** `host:port:toHost:toPort`, several separated by commas or spaces. */
export function parseConnectTo(text: string | undefined): ConnectTo[] {
  if (!text?.trim()) return [];
  return text
    .split(/[\s,]+/)
    .filter(Boolean)
    .map((entry) => {
      const match = /^([a-z0-9.-]+):(\d{1,5}):([a-z0-9.-]+):(\d{1,5})$/i.exec(entry);
      if (!match) {
        throw new Error(
          `${CONNECT_TO_VARIABLE}: ${JSON.stringify(entry)} is not host:port:toHost:toPort (e.g. api.example.test:443:127.0.0.1:8443)`,
        );
      }
      const [, host = "", port = "", toHost = "", toPort = ""] = match;
      return { host: host.toLowerCase(), port: Number(port), toHost, toPort: Number(toPort) };
    });
}

function defaultPort(url: URL): number {
  return Number(url.port || (url.protocol === "https:" ? 443 : 80));
}

/** `fallback` for every URL no route names; a routed URL goes through node:http(s) to the route's address. */
export function connectingHttpGet(routes: ConnectTo[], fallback: HttpGet): HttpGet {
  if (routes.length === 0) return fallback;
  return (url, timeoutMs) => {
    const target = new URL(url);
    const route = routes.find(
      (r) => r.host === target.hostname.toLowerCase() && r.port === defaultPort(target),
    );
    if (!route) return fallback(url, timeoutMs);
    const request = target.protocol === "https:" ? httpsRequest : httpRequest;
    return new Promise((resolve, reject) => {
      const outgoing = request(
        {
          host: route.toHost,
          port: route.toPort,
          // The certificate is checked against this name, as it would be at the real address.
          servername: target.hostname,
          method: "GET",
          path: `${target.pathname}${target.search}`,
          headers: { host: target.host },
          agent: false,
          signal: AbortSignal.timeout(timeoutMs),
        },
        (response) => {
          response.resume();
          resolve({ status: response.statusCode ?? 0 });
        },
      );
      outgoing.on("error", reject);
      outgoing.end();
    });
  };
}
