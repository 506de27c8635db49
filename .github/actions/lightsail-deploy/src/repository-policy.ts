const PULL_ACTIONS = ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"];

interface Statement {
  Effect?: string;
  Principal?: unknown;
  Action?: string | string[];
}

function principals(principal: unknown): string[] {
  if (principal === "*") return ["*"];
  if (typeof principal !== "object" || principal === null) return [];
  const aws = (principal as { AWS?: unknown }).AWS;
  if (typeof aws === "string") return [aws];
  return Array.isArray(aws) ? aws.filter((p): p is string => typeof p === "string") : [];
}

function allowsAction(actions: string | string[] | undefined, wanted: string): boolean {
  const list = typeof actions === "string" ? [actions] : (actions ?? []);
  return list.some(
    (action) => action === "*" || action === "ecr:*" || action.toLowerCase() === wanted.toLowerCase(),
  );
}

/** Whether an ECR repository policy lets `principalArn` pull images (both actions a pull needs). */
export function policyGrantsPull(policyText: string, principalArn: string): boolean {
  let policy: { Statement?: Statement | Statement[] };
  try {
    policy = JSON.parse(policyText) as typeof policy;
  } catch {
    return false;
  }
  const statements = Array.isArray(policy.Statement)
    ? policy.Statement
    : policy.Statement
      ? [policy.Statement]
      : [];
  const granting = statements.filter(
    (s) => s.Effect === "Allow" && principals(s.Principal).some((p) => p === "*" || p === principalArn),
  );
  return PULL_ACTIONS.every((action) => granting.some((s) => allowsAction(s.Action, action)));
}

/** The statement to add, as the Lightsail guide shows it. */
export function pullStatement(serviceName: string, principalArn: string): string {
  return JSON.stringify({
    Sid: `AllowLightsailPull-${serviceName}`,
    Effect: "Allow",
    Principal: { AWS: principalArn },
    Action: PULL_ACTIONS,
  });
}
