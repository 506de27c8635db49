interface Statement {
  Effect?: string;
  Principal?: string | { AWS?: string | string[] };
  Action?: string | string[];
}

const PULL_ACTIONS = ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"];

function list(value: string | string[] | undefined): string[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

function actionMatches(pattern: string, action: string): boolean {
  const expression = new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, "\\$&")
      .replace(/\*/g, ".*")
      .replace(/\?/g, ".")}$`,
    "i",
  );
  return expression.test(action);
}

function principalMatches(principal: Statement["Principal"], arn: string): boolean {
  if (principal === "*") return true;
  if (typeof principal !== "object" || principal === null) return false;
  return list(principal.AWS).some((entry) => entry === "*" || entry === arn);
}

/**
 * Whether a repository policy lets `principalArn` pull: both pull actions allowed and neither denied.
 * Returns the reason when it does not, for the deployment log.
 */
export function checkPullGrant(
  policyText: string | undefined,
  principalArn: string,
): { ok: true } | { ok: false; reason: string } {
  if (!policyText) return { ok: false, reason: "the repository has no policy" };
  let statements: Statement[];
  try {
    const policy = JSON.parse(policyText) as { Statement?: Statement | Statement[] };
    statements = Array.isArray(policy.Statement)
      ? policy.Statement
      : policy.Statement
        ? [policy.Statement]
        : [];
  } catch {
    return { ok: false, reason: "the repository policy is not valid JSON" };
  }
  const applies = (statement: Statement, action: string) =>
    principalMatches(statement.Principal, principalArn) &&
    list(statement.Action).some((pattern) => actionMatches(pattern, action));
  for (const action of PULL_ACTIONS) {
    if (statements.some((s) => s.Effect === "Deny" && applies(s, action))) {
      return { ok: false, reason: `the repository policy denies ${action} to ${principalArn}` };
    }
    if (!statements.some((s) => s.Effect === "Allow" && applies(s, action))) {
      return { ok: false, reason: `the repository policy does not allow ${action} to ${principalArn}` };
    }
  }
  return { ok: true };
}
