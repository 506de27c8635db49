import { randomBytes } from "node:crypto";
import type { StateValue } from "../cloudwatch/alarm-evaluation.js";
import { ACCOUNT_ID } from "../model/account.js";
import { scaledMs } from "../model/clock.js";
import type { EcsDeps } from "./deps.js";
import { type DeploymentRecord, type EcsServiceRecord, isTerminal, type Revision } from "./records.js";
import type { TaskDefinitionRecord } from "./task-definitions.js";
import type { Tasks } from "./tasks.js";

/** An alarm as ECS polls it: its state and when it last changed. */
export type AlarmReader = (name: string) => { state: StateValue; transitionedAt: number } | undefined;

/** Green tasks not all healthy this long after all run roll back (simulated seconds; our choice; README). */
export const SCALE_UP_TIMEOUT_SECONDS = 600;

/**
 * The one owner of the ECS blue/green state: service deployments, their lifecycle stages, the production
 * rule's weights and which revision is live. Handlers ask it to create or roll back; `advance` (one call per
 * tick) moves every deployment on by what the clock, the tasks, the target health and the alarms say.
 */
export class DeploymentMachine {
  constructor(
    private readonly deps: EcsDeps,
    private readonly tasks: Tasks,
    private readonly alarms: AlarmReader,
  ) {}

  /** A new deployment of `definition`; an unfinished older one is rolled back and ends STOPPED. */
  create(service: EcsServiceRecord, definition: TaskDefinitionRecord): DeploymentRecord {
    const now = this.deps.clock.now();
    for (const older of service.deployments.filter((d) => !isTerminal(d))) {
      if (older.status === "PENDING")
        this.finish(service, older, "STOPPED", "Superseded by a newer deployment");
      else if (older.status !== "ROLLBACK_IN_PROGRESS")
        this.beginRollback(service, older, "Superseded by a newer deployment", "STOPPED");
    }
    const cluster = service.clusterArn.split("/").at(-1);
    const id = randomBytes(11).toString("base64url").slice(0, 15);
    const prefix = `arn:aws:ecs:${this.deps.region}:${ACCOUNT_ID}`;
    const deployment: DeploymentRecord = {
      id,
      arn: `${prefix}:service-deployment/${cluster}/${service.name}/${id}`,
      status: "PENDING",
      stage: "RECONCILE_SERVICE",
      createdAt: now,
      updatedAt: now,
      target: {
        arn: `${prefix}:service-revision/${cluster}/${service.name}/${randomBytes(8).toString("hex")}`,
        definition,
        group: service.loadBalancer.green,
        tasks: [],
        createdAt: now,
      },
      config: structuredClone(service.config),
      desiredCount: service.desiredCount,
      alarmingAtStart: [],
      triggeredAlarms: [],
      stageSince: now,
    };
    service.deployments.push(deployment);
    return deployment;
  }

  /** StopServiceDeployment ROLLBACK: true when accepted (before clean-up), false when it is too late. */
  requestRollback(deployment: DeploymentRecord): boolean {
    const early = deployment.status === "PENDING" || deployment.status === "IN_PROGRESS";
    if (!early || deployment.stage === "CLEAN_UP") return false;
    deployment.status = "ROLLBACK_REQUESTED";
    deployment.updatedAt = this.deps.clock.now();
    return true;
  }

  async advance(service: EcsServiceRecord): Promise<void> {
    const unfinished = service.deployments.filter((d) => !isTerminal(d));
    // Rollbacks of superseded deployments first, then the oldest live one: one shift at a time.
    for (const deployment of unfinished.filter((d) => d.status === "ROLLBACK_IN_PROGRESS"))
      await this.continueRollback(service, deployment);
    const current = service.deployments.find((d) => !isTerminal(d) && d.status !== "ROLLBACK_IN_PROGRESS");
    if (!current) return;
    if (current.status === "PENDING") {
      if (unfinished.some((d) => d.status === "ROLLBACK_IN_PROGRESS")) return;
      this.start(service, current);
    }
    if (current.status === "ROLLBACK_REQUESTED") {
      const reason = "Service deployment rolled back by a StopServiceDeployment request";
      this.beginRollback(service, current, reason);
      return;
    }
    if (current.status === "IN_PROGRESS") await this.step(service, current);
  }

