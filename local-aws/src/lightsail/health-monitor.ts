import type { DeploymentRecord, ServiceRecord } from "../state/state.js";
import type { LightsailDeps } from "./deps.js";
import { healthTiming, probeOnce, stoppedContainer } from "./health-check.js";

/** Replacements in a row without a healthy probe in between, after which the monitor gives up. */
export const MAX_REPLACEMENTS_IN_A_ROW = 5;

export interface MonitorActions {
  dockerName(service: ServiceRecord, deployment: DeploymentRecord, container: string): string;
  /** Archives the container's output, removes it and runs it again; throws when it cannot. */
  replace(service: ServiceRecord, deployment: DeploymentRecord, container: string): Promise<void>;
  say(service: ServiceRecord, deployment: DeploymentRecord, message: string): void;
}

/**
 * Keeps health-checking each ACTIVE deployment, as Lightsail does, and replaces a container that exits or
 * fails `unhealthyThreshold` probes in a row. The deployment stays ACTIVE. A watch ends when its deployment
 * is no longer ACTIVE, the service is disabled, the monitor is stopped, or after
 * MAX_REPLACEMENTS_IN_A_ROW replacements that never became healthy.
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
    const state = { failures: 0, replacements: 0 };
    while (this.watching(service, deployment)) {
      await Promise.race([this.deps.monitorSleep(timing.intervalMs), this.stopped]);
      // UPDATING may be stopping or re-running these very containers; look again afterwards.
      if (!this.watching(service, deployment) || service.state === "UPDATING") continue;
      let more = true;
      await this.track(async () => {
        more = await this.check(service, deployment, timing.unhealthyThreshold, state);
      });
      if (!more) return;
    }
  }

  /** One beat: false when the monitor gives up on this deployment. */
  private async check(
    service: ServiceRecord,
    deployment: DeploymentRecord,
    unhealthyThreshold: number,
    state: { failures: number; replacements: number },
  ): Promise<boolean> {
    const dockerName = (name: string) => this.actions.dockerName(service, deployment, name);
    const stopped = await stoppedContainer(this.deps, deployment, dockerName);
    let reason: { name: string; why: string } | undefined;
    if (stopped) reason = { name: stopped.name, why: stopped.what };
    else {
      const probe = await probeOnce(this.deps, service, deployment);
      const publicName = deployment.publicEndpoint?.containerName ?? "";
      if (probe.healthy) {
        state.failures = 0;
        state.replacements = 0;
        return true;
      }
      state.failures += 1;
      const path = deployment.publicEndpoint?.healthCheck.path;
      this.actions.say(
        service,
        deployment,
        `Health check failed for container "${publicName}" on ${path}: ${probe.outcome}`,
      );
      if (state.failures < unhealthyThreshold) return true;
      reason = { name: publicName, why: `failed ${state.failures} health checks in a row` };
    }
    if (!this.watching(service, deployment)) return false;
    return this.replace(service, deployment, reason, state);
  }

  private async replace(
    service: ServiceRecord,
    deployment: DeploymentRecord,
    reason: { name: string; why: string },
    state: { failures: number; replacements: number },
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
      await this.actions.replace(service, deployment, reason.name);
    } catch (error) {
      say(`Could not replace container "${reason.name}": ${(error as Error).message}`);
    }
    return true;
  }
}
