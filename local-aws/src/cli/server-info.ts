import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** What a running server writes into its state dir so scripts can find and stop it. */
export interface ServerInfo {
  pid: number;
  endpoint: string;
  registryEndpoint: string;
  apiPort: number;
  registryPort: number;
  instanceId: string;
  services: Record<string, string>;
  /** The custom domains' TLS listener and the local authority to trust (absent in files from older servers). */
  https?: { port: number; caFile: string };
  /** ECS services' load balancer URLs by service name (absent when the config declares none). */
  loadBalancers?: Record<string, string>;
}

export function serverInfoFile(stateDir: string): string {
  return join(stateDir, "server.json");
}

export function writeServerInfo(stateDir: string, info: ServerInfo): void {
  writeFileSync(serverInfoFile(stateDir), `${JSON.stringify(info, null, 2)}\n`);
}

export function readServerInfo(stateDir: string): ServerInfo | undefined {
  try {
    return JSON.parse(readFileSync(serverInfoFile(stateDir), "utf8")) as ServerInfo;
  } catch {
    return undefined;
  }
}

export function removeServerInfo(stateDir: string): void {
  rmSync(serverInfoFile(stateDir), { force: true });
}

/** Whether a process with this pid is still running (signal 0 checks without signalling). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
