import { createHash } from "node:crypto";
import { createServer, type Server } from "node:http";
import { forwardRequest } from "../http/forward.js";
import { ACCOUNT_ID } from "../model/account.js";
import type { ScaledClock } from "../model/clock.js";
import { listen } from "../ports.js";
import { RequestMetrics } from "./request-metrics.js";
import { type HealthCheckSettings, TargetGroup } from "./target-group.js";

export interface LoadBalancerSpec {
  name: string;
  healthCheck: HealthCheckSettings;
  deregistrationDelaySeconds: number;
  /** The containers' port, shown as the target groups' port (targets register on their host port). */
  containerPort: number;
}

/** A stable 16-hex id from a name, so ARNs survive restarts as AWS's do. */
function idOf(...parts: string[]): string {
  return createHash("sha256").update(parts.join("/")).digest("hex").slice(0, 16);
}

/**
 * One Application Load Balancer: a real HTTP front on a loopback port, one listener whose default rule is
 * the production rule (a weighted forward to a blue and a green target group), and the metrics of every answer.
 * The ECS emulation is the only caller of `setWeights`, as ECS is the only writer of the rule's weights.
 */
export class LoadBalancer {
  readonly arn: string;
  readonly dimension: string;
  readonly listenerArn: string;
  readonly ruleArn: string;
  readonly blue: TargetGroup;
  readonly green: TargetGroup;
  readonly metrics: RequestMetrics;
  readonly createdAt: number;
  /** Production weights by target group ARN. */
  readonly weights = new Map<string, number>();
  private server: Server | undefined;
  private credit = new Map<string, number>();
  port = 0;

  constructor(
    readonly spec: LoadBalancerSpec,
    region: string,
    private readonly clock: ScaledClock,
  ) {
    const prefix = `arn:aws:elasticloadbalancing:${region}:${ACCOUNT_ID}`;
    const lbId = idOf("lb", spec.name);
    const listenerId = idOf("listener", spec.name);
    this.arn = `${prefix}:loadbalancer/app/${spec.name}/${lbId}`;
    this.dimension = `app/${spec.name}/${lbId}`;
    this.listenerArn = `${prefix}:listener/app/${spec.name}/${lbId}/${listenerId}`;
    this.ruleArn = `${prefix}:listener-rule/app/${spec.name}/${lbId}/${listenerId}/${idOf("rule", spec.name)}`;
    const group = (color: string) => {
      const name = `${spec.name}-${color}`;
      const arn = `${prefix}:targetgroup/${name}/${idOf("tg", name)}`;
      return new TargetGroup(
        name,
        arn,
        spec.containerPort,
        spec.healthCheck,
        spec.deregistrationDelaySeconds,
        clock,
      );
    };
    this.blue = group("blue");
    this.green = group("green");
    this.weights.set(this.blue.arn, 100).set(this.green.arn, 0);
    const dims = new Map([this.blue, this.green].map((tg) => [tg.arn, tg.arn.split(":").at(-1) ?? ""]));
    this.metrics = new RequestMetrics(this.dimension, dims);
    this.createdAt = clock.now();
  }

  targetGroups(): TargetGroup[] {
    return [this.blue, this.green];
  }

  /** The production rule's forward weights (ECS rewrites them on a traffic shift and on a rollback). */
  setWeights(weights: Record<string, number>): void {
    for (const [arn, weight] of Object.entries(weights)) this.weights.set(arn, weight);
    this.credit.clear();
  }

  /**
   * Smooth weighted round robin: deterministic, so a 90/10 split is exactly 9 to 1 over every 10 requests
   * (AWS documents only that traffic follows the weights).
   */
  private chooseGroup(): TargetGroup | undefined {
    const total = [...this.weights.values()].reduce((sum, weight) => sum + weight, 0);
    if (total === 0) return undefined;
    let best: TargetGroup | undefined;
    for (const group of this.targetGroups()) {
      const weight = this.weights.get(group.arn) ?? 0;
      if (weight === 0) continue;
      const credit = (this.credit.get(group.arn) ?? 0) + weight;
      this.credit.set(group.arn, credit);
      if (!best || credit > (this.credit.get(best.arn) ?? 0)) best = group;
    }
    if (best) this.credit.set(best.arn, (this.credit.get(best.arn) ?? 0) - total);
    return best;
  }

  async start(): Promise<void> {
    this.server = createServer((incoming, outgoing) => {
      const at = this.clock.now();
      const group = this.chooseGroup();
      const target = group?.pick();
      if (!group || !target) {
        this.metrics.record({ at, status: 503, origin: "balancer" });
        outgoing.writeHead(503, { "content-type": "text/plain" });
        outgoing.end("503 Service Temporarily Unavailable: no registered targets\n");
        return;
      }
      forwardRequest(incoming, outgoing, {
        port: target.port,
        forwardedFor: "append",
        onUpstreamError: "bad-gateway",
        observe: (origin, status) => this.metrics.record({ at, status, origin, targetGroup: group.arn }),
      });
    });
    this.port = await listen(this.server, 0);
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}/`;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
