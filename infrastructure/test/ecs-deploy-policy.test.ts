import { describe, expect, it } from "vitest";
import { ECS_ACTIONS_WITHOUT_RESOURCE, ecsDeployStatements } from "../src/ecs/deploy-policy.js";

const input = {
  partition: "aws",
  region: "eu-west-1",
  accountId: "123456789012",
  clusterName: "vidos-prod",
  serviceName: "vidos-prod",
  family: "vidos-prod",
  executionRoleArn: "arn:aws:iam::123456789012:role/vidos-prod-execution",
  taskRoleArn: "arn:aws:iam::123456789012:role/vidos-prod-task",
  logGroupName: "/ecs/vidos-prod",
  alarmArn: "arn:aws:cloudwatch:eu-west-1:123456789012:alarm:vidos-prod-5xx-rate",
};
const statements = ecsDeployStatements(input);
const bySid = (sid: string) => statements.find((s) => s.Sid === sid);

describe("the ECS deploy role's statements", () => {
  it("grants on * only the reads that support no resource type, and no wildcard action", () => {
    const onStar = statements.filter((s) => [s.Resource].flat().includes("*"));
    expect(onStar.flatMap((s) => s.Action)).toEqual([...ECS_ACTIONS_WITHOUT_RESOURCE]);
    for (const s of statements) for (const a of s.Action) expect(a).not.toContain("*");
  });

  it("passes only the two task roles, only to ECS tasks", () => {
    expect(bySid("PassOnlyTheTaskRolesToEcsTasks")).toMatchObject({
      Action: ["iam:PassRole"],
      Resource: [input.executionRoleArn, input.taskRoleArn],
      Condition: { StringEquals: { "iam:PassedToService": "ecs-tasks.amazonaws.com" } },
    });
  });

  it("updates one service, registers one family, runs tasks in one cluster", () => {
    expect(bySid("DeployThisService")?.Resource).toBe(
      "arn:aws:ecs:eu-west-1:123456789012:service/vidos-prod/vidos-prod",
    );
    expect(bySid("RegisterThisFamily")?.Resource).toBe(
      "arn:aws:ecs:eu-west-1:123456789012:task-definition/vidos-prod:*",
    );
    expect(bySid("RunOneOffTasksInThisCluster")?.Condition).toEqual({
      ArnEquals: { "ecs:cluster": "arn:aws:ecs:eu-west-1:123456789012:cluster/vidos-prod" },
    });
    expect(bySid("FollowThisServiceDeployments")?.Action).toContain("ecs:StopServiceDeployment");
  });
});
