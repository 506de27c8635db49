import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import {
  FAKE,
  onlyResourceOfType,
  parentTypeOf,
  policyOf,
  pullerOfStack,
  type RecordedResource,
  resourcesOfType,
  runStack,
  STACK_OUTPUT_NAMES,
  type StackRun,
  secretInput,
  stackFileConfig,
} from "./harness.js";

const T = {
  repository: "aws:ecr/repository:Repository",
  lifecycle: "aws:ecr/lifecyclePolicy:LifecyclePolicy",
  repositoryPolicy: "aws:ecr/repositoryPolicy:RepositoryPolicy",
  service: "aws:lightsail/containerService:ContainerService",
  deployment: "aws:lightsail/containerServiceDeploymentVersion:ContainerServiceDeploymentVersion",
  parameter: "aws:ssm/parameter:Parameter",
  oidc: "aws:iam/openIdConnectProvider:OpenIdConnectProvider",
  role: "aws:iam/role:Role",
  rolePolicy: "aws:iam/rolePolicy:RolePolicy",
} as const;

interface Statement {
  Sid?: string;
  Effect: string;
  Action: string[];
  Resource?: string | string[];
  NotResource?: string[];
  Principal?: Record<string, string | string[]>;
  Condition?: Record<string, Record<string, string>>;
}
interface Document {
  Statement: Statement[];
}

/** The deploy role or its policy: the one resource of `type` under DeployAccess (the rehearsal role is another). */
function deployResource(run: StackRun, type: string): RecordedResource {
  const found = resourcesOfType(run, type).filter(
    (r) => parentTypeOf(run, r) === "vidos:infrastructure:DeployAccess",
  );
  if (found.length !== 1)
    throw new Error(`expected exactly one ${type} under DeployAccess, found ${found.length}`);
  return found[0] as RecordedResource;
}

const list = (value: string | string[] | undefined) => (value === undefined ? [] : [value].flat());

/** Does the @pulumi/aws class behind this type token accept `tags`? Read from the provider SDK, not a hand list. */
function acceptsTags(type: string): boolean {
  const match = /^aws:([^/]+)\/[^:]+:(\w+)$/.exec(type);
  if (!match) return false;
  const [, moduleName = "", className = ""] = match;
  const namespace = (
    moduleName === "index" ? aws : (aws as unknown as Record<string, unknown>)[moduleName]
  ) as Record<string, unknown> | undefined;
  const resourceClass = namespace?.[className];
  if (typeof resourceClass !== "function") throw new Error(`no @pulumi/aws class for ${type}`);
  return resourceClass.toString().includes('resourceInputs["tags"] = args');
}

let dev: StackRun;
let staging: StackRun;
let prod: StackRun;

beforeAll(async () => {
  dev = await runStack("dev");
  staging = await runStack("staging");
  prod = await runStack("prod");
});

const STACKS = ["dev", "staging", "prod"] as const;
const runOf = (stackName: string) => ({ dev, staging, prod })[stackName] as StackRun;
/** The one repository every environment pulls from; dev (the build stack) owns it. */
const SHARED_REPOSITORY = "vidos-images";
const SHARED_REPOSITORY_ARN = `arn:aws:ecr:eu-west-1:${FAKE.accountId}:repository/${SHARED_REPOSITORY}`;

