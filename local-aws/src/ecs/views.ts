import { type DeploymentRecord, type EcsServiceRecord, isTerminal, type Revision } from "./records.js";
import type { TaskRecord } from "./tasks.js";

/** Timestamps leave as Dates: the API server writes them as epoch seconds. */
const at = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms));

function counts(revision: Revision | undefined) {
  const tasks = revision?.tasks ?? [];
  return {
    running: tasks.filter((task) => task.lastStatus === "RUNNING").length,
    pending: tasks.filter((task) => task.lastStatus === "PROVISIONING" || task.lastStatus === "PENDING")
      .length,
  };
}

/** Whether production traffic is on the deployment's target revision (shifted and not rolled back). */
function targetCarriesTraffic(deployment: DeploymentRecord): boolean {
  return (
    deployment.shiftedAt !== undefined &&
    !deployment.status.startsWith("ROLLBACK") &&
    deployment.status !== "STOPPED"
  );
}

function revisionSummary(revision: Revision, requested: number, weight: number) {
  const { running, pending } = counts(revision);
  return {
    arn: revision.arn,
    requestedTaskCount: requested,
    runningTaskCount: running,
    pendingTaskCount: pending,
    requestedTestTrafficWeight: weight,
    requestedProductionTrafficWeight: weight,
  };
}

function monitorStatus(
  deployment: DeploymentRecord,
): "TRIGGERED" | "MONITORING" | "MONITORING_COMPLETE" | "DISABLED" {
  if (!deployment.config.alarms?.enable) return "DISABLED";
  if (deployment.triggeredAlarms.length > 0) return "TRIGGERED";
  return isTerminal(deployment) ? "MONITORING_COMPLETE" : "MONITORING";
}

function configView(deployment: Pick<DeploymentRecord, "config">) {
  const { config } = deployment;
  return {
    deploymentCircuitBreaker: { enable: false, rollback: false },
    maximumPercent: config.maximumPercent,
    minimumHealthyPercent: config.minimumHealthyPercent,
    ...(config.alarms ? { alarms: config.alarms } : {}),
    strategy: config.strategy,
    bakeTimeInMinutes: config.bakeTimeInMinutes,
  };
}

/** The model's ServiceDeployment. */
export function serviceDeploymentView(service: EcsServiceRecord, deployment: DeploymentRecord) {
  const onTarget = targetCarriesTraffic(deployment);
  const alarms = deployment.config.alarms;
  return {
    serviceDeploymentArn: deployment.arn,
    serviceArn: service.arn,
    clusterArn: service.clusterArn,
    createdAt: at(deployment.createdAt),
    startedAt: at(deployment.startedAt),
    finishedAt: at(deployment.finishedAt),
    stoppedAt: at(deployment.stoppedAt),
    updatedAt: at(deployment.updatedAt),
    sourceServiceRevisions: deployment.source
      ? [revisionSummary(deployment.source, deployment.desiredCount, onTarget ? 0 : 100)]
      : [],
    targetServiceRevision: revisionSummary(deployment.target, deployment.desiredCount, onTarget ? 100 : 0),
    status: deployment.status,
    statusReason: deployment.statusReason,
    lifecycleStage: deployment.stage,
    deploymentConfiguration: configView(deployment),
    rollback: deployment.rollback
      ? { ...deployment.rollback, startedAt: at(deployment.rollback.startedAt) }
      : undefined,
    deploymentCircuitBreaker: { status: "DISABLED" },
    alarms: {
      status: monitorStatus(deployment),
      alarmNames: alarms?.alarmNames ?? [],
      triggeredAlarmNames: deployment.triggeredAlarms,
    },
  };
}

/** The model's ServiceDeploymentBrief (ListServiceDeployments). */
export function briefView(service: EcsServiceRecord, deployment: DeploymentRecord) {
  return {
    serviceDeploymentArn: deployment.arn,
    serviceArn: service.arn,
    clusterArn: service.clusterArn,
    startedAt: at(deployment.startedAt),
    createdAt: at(deployment.createdAt),
    finishedAt: at(deployment.finishedAt ?? deployment.stoppedAt),
    targetServiceRevisionArn: deployment.target.arn,
    status: deployment.status,
    statusReason: deployment.statusReason,
  };
}

