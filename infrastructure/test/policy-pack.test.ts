import { describe, expect, it } from "vitest";
import {
  ecrLifecycleKeepsFewImages,
  ecrPullOnly,
  ecrRepositoryHasLifecycle,
  ecrScanOnPush,
  iamWildcardResourcesLimited,
  lightsailPowerAllowed,
  monthlyBudget,
  noPulumiOwnedDeployments,
  rehearsalRoleReadOnly,
  releaseRecordNotOverwritten,
  releaseRecordWrittenByDeployRoleOnly,
  requiredTags,
  resourcePolicies,
  stackPolicies,
} from "../policy/policies.js";
import { parentTypeOf, type RunOptions, runStack } from "./harness.js";
import { type PolicyInput, resourceViolations, stackViolations } from "./policy-harness.js";

const TAGS = { project: "vidos", stack: "dev", owner: "platform-team" };
const repository = (props: Record<string, unknown>): PolicyInput => ({
  type: "aws:ecr/repository:Repository",
  name: "repo",
  props: { name: "app", tags: TAGS, imageScanningConfiguration: { scanOnPush: true }, ...props },
});
const lifecycle = (countNumber: number, repositoryName = "app"): PolicyInput => ({
  type: "aws:ecr/lifecyclePolicy:LifecyclePolicy",
  name: "lifecycle",
  props: {
    repository: repositoryName,
    policy: JSON.stringify({
      rules: [
        {
          rulePriority: 1,
          selection: { tagStatus: "any", countType: "imageCountMoreThan", countNumber },
          action: { type: "expire" },
        },
      ],
    }),
  },
});
const rolePolicy = (statements: unknown[]): PolicyInput => ({
  type: "aws:iam/rolePolicy:RolePolicy",
  name: "policy",
  props: { role: "r", policy: JSON.stringify({ Version: "2012-10-17", Statement: statements }) },
});
const service = (power: string, scale: number): PolicyInput => ({
  type: "aws:lightsail/containerService:ContainerService",
  name: "svc",
  props: { name: "svc", power, scale, tags: TAGS },
});

