import * as aws from "@pulumi/aws";
import {
  type ResourceValidationPolicy,
  type StackValidationPolicy,
  validateResourceOfType,
} from "@pulumi/policy";

// The pack states its rules on its own (it imports nothing from src/), so widening the program's policy
// builders cannot silently widen what the pack allows.

/** The only actions that may be granted on `*`: they support no resource type. */
export const ALLOWED_WILDCARD_ACTIONS: readonly string[] = [
  "ecr:GetAuthorizationToken",
  "lightsail:GetContainerServices",
  "lightsail:GetContainerServiceDeployments",
  "lightsail:GetContainerLog",
  "lightsail:GetContainerServicePowers",
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
  Resource?: string | string[];
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

export const resourcePolicies: ResourceValidationPolicy[] = [
  ecrScanOnPush,
  ecrLifecycleKeepsFewImages,
  ecrPullOnly,
  iamWildcardResourcesLimited,
  requiredTags,
  lightsailPowerAllowed,
  noPulumiOwnedDeployments,
];
export const stackPolicies: StackValidationPolicy[] = [ecrRepositoryHasLifecycle];