function legacyDeployment(
  revision: Revision,
  status: "PRIMARY" | "ACTIVE",
  rollout: "IN_PROGRESS" | "COMPLETED",
  id: string,
  desired: number,
) {
  const { running, pending } = counts(revision);
  return {
    id: `ecs-svc/${id}`,
    status,
    taskDefinition: revision.definition.taskDefinitionArn,
    desiredCount: desired,
    pendingCount: pending,
    runningCount: running,
    failedTasks: revision.tasks.filter(
      (task) => task.stopCode === "TaskFailedToStart" || task.stopCode === "EssentialContainerExited",
    ).length,
    createdAt: at(revision.createdAt),
    updatedAt: at(revision.createdAt),
    launchType: "FARGATE",
    platformVersion: "1.4.0",
    rolloutState: rollout,
    rolloutStateReason: rollout === "COMPLETED" ? "ECS deployment completed." : "ECS deployment in progress.",
  };
}

/**
 * `Service.deployments[]` as the stock stability waiter reads it: one PRIMARY (the revision being deployed, or
 * the live one when nothing is) plus the live one as ACTIVE while a deployment is under way.
 */
function legacyDeployments(service: EcsServiceRecord) {
  const current = service.deployments.find((d) => !isTerminal(d) && d.status !== "PENDING");
  const liveId = service.deployments.find((d) => d.target === service.live)?.id ?? "initial";
  if (!current)
    return service.live
      ? [legacyDeployment(service.live, "PRIMARY", "COMPLETED", liveId, service.desiredCount)]
      : [];
  const primary = legacyDeployment(
    current.target,
    "PRIMARY",
    "IN_PROGRESS",
    current.id,
    current.desiredCount,
  );
  return service.live
    ? [primary, legacyDeployment(service.live, "ACTIVE", "COMPLETED", liveId, service.desiredCount)]
    : [primary];
}

/** The model's Service. */
export function serviceView(service: EcsServiceRecord) {
  const lb = service.loadBalancer;
  const liveGroup = service.live?.group ?? lb.blue;
  const alternate = liveGroup === lb.blue ? lb.green : lb.blue;
  const latest = service.deployments.at(-1);
  // The live revision and every unfinished deployment's target, each once.
  const revisions = [
    ...new Set([service.live, ...service.deployments.filter((d) => !isTerminal(d)).map((d) => d.target)]),
  ];
  return {
    serviceArn: service.arn,
    serviceName: service.name,
    clusterArn: service.clusterArn,
    loadBalancers: [
      {
        targetGroupArn: liveGroup.arn,
        containerName: service.containerName,
        containerPort: service.containerPort,
        advancedConfiguration: { alternateTargetGroupArn: alternate.arn, productionListenerRule: lb.ruleArn },
      },
    ],
    status: "ACTIVE",
    desiredCount: service.desiredCount,
    runningCount: revisions.reduce((sum, r) => sum + counts(r).running, 0),
    pendingCount: revisions.reduce((sum, r) => sum + counts(r).pending, 0),
    launchType: "FARGATE",
    platformVersion: "LATEST",
    platformFamily: "Linux",
    taskDefinition: (service.live ?? latest?.target)?.definition.taskDefinitionArn,
    deploymentConfiguration: configView(service),
    deployments: legacyDeployments(service),
    events: service.events.map((event) => ({ ...event, createdAt: at(event.createdAt) })),
    createdAt: at(service.createdAt),
    currentServiceDeployment: latest?.arn,
    schedulingStrategy: "REPLICA",
    deploymentController: { type: "ECS" },
    enableECSManagedTags: false,
    propagateTags: "NONE",
    enableExecuteCommand: false,
  };
}

/** The model's Task. */
export function taskView(task: TaskRecord) {
  return {
    taskArn: task.arn,
    clusterArn: task.clusterArn,
    taskDefinitionArn: task.definition.taskDefinitionArn,
    lastStatus: task.lastStatus,
    desiredStatus: task.desiredStatus,
    launchType: "FARGATE",
    platformVersion: "1.4.0",
    platformFamily: "Linux",
    group: task.group,
    startedBy: task.startedBy,
    createdAt: at(task.createdAt),
    startedAt: at(task.startedAt),
    stoppingAt: at(task.stoppingAt),
    stoppedAt: at(task.stoppedAt),
    stopCode: task.stopCode,
    stoppedReason: task.stoppedReason,
    healthStatus: "UNKNOWN",
    overrides: { containerOverrides: task.overrides },
    containers: task.containers.map((container) => ({
      containerArn: `${task.arn.replace(":task/", ":container/")}/${container.name}`,
      taskArn: task.arn,
      name: container.name,
      image: container.image,
      lastStatus: container.lastStatus,
      exitCode: container.exitCode,
      networkBindings:
        container.hostPort === undefined
          ? []
          : [
              {
                bindIP: "127.0.0.1",
                hostPort: container.hostPort,
                containerPort: container.containerPort ?? container.hostPort,
                protocol: "tcp",
              },
            ],
    })),
    version: 1,
  };
}
