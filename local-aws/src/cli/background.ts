import { spawn } from "node:child_process";
import { mkdirSync, openSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { isAlive, readServerInfo, removeServerInfo, type ServerInfo } from "./server-info.js";

export interface EnsureServerOptions {
  stateDir: string;
  configFile: string;
  apiPort?: number;
  registryPort?: number;
  /** How long to wait for a new server to be ready; default 30 s. */
  timeoutMs?: number;
}

async function answers(info: ServerInfo): Promise<boolean> {
  try {
    return (await fetch(`${info.endpoint}/_local/health`, { signal: AbortSignal.timeout(2000) })).ok;
  } catch {
    return false;
  }
}

/**
 * Returns the server recorded in the state dir if it answers; otherwise starts `server.ts` detached in the
 * background (output in `<stateDir>/server.log`) and waits until it is ready. `started` tells which.
 */
export async function ensureLocalAwsServer(
  options: EnsureServerOptions,
): Promise<ServerInfo & { started: boolean }> {
  const stateDir = resolve(options.stateDir);
  const existing = readServerInfo(stateDir);
  if (existing && isAlive(existing.pid) && (await answers(existing))) return { ...existing, started: false };

  // The recorded server is gone; forget it so only the new one's file counts (tsx runs it as a grandchild,
  // so its pid is not child.pid).
  removeServerInfo(stateDir);
  mkdirSync(stateDir, { recursive: true });
  const logFile = join(stateDir, "server.log");
  const output = openSync(logFile, "a");
  const tsx = createRequire(import.meta.url).resolve("tsx/cli");
  const serverScript = join(dirname(fileURLToPath(import.meta.url)), "server.ts");
  const args = [tsx, serverScript, "--config", resolve(options.configFile), "--state-dir", stateDir];
  if (options.apiPort !== undefined) args.push("--api-port", String(options.apiPort));
  if (options.registryPort !== undefined) args.push("--registry-port", String(options.registryPort));
  const child = spawn(process.execPath, args, { detached: true, stdio: ["ignore", output, output] });
  child.unref();
  let exitCode: number | null = null;
  child.on("exit", (code) => {
    exitCode = code ?? 1;
  });
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  while (Date.now() < deadline) {
    if (exitCode !== null) break;
    const info = readServerInfo(stateDir);
    if (info && (await answers(info))) return { ...info, started: true };
    await new Promise((r) => setTimeout(r, 100));
  }
  if (exitCode === null) child.kill("SIGTERM");
  const tail = readFileSync(logFile, "utf8").split("\n").slice(-15).join("\n");
  throw new Error(
    `local-aws server did not become ready${exitCode !== null ? ` (exited with code ${exitCode})` : " within the timeout"}; ${logFile}:\n${tail}`,
  );
}
