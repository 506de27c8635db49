import type { Server } from "node:http";
import { createServer } from "node:net";

/** A port that is free on 127.0.0.1 right now (the kernel picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Whether `port` can be bound on 127.0.0.1. */
export function isPortFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
  });
}

/** The port asked for; else the one this state dir used last, if still free; else a free one. */
export async function choosePort(
  requested: number | undefined,
  previous: number | undefined,
): Promise<number> {
  if (requested !== undefined && requested !== 0) return requested;
  if (previous !== undefined && (await isPortFree(previous))) return previous;
  return freePort();
}

/** Listens on 127.0.0.1 and resolves with the port bound (the kernel's pick for 0). */
export function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => {
      const address = server.address();
      resolve(typeof address === "object" && address ? address.port : port);
    });
  });
}
