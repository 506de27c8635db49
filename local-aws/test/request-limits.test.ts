import type { Server } from "node:http";
import { request } from "node:http";
import { connect } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FaultController } from "../src/faults/faults.js";
import { createApiServer } from "../src/protocol/api-server.js";
import { RequestStats } from "../src/protocol/request-stats.js";

const LIMITS = { maxBodyBytes: 1024, requestTimeoutMs: 300, headersTimeoutMs: 200, checkIntervalMs: 50 };
const TARGET = "Lightsail_20161128.GetContainerServices";
let server: Server;
let port = 0;
let handled = 0;

beforeAll(async () => {
  server = createApiServer({
    handlers: {
      lightsail: {
        GetContainerServices: async () => {
          handled += 1;
          return { containerServices: [] };
        },
      },
      ecr: {},
      ssm: {},
    },
    faults: new FaultController(),
    stats: new RequestStats(),
    admin: async () => undefined,
    log: () => {},
    limits: LIMITS,
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  port = typeof address === "object" && address ? address.port : 0;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

/** Posts `chunks` (stopping once an answer arrives) and resolves with the status and body of the answer. */
function post(chunks: Buffer[], headers: Record<string, string | number> = {}) {
  return new Promise<{ status: number; body: Record<string, unknown> }>((resolve, reject) => {
    const req = request(
      { host: "127.0.0.1", port, method: "POST", headers: { "x-amz-target": TARGET, ...headers } },
      (response) => {
        let text = "";
        response.setEncoding("utf8").on("data", (chunk: string) => {
          text += chunk;
        });
        response.on("end", () => resolve({ status: response.statusCode ?? 0, body: JSON.parse(text) }));
      },
    );
    // Writes after the server closed the connection fail; the answer is what the test looks at.
    req.on("error", reject);
    let answered = false;
    req.on("response", () => {
      answered = true;
    });
    const writeNext = (i: number) => {
      if (answered || i >= chunks.length) {
        if (!answered) req.end();
        return;
      }
      req.write(chunks[i], () => writeNext(i + 1));
    };
    writeNext(0);
  });
}

describe("request bounds", () => {
  it("answers a body within the limit", async () => {
    const answer = await post([Buffer.from("{}")]);
    expect(answer.status).toBe(200);
  });

  it("refuses a declared content-length over the limit with 413 before the body is sent", async () => {
    const before = handled;
    const answer = await post([], { "content-length": 2 * 1024 * 1024 });
    expect(answer.status).toBe(413);
    expect(answer.body).toEqual({
      __type: "SerializationException",
      message: "The request body is larger than 1024 bytes",
    });
    expect(handled).toBe(before);
  });

  it("stops reading a streamed (chunked) body as soon as it goes over, with 413", async () => {
    const chunks = Array.from({ length: 64 }, () => Buffer.alloc(512, "x"));
    const answer = await post(chunks, { "transfer-encoding": "chunked" });
    expect(answer.status).toBe(413);
  });

  it.each([
    ["never finishes its headers", "POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Amz-Target: "],
    [
      "stalls in its body",
      `POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Amz-Target: ${TARGET}\r\nContent-Length: 100\r\n\r\n{`,
    ],
  ])("disconnects a client that %s with 408", async (_what, sent) => {
    const socket = connect(port, "127.0.0.1");
    socket.write(sent);
    let received = "";
    socket.setEncoding("utf8").on("data", (chunk: string) => {
      received += chunk;
    });
    await new Promise((resolve) => socket.on("close", resolve));
    expect(received).toMatch(/^HTTP\/1\.1 408/);
  });
});