describe("one artifact: the dev stack owns the one repository; staging and prod pull from it", () => {
  it("creates one ECR repository, in dev, that scans on push", () => {
    const repository = onlyResourceOfType(dev, T.repository);
    expect(repository.inputs.name).toBe(SHARED_REPOSITORY);
    expect(repository.inputs.imageScanningConfiguration).toEqual({ scanOnPush: true });
    for (const other of [staging, prod]) {
      expect(resourcesOfType(other, T.repository)).toEqual([]);
      expect(resourcesOfType(other, T.lifecycle)).toEqual([]);
      expect(resourcesOfType(other, T.repositoryPolicy)).toEqual([]);
      const lookups = other.calls.filter((c) => c.token === "aws:ecr/getRepository:getRepository");
      expect(lookups.map((c) => c.inputs)).toEqual([{ name: SHARED_REPOSITORY, region: "eu-west-1" }]);
    }
  });

  it("keeps tags immutable, so a SHA tag always names the same bytes; only the protection tags keep-* move", () => {
    expect(onlyResourceOfType(dev, T.repository).inputs).toMatchObject({
      imageTagMutability: "IMMUTABLE_WITH_EXCLUSION",
      imageTagMutabilityExclusionFilters: [
        { filterType: "WILDCARD", filter: "keep-*" },
        { filterType: "WILDCARD", filter: "buildcache" },
      ],
    });
  });

  it("never expires the images environments serve or roll back to (keep-*), and keeps 5 others", () => {
    const lifecycle = onlyResourceOfType(dev, T.lifecycle);
    expect(lifecycle.inputs.repository).toBe(SHARED_REPOSITORY);
    const policy = policyOf<{ rules: { rulePriority: number; selection: unknown; action: unknown }[] }>(
      lifecycle,
    );
    expect(policy.rules.map((r) => [r.rulePriority, r.selection, r.action])).toEqual([
      // The deploy action's build cache first: one image, never expired.
      [
        1,
        {
          tagStatus: "tagged",
          tagPrefixList: ["buildcache"],
          countType: "imageCountMoreThan",
          countNumber: 1,
        },
        { type: "expire" },
      ],
      [
        2,
        {
          tagStatus: "tagged",
          tagPrefixList: ["keep-"],
          countType: "imageCountMoreThan",
          countNumber: 10_000,
        },
        { type: "expire" },
      ],
      [3, { tagStatus: "any", countType: "imageCountMoreThan", countNumber: 5 }, { type: "expire" }],
    ]);
  });

  it("lets every environment's image-puller, and nothing else, pull: not the service principals", () => {
    const policy = policyOf<Document>(onlyResourceOfType(dev, T.repositoryPolicy));
    expect(policy.Statement).toHaveLength(1);
    const [statement] = policy.Statement;
    expect(statement?.Effect).toBe("Allow");
    expect(statement?.Principal).toEqual({
      AWS: [
        FAKE.pullerPrincipalArn,
        pullerOfStack("example-org/vidos/staging"),
        pullerOfStack("example-org/vidos/prod"),
      ],
    });
    expect(JSON.stringify(policy)).not.toContain(FAKE.servicePrincipalArn);
    expect([...(statement?.Action ?? [])].sort()).toEqual([
      "ecr:BatchGetImage",
      "ecr:GetDownloadUrlForLayer",
    ]);
    expect(statement?.Resource).toBeUndefined();
  });

  it("staging and prod export the image-puller principal the dev stack's repository policy reads", () => {
    for (const run of [dev, staging, prod])
      expect(run.outputs.pullerPrincipalArn).toBe(FAKE.pullerPrincipalArn);
    const references = dev.resources.filter((r) => r.type === "pulumi:pulumi:StackReference");
    expect(references.map((r) => r.name).sort()).toEqual([
      "example-org/vidos/prod",
      "example-org/vidos/staging",
    ]);
  });

  it("does not delete the shared images with the dev stack", () => {
    expect(onlyResourceOfType(dev, T.repository).inputs.forceDelete).toBe(false);
  });
});

