import { DEFAULT_HEALTH_CHECK } from "../model/limits.js";
import type { DeploymentRecord, ServiceRecord } from "../state/state.js";
import type { LightsailDeps } from "./deps.js";
import { nodeIndexes, portsOf } from "./nodes.js";
import { parseSuccessCodes } from "./validate.js";

/** One deployment's health check in milliseconds, as the activation and the monitor both apply it. */
export interface HealthTiming {
  intervalMs: number;
  timeoutMs: number;
  healthyThreshold: number;
  unhealthyThreshold: number;
}

export function healthTiming(deployment: DeploymentRecord, timeScale: number): HealthTiming {
  const check = deployment.publicEndpoint?.healthCheck ?? DEFAULT_HEALTH_CHECK;
  return {
    intervalMs: check.intervalSeconds * 1000 * timeScale,
    // Below 100 ms a loopback probe of a busy container times out for no reason.
    timeoutMs: Math.max(100, check.timeoutSeconds * 1000 * timeScale),
    healthyThreshold: check.healthyThreshold,
    unhealthyThreshold: check.unhealthyThreshold,
  };
}

/** The first of the deployment's containers that is not running, described for the log; else undefined. */
export async function stoppedContainer(
  deps: LightsailDeps,
  deployment: DeploymentRecord,
  dockerName: (container: string, node: number) => string,
  nodes: number[] = nodeIndexes(deployment),
): Promise<{ name: string; node: number; what: string } | undefined> {
  for (const node of nodes) {
    for (const name of Object.keys(deployment.containers)) {
      const status = await deps.runtime.status(dockerName(name, node));
      if (!status?.running)
        return { name, node, what: status ? `exited with code ${status.exitCode}` : "disappeared" };
    }
  }
  return undefined;
}

/** One probe of the public endpoint as configured (healthy when there is none to probe). */
export async function probeOnce(
  deps: LightsailDeps,
  service: ServiceRecord,
  deployment: DeploymentRecord,
  node = 0,
): Promise<{ healthy: boolean; outcome: string }> {
  const endpoint = deployment.publicEndpoint;
  const check = endpoint?.healthCheck;
  if (!endpoint || !check) return { healthy: true, outcome: "running" };
  const isSuccess = parseSuccessCodes(check.successCodes) ?? (() => false);
  const url = `http://127.0.0.1:${portsOf(deployment, node)[endpoint.containerName]}${check.path}`;
  const { timeoutMs } = healthTiming(deployment, deps.settings.timeScale);
  const down =
    deps.faults.flapsDown(service.name, "probe") ||
    deps.faults.nodeFails(service.name, deployment.version, node, "probe");
  const status = down ? 503 : await deps.probe(url, timeoutMs);
  return {
    healthy: status !== undefined && isSuccess(status),
    outcome: status === undefined ? `no answer within ${check.timeoutSeconds} s` : `HTTP ${status}`,
  };
}
