import type { MetricSpec } from "../cloudwatch/alarm-evaluation.js";
import { AlarmStore } from "../cloudwatch/alarms.js";
import { cloudWatchHandlers } from "../cloudwatch/cloudwatch-service.js";
import type { EcsConfig, EcsServiceConfig } from "../config/ecs-config.js";
import { elbv2Handlers } from "../elbv2/elbv2-service.js";
import { LoadBalancer } from "../elbv2/load-balancer.js";
import { logsHandlers } from "../logs/log-events.js";
import { ACCOUNT_ID } from "../model/account.js";
import type { Handler } from "../protocol/api-server.js";
import { AwsError } from "../protocol/errors.js";
import type { Params } from "../protocol/params.js";
import { DeploymentMachine } from "./deployment-machine.js";
import type { EcsDeps } from "./deps.js";
import type { EcsServiceRecord } from "./records.js";
import { serviceHandlers } from "./service-handlers.js";
import { TaskDefinitions } from "./task-definitions.js";
import { taskHandlers } from "./task-handlers.js";
import { Tasks } from "./tasks.js";

/** The APIs this part answers. */
export type EcsApi = "ecs" | "elbv2" | "cloudwatch" | "logs";

export const NO_ECS: EcsConfig = { cluster: "default", timeScale: 1, tickMs: 200, services: [] };

/**
 * ECS with native blue/green, its load balancers and the CloudWatch alarms that watch them, on one clock.
 * Each `tick` evaluates the alarms, notices exited tasks, health-checks targets and moves every deployment on;
 * the server ticks every `tickMs`, unit tests call `tick` themselves on a virtual clock.
 */
export class EcsEmulation {
  readonly services: EcsServiceRecord[];
  readonly balancers: LoadBalancer[];
  readonly alarms: AlarmStore;
  readonly tasks: Tasks;
  readonly definitions: TaskDefinitions;
  readonly machine: DeploymentMachine;
  readonly clusterArn: string;
  private loop: Promise<void> | undefined;
  private running = false;

  constructor(
    readonly config: EcsConfig,
    private readonly deps: EcsDeps,
  ) {
    const { clock, region } = deps;
    this.clusterArn = `arn:aws:ecs:${region}:${ACCOUNT_ID}:cluster/${config.cluster}`;
    this.balancers = config.services.map(
      (s) =>
        new LoadBalancer(
          {
            name: s.name,
            healthCheck: s.healthCheck,
            deregistrationDelaySeconds: s.deregistrationDelaySeconds,
            containerPort: s.containerPort,
          },
          region,
          clock,
        ),
    );
    const source = (metric: MetricSpec, start: number, end: number) => {
      const sums = this.balancers
        .map((lb) => lb.metrics.sum(metric, start, end))
        .filter((n) => n !== undefined);
      return sums.length === 0 ? undefined : sums.reduce((a, b) => a + b, 0);
    };
    this.alarms = new AlarmStore(clock, region, source);
    this.tasks = new Tasks(deps);
    this.definitions = new TaskDefinitions(region, clock.now);
    this.machine = new DeploymentMachine(deps, this.tasks, (name) => {
      const alarm = this.alarms.get(name);
      return alarm ? { state: alarm.state, transitionedAt: alarm.stateTransitionedAt } : undefined;
    });
    this.services = config.services.map((s, index) =>
      this.serviceRecord(s, this.balancers[index] as LoadBalancer),
    );
  }

  private serviceRecord(s: EcsServiceConfig, loadBalancer: LoadBalancer): EcsServiceRecord {
    return {
      name: s.name,
      arn: `arn:aws:ecs:${this.deps.region}:${ACCOUNT_ID}:service/${this.config.cluster}/${s.name}`,
      clusterArn: this.clusterArn,
      createdAt: this.deps.clock.now(),
      desiredCount: s.desiredCount,
      containerName: s.containerName,
      containerPort: s.containerPort,
      loadBalancer,
      config: {
        strategy: "BLUE_GREEN",
        bakeTimeInMinutes: s.bakeTimeInMinutes,
        maximumPercent: 200,
        minimumHealthyPercent: 100,
      },
      deployments: [],
      events: [],
    };
  }

  /** The handlers of the four APIs. */
  handlers(): Record<EcsApi, Record<string, Handler>> {
    const cluster = (p: Params) => {
      const named = p.string("cluster", false, 2048) ?? "default";
      if (named !== this.config.cluster && named !== this.clusterArn)
        throw new AwsError("ClusterNotFoundException", "Cluster not found.");
      return this.clusterArn;
    };
    return {
      ecs: {
        ...taskHandlers(this.definitions, this.tasks, cluster),
        ...serviceHandlers(this.machine, this.definitions, () => this.services, cluster),
      },
      elbv2: elbv2Handlers(() => this.balancers),
      cloudwatch: cloudWatchHandlers(this.alarms),
      logs: logsHandlers((group, stream) => this.logSource(group, stream)),
    };
  }

  /**
   * The output of the container that the awslogs driver would send to this group and stream:
   * `<awslogs-stream-prefix>/<container name>/<task id>`, as ECS names the streams.
   */
  private async logSource(group: string, stream: string): Promise<string | undefined> {
    for (const task of this.tasks.all()) {
      for (const [index, definition] of task.definition.containerDefinitions.entries()) {
        const log = definition.logConfiguration as
          | { logDriver?: string; options?: Record<string, string> }
          | undefined;
        const options = log?.logDriver === "awslogs" ? (log.options ?? {}) : undefined;
        if (options?.["awslogs-group"] !== group) continue;
        if (`${options["awslogs-stream-prefix"]}/${definition.name}/${task.id}` !== stream) continue;
        const container = task.containers[index];
        return container ? this.deps.runtime.logs(container.runtimeName) : undefined;
      }
    }
    return undefined;
  }

  /** Opens the load balancers, deploys the configured task definitions and, unless `manual`, starts ticking. */
  async start(options: { manual?: boolean; sleep: (ms: number) => Promise<void> }): Promise<void> {
    const orphans = await this.tasks.removeOrphans();
    if (orphans.length > 0)
      this.deps.log(`local-aws: removed ${orphans.length} ECS task containers of an earlier run`);
    for (const lb of this.balancers) await lb.start();
    this.config.services.forEach((s, index) => {
      if (s.taskDefinition === undefined) return;
      const service = this.services[index] as EcsServiceRecord;
      this.machine.create(service, this.definitions.register(s.taskDefinition));
    });
    if (options.manual) return;
    this.running = true;
    this.loop = (async () => {
      while (this.running) {
        await this.tick().catch((error: unknown) =>
          this.deps.log(`local-aws: ECS tick failed: ${String(error)}`),
        );
        await options.sleep(this.config.tickMs);
      }
    })();
  }

  async tick(): Promise<void> {
    this.alarms.evaluate();
    await this.tasks.refresh();
    for (const lb of this.balancers) for (const group of lb.targetGroups()) await group.tick(this.deps.probe);
    for (const service of this.services) await this.machine.advance(service);
  }

  loadBalancerUrl(name: string): string {
    const lb = this.balancers.find((candidate) => candidate.spec.name === name);
    if (!lb) throw new Error(`local-aws: no ECS service named ${JSON.stringify(name)} in the config`);
    return lb.url;
  }

  async idle(): Promise<void> {
    await this.tasks.idle();
  }

  /** Stops ticking and closes the load balancers; containers are the caller's to remove (by instance label). */
  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
    await this.tasks.idle();
    for (const lb of this.balancers) await lb.stop();
  }
}