describe("policy rules, called directly", () => {
  it("ecr-scan-on-push rejects a repository without scan on push", async () => {
    expect(await resourceViolations(ecrScanOnPush, repository({}))).toEqual([]);
    expect(
      await resourceViolations(
        ecrScanOnPush,
        repository({ imageScanningConfiguration: { scanOnPush: false } }),
      ),
    ).toEqual(["imageScanningConfiguration.scanOnPush must be true."]);
    expect(
      await resourceViolations(ecrScanOnPush, repository({ imageScanningConfiguration: undefined })),
    ).toHaveLength(1);
  });

  it("ecr-scan-on-push ignores other resource types", async () => {
    expect(await resourceViolations(ecrScanOnPush, service("micro", 1))).toEqual([]);
  });

  it("ecr-lifecycle-bounded accepts 5 and rejects 0, 50 and a missing rule", async () => {
    expect(await resourceViolations(ecrLifecycleKeepsFewImages, lifecycle(5))).toEqual([]);
    expect(await resourceViolations(ecrLifecycleKeepsFewImages, lifecycle(0))).toHaveLength(1);
    expect(await resourceViolations(ecrLifecycleKeepsFewImages, lifecycle(50))).toHaveLength(1);
    const empty = { ...lifecycle(5), props: { repository: "app", policy: JSON.stringify({ rules: [] }) } };
    expect(await resourceViolations(ecrLifecycleKeepsFewImages, empty)).toHaveLength(1);
  });

  it("ecr-repository-has-lifecycle flags a repository no lifecycle policy points at", async () => {
    expect(await stackViolations(ecrRepositoryHasLifecycle, [repository({}), lifecycle(5)])).toEqual([]);
    expect(await stackViolations(ecrRepositoryHasLifecycle, [repository({}), lifecycle(5, "other")])).toEqual(
      ['Repository "app" has no lifecycle policy.'],
    );
  });

  it("ecr-repository-policy-pull-only rejects anything beyond the two pull actions", async () => {
    const policy = (actions: string[]): PolicyInput => ({
      type: "aws:ecr/repositoryPolicy:RepositoryPolicy",
      name: "pull",
      props: {
        repository: "app",
        policy: JSON.stringify({ Statement: [{ Effect: "Allow", Action: actions }] }),
      },
    });
    expect(
      await resourceViolations(ecrPullOnly, policy(["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"])),
    ).toEqual([]);
    expect(await resourceViolations(ecrPullOnly, policy(["ecr:BatchGetImage", "ecr:PutImage"]))).toEqual([
      "The repository policy grants more than pulls: ecr:PutImage.",
    ]);
    expect(await resourceViolations(ecrPullOnly, policy(["ecr:*"]))).toHaveLength(1);
  });

  it("iam-wildcard-resources-limited allows the five resource-less actions on * and nothing else", async () => {
    const allowed = rolePolicy([
      {
        Effect: "Allow",
        Action: ["ecr:GetAuthorizationToken", "lightsail:GetContainerServicePowers"],
        Resource: "*",
      },
      { Effect: "Allow", Action: ["ecr:PutImage"], Resource: "arn:aws:ecr:eu-west-1:1:repository/app" },
    ]);
    expect(await resourceViolations(iamWildcardResourcesLimited, allowed)).toEqual([]);

    const scopable = rolePolicy([
      { Effect: "Allow", Action: ["lightsail:CreateContainerServiceDeployment"], Resource: ["*"] },
    ]);
    expect(await resourceViolations(iamWildcardResourcesLimited, scopable)).toEqual([
      'Scope these actions to a resource instead of "*": lightsail:CreateContainerServiceDeployment.',
    ]);
    const wildcardAction = rolePolicy([
      { Effect: "Allow", Action: "ecr:*", Resource: "arn:aws:ecr:eu-west-1:1:repository/app" },
    ]);
    expect(await resourceViolations(iamWildcardResourcesLimited, wildcardAction)).toEqual([
      "Wildcard actions are not allowed: ecr:*.",
    ]);
  });

  it("iam-wildcard-resources-limited also checks managed policies", async () => {
    const managed: PolicyInput = {
      type: "aws:iam/policy:Policy",
      name: "managed",
      props: {
        policy: JSON.stringify({ Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: "*" }] }),
      },
    };
    expect(await resourceViolations(iamWildcardResourcesLimited, managed)).toHaveLength(1);
  });

  it("required-tags names the missing cost tags on taggable resources only", async () => {
    expect(await resourceViolations(requiredTags, repository({}))).toEqual([]);
    expect(await resourceViolations(requiredTags, repository({ tags: { project: "vidos" } }))).toEqual([
      "Missing tags: stack, owner.",
    ]);
    expect(await resourceViolations(requiredTags, lifecycle(5))).toEqual([]);
  });

  it("lightsail-power-allowed rejects large powers and scales", async () => {
    expect(await resourceViolations(lightsailPowerAllowed, service("micro", 1))).toEqual([]);
    expect(await resourceViolations(lightsailPowerAllowed, service("xlarge", 1))).toEqual([
      'Power "xlarge" is not allowed; use one of nano, micro, small.',
    ]);
    expect(await resourceViolations(lightsailPowerAllowed, service("micro", 4))).toEqual([
      "Scale 4 is outside 1–3.",
    ]);
  });

  it("no-pulumi-owned-deployments rejects a ContainerServiceDeploymentVersion", async () => {
    const deployment: PolicyInput = {
      type: "aws:lightsail/containerServiceDeploymentVersion:ContainerServiceDeploymentVersion",
      name: "deploy",
      props: { serviceName: "svc", containers: [] },
    };
    expect(await resourceViolations(noPulumiOwnedDeployments, deployment)).toHaveLength(1);
    expect(await resourceViolations(noPulumiOwnedDeployments, service("micro", 1))).toEqual([]);
  });
});

