import type { DeploymentRecord, ServiceRecord } from "../state/state.js";
import type { LightsailDeps } from "./deps.js";
import { healthTiming, probeOnce, stoppedContainer } from "./health-check.js";
import { nodeIndexes, nodeLabel, setNodeServing } from "./nodes.js";

/** Replacements in a row without a healthy probe in between, after which the monitor gives up. */
export const MAX_REPLACEMENTS_IN_A_ROW = 5;

interface NodeState {
  failures: number;
  replacements: number;
  givenUp: boolean;
}

export interface MonitorActions {
  dockerName(service: ServiceRecord, deployment: DeploymentRecord, container: string, node: number): string;
  /** Archives the node's output, removes its containers and runs them again; throws when it cannot. */
  replace(
    service: ServiceRecord,
    deployment: DeploymentRecord,
    container: string,
    node: number,
  ): Promise<void>;
  say(service: ServiceRecord, deployment: DeploymentRecord, message: string): void;
}

/**
 * Keeps health-checking each node of each ACTIVE deployment, as Lightsail does, and replaces a node whose
 * container exits or fails `unhealthyThreshold` probes in a row. A failing node leaves the service URL's
 * rotation until a probe passes again. The deployment stays ACTIVE. A watch ends when its deployment is no
 * longer ACTIVE, the service is disabled, the monitor is stopped, or when every node was replaced
 * MAX_REPLACEMENTS_IN_A_ROW times in a row without becoming healthy.
 */
export class HealthMonitor {
  private readonly watches = new Map<string, Promise<void>>();
  private stopping = false;
  private stopSignal!: () => void;
  private readonly stopped = new Promise<void>((resolve) => {
    this.stopSignal = resolve;
  });

  constructor(
    private readonly deps: LightsailDeps,
    private readonly actions: MonitorActions,
    /** Wraps each check so the owner's `idle()` waits for a check in progress, not for the sleeps. */
    private readonly track: (work: () => Promise<void>) => Promise<void>,
  ) {}

  /** Starts watching the deployment; a second call for the same one is ignored. */
  watch(service: ServiceRecord, deployment: DeploymentRecord): void {
    const key = `${service.name}:${deployment.version}`;
    if (this.stopping || this.watches.has(key)) return;
    const run = this.loop(service, deployment)
      .catch((error: unknown) =>
        this.deps.log(`local-aws: health monitor of ${key} failed: ${String(error)}`),
      )
      .finally(() => this.watches.delete(key));
    this.watches.set(key, run);
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.stopSignal();
    await Promise.allSettled([...this.watches.values()]);
  }

  private watching(service: ServiceRecord, deployment: DeploymentRecord): boolean {
    return !this.stopping && deployment.state === "ACTIVE" && !service.isDisabled;
  }

  private async loop(service: ServiceRecord, deployment: DeploymentRecord): Promise<void> {
    const timing = healthTiming(deployment, this.deps.settings.timeScale);
    const states = new Map<number, NodeState>();
    while (this.watching(service, deployment)) {
      await Promise.race([this.deps.monitorSleep(timing.intervalMs), this.stopped]);
      // UPDATING may be stopping or re-running these very containers; look again afterwards.
      if (!this.watching(service, deployment) || service.state === "UPDATING") continue;
      let more = true;
      await this.track(async () => {
        more = false;
        for (const node of nodeIndexes(deployment)) {
          let state = states.get(node);
          if (!state) {
            state = { failures: 0, replacements: 0, givenUp: false };
            states.set(node, state);
          }
          if (state.givenUp) continue;
          if (await this.check(service, deployment, node, timing.unhealthyThreshold, state)) more = true;
          else state.givenUp = true;
          if (!this.watching(service, deployment)) return;
        }
      });
      if (!more) return;
    }
  }

  /** One beat of one node: false when the monitor gives up on this node. */
  private async check(
    service: ServiceRecord,
    deployment: DeploymentRecord,
    node: number,
    unhealthyThreshold: number,
    state: NodeState,
  ): Promise<boolean> {
    const dockerName = (name: string, at: number) => this.actions.dockerName(service, deployment, name, at);
    const where = nodeLabel(deployment, node);
    const stopped = await stoppedContainer(this.deps, deployment, dockerName, [node]);
    let reason: { name: string; why: string } | undefined;
    if (stopped) reason = { name: stopped.name, why: stopped.what };
    else {
      const probe = await probeOnce(this.deps, service, deployment, node);
      const publicName = deployment.publicEndpoint?.containerName ?? "";
      if (probe.healthy) {
        state.failures = 0;
        state.replacements = 0;
        setNodeServing(deployment, node, true);
        return true;
      }
      state.failures += 1;
      const path = deployment.publicEndpoint?.healthCheck.path;
      this.actions.say(
        service,
        deployment,
        `Health check failed for container "${publicName}"${where} on ${path}: ${probe.outcome}`,
      );
      if (state.failures < unhealthyThreshold) return true;
      reason = { name: publicName, why: `failed ${state.failures} health checks in a row` };
    }
    setNodeServing(deployment, node, false);
    if (!this.watching(service, deployment)) return false;
    return this.replace(
      service,
      deployment,
      node,
      { name: reason.name, why: `${where} ${reason.why}`.trim() },
      state,
    );
  }

  private async replace(
    service: ServiceRecord,
    deployment: DeploymentRecord,
    node: number,
    reason: { name: string; why: string },
    state: NodeState,
  ): Promise<boolean> {
    const say = (message: string) => this.actions.say(service, deployment, message);
    if (state.replacements >= MAX_REPLACEMENTS_IN_A_ROW) {
      say(
        `Container "${reason.name}" ${reason.why}; it was replaced ${state.replacements} times in a row without becoming healthy, so local-aws stops replacing it`,
      );
      return false;
    }
    state.failures = 0;
    state.replacements += 1;
    say(`Container "${reason.name}" ${reason.why}; replacing it`);
    try {
      await this.actions.replace(service, deployment, reason.name, node);
    } catch (error) {
      say(`Could not replace container "${reason.name}": ${(error as Error).message}`);
    }
    return true;
  }
}
