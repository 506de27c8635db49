import type { Handler } from "../protocol/api-server.js";
import { AwsError } from "../protocol/errors.js";
import { Params } from "../protocol/params.js";
import type { DeploymentMachine } from "./deployment-machine.js";
import type { DeploymentConfig, DeploymentStatus, EcsServiceRecord } from "./records.js";
import { ECS_INVALID, type TaskDefinitions } from "./task-definitions.js";
import type { ClusterCheck } from "./task-handlers.js";
import { briefView, serviceDeploymentView, serviceView } from "./views.js";

/** UpdateService members that are accepted and have no effect here (networking is the host's). */
const IGNORED = [
  "networkConfiguration",
  "healthCheckGracePeriodSeconds",
  "enableExecuteCommand",
  "propagateTags",
  "enableECSManagedTags",
  "platformVersion",
];
const HANDLED = [
  "cluster",
  "service",
  "taskDefinition",
  "desiredCount",
  "deploymentConfiguration",
  "forceNewDeployment",
  "deploymentController",
];
const STATUSES: DeploymentStatus[] = [
  "PENDING",
  "IN_PROGRESS",
  "SUCCESSFUL",
  "STOPPED",
  "STOP_REQUESTED",
  "ROLLBACK_REQUESTED",
  "ROLLBACK_IN_PROGRESS",
  "ROLLBACK_SUCCESSFUL",
  "ROLLBACK_FAILED",
];

function notEmulated(p: Params, name: string, value: unknown): AwsError {
  return p.fail(name, value, "not emulated by local-aws (see its README)");
}

/** The deployment configuration an UpdateService asks for, on top of the service's current one. */
function deploymentConfig(p: Params, current: DeploymentConfig): DeploymentConfig {
  if (!p.has("deploymentConfiguration")) return current;
  const c = p.object("deploymentConfiguration");
  for (const member of ["lifecycleHooks", "linearConfiguration", "canaryConfiguration"])
    if (c.has(member)) throw notEmulated(c, member, "(set)");
  const strategy = c.oneOf("strategy", ["ROLLING", "BLUE_GREEN", "LINEAR", "CANARY"]) ?? current.strategy;
  if (strategy !== "BLUE_GREEN") throw notEmulated(c, "strategy", strategy);
  if (c.has("deploymentCircuitBreaker") && c.object("deploymentCircuitBreaker").boolean("enable"))
    throw new AwsError(
      ECS_INVALID,
      "The deployment circuit breaker can only be used for services using the rolling update (ECS) deployment type.",
    );
  const next: DeploymentConfig = {
    strategy,
    bakeTimeInMinutes: c.integer("bakeTimeInMinutes", 0, 1440) ?? current.bakeTimeInMinutes,
    maximumPercent: c.integer("maximumPercent", 100, 200) ?? current.maximumPercent,
    minimumHealthyPercent: c.integer("minimumHealthyPercent", 0, 100) ?? current.minimumHealthyPercent,
  };
  const alarms = c.has("alarms") ? c.object("alarms") : undefined;
  if (alarms) {
    const enable = alarms.boolean("enable");
    const rollback = alarms.boolean("rollback");
    const alarmNames = alarms.strings("alarmNames", 10);
    if (enable === undefined || rollback === undefined || alarmNames === undefined)
      throw alarms.fail("alarmNames", alarmNames, "alarmNames, enable and rollback are all required");
    next.alarms = { alarmNames, enable, rollback };
  } else if (current.alarms) next.alarms = current.alarms;
  return next;
}

function updateService(
  machine: DeploymentMachine,
  definitions: TaskDefinitions,
  find: ServiceFinder,
): Handler {
  return async (body) => {
    const p = Params.of(body, ECS_INVALID);
    for (const key of Object.keys(body as object))
      if (!HANDLED.includes(key) && !IGNORED.includes(key)) throw notEmulated(p, key, "(set)");
    const service = find(p, p.string("service", true, 255));
    if (p.has("deploymentController") && p.object("deploymentController").string("type") !== "ECS")
      throw notEmulated(p, "deploymentController.type", p.object("deploymentController").string("type"));
    const reference = p.string("taskDefinition", false, 2048);
    const definition = reference === undefined ? undefined : definitions.find(reference);
    const desired = p.integer("desiredCount", 1, 10);
    service.config = deploymentConfig(p, service.config);
    const changesTasks =
      definition !== undefined || (desired !== undefined && desired !== service.desiredCount);
    if (desired !== undefined) service.desiredCount = desired;
    const next = definition ?? service.deployments.at(-1)?.target.definition ?? service.live?.definition;
    if ((changesTasks || p.boolean("forceNewDeployment")) && next) machine.create(service, next);
    return { service: serviceView(service) };
  };
}

