import type { HttpProbe } from "../http/health-probe.js";
import { type ScaledClock, scaledMs } from "../model/clock.js";

export type TargetState = "initial" | "healthy" | "unhealthy" | "draining";

export interface HealthCheckSettings {
  path: string;
  intervalSeconds: number;
  timeoutSeconds: number;
  healthyThreshold: number;
  unhealthyThreshold: number;
  /** ALB's `Matcher.HttpCode`: `200`, `200,202` or `200-299`. */
  matcher: string;
}

export interface Target {
  /** The target's address: always 127.0.0.1, since tasks run on the host network. */
  id: string;
  port: number;
  state: TargetState;
  reason?: string;
  description?: string;
  passes: number;
  failures: number;
  lastProbeAt?: number;
  drainingSince?: number;
}

/** Whether an HTTP status matches a matcher such as `200`, `200,202` or `200-299`. */
export function matches(matcher: string, status: number): boolean {
  return matcher.split(",").some((part) => {
    const [low, high] = part.trim().split("-").map(Number);
    return high === undefined ? status === low : status >= (low ?? 0) && status <= high;
  });
}

/**
 * One target group: its targets, their health (probed for real on loopback) and deregistration. It is the
 * only writer of its targets' state; the ECS emulation registers and deregisters through it.
 */
export class TargetGroup {
  readonly targets: Target[] = [];
  private cursor = 0;

  constructor(
    readonly name: string,
    readonly arn: string,
    readonly port: number,
    readonly healthCheck: HealthCheckSettings,
    readonly deregistrationDelaySeconds: number,
    private readonly clock: ScaledClock,
  ) {}

  register(port: number): void {
    if (this.targets.some((target) => target.port === port && target.state !== "draining")) return;
    this.targets.push({
      id: "127.0.0.1",
      port,
      state: "initial",
      reason: "Elb.InitialHealthChecking",
      description: "Initial health checks in progress",
      passes: 0,
      failures: 0,
    });
  }

  /** Starts draining: no new requests; in-flight ones finish; it is gone after the deregistration delay. */
  deregister(port: number): void {
    for (const target of this.targets) {
      if (target.port !== port || target.state === "draining") continue;
      target.state = "draining";
      target.reason = "Target.DeregistrationInProgress";
      target.description = "Target deregistration is in progress";
      target.drainingSince = this.clock.now();
    }
  }

  /** True while the port is registered or still draining. */
  holds(port: number): boolean {
    return this.targets.some((target) => target.port === port);
  }

  isHealthy(port: number): boolean {
    return this.targets.some((target) => target.port === port && target.state === "healthy");
  }

  /** Drops drained targets and probes those whose interval has passed. */
  async tick(probe: HttpProbe): Promise<void> {
    const now = this.clock.now();
    const delay = scaledMs(this.clock, this.deregistrationDelaySeconds);
    for (let index = this.targets.length - 1; index >= 0; index -= 1) {
      const target = this.targets[index];
      if (target?.drainingSince !== undefined && now - target.drainingSince >= delay)
        this.targets.splice(index, 1);
    }
    const interval = scaledMs(this.clock, this.healthCheck.intervalSeconds);
    const due = this.targets.filter(
      (target) =>
        target.state !== "draining" &&
        (target.lastProbeAt === undefined || now - target.lastProbeAt >= interval),
    );
    await Promise.all(due.map((target) => this.probeOne(probe, target, now)));
  }

  private async probeOne(probe: HttpProbe, target: Target, now: number): Promise<void> {
    target.lastProbeAt = now;
    // A floor of 1 s of real time: at a sped-up clock the scaled timeout (20 ms at 0.01) is shorter than a
    // loaded machine takes to answer, and AWS's own minimum is 2 s.
    const timeout = Math.max(1_000, scaledMs(this.clock, this.healthCheck.timeoutSeconds));
    const status = await probe(`http://127.0.0.1:${target.port}${this.healthCheck.path}`, timeout);
    if (target.state === "draining") return;
    const good = status !== undefined && matches(this.healthCheck.matcher, status);
    target.passes = good ? target.passes + 1 : 0;
    target.failures = good ? 0 : target.failures + 1;
    if (good && target.passes >= this.healthCheck.healthyThreshold) {
      target.state = "healthy";
      delete target.reason;
      delete target.description;
    } else if (!good && target.failures >= this.healthCheck.unhealthyThreshold) {
      target.state = "unhealthy";
      target.reason = status === undefined ? "Target.Timeout" : "Target.ResponseCodeMismatch";
      target.description =
        status === undefined ? "Request timed out" : `Health checks failed with these codes: [${status}]`;
    }
  }

  /**
   * The next target for a request, round robin over healthy ones; when none is healthy, over every
   * registered one (ALB fails open); undefined when nothing is registered.
   */
  pick(): Target | undefined {
    const live = this.targets.filter((target) => target.state !== "draining");
    const healthy = live.filter((target) => target.state === "healthy");
    const pool = healthy.length > 0 ? healthy : live;
    if (pool.length === 0) return undefined;
    this.cursor = (this.cursor + 1) % pool.length;
    return pool[this.cursor];
  }
}
