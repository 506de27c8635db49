import { type FaultController, FaultError, type FaultSpec, parseFaultSpec } from "../faults/faults.js";
import type { AdminHandler } from "./api-server.js";
import type { RequestStats } from "./request-stats.js";

/** The stand-in's own endpoints under `/_local/`: request stats, health, and the faults to inject. */
export function adminHandler(
  faults: FaultController,
  stats: RequestStats,
  health: () => unknown,
): AdminHandler {
  return async (method, path, body) => {
    if (path === "/_local/stats" && method === "GET") return { status: 200, body: stats.snapshot() };
    if (path === "/_local/stats" && method === "DELETE") {
      stats.reset();
      return { status: 200, body: stats.snapshot() };
    }
    if (method === "GET" && path === "/_local/health")
      return { status: 200, body: { ok: true, ...(health() as object) } };
    if (path === "/_local/faults" && method === "GET")
      return { status: 200, body: { faults: faults.list() } };
    if (path === "/_local/faults" && method === "DELETE") {
      const removed = faults.list().length;
      faults.clear();
      return { status: 200, body: { removed } };
    }
    if (path === "/_local/faults" && method === "POST") {
      const raw = body as { faults?: unknown } | unknown[];
      const list = Array.isArray(raw)
        ? raw
        : Array.isArray((raw as { faults?: unknown }).faults)
          ? (raw as { faults: unknown[] }).faults
          : [raw];
      try {
        const specs: FaultSpec[] = list.map(parseFaultSpec);
        return { status: 201, body: { faults: specs.map((spec) => faults.add(spec)) } };
      } catch (error) {
        if (error instanceof FaultError) return { status: 400, body: { message: error.message } };
        throw error;
      }
    }
    const match = /^\/_local\/faults\/(\d+)$/.exec(path);
    if (match && method === "DELETE") {
      return faults.remove(Number(match[1]))
        ? { status: 200, body: { removed: 1 } }
        : { status: 404, body: { message: `no fault ${match[1]}` } };
    }
    return undefined;
  };
}