export type ServiceFinder = (p: Params, reference: string) => EcsServiceRecord;

function deploymentsOf(services: () => EcsServiceRecord[]) {
  return services().flatMap((service) => service.deployments.map((deployment) => ({ service, deployment })));
}

function listDeployments(find: ServiceFinder): Handler {
  return async (body) => {
    const p = Params.of(body, ECS_INVALID);
    const service = find(p, p.string("service", true, 255));
    const statuses = p.strings("status", 9);
    const bad = statuses?.find((status) => !STATUSES.includes(status as DeploymentStatus));
    if (bad) throw p.fail("status", bad, `Member must satisfy enum value set: [${STATUSES.join(", ")}]`);
    const created = p.has("createdAt") ? p.object("createdAt") : undefined;
    const before = created?.number("before");
    const after = created?.number("after");
    const max = p.integer("maxResults", 1, 100) ?? 20;
    const offset = Number(p.string("nextToken") ?? "0");
    if (!Number.isInteger(offset) || offset < 0)
      throw p.fail("nextToken", p.string("nextToken"), "Member is not a token this service gave");
    // Newest first, so the one an UpdateService just made is the first entry.
    const matching = [...service.deployments]
      .reverse()
      .filter(
        (d) =>
          (!statuses || statuses.includes(d.status)) &&
          (before === undefined || d.createdAt < before * 1000) &&
          (after === undefined || d.createdAt > after * 1000),
      );
    const page = matching.slice(offset, offset + max);
    const next = offset + max < matching.length ? { nextToken: String(offset + max) } : {};
    return { serviceDeployments: page.map((d) => briefView(service, d)), ...next };
  };
}

export function serviceHandlers(
  machine: DeploymentMachine,
  definitions: TaskDefinitions,
  services: () => EcsServiceRecord[],
  cluster: ClusterCheck,
): Record<string, Handler> {
  const find: ServiceFinder = (p, reference) => {
    cluster(p);
    const service = services().find((s) => s.name === reference || s.arn === reference);
    if (!service) throw new AwsError("ServiceNotFoundException", "Service not found.");
    return service;
  };
  return {
    DescribeServices: async (body) => {
      const p = Params.of(body, ECS_INVALID);
      cluster(p);
      const wanted = p.strings("services", 10) ?? [];
      if (wanted.length === 0) throw p.fail("services", wanted, "Services cannot be empty.");
      const found = wanted.map((reference) => ({
        reference,
        service: services().find((s) => s.name === reference || s.arn === reference),
      }));
      return {
        services: found.flatMap(({ service }) => (service ? [serviceView(service)] : [])),
        failures: found
          .filter(({ service }) => !service)
          .map(({ reference }) => ({ arn: reference, reason: "MISSING" })),
      };
    },
    UpdateService: updateService(machine, definitions, find),
    ListServiceDeployments: listDeployments(find),
    DescribeServiceDeployments: async (body) => {
      const p = Params.of(body, ECS_INVALID);
      const arns = p.strings("serviceDeploymentArns", 20) ?? [];
      if (arns.length === 0)
        throw p.fail("serviceDeploymentArns", arns, "Member must have length greater than or equal to 1");
      const all = deploymentsOf(services);
      const found = arns.map((arn) => ({ arn, entry: all.find((e) => e.deployment.arn === arn) }));
      return {
        serviceDeployments: found.flatMap(({ entry }) =>
          entry ? [serviceDeploymentView(entry.service, entry.deployment)] : [],
        ),
        failures: found.filter(({ entry }) => !entry).map(({ arn }) => ({ arn, reason: "MISSING" })),
      };
    },
    StopServiceDeployment: async (body) => {
      const p = Params.of(body, ECS_INVALID);
      const arn = p.string("serviceDeploymentArn", true, 2048);
      const stopType = p.oneOf("stopType", ["ABORT", "ROLLBACK"]) ?? "ROLLBACK";
      if (stopType === "ABORT") throw notEmulated(p, "stopType", stopType);
      const entry = deploymentsOf(services).find((e) => e.deployment.arn === arn);
      if (!entry)
        throw new AwsError(
          "ServiceDeploymentNotFoundException",
          `The service deployment ${arn} does not exist.`,
        );
      if (!machine.requestRollback(entry.deployment))
        throw new AwsError(
          "ConflictException",
          `The service deployment is ${entry.deployment.status} (${entry.deployment.stage}); it can no longer be rolled back.`,
        );
      return { serviceDeploymentArn: arn };
    },
  };
}
