import * as aws from "@pulumi/aws";
import {
  type ResourceValidationPolicy,
  type StackValidationPolicy,
  validateResourceOfType,
} from "@pulumi/policy";
import { rdsPrivateEncrypted } from "./database-policies.js";
import { monthlyPriceOf, type PricedResource, usd } from "./monthly-price.js";
import { DEFAULT_MONTHLY_BUDGET_USD } from "./prices.js";

// The pack states its rules on its own (it imports nothing from src/), so widening the program's policy
// builders cannot silently widen what the pack allows.

/** The only actions that may be granted on `*`: they support no resource type. */
export const ALLOWED_WILDCARD_ACTIONS: readonly string[] = [
  "ecr:GetAuthorizationToken",
  "lightsail:GetContainerServices",
  "lightsail:GetContainerServiceDeployments",
  "lightsail:GetContainerLog",
  "lightsail:GetContainerServicePowers",
  "lightsail:GetCertificates",
];
export const ALLOWED_POWERS: readonly string[] = ["nano", "micro", "small"];
export const MAX_SCALE = 3;
export const REQUIRED_TAGS: readonly string[] = ["project", "stack", "owner"];
/** Resource types in this stack that accept tags. */
export const TAGGABLE_TYPES: readonly string[] = [
  "aws:ecr/repository:Repository",
  "aws:lightsail/containerService:ContainerService",
  "aws:ssm/parameter:Parameter",
  "aws:iam/role:Role",
  "aws:iam/openIdConnectProvider:OpenIdConnectProvider",
];

interface Statement {
  Effect?: string;
  Action?: string | string[];
  NotAction?: string | string[];
  Resource?: string | string[];
  NotResource?: string | string[];
}

const asList = (value: string | string[] | undefined): string[] =>
  value === undefined ? [] : Array.isArray(value) ? value : [value];

function parseDocument(policy: unknown): { Statement?: Statement | Statement[] } | undefined {
  if (typeof policy === "string") {
    try {
      return JSON.parse(policy) as { Statement?: Statement | Statement[] };
    } catch {
      return undefined;
    }
  }
  return typeof policy === "object" && policy !== null ? (policy as { Statement?: Statement[] }) : undefined;
}

function statementsOf(policy: unknown): Statement[] | undefined {
  const document = parseDocument(policy);
  if (document === undefined) return undefined;
  const statements = document.Statement;
  return statements === undefined ? [] : Array.isArray(statements) ? statements : [statements];
}

export const ecrScanOnPush: ResourceValidationPolicy = {
  name: "ecr-scan-on-push",
  description: "ECR repositories scan every pushed image.",
  enforcementLevel: "mandatory",
  validateResource: validateResourceOfType(aws.ecr.Repository, (repository, _args, reportViolation) => {
    if (repository.imageScanningConfiguration?.scanOnPush !== true) {
      reportViolation("imageScanningConfiguration.scanOnPush must be true.");
    }
  }),
};

export const ecrLifecycleKeepsFewImages: ResourceValidationPolicy = {
  name: "ecr-lifecycle-bounded",
  description: "ECR lifecycle policies expire images beyond a small count (1–10).",
  enforcementLevel: "mandatory",
  validateResource: validateResourceOfType(aws.ecr.LifecyclePolicy, (lifecycle, _args, reportViolation) => {
    const document = parseDocument(lifecycle.policy) as
      | { rules?: { selection?: { countType?: string; countNumber?: number }; action?: { type?: string } }[] }
      | undefined;
    const bounded = document?.rules?.some(
      (rule) =>
        rule.action?.type === "expire" &&
        rule.selection?.countType === "imageCountMoreThan" &&
        typeof rule.selection.countNumber === "number" &&
        rule.selection.countNumber >= 1 &&
        rule.selection.countNumber <= 10,
    );
    if (!bounded)
      reportViolation("The lifecycle policy needs an expire rule with imageCountMoreThan between 1 and 10.");
  }),
};

