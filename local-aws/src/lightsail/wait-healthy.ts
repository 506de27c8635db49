import type { DeploymentRecord, ServiceRecord } from "../state/state.js";
import { ActivationFailure } from "./activation-failure.js";
import type { LightsailDeps } from "./deps.js";
import { healthTiming, probeOnce, stoppedContainer } from "./health-check.js";
import { nodeIndexes, nodeLabel } from "./nodes.js";

/** What the wait needs from the runner: its deps, its stoppable sleep and its container names. */
export interface HealthWaitDeps {
  deps: LightsailDeps;
  sleep(ms: number): Promise<void>;
  containerName(
    service: ServiceRecord,
    deployment: DeploymentRecord,
    container: string,
    node: number,
  ): string;
}

/**
 * Probes every node as configured until each has passed the healthy threshold in a row (ACTIVE needs all of
 * them), or one of them fails the unhealthy threshold in a row (the deployment fails).
 */
export async function waitHealthy(
  runner: HealthWaitDeps,
  service: ServiceRecord,
  deployment: DeploymentRecord,
  say: (m: string) => void,
): Promise<void> {
  const { deps } = runner;
  const { faults, settings } = deps;
  const check = deployment.publicEndpoint?.healthCheck;
  const timing = healthTiming(deployment, settings.timeScale);
  const deadline = deps.now() + settings.activationTimeoutSeconds * 1000;
  const nodes = nodeIndexes(deployment);
  const successes = nodes.map(() => 0);
  const failures = nodes.map(() => 0);
  for (;;) {
    await runner.sleep(timing.intervalMs);
    const stopped = await stoppedContainer(deps, deployment, (name, node) =>
      runner.containerName(service, deployment, name, node),
    );
    if (stopped) {
      throw new ActivationFailure(
        `Container "${stopped.name}"${nodeLabel(deployment, stopped.node)} ${stopped.what} before the deployment became healthy`,
      );
    }
    if (deps.now() > deadline) {
      throw new ActivationFailure(`Took too long: not healthy after ${settings.activationTimeoutSeconds} s`);
    }
    if (faults.neverSettles(service.name)) continue;
    for (const node of nodes) {
      if ((successes[node] as number) >= timing.healthyThreshold) continue;
      const where = nodeLabel(deployment, node);
      const { healthy, outcome } = await probeOnce(deps, service, deployment, node);
      if (healthy) {
        successes[node] = (successes[node] as number) + 1;
        failures[node] = 0;
        continue;
      }
      failures[node] = (failures[node] as number) + 1;
      successes[node] = 0;
      say(
        `Health check failed for container "${deployment.publicEndpoint?.containerName}"${where} on ${check?.path}: ${outcome}`,
      );
      if ((failures[node] as number) >= timing.unhealthyThreshold) {
        throw new ActivationFailure(
          `Health check of container "${deployment.publicEndpoint?.containerName}"${where} on path ${check?.path} failed ${failures[node]} times in a row (last: ${outcome}; success codes ${check?.successCodes})`,
        );
      }
    }
    if (successes.every((count) => count >= timing.healthyThreshold)) return;
  }
}
