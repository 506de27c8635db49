import type { LoadBalancer } from "../elbv2/load-balancer.js";
import type { TargetGroup } from "../elbv2/target-group.js";
import type { TaskDefinitionRecord } from "./task-definitions.js";
import type { TaskRecord } from "./tasks.js";

export type DeploymentStatus =
  | "PENDING"
  | "IN_PROGRESS"
  | "SUCCESSFUL"
  | "STOPPED"
  | "STOP_REQUESTED"
  | "ROLLBACK_REQUESTED"
  | "ROLLBACK_IN_PROGRESS"
  | "ROLLBACK_SUCCESSFUL"
  | "ROLLBACK_FAILED";

export type LifecycleStage =
  | "RECONCILE_SERVICE"
  | "PRE_SCALE_UP"
  | "SCALE_UP"
  | "POST_SCALE_UP"
  | "TEST_TRAFFIC_SHIFT"
  | "POST_TEST_TRAFFIC_SHIFT"
  | "PRODUCTION_TRAFFIC_SHIFT"
  | "POST_PRODUCTION_TRAFFIC_SHIFT"
  | "BAKE_TIME"
  | "CLEAN_UP";

export const TERMINAL: DeploymentStatus[] = [
  "SUCCESSFUL",
  "STOPPED",
  "ROLLBACK_SUCCESSFUL",
  "ROLLBACK_FAILED",
];

export function isTerminal(deployment: { status: DeploymentStatus }): boolean {
  return TERMINAL.includes(deployment.status);
}

export interface AlarmsConfig {
  alarmNames: string[];
  enable: boolean;
  rollback: boolean;
}

export interface DeploymentConfig {
  strategy: "ROLLING" | "BLUE_GREEN";
  bakeTimeInMinutes: number;
  maximumPercent: number;
  minimumHealthyPercent: number;
  alarms?: AlarmsConfig;
}

/** A service revision: one task definition running as a set of tasks behind one target group. */
export interface Revision {
  arn: string;
  definition: TaskDefinitionRecord;
  group: TargetGroup;
  tasks: TaskRecord[];
  createdAt: number;
}

export interface DeploymentRecord {
  id: string;
  arn: string;
  status: DeploymentStatus;
  statusReason?: string;
  stage: LifecycleStage;
  createdAt: number;
  startedAt?: number;
  finishedAt?: number;
  stoppedAt?: number;
  updatedAt: number;
  source?: Revision;
  target: Revision;
  config: DeploymentConfig;
  desiredCount: number;
  /** Alarms already in ALARM when the deployment started: ignored by it, as ECS documents. */
  alarmingAtStart: string[];
  triggeredAlarms: string[];
  rollback?: { reason: string; startedAt: number; serviceRevisionArn?: string };
  /** When the production traffic moved to the target revision (undefined before the shift). */
  shiftedAt?: number;
  bakeStartedAt?: number;
  /** When the current stage began, for the scale-up timeout. */
  stageSince: number;
  /** What a rollback ends as: ROLLBACK_SUCCESSFUL, or STOPPED when a newer deployment superseded it. */
  endAs?: "ROLLBACK_SUCCESSFUL" | "STOPPED";
}

export interface ServiceEvent {
  id: string;
  createdAt: number;
  message: string;
}

export interface EcsServiceRecord {
  name: string;
  arn: string;
  clusterArn: string;
  createdAt: number;
  desiredCount: number;
  containerName: string;
  containerPort: number;
  loadBalancer: LoadBalancer;
  /** The revision serving production traffic; undefined before the first deployment. */
  live?: Revision;
  config: DeploymentConfig;
  deployments: DeploymentRecord[];
  events: ServiceEvent[];
}
