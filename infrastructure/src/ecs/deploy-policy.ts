import type { PolicyStatement } from "../policies.js";

export interface EcsDeployPolicyInput {
  partition: string;
  region: string;
  accountId: string;
  clusterName: string;
  serviceName: string;
  /** The task definition family the action registers revisions of. */
  family: string;
  executionRoleArn: string;
  taskRoleArn: string;
  logGroupName: string;
  alarmArn: string;
}

/** ECS and ELB reads with no resource type: IAM accepts them on `*` only (Service Authorization Reference). */
export const ECS_ACTIONS_WITHOUT_RESOURCE = [
  "ecs:DescribeTaskDefinition",
  "elasticloadbalancing:DescribeTargetHealth",
  "elasticloadbalancing:DescribeRules",
] as const;

/**
 * What the ECS deploy action adds to the deploy role (besides ECR, the SSM path and the release record): register a
 * revision of one family, update and follow one service's deployments, run one-off tasks of that family in
 * that cluster, and pass only the two task roles, only to ECS tasks.
 */
export function ecsDeployStatements(input: EcsDeployPolicyInput): PolicyStatement[] {
  const ecs = `arn:${input.partition}:ecs:${input.region}:${input.accountId}`;
  const clusterArn = `${ecs}:cluster/${input.clusterName}`;
  const scope = `${input.clusterName}/${input.serviceName}`;
  const family = `${ecs}:task-definition/${input.family}:*`;
  return [
    {
      Sid: "EcsReadsWithoutResourceType",
      Effect: "Allow",
      Action: [...ECS_ACTIONS_WITHOUT_RESOURCE],
      Resource: "*",
    },
    { Sid: "RegisterThisFamily", Effect: "Allow", Action: ["ecs:RegisterTaskDefinition"], Resource: family },
    {
      Sid: "DeployThisService",
      Effect: "Allow",
      Action: ["ecs:UpdateService", "ecs:DescribeServices", "ecs:ListServiceDeployments"],
      Resource: `${ecs}:service/${scope}`,
    },
    {
      Sid: "FollowThisServiceDeployments",
      Effect: "Allow",
      Action: ["ecs:DescribeServiceDeployments", "ecs:StopServiceDeployment", "ecs:DescribeServiceRevisions"],
      Resource: [
        `${ecs}:service/${scope}`,
        `${ecs}:service-deployment/${scope}/*`,
        `${ecs}:service-revision/${scope}/*`,
      ],
    },
    {
      // The migrations: a one-off task of this family, in this cluster only.
      Sid: "RunOneOffTasksInThisCluster",
      Effect: "Allow",
      Action: ["ecs:RunTask"],
      Resource: family,
      Condition: { ArnEquals: { "ecs:cluster": clusterArn } },
    },
    {
      Sid: "WatchThisClusterTasks",
      Effect: "Allow",
      Action: ["ecs:DescribeTasks"],
      Resource: `${ecs}:task/${input.clusterName}/*`,
    },
    {
      Sid: "PassOnlyTheTaskRolesToEcsTasks",
      Effect: "Allow",
      Action: ["iam:PassRole"],
      Resource: [input.executionRoleArn, input.taskRoleArn],
      Condition: { StringEquals: { "iam:PassedToService": "ecs-tasks.amazonaws.com" } },
    },
    {
      Sid: "ReadThisServiceLogs",
      Effect: "Allow",
      Action: ["logs:GetLogEvents"],
      Resource: `arn:${input.partition}:logs:${input.region}:${input.accountId}:log-group:${input.logGroupName}:log-stream:*`,
    },
    {
      Sid: "ReadTheRollbackAlarm",
      Effect: "Allow",
      Action: ["cloudwatch:DescribeAlarms"],
      Resource: input.alarmArn,
    },
  ];
}
