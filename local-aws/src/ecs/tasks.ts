import { randomBytes } from "node:crypto";
import { stopAndRemove } from "../docker/graceful.js";
import { ACCOUNT_ID } from "../model/account.js";
import type { EcsDeps } from "./deps.js";
import type { ContainerDefinition, TaskDefinitionRecord } from "./task-definitions.js";

export type TaskStatus = "PROVISIONING" | "PENDING" | "RUNNING" | "DEACTIVATING" | "STOPPED";
export type StopCode =
  | "TaskFailedToStart"
  | "EssentialContainerExited"
  | "UserInitiated"
  | "ServiceSchedulerInitiated";

export interface ContainerOverride {
  name: string;
  command?: string[];
  environment?: { name: string; value: string }[];
}

export interface TaskContainer {
  name: string;
  image: string;
  essential: boolean;
  /** The engine's container name. */
  runtimeName: string;
  lastStatus: "PENDING" | "RUNNING" | "STOPPED";
  exitCode?: number;
  reason?: string;
  /** The host port told to the container as PORT (tasks share the host network; see the README). */
  hostPort?: number;
  /** The definition's first port mapping, which the host port stands in for. */
  containerPort?: number;
}

export interface TaskRecord {
  id: string;
  arn: string;
  clusterArn: string;
  definition: TaskDefinitionRecord;
  group: string;
  startedBy?: string;
  overrides: ContainerOverride[];
  lastStatus: TaskStatus;
  desiredStatus: "RUNNING" | "STOPPED";
  containers: TaskContainer[];
  createdAt: number;
  startedAt?: number;
  stoppingAt?: number;
  stoppedAt?: number;
  stopCode?: StopCode;
  stoppedReason?: string;
  /** Removed from the engine after stopping (service tasks); one-off tasks keep theirs for their output. */
  removeWhenStopped: boolean;
}

export interface StartRequest {
  definition: TaskDefinitionRecord;
  clusterArn: string;
  group: string;
  startedBy?: string;
  overrides?: ContainerOverride[];
  removeWhenStopped: boolean;
}

/**
 * The one owner of task state: it starts a task's containers on the host network, watches them exit (an
 * essential container's exit stops the task with its exit code) and stops them. Launches run in the
 * background; `idle()` waits for them.
 */
export class Tasks {
  private readonly tasks = new Map<string, TaskRecord>();
  private readonly launches = new Set<Promise<void>>();

  constructor(private readonly deps: EcsDeps) {}

  start(request: StartRequest): TaskRecord {
    const id = randomBytes(16).toString("hex");
    const cluster = request.clusterArn.split("/").at(-1) ?? "default";
    const task: TaskRecord = {
      id,
      arn: `arn:aws:ecs:${this.deps.region}:${ACCOUNT_ID}:task/${cluster}/${id}`,
      clusterArn: request.clusterArn,
      definition: request.definition,
      group: request.group,
      ...(request.startedBy === undefined ? {} : { startedBy: request.startedBy }),
      overrides: request.overrides ?? [],
      lastStatus: "PROVISIONING",
      desiredStatus: "RUNNING",
      containers: request.definition.containerDefinitions.map((definition) => ({
        name: definition.name,
        image: definition.image,
        essential: definition.essential !== false,
        runtimeName: `${this.deps.containerPrefix}-ecs-${id.slice(0, 12)}-${definition.name}`,
        lastStatus: "PENDING",
      })),
      createdAt: this.deps.clock.now(),
      removeWhenStopped: request.removeWhenStopped,
    };
    this.tasks.set(task.arn, task);
    const launch = this.launch(task).finally(() => this.launches.delete(launch));
    this.launches.add(launch);
    return task;
  }

  /**
   * Removes the task containers an earlier run of this state dir left: the ECS state is in memory, so they
   * belong to no task any more (see the README).
   */
  async removeOrphans(): Promise<string[]> {
    const names = await this.deps.runtime.listByLabel("local-aws.ecs-instance", this.deps.instanceId);
    for (const name of names) await stopAndRemove(this.deps.runtime, name, this.deps.stopGraceSeconds);
    return names;
  }

  all(): TaskRecord[] {
    return [...this.tasks.values()];
  }

  get(arn: string): TaskRecord | undefined {
    return this.tasks.get(arn) ?? [...this.tasks.values()].find((task) => task.id === arn);
  }

  async idle(): Promise<void> {
    while (this.launches.size > 0) await Promise.all([...this.launches]);
  }