  private start(service: EcsServiceRecord, deployment: DeploymentRecord): void {
    const now = this.deps.clock.now();
    const lb = service.loadBalancer;
    deployment.status = "IN_PROGRESS";
    deployment.startedAt = now;
    if (service.live) deployment.source = service.live;
    // Green is the target group the live revision is not in (the one at weight 0 before any deployment).
    const liveGroup = service.live?.group ?? ((lb.weights.get(lb.blue.arn) ?? 0) > 0 ? lb.blue : lb.green);
    deployment.target.group = liveGroup === lb.blue ? lb.green : lb.blue;
    deployment.alarmingAtStart = this.watchedAlarms(deployment).filter(
      (name) => this.alarms(name)?.state === "ALARM",
    );
    this.enter(deployment, "RECONCILE_SERVICE");
  }

  private watchedAlarms(deployment: DeploymentRecord): string[] {
    const alarms = deployment.config.alarms;
    return alarms?.enable ? alarms.alarmNames : [];
  }

  private enter(deployment: DeploymentRecord, stage: DeploymentRecord["stage"]): void {
    deployment.stage = stage;
    deployment.stageSince = this.deps.clock.now();
    deployment.updatedAt = deployment.stageSince;
  }

  private async step(service: EcsServiceRecord, deployment: DeploymentRecord): Promise<void> {
    const triggered = this.triggeredAlarms(deployment);
    if (triggered.length > 0 && deployment.stage !== "CLEAN_UP") {
      deployment.triggeredAlarms = [...new Set([...deployment.triggeredAlarms, ...triggered])];
      // Without `rollback` the alarm is only reported; the deployment goes on (our reading of the docs).
      if (deployment.config.alarms?.rollback) {
        const reason = `Service deployment rolled back because the CloudWatch alarm(s) ${triggered.join(", ")} went into ALARM`;
        this.beginRollback(service, deployment, reason);
        return;
      }
    }
    switch (deployment.stage) {
      case "RECONCILE_SERVICE":
        this.scaleUp(service, deployment);
        return;
      case "SCALE_UP":
        this.checkScaleUp(service, deployment);
        return;
      case "PRODUCTION_TRAFFIC_SHIFT":
        deployment.bakeStartedAt = this.deps.clock.now();
        this.enter(deployment, "BAKE_TIME");
        return;
      case "BAKE_TIME":
        this.bake(service, deployment);
        return;
      default:
        await this.cleanUp(service, deployment);
    }
  }

  /** Alarms watched by this deployment that went into ALARM after it started. */
  private triggeredAlarms(deployment: DeploymentRecord): string[] {
    const started = deployment.startedAt ?? deployment.createdAt;
    return this.watchedAlarms(deployment).filter((name) => {
      const alarm = this.alarms(name);
      if (alarm?.state !== "ALARM") return false;
      return !deployment.alarmingAtStart.includes(name) || alarm.transitionedAt > started;
    });
  }

  private scaleUp(service: EcsServiceRecord, deployment: DeploymentRecord): void {
    for (let index = 0; index < deployment.desiredCount; index += 1) {
      const task = this.tasks.start({
        definition: deployment.target.definition,
        clusterArn: service.clusterArn,
        group: `service:${service.name}`,
        startedBy: `ecs-svc/${deployment.id}`,
        removeWhenStopped: true,
      });
      deployment.target.tasks.push(task);
      this.event(service, `(service ${service.name}) has started 1 tasks: (task ${task.id}).`);
    }
    this.enter(deployment, "SCALE_UP");
  }

  /** Registers running green tasks; shifts production traffic once every one of them is healthy. */
  private checkScaleUp(service: EcsServiceRecord, deployment: DeploymentRecord): void {
    const { target } = deployment;
    const failed = target.tasks.find((task) => task.lastStatus === "STOPPED");
    if (failed) {
      const exit = failed.containers.find((c) => c.exitCode !== undefined && c.essential)?.exitCode;
      const detail = exit === undefined ? "" : ` (exit code ${exit})`;
      this.beginRollback(
        service,
        deployment,
        `Task ${failed.id} stopped: ${failed.stoppedReason ?? "unknown"}${detail}`,
      );
      return;
    }
    for (const task of target.tasks) {
      const port = this.tasks.portOf(task, service.containerName);
      if (task.lastStatus === "RUNNING" && port !== undefined) target.group.register(port);
    }
    const healthy = target.tasks.every((task) =>
      target.group.isHealthy(this.tasks.portOf(task, service.containerName) ?? -1),
    );
    if (healthy && target.tasks.length > 0) {
      const other = service.loadBalancer.targetGroups().find((group) => group !== target.group);
      service.loadBalancer.setWeights({ [target.group.arn]: 100, ...(other ? { [other.arn]: 0 } : {}) });
      deployment.shiftedAt = this.deps.clock.now();
      this.enter(deployment, "PRODUCTION_TRAFFIC_SHIFT");
      return;
    }
    if (target.tasks.some((task) => task.lastStatus === "PENDING"))
      deployment.stageSince = this.deps.clock.now();
    if (this.deps.clock.now() - deployment.stageSince >= scaledMs(this.deps.clock, SCALE_UP_TIMEOUT_SECONDS))
      this.beginRollback(service, deployment, "The green tasks did not become healthy in time");
  }