describe("monthly-budget", () => {
  const budget = (monthlyBudgetUsd: number): PolicyInput => ({
    type: "vidos:infrastructure:Budget",
    name: "vidos-dev-budget",
    props: { monthlyBudgetUsd },
  });
  const violations = (inputs: PolicyInput[]) => stackViolations(monthlyBudget, inputs);

  it("holds Lightsail power × scale to the default $60 when the stack sets no budget", async () => {
    expect(await violations([service("micro", 6)])).toEqual([]);
    expect(await violations([service("micro", 7)])).toEqual([
      "The stack costs $70 a month (svc micro $10 × 7 = $70), over its budget of $60. Lower the power or scale, or raise `vidos:monthlyBudgetUsd` deliberately.",
    ]);
    expect(await violations([service("medium", 1)])).toEqual([]);
    expect(await violations([service("medium", 2)])).toHaveLength(1);
  });

  it("reads the stack's own budget from the Budget component", async () => {
    expect(await violations([budget(25), service("small", 1)])).toEqual([]);
    expect(await violations([budget(25), service("small", 2)])).toEqual([
      "The stack costs $30 a month (svc small $15 × 2 = $30), over its budget of $25. Lower the power or scale, or raise `vidos:monthlyBudgetUsd` deliberately.",
    ]);
    expect(await violations([budget(30), service("small", 2)])).toEqual([]);
    expect(await violations([budget(200), service("medium", 5)])).toEqual([]);
  });

  it("adds every priced resource of the stack; the budget itself is allowed", async () => {
    const second = { ...service("small", 2), name: "svc2" };
    expect(await violations([budget(50), service("micro", 2), second])).toEqual([]);
    expect(await violations([budget(49), service("micro", 2), second])).toEqual([
      "The stack costs $50 a month (svc micro $10 × 2 = $20; svc2 small $15 × 2 = $30), over its budget of $49. Lower the power or scale, or raise `vidos:monthlyBudgetUsd` deliberately.",
    ]);
  });

  it("refuses what it cannot price rather than call it free: an unknown power, a type with no price", async () => {
    expect(await violations([service("huge", 1)])).toEqual([
      'Cannot hold the budget: svc: power "huge" × scale 1 is not in the price table.',
    ]);
    for (const type of [
      "aws:rds/cluster:Cluster",
      "aws:ec2/natGateway:NatGateway",
      "aws:lightsail/staticIp:StaticIp",
    ])
      expect(await violations([{ type, name: "x", props: {} }]), type).toEqual([
        `Cannot hold the budget: x: ${type} has no sourced price in policy/prices.ts yet.`,
      ]);
  });
});

describe("the deploy action's release record", () => {
  const RECORD = "arn:aws:ssm:eu-west-1:123456789012:parameter/lightsail-deploy/vidos-dev/releases";
  const DEPLOY_ACCESS = "vidos:infrastructure:DeployAccess";
  const grant = (action: string, resource: string | string[], parentType?: string): PolicyInput => ({
    ...rolePolicy([{ Effect: "Allow", Action: [action], Resource: resource }]),
    parentType,
  });
  const violations = (input: PolicyInput) => resourceViolations(releaseRecordWrittenByDeployRoleOnly, input);

  it.each(["ssm:PutParameter", "ssm:DeleteParameter", "ssm:*", "*", "ssm:LabelParameterVersion"])(
    "no role but the deploy role gets %s on a record",
    async (action) => {
      expect(await violations(grant(action, RECORD))).toEqual([
        `Only the deploy role may write the deploy action's release records; this grants ${action} on ${RECORD}.`,
      ]);
      expect(await violations(grant(action, RECORD, "vidos:infrastructure:Registry"))).toHaveLength(1);
    },
  );

  it.each([
    "*",
    "arn:aws:ssm:eu-west-1:123456789012:*",
    "arn:aws:ssm:*:*:parameter/*",
    "arn:aws:ssm:eu-west-1:123456789012:parameter/lightsail-deploy/*",
    "arn:aws:ssm:eu-west-1:123456789012:parameter/lightsail-deploy/vidos-*/releases",
    "arn:aws:*:eu-west-1:123456789012:parameter/light*",
  ])("no role but the deploy role may write through the wildcard %s", async (resource) => {
    expect(await violations(grant("ssm:PutParameter", resource))).toHaveLength(1);
  });

  it("lets other roles read the record and write elsewhere", async () => {
    expect(await violations(grant("ssm:GetParameter", RECORD))).toEqual([]);
    expect(await violations(grant("ssm:Get*", "*"))).toEqual([]);
    const elsewhere = "arn:aws:ssm:eu-west-1:123456789012:parameter/vidos/dev/*";
    expect(await violations(grant("ssm:PutParameter", elsewhere))).toEqual([]);
    expect(await violations(grant("s3:PutObject", "arn:aws:s3:::bucket/*"))).toEqual([]);
  });

  it("checks managed, user, group and inline role policies too, and counts NotAction as everything", async () => {
    const document = JSON.stringify({
      Statement: [{ Effect: "Allow", Action: "ssm:PutParameter", Resource: RECORD }],
    });
    for (const type of [
      "aws:iam/policy:Policy",
      "aws:iam/userPolicy:UserPolicy",
      "aws:iam/groupPolicy:GroupPolicy",
    ])
      expect(await violations({ type, name: "p", props: { policy: document } }), type).toHaveLength(1);
    const role: PolicyInput = {
      type: "aws:iam/role:Role",
      name: "other",
      props: { inlinePolicies: [{ name: "inline", policy: document }] },
    };
    expect(await violations(role)).toHaveLength(1);
    const notAction = rolePolicy([{ Effect: "Allow", NotAction: ["iam:*"], Resource: RECORD }]);
    expect(await violations(notAction)).toHaveLength(1);
  });

  it("lets the deploy role read and put its record, and read the app config", async () => {
    const deployPolicy = {
      ...rolePolicy([
        { Effect: "Allow", Action: ["ssm:GetParameter", "ssm:PutParameter"], Resource: RECORD },
        {
          Effect: "Allow",
          Action: ["ssm:GetParametersByPath"],
          Resource: ["arn:aws:ssm:eu-west-1:123456789012:parameter/vidos/dev/*"],
        },
      ]),
      parentType: DEPLOY_ACCESS,
    };
    expect(await violations(deployPolicy)).toEqual([]);
  });

  it.each([
    ["ssm:DeleteParameter", RECORD],
    ["ssm:*", RECORD],
    ["*", RECORD],
    ["ssm:PutParameter", "arn:aws:ssm:eu-west-1:123456789012:parameter/lightsail-deploy/*"],
    ["ssm:PutParameter", "arn:aws:ssm:eu-west-1:123456789012:parameter/vidos/dev/*"],
    ["ssm:PutParameter", [RECORD, "arn:aws:ssm:eu-west-1:123456789012:parameter/vidos/dev/API_KEY"]],
  ])("confines the deploy role's SSM write: %s on %s is refused", async (action, resource) => {
    const [message] = await violations(grant(action, resource, DEPLOY_ACCESS));
    expect(message).toBe(
      `The deploy role may write SSM only with ssm:PutParameter or ssm:DeleteParameters on /lightsail-deploy/<service>/releases and below; it grants ${action} on ${[resource].flat().join(", ")}.`,
    );
  });

  it("refuses a Pulumi-managed record unless its value is ignored", async () => {
    const parameter = (name: string, ignoreChanges: string[] = []): PolicyInput => ({
      type: "aws:ssm/parameter:Parameter",
      name: "record",
      props: { name, type: "String", value: "{}" },
      ignoreChanges,
    });
    expect(
      await resourceViolations(
        releaseRecordNotOverwritten,
        parameter("/lightsail-deploy/vidos-dev/releases"),
      ),
    ).toEqual([
      'Parameter "/lightsail-deploy/vidos-dev/releases" is the deploy action\'s release record: every `pulumi up` would overwrite it. Leave it to the action, or add ignoreChanges: ["value"].',
    ]);
    expect(
      await resourceViolations(
        releaseRecordNotOverwritten,
        parameter("/lightsail-deploy/vidos-dev/releases", ["value"]),
      ),
    ).toEqual([]);
    expect(await resourceViolations(releaseRecordNotOverwritten, parameter("/vidos/dev/API_KEY"))).toEqual(
      [],
    );
  });
});

