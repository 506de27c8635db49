import { execFile, spawn } from "node:child_process";
import { mkdirSync, openSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { readServerInfo, type ServerInfo } from "../../local-aws/src/index.js";
import { baseImageScript, localAwsServerEntry, repoRoot } from "./paths.js";

const execFileAsync = promisify(execFile);

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function answers(endpoint: string): Promise<boolean> {
  try {
    const response = await fetch(`${endpoint}/_local/health`, { signal: AbortSignal.timeout(2000) });
    return response.ok;
  } catch {
    return false;
  }
}

/** The server recorded in the state dir, when it is alive and answering. */
export async function runningServer(stateDir: string): Promise<ServerInfo | undefined> {
  const info = readServerInfo(stateDir);
  if (info && isAlive(info.pid) && (await answers(info.endpoint))) return info;
  return undefined;
}

/**
 * Reuses the local-aws server of this state dir, or starts one in the background that outlives this
 * process (so the deployed app keeps answering after `deploy:local` ends; `local:down` stops it).
 */
export async function ensureLocalAws(options: {
  stateDir: string;
  configFile: string;
  log: (line: string) => void;
}): Promise<ServerInfo> {
  const existing = await runningServer(options.stateDir);
  if (existing) {
    options.log(`local-aws already running (pid ${existing.pid}) at ${existing.endpoint}`);
    return existing;
  }
  mkdirSync(options.stateDir, { recursive: true });
  const logFile = join(options.stateDir, "server.log");
  const out = openSync(logFile, "a");
  const child = spawn(
    process.execPath,
    ["--import", "tsx", localAwsServerEntry, "--config", options.configFile, "--state-dir", options.stateDir],
    { cwd: repoRoot, detached: true, stdio: ["ignore", out, out] },
  );
  child.unref();
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const info = await runningServer(options.stateDir);
    if (info && info.pid === child.pid) {
      options.log(`started local-aws (pid ${info.pid}) at ${info.endpoint}; log: ${logFile}`);
      return info;
    }
    if (child.exitCode !== null || (child.pid !== undefined && !isAlive(child.pid))) break;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  const tail = readFileSync(logFile, "utf8").split("\n").slice(-15).join("\n");
  throw new Error(`local-aws did not start; last lines of ${logFile}:\n${tail}`);
}

/** Builds the local Bun base image when it is missing (Docker Hub is not needed). */
export async function ensureBaseImage(log: (line: string) => void): Promise<string> {
  const { stdout } = await execFileAsync("bash", [baseImageScript], { cwd: repoRoot, maxBuffer: 1 << 24 });
  const lines = stdout.trim().split("\n");
  log(lines[lines.length - 1] ?? "");
  const image = /local\/bun:[\w.-]+/.exec(stdout)?.[0];
  if (!image) throw new Error(`could not tell which base image ${baseImageScript} built:\n${stdout}`);
  return image;
}
