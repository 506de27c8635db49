import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import {
  FAKE,
  onlyResourceOfType,
  policyOf,
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
  Principal?: Record<string, string>;
  Condition?: Record<string, Record<string, string>>;
}
interface Document {
  Statement: Statement[];
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
let prod: StackRun;

beforeAll(async () => {
  dev = await runStack("dev");
  prod = await runStack("prod");
});

describe.each(["dev", "prod"])("the %s stack", (stackName) => {
  const run = () => (stackName === "dev" ? dev : prod);

  it("creates an ECR repository that scans on push", () => {
    const repository = onlyResourceOfType(run(), T.repository);
    expect(repository.inputs.name).toBe(`vidos-${stackName}`);
    expect(repository.inputs.imageScanningConfiguration).toEqual({ scanOnPush: true });
  });

  it("keeps the last 5 images and expires the rest", () => {
    const lifecycle = onlyResourceOfType(run(), T.lifecycle);
    expect(lifecycle.inputs.repository).toBe(`vidos-${stackName}`);
    const policy = policyOf<{ rules: { selection: unknown; action: unknown }[] }>(lifecycle);
    expect(policy.rules).toHaveLength(1);
    expect(policy.rules[0]?.selection).toEqual({
      tagStatus: "any",
      countType: "imageCountMoreThan",
      countNumber: 5,
    });
    expect(policy.rules[0]?.action).toEqual({ type: "expire" });
  });

  it("runs one micro Lightsail node with the ECR image-puller role active, and no Pulumi deployment", () => {
    const service = onlyResourceOfType(run(), T.service);
    expect(service.inputs).toMatchObject({ name: `vidos-${stackName}`, power: "micro", scale: 1 });
    expect(service.inputs.privateRegistryAccess).toEqual({ ecrImagePullerRole: { isActive: true } });
    expect(resourcesOfType(run(), T.deployment)).toEqual([]);
  });

  it("grants the image-puller principal, not the service principal, exactly the two pull actions", () => {
    const policy = policyOf<Document>(onlyResourceOfType(run(), T.repositoryPolicy));
    expect(policy.Statement).toHaveLength(1);
    const [statement] = policy.Statement;
    expect(statement?.Effect).toBe("Allow");
    expect(statement?.Principal).toEqual({ AWS: FAKE.pullerPrincipalArn });
    expect(JSON.stringify(policy)).not.toContain(FAKE.servicePrincipalArn);
    expect([...(statement?.Action ?? [])].sort()).toEqual([
      "ecr:BatchGetImage",
      "ecr:GetDownloadUrlForLayer",
    ]);
    expect(statement?.Resource).toBeUndefined();
  });

  it("puts every regional resource in eu-west-1 and reports that region", () => {
    const regional = run().resources.filter(
      (r) => r.type.startsWith("aws:") && !r.type.startsWith("aws:iam/"),
    );
    expect(regional.map((r) => r.type).sort()).toEqual(
      [T.lifecycle, T.parameter, T.parameter, T.repository, T.repositoryPolicy, T.service].sort(),
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
    const trust = policyOf<Document>(onlyResourceOfType(run(), T.role), "assumeRolePolicy");
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

  describe("the deploy role's permissions", () => {
    const statements = () => policyOf<Document>(onlyResourceOfType(run(), T.rolePolicy)).Statement;
    const grantsOn = (resource: string) =>
      statements()
        .filter((s) => list(s.Resource).includes(resource))
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

    it("allows only Allow statements and no wildcard actions", () => {
      for (const statement of statements()) {
        expect(statement.Effect).toBe("Allow");
        for (const action of statement.Action) expect(action).not.toContain("*");
      }
    });

    it("pushes only to this stack's repository", () => {
      const repositoryArn = `arn:aws:ecr:eu-west-1:${FAKE.accountId}:repository/vidos-${stackName}`;
      const ecrActions = grantsOn(repositoryArn);
      expect(ecrActions).toEqual(
        expect.arrayContaining([
          "ecr:BatchCheckLayerAvailability",
          "ecr:CompleteLayerUpload",
          "ecr:InitiateLayerUpload",
          "ecr:PutImage",
          "ecr:UploadLayerPart",
        ]),
      );
      for (const action of ecrActions) expect(action).toMatch(/^ecr:/);
      const ecrStatements = statements().filter((s) => s.Action.some((a) => a.startsWith("ecr:")));
      for (const statement of ecrStatements) {
        expect(list(statement.Resource), statement.Sid).toEqual(
          statement.Action.includes("ecr:GetAuthorizationToken") ? ["*"] : [repositoryArn],
        );
      }
    });

    it("creates deployments only on this stack's service ARN", () => {
      const deploying = statements().filter((s) =>
        s.Action.includes("lightsail:CreateContainerServiceDeployment"),
      );
      expect(deploying).toHaveLength(1);
      expect(deploying[0]?.Action).toEqual(["lightsail:CreateContainerServiceDeployment"]);
      expect(deploying[0]?.Resource).toMatch(/^arn:aws:lightsail:eu-west-1:123456789012:ContainerService\//);
      const writes = statements()
        .flatMap((s) => s.Action)
        .filter((a) => a.startsWith("lightsail:") && !a.startsWith("lightsail:Get"));
      expect(writes).toEqual(["lightsail:CreateContainerServiceDeployment"]);
    });

    const pathArn = `arn:aws:ssm:eu-west-1:${FAKE.accountId}:parameter/vidos/${stackName}`;
    const recordArn = `arn:aws:ssm:eu-west-1:${FAKE.accountId}:parameter/lightsail-deploy/vidos-${stackName}/releases`;
    const ssmStatements = () => statements().filter((s) => s.Action.some((a) => a.startsWith("ssm:")));

    it("reads SSM parameters of this stack's path only, never writes there, and decrypts only through SSM for that path", () => {
      const appConfig = ssmStatements().filter((s) => list(s.Resource).some((r) => r.startsWith(pathArn)));
      expect(appConfig).toHaveLength(1);
      expect(appConfig[0]?.Action).toEqual(["ssm:GetParametersByPath"]);
      expect(list(appConfig[0]?.Resource).sort()).toEqual([pathArn, `${pathArn}/*`]);
      for (const action of appConfig[0]?.Action ?? []) expect(action).toMatch(/^ssm:(Get|Describe|List)/);

      const kms = statements().filter((s) => s.Action.some((a) => a.startsWith("kms:")));
      expect(kms).toHaveLength(1);
      expect(kms[0]?.Action).toEqual(["kms:Decrypt"]);
      expect(kms[0]?.Resource).toBe(`arn:aws:kms:eu-west-1:${FAKE.accountId}:key/*`);
      expect(kms[0]?.Condition).toEqual({
        StringEquals: { "kms:ViaService": "ssm.eu-west-1.amazonaws.com" },
        StringLike: { "kms:EncryptionContext:PARAMETER_ARN": `${pathArn}/*` },
      });
    });

    it("reads and writes the deploy action's release record with exactly GetParameter and PutParameter", () => {
      const record = ssmStatements().filter((s) => list(s.Resource).includes(recordArn));
      expect(record).toHaveLength(1);
      expect(record[0]?.Action).toEqual(["ssm:GetParameter", "ssm:PutParameter"]);
      expect(record[0]?.Resource).toBe(recordArn);
      expect(recordArn.startsWith(`${pathArn}/`), "the record is not app config").toBe(false);
    });

    it("has exactly two SSM statements: the app config path (read) and the release record", () => {
      expect(ssmStatements().map((s) => list(s.Resource).sort())).toEqual([
        [pathArn, `${pathArn}/*`],
        [recordArn],
      ]);
    });
  });

  it("tags every taggable resource with project, stack and owner", () => {
    const taggable = run().resources.filter((r) => r.type.startsWith("aws:") && acceptsTags(r.type));
    expect(taggable.length).toBeGreaterThanOrEqual(5);
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
    expect(defaultTags.tags).toEqual(onlyResourceOfType(run(), T.repository).inputs.tags);
  });

  it("exports the seven outputs, none secret and none holding a secret value", async () => {
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
      `${FAKE.accountId}.dkr.ecr.eu-west-1.amazonaws.com/vidos-${stackName}`,
    );
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
    const awsUrns = run().urns.filter(
      (urn) => urn.includes("$aws:") || /::aws:[^$]+$/.test(urn.split("::")[2] ?? ""),
    );
    expect(awsUrns.length).toBe(run().resources.filter((r) => r.type.startsWith("aws:")).length);
    for (const urn of awsUrns) {
      const [qualifiedType = "", name = ""] = urn.split("::").slice(2);
      const type = qualifiedType.split("$").at(-1) ?? "";
      expect(qualifiedType, urn).toContain(`vidos:infrastructure:${components[type]}$`);
      expect(name, urn).toMatch(new RegExp(`^vidos-${stackName}-`));
    }
  });
});

describe("dev and prod differ where the stack files say so", () => {
  const forceDelete = (run: StackRun) => onlyResourceOfType(run, T.repository).inputs.forceDelete;
  const invoked = (run: StackRun, token: string) => run.calls.filter((call) => call.token === token);

  it("only dev force-deletes its repository (with images) on destroy", () => {
    expect(forceDelete(dev)).toBe(true);
    expect(forceDelete(prod)).toBe(false);
  });

  it("dev creates the account's GitHub OIDC provider; prod looks it up and trusts it", () => {
    const created = onlyResourceOfType(dev, T.oidc);
    expect(created.inputs).toMatchObject({
      url: "https://token.actions.githubusercontent.com",
      clientIdLists: ["sts.amazonaws.com"],
    });
    expect(invoked(dev, "aws:iam/getOpenIdConnectProvider:getOpenIdConnectProvider")).toEqual([]);

    expect(resourcesOfType(prod, T.oidc)).toEqual([]);
    const lookups = invoked(prod, "aws:iam/getOpenIdConnectProvider:getOpenIdConnectProvider");
    expect(lookups.map((call) => call.inputs.url)).toEqual(["https://token.actions.githubusercontent.com"]);
  });

  it("each stack's role trusts only its own environment", () => {
    const subject = (run: StackRun) =>
      policyOf<Document>(onlyResourceOfType(run, T.role), "assumeRolePolicy").Statement[0]?.Condition
        ?.StringEquals?.["token.actions.githubusercontent.com:sub"];
    expect(subject(dev)).toMatch(/:environment:dev$/);
    expect(subject(prod)).toMatch(/:environment:prod$/);
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
    const resources = policyOf<Document>(onlyResourceOfType(run, T.rolePolicy)).Statement.flatMap((s) =>
      list(s.Resource),
    );
    expect(resources).toContain(
      `arn:aws:ssm:eu-west-1:${FAKE.accountId}:parameter/lightsail-deploy/shop-web/releases`,
    );
    expect(resources.filter((r) => r.includes("lightsail-deploy"))).toHaveLength(1);
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
