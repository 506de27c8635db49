import { appendFileSync, existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import type { ContainerRuntime } from "../docker/container-runtime.js";
import type { DeploymentRecord, LogEventRecord, ServiceRecord } from "../state/state.js";
import { parseDockerLogs } from "./log-filter.js";

export interface LogEvent {
  createdAt: number;
  message: string;
}

export function containerName(prefix: string, service: string, version: number, container: string): string {
  return `${prefix}-${service}-v${version}-${container}`;
}

/** Node 1 keeps the one-node name; node k > 1 (0-based k-1 here) adds `-node<k>`. */
export function nodeContainerName(
  prefix: string,
  service: string,
  version: number,
  container: string,
  node: number,
): string {
  const base = containerName(prefix, service, version, container);
  return node === 0 ? base : `${base}-node${node + 1}`;
}

/** Captured output of containers that were removed, kept per service, container and version. */
export class LogArchive {
  constructor(private readonly dir: string) {}

  private file(service: string, container: string, version: number): string {
    return join(this.dir, service, container, `v${version}.log`);
  }

  /** Appends, because a version's containers can run more than once (disable/enable, restarts). */
  append(service: string, container: string, version: number, text: string): void {
    mkdirSync(join(this.dir, service, container), { recursive: true });
    appendFileSync(this.file(service, container, version), text.endsWith("\n") ? text : `${text}\n`);
  }

  read(service: string, container: string, version: number): string | undefined {
    const file = this.file(service, container, version);
    return existsSync(file) ? readFileSync(file, "utf8") : undefined;
  }

  forget(service: string, deployment: DeploymentRecord): void {
    for (const container of Object.keys(deployment.containers)) {
      rmSync(this.file(service, container, deployment.version), { force: true });
    }
  }
}

/**
 * All log events of one container name across the kept versions and every node (merged, as Lightsail
 * documents): archived, live and deployment events. Other containers' output never mixes in.
 */
export async function collectContainerLog(
  service: ServiceRecord,
  container: string,
  prefix: string,
  archive: LogArchive,
  runtime: ContainerRuntime,
): Promise<LogEvent[]> {
  const events: LogEvent[] = service.events
    .filter((event: LogEventRecord) => event.containerName === container)
    .map(({ createdAt, message }) => ({ createdAt, message }));
  for (const deployment of service.deployments) {
    if (!deployment.containers[container]) continue;
    // Archived runs first, then the live container if one is running now.
    events.push(...parseDockerLogs(archive.read(service.name, container, deployment.version) ?? ""));
    if (deployment.state === "ACTIVE" || deployment.state === "ACTIVATING") {
      for (let node = 0; node < (deployment.nodeCount ?? 1); node++) {
        events.push(
          ...parseDockerLogs(
            await runtime.logs(nodeContainerName(prefix, service.name, deployment.version, container, node)),
          ),
        );
      }
    }
  }
  return events.sort((a, b) => a.createdAt - b.createdAt);
}