  private bake(service: EcsServiceRecord, deployment: DeploymentRecord): void {
    const crashed = deployment.target.tasks.find((task) => task.lastStatus === "STOPPED");
    if (crashed) {
      this.beginRollback(
        service,
        deployment,
        `Task ${crashed.id} stopped during the bake: ${crashed.stoppedReason ?? ""}`,
      );
      return;
    }
    const bakeMs = scaledMs(this.deps.clock, deployment.config.bakeTimeInMinutes * 60);
    if (this.deps.clock.now() - (deployment.bakeStartedAt ?? 0) < bakeMs) return;
    for (const task of deployment.source?.tasks ?? []) {
      const port = this.tasks.portOf(task, service.containerName);
      if (port !== undefined) deployment.source?.group.deregister(port);
    }
    this.enter(deployment, "CLEAN_UP");
  }

  /** Blue's targets drain for the deregistration delay, then its tasks stop and the deployment is done. */
  private async cleanUp(service: EcsServiceRecord, deployment: DeploymentRecord): Promise<void> {
    const source = deployment.source;
    if (source && !(await this.drainAndStop(service, source))) return;
    service.live = deployment.target;
    this.finish(service, deployment, "SUCCESSFUL", "Service deployment completed");
    this.event(service, `(service ${service.name}) has reached a steady state.`);
  }

  /** True once none of the revision's targets is registered or draining and its tasks are stopped. */
  private async drainAndStop(service: EcsServiceRecord, revision: Revision): Promise<boolean> {
    const ports = revision.tasks.map((task) => this.tasks.portOf(task, service.containerName));
    if (ports.some((port) => port !== undefined && revision.group.holds(port))) return false;
    for (const task of revision.tasks)
      await this.tasks.stop(task, "ServiceSchedulerInitiated", "Scaling activity initiated by (deployment)");
    return true;
  }

  /** Production traffic back to blue at once (a weight flip), green deregistered; its tasks stop once drained. */
  private beginRollback(
    service: EcsServiceRecord,
    deployment: DeploymentRecord,
    reason: string,
    endAs: "ROLLBACK_SUCCESSFUL" | "STOPPED" = "ROLLBACK_SUCCESSFUL",
  ): void {
    const now = this.deps.clock.now();
    const { source, target } = deployment;
    deployment.status = "ROLLBACK_IN_PROGRESS";
    deployment.statusReason = reason;
    deployment.endAs = endAs;
    deployment.rollback = { reason, startedAt: now, ...(source ? { serviceRevisionArn: source.arn } : {}) };
    deployment.updatedAt = now;
    if (source && deployment.shiftedAt !== undefined)
      service.loadBalancer.setWeights({ [source.group.arn]: 100, [target.group.arn]: 0 });
    for (const task of target.tasks) {
      const port = this.tasks.portOf(task, service.containerName);
      if (port !== undefined) target.group.deregister(port);
    }
    this.event(service, `(service ${service.name}) rolling back deployment ${deployment.id}: ${reason}`);
  }

  private async continueRollback(service: EcsServiceRecord, deployment: DeploymentRecord): Promise<void> {
    if (!(await this.drainAndStop(service, deployment.target))) return;
    const status = deployment.endAs ?? "ROLLBACK_SUCCESSFUL";
    const failed = status === "ROLLBACK_SUCCESSFUL" && !deployment.source;
    this.finish(service, deployment, failed ? "ROLLBACK_FAILED" : status, deployment.statusReason ?? "");
  }

  private finish(
    service: EcsServiceRecord,
    deployment: DeploymentRecord,
    status: DeploymentRecord["status"],
    reason: string,
  ): void {
    const now = this.deps.clock.now();
    deployment.status = status;
    deployment.statusReason = reason;
    deployment.updatedAt = now;
    if (status === "STOPPED") deployment.stoppedAt = now;
    else deployment.finishedAt = now;
    this.deps.log(`local-aws: ECS ${service.name} deployment ${deployment.id} ${status}: ${reason}`);
  }

  private event(service: EcsServiceRecord, message: string): void {
    service.events.unshift({
      id: randomBytes(16).toString("hex"),
      createdAt: this.deps.clock.now(),
      message,
    });
    service.events.splice(100);
  }
}