/** Every mandatory policy over every resource the mocked program registers: what a preview would report. */
async function programViolations(stack: string, options?: RunOptions): Promise<string[]> {
  const run = await runStack(stack, options);
  const inputs: PolicyInput[] = run.resources
    .filter((resource) => resource.type.startsWith("aws:") || resource.type === "vidos:infrastructure:Budget")
    .map((resource) => ({
      type: resource.type,
      name: resource.name,
      props: resource.inputs,
      parentType: parentTypeOf(run, resource),
    }));
  // dev owns the repository (repository, lifecycle, pull policy); staging and prod only pull from it.
  expect(inputs.length).toBeGreaterThanOrEqual(stack === "dev" ? 8 : 5);

  const violations: string[] = [];
  for (const policy of resourcePolicies) {
    for (const input of inputs) {
      for (const message of await resourceViolations(policy, input))
        violations.push(`${policy.name} ${input.name}: ${message}`);
    }
  }
  for (const policy of stackPolicies) {
    for (const message of await stackViolations(policy, inputs))
      violations.push(`${policy.name}: ${message}`);
  }
  return violations;
}

describe.each(["dev", "staging", "prod"])("every policy over the mocked %s program", (stack) => {
  it("finds no violation", async () => {
    expect(await programViolations(stack)).toEqual([]);
  });
});

describe.each(["dev", "staging"])("every policy over the mocked %s program, paused", (stack) => {
  it("finds no violation", async () => {
    expect(
      await programViolations(stack, {
        overrides: { "vidos:paused": "true" },
        pausedStacks: ["example-org/vidos/staging"],
      }),
    ).toEqual([]);
  });
});

