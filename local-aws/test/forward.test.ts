import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { type ForwardOptions, forwardRequest } from "../src/http/forward.js";

const servers: Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});

async function listen(server: Server): Promise<number> {
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return (server.address() as AddressInfo).port;
}

/** An upstream that answers with the headers and body it received. */
async function echo(): Promise<number> {
  return listen(
    createServer((incoming, outgoing) => {
      const chunks: Buffer[] = [];
      incoming.on("data", (chunk: Buffer) => chunks.push(chunk));
      incoming.on("end", () => {
        outgoing.writeHead(201, { "content-type": "application/json", "x-upstream": "yes" });
        outgoing.end(JSON.stringify({ headers: incoming.headers, body: Buffer.concat(chunks).toString() }));
      });
    }),
  );
}

async function front(options: (port: number) => ForwardOptions, upstreamPort: number): Promise<string> {
  const port = await listen(createServer((i, o) => forwardRequest(i, o, options(upstreamPort))));
  return `http://127.0.0.1:${port}/path?q=1`;
}

const received = async (response: Response) =>
  (await response.json()) as { headers: IncomingHttpHeaders; body: string };

describe("forwardRequest", () => {
  it("as a load balancer appends the peer to X-Forwarded-For, or starts it", async () => {
    const url = await front(
      (port) => ({ port, forwardedFor: "append", onUpstreamError: "bad-gateway" }),
      await echo(),
    );
    const sent = await fetch(url, { headers: { "x-forwarded-for": "203.0.113.9" } });
    expect(sent.status).toBe(201);
    expect(sent.headers.get("x-upstream")).toBe("yes");
    expect((await received(sent)).headers["x-forwarded-for"]).toBe("203.0.113.9, 127.0.0.1");
    const fresh = await received(await fetch(url));
    expect(fresh.headers["x-forwarded-for"]).toBe("127.0.0.1");
  });

  it("as an inner hop keeps the headers as sent, and forwards a body read beforehand", async () => {
    const url = await front(
      (port) => ({ port, forwardedFor: "keep", body: Buffer.from("RECORDED"), onUpstreamError: "reset" }),
      await echo(),
    );
    const answer = await received(
      await fetch(url, { method: "POST", headers: { "x-forwarded-for": "a" }, body: "recorded" }),
    );
    expect(answer.headers["x-forwarded-for"]).toBe("a");
    expect(answer.body).toBe("RECORDED");
  });

  it("answers 502 with the reason when the upstream is down, or resets the connection", async () => {
    const closed = await listen(createServer());
    await new Promise<void>((resolve) => servers.pop()?.close(() => resolve()));
    const gateway = await front(
      (port) => ({ port, forwardedFor: "append", onUpstreamError: "bad-gateway" }),
      closed,
    );
    const answer = await fetch(gateway);
    expect(answer.status).toBe(502);
    expect(await answer.text()).toMatch(/^502 Bad Gateway: .*ECONNREFUSED/);
    const reset = await front((port) => ({ port, forwardedFor: "keep", onUpstreamError: "reset" }), closed);
    await expect(fetch(reset)).rejects.toThrow();
  });
});