describe.each(STACKS)("the %s stack", (stackName) => {
  const run = () => runOf(stackName);

  it("runs one micro Lightsail node with the ECR image-puller role active, and no Pulumi deployment", () => {
    const service = onlyResourceOfType(run(), T.service);
    expect(service.inputs).toMatchObject({ name: `vidos-${stackName}`, power: "micro", scale: 1 });
    expect(service.inputs.privateRegistryAccess).toEqual({ ecrImagePullerRole: { isActive: true } });
    expect(resourcesOfType(run(), T.deployment)).toEqual([]);
  });

  it("puts every regional resource in eu-west-1 and reports that region", () => {
    const regional = run().resources.filter(
      (r) => r.type.startsWith("aws:") && !r.type.startsWith("aws:iam/"),
    );
    const registry = stackName === "dev" ? [T.lifecycle, T.repository, T.repositoryPolicy] : [];
    expect(regional.map((r) => r.type).sort()).toEqual(
      [...registry, T.parameter, T.parameter, T.service].sort(),
    );
    for (const resource of regional) expect(resource.inputs.region, resource.name).toBe("eu-west-1");
    expect(run().outputs.region).toBe("eu-west-1");
    expect(stackFileConfig(stackName)["aws:region"]).toBe("eu-west-1");
  });

  it("stores AUTHORIZER_URL and API_KEY as SecureString parameters under the stack's own path", () => {
    const parameters = resourcesOfType(run(), T.parameter);
    const byName = Object.fromEntries(parameters.map((p) => [p.inputs.name, p.inputs]));
    expect(Object.keys(byName).sort()).toEqual([
      `/vidos/${stackName}/API_KEY`,
      `/vidos/${stackName}/AUTHORIZER_URL`,
    ]);
    const authorizerUrl = byName[`/vidos/${stackName}/AUTHORIZER_URL`];
    const apiKey = byName[`/vidos/${stackName}/API_KEY`];
    expect(authorizerUrl?.type).toBe("SecureString");
    expect(apiKey?.type).toBe("SecureString");
    // The values reach the parameters, and arrive marked secret (so state stores them encrypted).
    expect(secretInput(authorizerUrl?.value)).toBe(FAKE.authorizerUrl);
    expect(secretInput(apiKey?.value)).toBe(FAKE.apiKey);
    for (const parameter of parameters) expect(parameter.inputs.keyId, "default aws/ssm key").toBeUndefined();
    expect(run().outputs.ssmPath).toBe(`/vidos/${stackName}/`);
  });

  it("leaves the release record to the deploy action: Pulumi manages no parameter outside the app path", () => {
    // A Pulumi-managed record would be reset by every `pulumi up` (see README, "Release record").
    for (const parameter of resourcesOfType(run(), T.parameter))
      expect(parameter.inputs.name).toMatch(new RegExp(`^/vidos/${stackName}/`));
  });

  it("trusts only GitHub OIDC tokens for this repository's environment named like the stack", () => {
    const trust = policyOf<Document>(deployResource(run(), T.role), "assumeRolePolicy");
    expect(trust.Statement).toHaveLength(1);
    expect(trust.Statement[0]).toMatchObject({
      Effect: "Allow",
      Principal: { Federated: FAKE.existingOidcProviderArn },
      Action: ["sts:AssumeRoleWithWebIdentity"],
      Condition: {
        StringEquals: {
          "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
          "token.actions.githubusercontent.com:sub": `repo:example-org/lightsail-deploy-pipeline:environment:${stackName}`,
        },
      },
    });
    expect(Object.keys(trust.Statement[0]?.Condition ?? {})).toEqual(["StringEquals"]);
  });

  describe("the deploy rehearsal's role", () => {
    const rehearsalResource = (type: string) => {
      const found = resourcesOfType(run(), type).filter(
        (r) => parentTypeOf(run(), r) === "vidos:infrastructure:RehearsalAccess",
      );
      expect(found).toHaveLength(1);
      return found[0] as RecordedResource;
    };

    it("trusts only this repository's pull requests (exact subject, StringEquals only)", () => {
      const trust = policyOf<Document>(rehearsalResource(T.role), "assumeRolePolicy");
      expect(trust.Statement).toEqual([
        {
          Sid: "GitHubPullRequestsOnly",
          Effect: "Allow",
          Principal: { Federated: FAKE.existingOidcProviderArn },
          Action: ["sts:AssumeRoleWithWebIdentity"],
          Condition: {
            StringEquals: {
              "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
              "token.actions.githubusercontent.com:sub":
                "repo:example-org/lightsail-deploy-pipeline:pull_request",
            },
          },
        },
      ]);
    });

    it("may only read: the live service, and the rehearsal values under their own path", () => {
      const statements = policyOf<Document>(rehearsalResource(T.rolePolicy)).Statement;
      for (const statement of statements) {
        expect(statement.Effect).toBe("Allow");
        for (const action of statement.Action) expect(action).toMatch(/^[a-z]+:(Get|Describe)[A-Za-z]+$/);
      }
      expect(statements.map((s) => [s.Action, s.Resource])).toEqual([
        [["lightsail:GetContainerServices"], "*"],
        [
          ["ssm:GetParametersByPath"],
          `arn:aws:ssm:eu-west-1:${FAKE.accountId}:parameter/rehearsal/vidos/${stackName}`,
        ],
      ]);
      expect(run().outputs.rehearsalSsmPath).toBe(`/rehearsal/vidos/${stackName}/`);
    });
  });

  describe("the deploy role's permissions", () => {
    const statements = () => policyOf<Document>(deployResource(run(), T.rolePolicy)).Statement;
    const grantsOn = (resource: string) =>
      statements()
        .filter((s) => s.Effect === "Allow" && list(s.Resource).includes(resource))
        .flatMap((s) => s.Action)
        .sort();

    it("grants exactly six actions on * (those with no resource type)", () => {
      expect(grantsOn("*")).toEqual(
        [
          "ecr:GetAuthorizationToken",
          "lightsail:GetCertificates",
          "lightsail:GetContainerLog",
          "lightsail:GetContainerServiceDeployments",
          "lightsail:GetContainerServicePowers",
          "lightsail:GetContainerServices",
        ].sort(),
      );
    });

    const allows = () => statements().filter((s) => s.Effect === "Allow");
    const denials = () => statements().filter((s) => s.Effect === "Deny");

    it("has only Allow and Deny statements and no wildcard actions", () => {
      for (const statement of statements()) {
        expect(["Allow", "Deny"]).toContain(statement.Effect);
        for (const action of statement.Action) expect(action).not.toContain("*");
      }
      for (const statement of allows()) expect(statement.NotResource, statement.Sid).toBeUndefined();
    });

    const UPLOADS = [
      "ecr:BatchCheckLayerAvailability",
      "ecr:CompleteLayerUpload",
      "ecr:InitiateLayerUpload",
      "ecr:UploadLayerPart",
    ];

    it(
      stackName === "dev"
        ? "pushes (the one build) only to the shared repository"
        : "never uploads an image: reads the shared repository and tags images already in it",
      () => {
        const ecrActions = grantsOn(SHARED_REPOSITORY_ARN);
        if (stackName === "dev")
          expect(ecrActions).toEqual(expect.arrayContaining([...UPLOADS, "ecr:PutImage"]));
        else {
          for (const upload of UPLOADS) expect(ecrActions).not.toContain(upload);
          expect(ecrActions).toContain("ecr:PutImage");
          const denied = denials().find(
            (s) => list(s.Resource).includes("*") && s.Action.includes(UPLOADS[0] ?? ""),
          );
          expect(denied?.Action.sort()).toEqual(UPLOADS);
        }
        for (const action of ecrActions) expect(action).toMatch(/^ecr:/);
        const ecrStatements = allows().filter((s) => s.Action.some((a) => a.startsWith("ecr:")));
        for (const statement of ecrStatements) {
          expect(list(statement.Resource), statement.Sid).toEqual(
            statement.Action.includes("ecr:GetAuthorizationToken") ? ["*"] : [SHARED_REPOSITORY_ARN],
          );
        }
      },
    );

    it("is denied every other environment's service, parameters and repositories, whatever else it is granted", () => {
      const service = run().resources.find((r) => r.type === T.service);
      const serviceArn = `arn:aws:lightsail:eu-west-1:${FAKE.accountId}:ContainerService/`;
      const byAction = (action: string) => denials().filter((s) => s.Action.includes(action));
      const [services] = byAction("lightsail:CreateContainerServiceDeployment");
      expect(services?.NotResource).toHaveLength(1);
      expect(services?.NotResource?.[0]).toMatch(new RegExp(`^${serviceArn}`));
      expect(services?.Action).toEqual(
        expect.arrayContaining(["lightsail:UpdateContainerService", "lightsail:DeleteContainerService"]),
      );
      expect(service).toBeDefined();
      const [parameters] = byAction("ssm:GetParametersByPath");
      expect(parameters?.NotResource?.sort()).toEqual(
        [pathArn, `${pathArn}/*`, recordArn, `${recordArn}/*`].sort(),
      );
      expect(parameters?.Action).toEqual(
        expect.arrayContaining(["ssm:GetParameter", "ssm:PutParameter", "ssm:DeleteParameter"]),
      );
      const [repositories] = byAction("ecr:BatchGetImage");
      expect(repositories?.NotResource).toEqual([SHARED_REPOSITORY_ARN]);
      expect(repositories?.Action).toEqual(
        expect.arrayContaining([...UPLOADS, "ecr:PutImage", "ecr:DescribeImages"]),
      );
      for (const denial of [services, parameters, repositories]) expect(denial?.Resource).toBeUndefined();
    });

    it("may never delete an image or loosen the repository (immutability, lifecycle, policy)", () => {
      const [destructive] = denials().filter((s) => s.Action.includes("ecr:BatchDeleteImage"));
      expect(destructive?.Resource).toBe("*");
      expect(destructive?.Action.sort()).toEqual(
        [
          "ecr:BatchDeleteImage",
          "ecr:DeleteLifecyclePolicy",
          "ecr:DeleteRepository",
          "ecr:DeleteRepositoryPolicy",
          "ecr:PutImageTagMutability",
          "ecr:PutLifecyclePolicy",
          "ecr:SetRepositoryPolicy",
        ].sort(),
      );
      for (const statement of allows())
        for (const action of destructive?.Action ?? []) expect(statement.Action).not.toContain(action);
    });

    it("creates deployments only on this stack's service ARN", () => {
      const deploying = statements().filter(
        (s) => s.Effect === "Allow" && s.Action.includes("lightsail:CreateContainerServiceDeployment"),
      );
      expect(deploying).toHaveLength(1);
      expect(deploying[0]?.Action).toEqual(["lightsail:CreateContainerServiceDeployment"]);
      expect(deploying[0]?.Resource).toMatch(/^arn:aws:lightsail:eu-west-1:123456789012:ContainerService\//);
      const writes = statements()
        .filter((s) => s.Effect === "Allow")
        .flatMap((s) => s.Action)
        .filter((a) => a.startsWith("lightsail:") && !a.startsWith("lightsail:Get"));
      expect(writes).toEqual(["lightsail:CreateContainerServiceDeployment"]);
    });

    const pathArn = `arn:aws:ssm:eu-west-1:${FAKE.accountId}:parameter/vidos/${stackName}`;
    const recordArn = `arn:aws:ssm:eu-west-1:${FAKE.accountId}:parameter/lightsail-deploy/vidos-${stackName}/releases`;
    const ssmStatements = () =>
      statements().filter((s) => s.Effect === "Allow" && s.Action.some((a) => a.startsWith("ssm:")));

    it("reads SSM parameters of this stack's path only, never writes there, and decrypts only through SSM for that path", () => {
      const appConfig = ssmStatements().filter((s) => list(s.Resource).some((r) => r.startsWith(pathArn)));
      expect(appConfig).toHaveLength(1);
      expect(appConfig[0]?.Action).toEqual(["ssm:GetParametersByPath"]);
      expect(list(appConfig[0]?.Resource).sort()).toEqual([pathArn, `${pathArn}/*`]);
      for (const action of appConfig[0]?.Action ?? []) expect(action).toMatch(/^ssm:(Get|Describe|List)/);

      const kms = statements().filter((s) => s.Action.some((a) => a.startsWith("kms:")));
      expect(kms.every((s) => s.Effect === "Allow")).toBe(true);
      expect(kms).toHaveLength(1);
      expect(kms[0]?.Action).toEqual(["kms:Decrypt"]);
      expect(kms[0]?.Resource).toBe(`arn:aws:kms:eu-west-1:${FAKE.accountId}:key/*`);
      expect(kms[0]?.Condition).toEqual({
        StringEquals: { "kms:ViaService": "ssm.eu-west-1.amazonaws.com" },
        StringLike: { "kms:EncryptionContext:PARAMETER_ARN": `${pathArn}/*` },
      });
    });

    it("reads, writes and evicts the deploy action's release record (one parameter per verdict below it) and nothing else", () => {
      const record = ssmStatements().filter((s) => list(s.Resource).includes(recordArn));
      expect(record).toHaveLength(1);
      expect(record[0]?.Action).toEqual([
        "ssm:GetParameter",
        "ssm:GetParametersByPath",
        "ssm:PutParameter",
        "ssm:DeleteParameters",
      ]);
      expect(record[0]?.Resource).toEqual([recordArn, `${recordArn}/*`]);
      expect(recordArn.startsWith(`${pathArn}/`), "the record is not app config").toBe(false);
    });

    it("has exactly two SSM statements: the app config path (read) and the release record", () => {
      expect(ssmStatements().map((s) => list(s.Resource).sort())).toEqual([
        [pathArn, `${pathArn}/*`],
        [recordArn, `${recordArn}/*`].sort(),
      ]);
    });
  });

  it("tags every taggable resource with project, stack and owner", () => {
    const taggable = run().resources.filter((r) => r.type.startsWith("aws:") && acceptsTags(r.type));
    expect(taggable.length).toBeGreaterThanOrEqual(stackName === "dev" ? 5 : 4);
    for (const resource of taggable) {
      expect(resource.inputs.tags, `${resource.type} ${resource.name}`).toEqual({
        project: "vidos",
        stack: stackName,
        owner: "platform-team",
      });
    }
  });

  it("declares the same cost tags as aws:defaultTags in the stack file", () => {
    const defaultTags = JSON.parse(stackFileConfig(stackName)["aws:defaultTags"] ?? "{}") as {
      tags?: unknown;
    };
    expect(defaultTags.tags).toEqual(onlyResourceOfType(run(), T.service).inputs.tags);
  });

  it("exports the eight outputs, none secret and none holding a secret value", async () => {
    expect(Object.keys(run().outputs).sort()).toEqual(STACK_OUTPUT_NAMES);
    for (const [name, value] of Object.entries(run().outputs)) {
      expect(typeof value === "string" && value.length > 0, name).toBe(true);
    }
    const text = JSON.stringify(run().outputs);
    expect(text).not.toContain(FAKE.authorizerUrl);
    expect(text).not.toContain(FAKE.apiKey);
    for (const [name, output] of Object.entries(run().rawOutputs))
      expect(await pulumi.isSecret(output), name).toBe(false);
    expect(run().outputs.serviceUrl).toMatch(/^https:\/\/vidos-/);
    expect(run().outputs.repositoryUrl).toBe(
      `${FAKE.accountId}.dkr.ecr.eu-west-1.amazonaws.com/${SHARED_REPOSITORY}`,
    );
    expect(run().outputs.repositoryName).toBe(SHARED_REPOSITORY);
  });

  it("parents every AWS resource to its component", () => {
    const components: Record<string, string> = {
      [T.service]: "ContainerService",
      [T.repository]: "Registry",
      [T.lifecycle]: "Registry",
      [T.repositoryPolicy]: "Registry",
      [T.parameter]: "AppConfig",
      [T.oidc]: "DeployAccess",
      [T.role]: "DeployAccess",
      [T.rolePolicy]: "DeployAccess",
    };
    const rehearsal = (name: string) => /-rehearsal-(role|policy)$/.test(name);
    const awsUrns = run().urns.filter(
      (urn) => urn.includes("$aws:") || /::aws:[^$]+$/.test(urn.split("::")[2] ?? ""),
    );
    expect(awsUrns.length).toBe(run().resources.filter((r) => r.type.startsWith("aws:")).length);
    for (const urn of awsUrns) {
      const [qualifiedType = "", name = ""] = urn.split("::").slice(2);
      const type = qualifiedType.split("$").at(-1) ?? "";
      const component = rehearsal(name) ? "RehearsalAccess" : components[type];
      expect(qualifiedType, urn).toContain(`vidos:infrastructure:${component}$`);
      expect(name, urn).toMatch(new RegExp(`^vidos-${stackName}-`));
    }
  });
});

describe("dev, staging and prod differ where the stack files say so", () => {
  const invoked = (run: StackRun, token: string) => run.calls.filter((call) => call.token === token);

  it("dev creates the account's GitHub OIDC provider; prod looks it up and trusts it", () => {
    const created = onlyResourceOfType(dev, T.oidc);
    expect(created.inputs).toMatchObject({
      url: "https://token.actions.githubusercontent.com",
      clientIdLists: ["sts.amazonaws.com"],
    });
    expect(invoked(dev, "aws:iam/getOpenIdConnectProvider:getOpenIdConnectProvider")).toEqual([]);

    for (const run of [staging, prod]) {
      expect(resourcesOfType(run, T.oidc)).toEqual([]);
      const lookups = invoked(run, "aws:iam/getOpenIdConnectProvider:getOpenIdConnectProvider");
      expect(lookups.map((call) => call.inputs.url)).toEqual(["https://token.actions.githubusercontent.com"]);
    }
  });

  it("each stack's role trusts only its own environment", () => {
    const subject = (run: StackRun) =>
      policyOf<Document>(deployResource(run, T.role), "assumeRolePolicy").Statement[0]?.Condition
        ?.StringEquals?.["token.actions.githubusercontent.com:sub"];
    expect(subject(dev)).toMatch(/:environment:dev$/);
    expect(subject(staging)).toMatch(/:environment:staging$/);
    expect(subject(prod)).toMatch(/:environment:prod$/);
  });

  it("each stack has its own service, SSM path and release record: no two environments share one", () => {
    const of = (run: StackRun) => ({
      service: onlyResourceOfType(run, T.service).inputs.name,
      ssmPath: run.outputs.ssmPath,
      role: deployResource(run, T.role).name,
    });
    const all = [dev, staging, prod].map(of);
    for (const key of ["service", "ssmPath", "role"] as const)
      expect(new Set(all.map((a) => a[key])).size, key).toBe(3);
  });
});

describe("configuration reaches the resources", () => {
  it("creates no API_KEY parameter when the optional secret is unset", async () => {
    const run = await runStack("dev", { secrets: { "vidos:authorizerUrl": FAKE.authorizerUrl } });
    const names = resourcesOfType(run, T.parameter).map((p: RecordedResource) => p.inputs.name);
    expect(names).toEqual(["/vidos/dev/AUTHORIZER_URL"]);
  });

  it("names the release record after the configured service name", async () => {
    const run = await runStack("dev", { overrides: { "vidos:serviceName": "shop-web" } });
    const resources = policyOf<Document>(deployResource(run, T.rolePolicy)).Statement.flatMap((s) =>
      list(s.Resource),
    );
    expect(resources).toContain(
      `arn:aws:ssm:eu-west-1:${FAKE.accountId}:parameter/lightsail-deploy/shop-web/releases`,
    );
    expect(resources.filter((r) => r.includes("lightsail-deploy"))).toEqual([
      `arn:aws:ssm:eu-west-1:${FAKE.accountId}:parameter/lightsail-deploy/shop-web/releases`,
      `arn:aws:ssm:eu-west-1:${FAKE.accountId}:parameter/lightsail-deploy/shop-web/releases/*`,
    ]);
  });

  it("applies a configured power and scale", async () => {
    const run = await runStack("dev", {
      overrides: { "vidos:servicePower": "small", "vidos:serviceScale": "2" },
    });
    expect(onlyResourceOfType(run, T.service).inputs).toMatchObject({ power: "small", scale: 2 });
  });

  it("fails before creating anything when the authorizer URL secret is missing", async () => {
    await expect(runStack("prod", { secrets: {} })).rejects.toThrow(
      /Missing required secret `vidos:authorizerUrl`/,
    );
  });
});

describe("paused out of hours (vidos:paused, set by pause.yml)", () => {
  const paused = { "vidos:paused": "true" };
  const deployStatements = (run: StackRun) => policyOf<Document>(deployResource(run, T.rolePolicy)).Statement;

  it("removes only the Lightsail service: the repository, parameters, role and OIDC stay", async () => {
    const running = await runStack("dev");
    const run = await runStack("dev", { overrides: paused });
    expect(resourcesOfType(run, T.service)).toEqual([]);
    const types = (r: StackRun) => [...new Set(r.resources.map((resource) => resource.type))].sort();
    expect(types(run)).toEqual(types(running).filter((type) => !type.includes("ContainerService")));
    expect(onlyResourceOfType(run, T.repository).inputs.forceDelete).toBe(false);
    expect(resourcesOfType(run, T.parameter).length).toBe(resourcesOfType(running, T.parameter).length);
    expect(run.outputs.serviceUrl).toBeUndefined();
    expect(run.outputs.pullerPrincipalArn).toBeUndefined();
    expect(run.outputs.serviceName).toBe("vidos-dev");
  });

  it("denies the paused environment's deploy role every Lightsail change, and keeps its record and path", async () => {
    const statements = deployStatements(await runStack("staging", { overrides: paused }));
    expect(statements.find((s) => s.Sid === "DeployThisService")).toBeUndefined();
    const running = deployStatements(await runStack("staging"));
    const denial = statements.find((s) => s.Sid === "DenyOtherEnvironmentsServices");
    expect(denial).toMatchObject({ Effect: "Deny", Resource: "*" });
    expect(denial?.Action).toEqual(running.find((s) => s.Sid === "DenyOtherEnvironmentsServices")?.Action);
    expect(denial?.Action).toEqual(expect.arrayContaining(["lightsail:CreateContainerServiceDeployment"]));
    // The record is a path of verdict parameters: the path and everything below it.
    const record = `arn:aws:ssm:eu-west-1:${FAKE.accountId}:parameter/lightsail-deploy/vidos-staging/releases`;
    expect(statements.find((s) => s.Sid === "KeepThisServiceReleaseRecord")?.Resource).toEqual([
      record,
      `${record}/*`,
    ]);
  });

  it("dev's repository trusts the environments that run, and still keeps the paused ones' protected images", async () => {
    const all = await runStack("dev");
    const run = await runStack("dev", { overrides: paused, pausedStacks: ["example-org/vidos/staging"] });
    const principals = (r: StackRun) =>
      list(policyOf<Document>(onlyResourceOfType(r, T.repositoryPolicy)).Statement[0]?.Principal?.AWS);
    expect(principals(run)).toEqual([pullerOfStack("example-org/vidos/prod")]);
    expect(principals(all)).toHaveLength(3);
    // keep-* images: 2 per environment, paused or not (resume deploys keep-<service>-serving).
    expect(onlyResourceOfType(run, T.lifecycle).inputs.policy).toEqual(
      onlyResourceOfType(all, T.lifecycle).inputs.policy,
    );
  });

  it("brought back (paused false) is the stack it was", async () => {
    const run = await runStack("staging", { overrides: { "vidos:paused": "false" } });
    expect(onlyResourceOfType(run, T.service).inputs).toMatchObject({
      name: "vidos-staging",
      power: "micro",
    });
  });

  it("refuses to pause prod, before creating anything", async () => {
    await expect(runStack("prod", { overrides: paused })).rejects.toThrow(
      /`vidos:paused` is true on stack "prod"; production is never paused/,
    );
  });
});