describe("the budget over the mocked program: a preview of a stack that breaks it fails", () => {
  const budgetViolations = async (stack: string, overrides: Record<string, string>) =>
    (await programViolations(stack, { overrides })).filter((message) =>
      message.startsWith("monthly-budget:"),
    );

  it("a scale that breaks the default $60 (micro × 7 = $70)", async () => {
    expect(await budgetViolations("staging", { "vidos:serviceScale": "7" })).toEqual([
      "monthly-budget: The stack costs $70 a month (vidos-staging-service micro $10 × 7 = $70), over its budget of $60. Lower the power or scale, or raise `vidos:monthlyBudgetUsd` deliberately.",
    ]);
  });

  it("a power that breaks it (medium × 2 = $80)", async () => {
    const found = await budgetViolations("prod", {
      "vidos:servicePower": "medium",
      "vidos:serviceScale": "2",
    });
    expect(found).toHaveLength(1);
    expect(found[0]).toContain("costs $80 a month");
  });

  it("the stack's own budget, from `vidos:monthlyBudgetUsd` (small × 2 = $30 over $25; within $30)", async () => {
    const small2 = { "vidos:servicePower": "small", "vidos:serviceScale": "2" };
    expect(await budgetViolations("dev", { ...small2, "vidos:monthlyBudgetUsd": "25" })).toEqual([
      "monthly-budget: The stack costs $30 a month (vidos-dev-service small $15 × 2 = $30), over its budget of $25. Lower the power or scale, or raise `vidos:monthlyBudgetUsd` deliberately.",
    ]);
    expect(await budgetViolations("dev", { ...small2, "vidos:monthlyBudgetUsd": "30" })).toEqual([]);
  });
});

describe("rehearsal-role-read-only", () => {
  const REHEARSAL = "vidos:infrastructure:RehearsalAccess";
  const violations = (input: PolicyInput) => resourceViolations(rehearsalRoleReadOnly, input);
  const policyWith = (statements: unknown[], parentType = REHEARSAL): PolicyInput => ({
    type: "aws:iam/rolePolicy:RolePolicy",
    name: "vidos-prod-rehearsal-policy",
    props: { role: "r", policy: JSON.stringify({ Version: "2012-10-17", Statement: statements }) },
    parentType,
  });
  const trustWith = (condition: Record<string, Record<string, string>>): PolicyInput => ({
    type: "aws:iam/role:Role",
    name: "vidos-prod-rehearsal-role",
    props: {
      assumeRolePolicy: JSON.stringify({
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Action: ["sts:AssumeRoleWithWebIdentity"], Condition: condition }],
      }),
    },
    parentType: REHEARSAL,
  });
  const SUB = "token.actions.githubusercontent.com:sub";

  it("passes reads only, and a trust in exactly this repository's pull requests", async () => {
    expect(
      await violations(
        policyWith([
          { Effect: "Allow", Action: ["lightsail:GetContainerServices"], Resource: "*" },
          {
            Effect: "Allow",
            Action: "ssm:GetParametersByPath",
            Resource: "arn:aws:ssm:eu-west-1:1:parameter/x",
          },
        ]),
      ),
    ).toEqual([]);
    expect(await violations(trustWith({ StringEquals: { [SUB]: "repo:org/app:pull_request" } }))).toEqual([]);
  });

  it.each([
    "lightsail:CreateContainerServiceDeployment",
    "ssm:PutParameter",
    "lightsail:Get*",
    "*",
    "kms:Decrypt",
    "ecr:BatchGetImage",
  ])("fails a rehearsal role granted %s", async (action) => {
    expect(await violations(policyWith([{ Effect: "Allow", Action: [action], Resource: "*" }]))).toEqual([
      `The rehearsal role may only read (Get*/Describe*); it grants ${action}.`,
    ]);
  });

  it("fails a NotAction grant, and leaves other roles to the other rules", async () => {
    expect(
      await violations(policyWith([{ Effect: "Allow", NotAction: ["iam:*"], Resource: "*" }])),
    ).toHaveLength(1);
    const elsewhere = policyWith([{ Effect: "Allow", Action: ["ssm:PutParameter"], Resource: "*" }], "x:y:Z");
    expect(await violations(elsewhere)).toEqual([]);
  });

  it.each([
    [{ StringEquals: { [SUB]: "repo:org/app:environment:prod" } }, "subject"],
    [{ StringEquals: { [SUB]: "repo:org/*:pull_request" } }, "subject"],
    [{ StringLike: { [SUB]: "repo:org/app:*" } }, "a StringLike condition"],
    [{}, "subject undefined"],
  ])("fails a trust wider than one repository's pull requests (%j)", async (condition, problem) => {
    const found = await violations(trustWith(condition));
    expect(found.length).toBeGreaterThan(0);
    expect(found.join("\n")).toContain(problem);
  });
});