export const ecrRepositoryHasLifecycle: StackValidationPolicy = {
  name: "ecr-repository-has-lifecycle",
  description: "Every ECR repository has a lifecycle policy, so storage cannot grow without bound.",
  enforcementLevel: "mandatory",
  validateStack: (args, reportViolation) => {
    const covered = new Set(
      args.resources
        .filter((r) => r.type === "aws:ecr/lifecyclePolicy:LifecyclePolicy")
        .map((r) => r.props.repository),
    );
    for (const repository of args.resources.filter((r) => r.type === "aws:ecr/repository:Repository")) {
      if (!covered.has(repository.props.name)) {
        reportViolation(`Repository "${repository.props.name}" has no lifecycle policy.`, repository.urn);
      }
    }
  },
};

export const ecrPullOnly: ResourceValidationPolicy = {
  name: "ecr-repository-policy-pull-only",
  description: "Repository policies grant ecr:BatchGetImage and ecr:GetDownloadUrlForLayer only.",
  enforcementLevel: "mandatory",
  validateResource: validateResourceOfType(
    aws.ecr.RepositoryPolicy,
    (repositoryPolicy, _args, reportViolation) => {
      const statements = statementsOf(repositoryPolicy.policy);
      if (statements === undefined) return reportViolation("The repository policy is not valid JSON.");
      const allowed = new Set(["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]);
      const extra = statements.flatMap((s) => asList(s.Action)).filter((action) => !allowed.has(action));
      if (extra.length > 0)
        reportViolation(`The repository policy grants more than pulls: ${extra.join(", ")}.`);
    },
  ),
};

function checkWildcards(policy: unknown, reportViolation: (message: string) => void): void {
  const statements = statementsOf(policy);
  if (statements === undefined) {
    reportViolation("The policy is not valid JSON.");
    return;
  }
  for (const statement of statements.filter((s) => s.Effect === "Allow")) {
    const actions = asList(statement.Action);
    const wildcardActions = actions.filter((action) => action.includes("*"));
    if (wildcardActions.length > 0)
      reportViolation(`Wildcard actions are not allowed: ${wildcardActions.join(", ")}.`);
    if (asList(statement.Resource).includes("*")) {
      const scopable = actions.filter((action) => !ALLOWED_WILDCARD_ACTIONS.includes(action));
      if (scopable.length > 0)
        reportViolation(`Scope these actions to a resource instead of "*": ${scopable.join(", ")}.`);
    }
  }
}

export const iamWildcardResourcesLimited: ResourceValidationPolicy = {
  name: "iam-wildcard-resources-limited",
  description: `IAM statements on "*" only grant actions that support no resource type; no wildcard actions.`,
  enforcementLevel: "mandatory",
  validateResource: [
    validateResourceOfType(aws.iam.RolePolicy, (policy, _args, report) =>
      checkWildcards(policy.policy, report),
    ),
    validateResourceOfType(aws.iam.Policy, (policy, _args, report) => checkWildcards(policy.policy, report)),
  ],
};

export const requiredTags: ResourceValidationPolicy = {
  name: "required-tags",
  description: `Taggable resources carry ${REQUIRED_TAGS.join(", ")} for cost tracking.`,
  enforcementLevel: "mandatory",
  validateResource: (args, reportViolation) => {
    if (!TAGGABLE_TYPES.includes(args.type)) return;
    const tags = (args.props.tags ?? {}) as Record<string, unknown>;
    const missing = REQUIRED_TAGS.filter((key) => typeof tags[key] !== "string" || tags[key] === "");
    if (missing.length > 0) reportViolation(`Missing tags: ${missing.join(", ")}.`);
  },
};

export const lightsailPowerAllowed: ResourceValidationPolicy = {
  name: "lightsail-power-allowed",
  description: `Lightsail container services use ${ALLOWED_POWERS.join(", ")} power and at most ${MAX_SCALE} nodes.`,
  enforcementLevel: "mandatory",
  validateResource: validateResourceOfType(
    aws.lightsail.ContainerService,
    (service, _args, reportViolation) => {
      if (!ALLOWED_POWERS.includes(service.power)) {
        reportViolation(`Power "${service.power}" is not allowed; use one of ${ALLOWED_POWERS.join(", ")}.`);
      }
      if (!(service.scale >= 1 && service.scale <= MAX_SCALE)) {
        reportViolation(`Scale ${service.scale} is outside 1–${MAX_SCALE}.`);
      }
    },
  ),
};

export const noPulumiOwnedDeployments: ResourceValidationPolicy = {
  name: "no-pulumi-owned-deployments",
  description: "The deploy action owns Lightsail deployments; Pulumi must not create them.",
  enforcementLevel: "mandatory",
  validateResource: (args, reportViolation) => {
    if (args.type === "aws:lightsail/containerServiceDeploymentVersion:ContainerServiceDeploymentVersion") {
      reportViolation(
        "Remove the ContainerServiceDeploymentVersion: deployments belong to the deploy action.",
      );
    }
  },
};

/**
 * The deploy action's release records live under `/lightsail-deploy/<service-name>/releases`. The deploy role is the
 * role of the `DeployAccess` component: its policy is a direct child of that component, which the URN shows.
 */
export const DEPLOY_ACCESS_TYPE = "vidos:infrastructure:DeployAccess";
export const RELEASE_RECORD_AREA = "/lightsail-deploy/";
/** The SSM writes the deploy role holds (a verdict written, an old one evicted), only on release-record ARNs. */
export const RELEASE_RECORD_WRITE = "ssm:PutParameter";
export const RELEASE_RECORD_WRITES = [RELEASE_RECORD_WRITE, "ssm:DeleteParameters"];
const RELEASE_RECORD_ARN =
  /^arn:[a-z-]+:ssm:[a-z0-9-]+:\d{12}:parameter\/lightsail-deploy\/[a-z0-9-]+\/releases(?:\/\*)?$/;
// Reads cannot change the record; everything else in ssm: (Put, Delete, Label, tagging, ssm:*) and `*` can.
const SSM_READ = /^ssm:(get|describe|list)[a-z*?]*$/i;

const isSsmWrite = (action: string) =>
  action === "*" || (action.toLowerCase().startsWith("ssm:") && !SSM_READ.test(action));
const hasWildcard = (text: string) => /[*?]/.test(text);

/** Can this IAM `Resource` reach a parameter under /lightsail-deploy/? Errs towards yes. */
function reachesRecordArea(resource: string): boolean {
  const arn = /^arn:[^:]*:([^:]*):[^:]*:[^:]*:(.*)$/.exec(resource);
  if (arn === null) return hasWildcard(resource);
  const [, service = "", rest = ""] = arn;
  if (service !== "ssm" && !hasWildcard(service)) return false;
  const area = `parameter${RELEASE_RECORD_AREA}`;
  const literal = rest.split(/[*?]/)[0] ?? "";
  return hasWildcard(rest) ? area.startsWith(literal) || literal.startsWith(area) : rest.startsWith(area);
}

/** Is this resource's direct parent the DeployAccess component (so its role is the deploy role)? */
function inDeployAccess(urn: string): boolean {
  const chain = (urn.split("::")[2] ?? "").split("$");
  return chain.at(-2) === DEPLOY_ACCESS_TYPE;
}

function policiesOf(type: string, props: Record<string, unknown>): unknown[] {
  if (type === "aws:iam/role:Role") {
    const inline = (props.inlinePolicies ?? []) as { policy?: unknown }[];
    return inline.map((entry) => entry.policy);
  }
  const documentTypes = [
    "aws:iam/rolePolicy:RolePolicy",
    "aws:iam/policy:Policy",
    "aws:iam/userPolicy:UserPolicy",
    "aws:iam/groupPolicy:GroupPolicy",
  ];
  return documentTypes.includes(type) ? [props.policy] : [];
}

/** Every SSM write a policy grants, with the resources it is granted on (`NotAction`/`NotResource` count as `*`). */
function ssmWrites(policy: unknown): { action: string; resources: string[] }[] {
  return (statementsOf(policy) ?? [])
    .filter((statement) => statement.Effect === "Allow")
    .flatMap((statement) => {
      const actions = statement.NotAction === undefined ? asList(statement.Action) : ["*"];
      const resources = statement.NotResource === undefined ? asList(statement.Resource) : ["*"];
      return actions.filter(isSsmWrite).map((action) => ({ action, resources }));
    });
}

export const releaseRecordWrittenByDeployRoleOnly: ResourceValidationPolicy = {
  name: "release-record-written-by-deploy-role-only",
  description: `Only the deploy role writes under ${RELEASE_RECORD_AREA}, and its only SSM writes are ${RELEASE_RECORD_WRITES.join(" and ")} on release-record ARNs (the path and below).`,
  enforcementLevel: "mandatory",
  validateResource: (args, reportViolation) => {
    const deployRole = inDeployAccess(args.urn);
    for (const { action, resources } of policiesOf(args.type, args.props).flatMap(ssmWrites)) {
      if (deployRole) {
        const confined =
          RELEASE_RECORD_WRITES.some((write) => write.toLowerCase() === action.toLowerCase()) &&
          resources.length > 0 &&
          resources.every((resource) => RELEASE_RECORD_ARN.test(resource));
        if (!confined)
          reportViolation(
            `The deploy role may write SSM only with ${RELEASE_RECORD_WRITES.join(" or ")} on ${RELEASE_RECORD_AREA}<service>/releases and below; it grants ${action} on ${resources.join(", ")}.`,
          );
      } else {
        const reached = resources.filter(reachesRecordArea);
        if (reached.length > 0)
          reportViolation(
            `Only the deploy role may write the deploy action's release records; this grants ${action} on ${reached.join(", ")}.`,
          );
      }
    }
  },
};

export const REHEARSAL_ACCESS_TYPE = "vidos:infrastructure:RehearsalAccess";
/** A read, by its name: Get… or Describe…, letters only (so no wildcard can hide a write). */
const READ_ACTION = /^[a-z0-9-]+:(Get|Describe)[A-Za-z]+$/;
const PULL_REQUEST_SUBJECT = /^repo:[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+:pull_request$/;
const OIDC_SUB = "token.actions.githubusercontent.com:sub";

function inRehearsalAccess(urn: string): boolean {
  const chain = (urn.split("::")[2] ?? "").split("$");
  return chain.at(-2) === REHEARSAL_ACCESS_TYPE;
}

interface TrustStatement {
  Effect?: string;
  Condition?: Record<string, Record<string, unknown>>;
}

/** Why a trust policy lets more than one repository's pull requests in (empty when it does not). */
function pullRequestTrustProblems(policy: unknown): string[] {
  return ((statementsOf(policy) ?? []) as TrustStatement[])
    .filter((statement) => statement.Effect === "Allow")
    .flatMap((statement) => {
      const conditions = statement.Condition ?? {};
      const others = Object.keys(conditions).filter((operator) => operator !== "StringEquals");
      const sub = conditions.StringEquals?.[OIDC_SUB];
      const problems = others.map((operator) => `a ${operator} condition`);
      if (typeof sub !== "string" || !PULL_REQUEST_SUBJECT.test(sub))
        problems.push(`subject ${JSON.stringify(sub)} instead of exactly repo:OWNER/REPO:pull_request`);
      return problems;
    });
}

export const rehearsalRoleReadOnly: ResourceValidationPolicy = {
  name: "rehearsal-role-read-only",
  description:
    "The deploy rehearsal's role only reads (Get*/Describe* actions, no NotAction, no Deny tricks) and trusts only one repository's pull requests (StringEquals on the exact subject).",
  enforcementLevel: "mandatory",
  validateResource: (args, reportViolation) => {
    if (!inRehearsalAccess(args.urn)) return;
    if (args.type === "aws:iam/role:Role") {
      for (const problem of pullRequestTrustProblems(args.props.assumeRolePolicy))
        reportViolation(
          `The rehearsal role must trust only this repository's pull requests; it has ${problem}.`,
        );
    }
    for (const policy of policiesOf(args.type, args.props)) {
      for (const statement of (statementsOf(policy) ?? []).filter((s) => s.Effect === "Allow")) {
        if (statement.NotAction !== undefined)
          reportViolation("The rehearsal role may only read; a NotAction statement grants everything else.");
        for (const action of asList(statement.Action).filter((a) => !READ_ACTION.test(a)))
          reportViolation(`The rehearsal role may only read (Get*/Describe*); it grants ${action}.`);
      }
    }
  },
};

export const releaseRecordNotOverwritten: ResourceValidationPolicy = {
  name: "release-record-not-overwritten",
  description: `A parameter under ${RELEASE_RECORD_AREA} belongs to the deploy action; Pulumi may only create it with ignoreChanges ["value"].`,
  enforcementLevel: "mandatory",
  validateResource: validateResourceOfType(aws.ssm.Parameter, (parameter, args, reportViolation) => {
    const name = String(parameter.name ?? "");
    if (name.startsWith(RELEASE_RECORD_AREA) && !args.opts.ignoreChanges.includes("value")) {
      reportViolation(
        `Parameter "${name}" is the deploy action's release record: every \`pulumi up\` would overwrite it. Leave it to the action, or add ignoreChanges: ["value"].`,
      );
    }
  }),
};

/** The program's budget component; its `monthlyBudgetUsd` is the stack's `vidos:monthlyBudgetUsd`. */
export const BUDGET_TYPE = "vidos:infrastructure:Budget";

function configuredBudget(resources: readonly PricedResource[]): number {
  const value = resources.find((resource) => resource.type === BUDGET_TYPE)?.props.monthlyBudgetUsd;
  return typeof value === "number" && value > 0 ? value : DEFAULT_MONTHLY_BUDGET_USD;
}

export const monthlyBudget: StackValidationPolicy = {
  name: "monthly-budget",
  description: `The stack's monthly list price (Lightsail power × scale; ECS tasks, load balancer and database) stays within its budget (\`vidos:monthlyBudgetUsd\`, default $${DEFAULT_MONTHLY_BUDGET_USD}).`,
  enforcementLevel: "mandatory",
  validateStack: (args, reportViolation) => {
    const budget = configuredBudget(args.resources);
    let total = 0;
    const lines: string[] = [];
    for (const resource of args.resources) {
      const price = monthlyPriceOf(resource, args.resources);
      if (price === undefined) continue;
      if ("unpriced" in price) {
        reportViolation(`Cannot hold the budget: ${resource.name}: ${price.unpriced}.`, resource.urn);
        continue;
      }
      total = Math.round((total + price.usd) * 100) / 100;
      if (price.usd > 0) lines.push(`${resource.name} ${price.basis} = ${usd(price.usd)}`);
    }
    if (total > budget)
      reportViolation(
        `The stack costs ${usd(total)} a month (${lines.join("; ")}), over its budget of ${usd(budget)}. Lower the power or scale, or raise \`vidos:monthlyBudgetUsd\` deliberately.`,
      );
  },
};

export const resourcePolicies: ResourceValidationPolicy[] = [
  ecrScanOnPush,
  ecrLifecycleKeepsFewImages,
  ecrPullOnly,
  iamWildcardResourcesLimited,
  requiredTags,
  lightsailPowerAllowed,
  noPulumiOwnedDeployments,
  releaseRecordWrittenByDeployRoleOnly,
  releaseRecordNotOverwritten,
  rehearsalRoleReadOnly,
  rdsPrivateEncrypted,
];
export const stackPolicies: StackValidationPolicy[] = [ecrRepositoryHasLifecycle, monthlyBudget];