  private async launch(task: TaskRecord): Promise<void> {
    task.lastStatus = "PENDING";
    try {
      for (const [index, container] of task.containers.entries()) {
        const definition = task.definition.containerDefinitions[index] as ContainerDefinition;
        await this.runContainer(task, container, definition);
      }
    } catch (error) {
      if (task.desiredStatus === "RUNNING")
        this.markStopping(task, "TaskFailedToStart", (error as Error).message);
    }
    // A stop asked for while launching (or a failed launch) is carried out once the launch is over.
    if (task.desiredStatus === "STOPPED") {
      await this.finishStop(task);
      return;
    }
    task.lastStatus = "RUNNING";
    task.startedAt = this.deps.clock.now();
  }

  private async runContainer(task: TaskRecord, container: TaskContainer, definition: ContainerDefinition) {
    const { runtime, registry } = this.deps;
    if (container.image.startsWith(`${registry.host}/`)) {
      await runtime.pull(container.image, registry);
      this.deps.notePulled(container.image);
    }
    const env = this.environment(task, definition);
    const containerPort = definition.portMappings?.[0]?.containerPort;
    if (containerPort !== undefined) {
      container.containerPort = containerPort;
      container.hostPort = await this.deps.freePort();
      env.PORT = String(container.hostPort);
    }
    const override = task.overrides.find((entry) => entry.name === container.name);
    const command = override?.command ?? definition.command;
    await runtime.run({
      name: container.runtimeName,
      image: container.image,
      ...(command ? { command } : {}),
      env,
      labels: {
        "local-aws.instance": this.deps.instanceId,
        "local-aws.ecs-instance": this.deps.instanceId,
        "local-aws.ecs-task": task.id,
      },
    });
    container.lastStatus = "RUNNING";
  }

  /** Definition environment, then resolved secrets, then the override's environment (it wins). */
  private environment(task: TaskRecord, definition: ContainerDefinition): Record<string, string> {
    const env: Record<string, string> = {};
    for (const entry of definition.environment ?? []) env[entry.name] = entry.value;
    for (const secret of definition.secrets ?? []) {
      const value = this.deps.resolveSecret(secret.valueFrom);
      if (value === undefined)
        throw new Error(`ResourceInitializationError: unable to retrieve secret from ${secret.valueFrom}`);
      env[secret.name] = value;
    }
    const override = task.overrides.find((entry) => entry.name === definition.name);
    for (const entry of override?.environment ?? []) env[entry.name] = entry.value;
    return env;
  }

  /** Notices exited containers: an essential one stops its task, with its exit code kept. */
  async refresh(): Promise<void> {
    for (const task of this.tasks.values()) {
      if (task.lastStatus !== "RUNNING") continue;
      for (const container of task.containers) {
        if (container.lastStatus !== "RUNNING") continue;
        const status = await this.deps.runtime.status(container.runtimeName);
        if (status?.running) continue;
        container.lastStatus = "STOPPED";
        container.exitCode = status?.exitCode ?? 137;
        if (container.essential && task.desiredStatus === "RUNNING")
          await this.stop(task, "EssentialContainerExited", "Essential container in task exited");
      }
    }
  }

  /** Stops every container of the task (SIGTERM, then SIGKILL after the grace) and marks it STOPPED. */
  async stop(task: TaskRecord, code: StopCode, reason: string): Promise<void> {
    if (task.desiredStatus === "STOPPED") return;
    const launching = task.lastStatus === "PROVISIONING" || task.lastStatus === "PENDING";
    this.markStopping(task, code, reason);
    if (!launching) await this.finishStop(task);
  }

  private markStopping(task: TaskRecord, code: StopCode, reason: string): void {
    task.desiredStatus = "STOPPED";
    task.stopCode = code;
    task.stoppedReason = reason;
    task.stoppingAt = this.deps.clock.now();
  }

  private async finishStop(task: TaskRecord): Promise<void> {
    task.lastStatus = "DEACTIVATING";
    for (const container of task.containers) await this.stopContainer(task, container);
    task.lastStatus = "STOPPED";
    task.stoppedAt = this.deps.clock.now();
  }

  private async stopContainer(task: TaskRecord, container: TaskContainer): Promise<void> {
    const { runtime } = this.deps;
    const status = await runtime.status(container.runtimeName);
    if (status?.running) {
      await runtime.stop(container.runtimeName, this.deps.stopGraceSeconds);
      container.exitCode = (await runtime.status(container.runtimeName))?.exitCode ?? 143;
    } else if (status && container.exitCode === undefined) container.exitCode = status.exitCode;
    container.lastStatus = "STOPPED";
    if (task.removeWhenStopped) await runtime.remove(container.runtimeName);
  }

  /** The essential container's host port: where the load balancer reaches the task. */
  portOf(task: TaskRecord, containerName: string): number | undefined {
    return task.containers.find((container) => container.name === containerName)?.hostPort;
  }
}
