import type { Handler } from "../protocol/api-server.js";
import { AwsError } from "../protocol/errors.js";
import { Params } from "../protocol/params.js";
import { ECS_INVALID, type TaskDefinitions, taskDefinitionView } from "./task-definitions.js";
import type { ContainerOverride, Tasks } from "./tasks.js";
import { taskView } from "./views.js";

/** The cluster named by a request (name or ARN, `default` when absent), or ClusterNotFoundException. */
export type ClusterCheck = (p: Params) => string;

function containerOverrides(p: Params, containers: string[]): ContainerOverride[] {
  if (!p.has("overrides")) return [];
  const overrides = p.object("overrides");
  return (overrides.list("containerOverrides", 10) ?? []).map((item, index) => {
    const o = overrides.object(`containerOverrides[${index}]`, item);
    const name = o.string("name", true, 255);
    if (!containers.includes(name))
      throw new AwsError(
        ECS_INVALID,
        `Override for container named ${name} is not a container in the TaskDefinition.`,
      );
    const command = o.strings("command", 1000);
    const environment = (o.list("environment", 1000) ?? []).map((entry, i) => {
      const env = o.object(`environment[${i}]`, entry);
      return { name: env.string("name", true, 255), value: env.string("value", false, 65_536) ?? "" };
    });
    return { name, ...(command ? { command } : {}), ...(environment.length > 0 ? { environment } : {}) };
  });
}

/** RunTask: one-off tasks of a task definition (migrations), with the service's network configuration. */
function runTask(definitions: TaskDefinitions, tasks: Tasks, cluster: ClusterCheck): Handler {
  return async (body) => {
    const p = Params.of(body, ECS_INVALID);
    const clusterArn = cluster(p);
    const definition = definitions.find(p.string("taskDefinition", true, 2048));
    const count = p.integer("count", 1, 10) ?? 1;
    const launchType = p.string("launchType") ?? "FARGATE";
    if (launchType !== "FARGATE") throw p.fail("launchType", launchType, "local-aws emulates only FARGATE");
    if (definition.rest.networkMode === "awsvpc" && !p.has("networkConfiguration"))
      throw new AwsError(
        ECS_INVALID,
        "Network Configuration must be provided when networkMode 'awsvpc' is specified.",
      );
    const overrides = containerOverrides(
      p,
      definition.containerDefinitions.map((c) => c.name),
    );
    const startedBy = p.string("startedBy", false, 128);
    const group = p.string("group", false, 255) ?? `family:${definition.family}`;
    const started = Array.from({ length: count }, () =>
      tasks.start({
        definition,
        clusterArn,
        group,
        ...(startedBy === undefined ? {} : { startedBy }),
        overrides,
        removeWhenStopped: false,
      }),
    );
    return { tasks: started.map(taskView), failures: [] };
  };
}

export function taskHandlers(
  definitions: TaskDefinitions,
  tasks: Tasks,
  cluster: ClusterCheck,
): Record<string, Handler> {
  return {
    RegisterTaskDefinition: async (body) => {
      const record = definitions.register(body);
      return { taskDefinition: taskDefinitionView(record), tags: record.tags };
    },
    DescribeTaskDefinition: async (body) => {
      const p = Params.of(body, ECS_INVALID);
      const record = definitions.find(p.string("taskDefinition", true, 2048));
      const withTags = (p.strings("include") ?? []).includes("TAGS");
      return { taskDefinition: taskDefinitionView(record), ...(withTags ? { tags: record.tags } : {}) };
    },
    RunTask: runTask(definitions, tasks, cluster),
    DescribeTasks: async (body) => {
      const p = Params.of(body, ECS_INVALID);
      cluster(p);
      const wanted = p.strings("tasks", 100) ?? [];
      if (wanted.length === 0) throw p.fail("tasks", wanted, "Tasks cannot be empty.");
      const found = wanted.map((reference) => ({ reference, task: tasks.get(reference) }));
      return {
        tasks: found.flatMap(({ task }) => (task ? [taskView(task)] : [])),
        failures: found
          .filter(({ task }) => !task)
          .map(({ reference }) => ({ arn: reference, reason: "MISSING" })),
      };
    },
    StopTask: async (body) => {
      const p = Params.of(body, ECS_INVALID);
      cluster(p);
      const task = tasks.get(p.string("task", true, 2048));
      if (!task) throw new AwsError(ECS_INVALID, "The referenced task was not found.");
      await tasks.stop(task, "UserInitiated", p.string("reason", false, 255) ?? "Task stopped by user");
      return { task: taskView(task) };
    },
  };
}
