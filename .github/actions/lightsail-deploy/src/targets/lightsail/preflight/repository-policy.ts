const PULL_ACTIONS = ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"];

interface Statement {
  Sid?: unknown;
  Effect?: unknown;
  Principal?: unknown;
  NotPrincipal?: unknown;
  Action?: unknown;
  NotAction?: unknown;
  Condition?: unknown;
}

/** Whether the policy lets the role pull; when not, why (a Deny, or an action no Allow proves). */
export type PullVerdict = { granted: true } | { granted: false; denied: boolean; reason: string };

function strings(value: unknown): string[] {
  if (typeof value === "string") return [value];
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];
}

/** IAM action patterns: `*` and `?` wildcards, case-insensitive (`ecr:batchget*`). */
function actionMatches(pattern: string, action: string): boolean {
  const source = pattern
    .replace(/[.+^${}()|[\]\\]/g, "\\$&")
    .replace(/\*/g, ".*")
    .replace(/\?/g, ".");
  return new RegExp(`^${source}$`, "i").test(action);
}

function coversAction(statement: Statement, action: string): boolean {
  if (statement.NotAction !== undefined)
    return !strings(statement.NotAction).some((pattern) => actionMatches(pattern, action));
  return strings(statement.Action).some((pattern) => actionMatches(pattern, action));
}

/**
 * Whether a Principal names the role: `"*"`, `{"AWS": "*"}` or its ARN. With `account`, naming the
 * role's account (its id or `…:root`) counts too: that is how a Deny reaches every identity in it,
 * whereas an Allow to an account still needs the account's own IAM policy, which this check cannot see.
 */
function namesRole(principal: unknown, roleArn: string, account: boolean): boolean {
  if (principal === "*") return true;
  if (typeof principal !== "object" || principal === null) return false;
  const accountId = roleArn.split(":")[4] ?? "";
  const isAccount = (entry: string) =>
    /^\d{12}$/.test(accountId) && (entry === accountId || entry.endsWith(`:iam::${accountId}:root`));
  return strings((principal as { AWS?: unknown }).AWS).some(
    (entry) => entry === "*" || entry === roleArn || (account && isAccount(entry)),
  );
}

function label(statement: Statement, index: number): string {
  return typeof statement.Sid === "string" && statement.Sid ? `"${statement.Sid}"` : `#${index + 1}`;
}

/** The first Deny that may block `action`, and why it counts; undefined when none does. */
function denial(statements: Statement[], roleArn: string, action: string): string | undefined {
  for (const [index, s] of statements.entries()) {
    if (s.Effect !== "Deny" || !coversAction(s, action)) continue;
    const which = `statement ${label(s, index)} denies ${action}`;
    if (s.NotPrincipal !== undefined) {
      // An assumed role escapes a Deny with NotPrincipal only if its session ARN is listed too, and the
      // session name is Lightsail's, so the exemption cannot be shown.
      return `${which} to every principal outside its NotPrincipal, which cannot be shown to exempt the role's sessions, so it is taken as denying`;
    }
    if (!namesRole(s.Principal, roleArn, true)) continue;
    if (s.Condition !== undefined)
      return `${which} under a Condition, which this check cannot evaluate, so it is taken as denying`;
    return `${which} to the role`;
  }
  return undefined;
}

/** Whether an unconditional Allow grants `action`; else why not. */
function allowance(statements: Statement[], roleArn: string, action: string): string | undefined {
  const allows = statements
    .map((s, index) => ({ s, index }))
    .filter(({ s }) => s.Effect === "Allow" && coversAction(s, action))
    .filter(({ s }) =>
      s.NotPrincipal !== undefined
        ? !namesRole(s.NotPrincipal, roleArn, false)
        : namesRole(s.Principal, roleArn, false),
    );
  if (allows.some(({ s }) => s.Condition === undefined)) return undefined;
  const conditional = allows[0];
  if (conditional) {
    return `${action} is allowed only under a Condition (statement ${label(conditional.s, conditional.index)}), which cannot be shown to hold for Lightsail's pulls, so it is taken as not granted`;
  }
  return `no statement allows ${action} to the role`;
}

/**
 * Whether an ECR repository policy lets `principalArn` pull (both actions a pull needs), by IAM's rules:
 * an explicit Deny beats any Allow; wildcards in actions; NotAction and NotPrincipal. A Condition cannot
 * be evaluated here, so it is read the cautious way: an Allow under one proves nothing, a Deny under one
 * may apply.
 */
export function policyGrantsPull(policyText: string, principalArn: string): PullVerdict {
  if (!policyText.trim()) return { granted: false, denied: false, reason: "the repository has no policy" };
  let statements: Statement[];
  try {
    const policy = JSON.parse(policyText) as { Statement?: unknown };
    const raw = Array.isArray(policy.Statement) ? policy.Statement : [policy.Statement];
    statements = raw.filter((s): s is Statement => typeof s === "object" && s !== null);
  } catch {
    return { granted: false, denied: false, reason: "the repository policy is not valid JSON" };
  }
  for (const action of PULL_ACTIONS) {
    const denied = denial(statements, principalArn, action);
    if (denied) return { granted: false, denied: true, reason: denied };
  }
  for (const action of PULL_ACTIONS) {
    const missing = allowance(statements, principalArn, action);
    if (missing) return { granted: false, denied: false, reason: missing };
  }
  return { granted: true };
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
