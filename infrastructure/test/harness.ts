import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import * as pulumi from "@pulumi/pulumi";
import { vi } from "vitest";
import { parse } from "yaml";

/** Test doubles for what AWS would compute. Distinct on purpose: the service's own principal is not the puller's. */
/** The stack outputs index.ts exports, sorted (the GitHub variables and the README rely on them). */
export const STACK_OUTPUT_NAMES = [
  "deployRoleArn",
  "pullerPrincipalArn",
  "region",
  "rehearsalRoleArn",
  "rehearsalSsmPath",
  "repositoryName",
  "repositoryUrl",
  "serviceName",
  "serviceUrl",
  "ssmPath",
];

export const FAKE = {
  accountId: "123456789012",
  pullerPrincipalArn:
    "arn:aws:iam::987654321098:role/amazon/lightsail/eu-west-1/containers/svc/private-repo-access/3f2a9c",
  servicePrincipalArn:
    "arn:aws:iam::987654321098:role/amazon/lightsail/eu-west-1/containers/svc/service-principal",
  existingOidcProviderArn: "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com",
  authorizerUrl: "https://authorizer.example.test/check?token=s3cr3t-authorizer-value",
  apiKey: "api-key-s3cr3t-value-0123456789",
} as const;

/** The image-puller principal another stack (a StackReference `org/vidos/<stack>`) exports. */
export function pullerOfStack(stackReference: string): string {
  const stack = stackReference.split("/").at(-1);
  return `arn:aws:iam::987654321098:role/amazon/lightsail/eu-west-1/containers/vidos-${stack}/private-repo-access/${stack}0`;
}

/** The repository a non-build stack looks up by name (the build stack created it). */
function repositoryState(name: string) {
  return {
    name,
    arn: `arn:aws:ecr:eu-west-1:${FAKE.accountId}:repository/${name}`,
    registryId: FAKE.accountId,
    repositoryUrl: `${FAKE.accountId}.dkr.ecr.eu-west-1.amazonaws.com/${name}`,
  };
}

export interface RecordedResource {
  type: string;
  name: string;
  inputs: Record<string, unknown>;
}

export interface RecordedCall {
  token: string;
  inputs: Record<string, unknown>;
}

export interface StackRun {
  project: string;
  stack: string;
  resources: RecordedResource[];
  calls: RecordedCall[];
  /** The program's stack outputs, resolved. */
  outputs: Record<string, unknown>;
  /** The same outputs as Pulumi Outputs, to check secretness. */
  rawOutputs: Record<string, pulumi.Output<unknown>>;
  /** Every URN the mock monitor handed out; a child's URN carries its parent component's type. */
  urns: string[];
  /** The URNs each resource (by name) was registered as depending on: what orders deletes on destroy. */
  dependencies: Record<string, string[]>;
}

const here = (path: string) => fileURLToPath(new URL(`../${path}`, import.meta.url));

export function projectName(): string {
  const project = parse(readFileSync(here("Pulumi.yaml"), "utf8")) as { name: string };
  return project.name;
}

/** The stack file's config as Pulumi hands it to the program: fully qualified keys, objects as JSON. */
export function stackFileConfig(stack: string): Record<string, string> {
  const file = parse(readFileSync(here(`Pulumi.${stack}.yaml`), "utf8")) as {
    config: Record<string, unknown>;
  };
  return Object.fromEntries(
    Object.entries(file.config).map(([key, value]) => [
      key.includes(":") ? key : `${projectName()}:${key}`,
      typeof value === "string" ? value : JSON.stringify(value),
    ]),
  );
}

export function outputValue<T>(output: pulumi.Output<T>): Promise<T> {
  return new Promise((resolve) => output.apply(resolve));
}

function computedState(type: string, name: string, inputs: Record<string, unknown>): Record<string, unknown> {
  const resourceName = typeof inputs.name === "string" ? inputs.name : `${name}-abc123`;
  switch (type) {
    case "aws:ecr/repository:Repository":
      return repositoryState(resourceName);
    case "pulumi:pulumi:StackReference":
      return {
        name,
        outputs: pausedReferences.includes(name) ? {} : { pullerPrincipalArn: pullerOfStack(name) },
        secretOutputNames: [],
      };
    case "aws:lightsail/containerService:ContainerService":
      return {
        name: resourceName,
        arn: `arn:aws:lightsail:eu-west-1:${FAKE.accountId}:ContainerService/0b1e7a52-7d1c-4f0e-9d55-2b1f3c4d5e6f`,
        url: `https://${resourceName}.x1y2z3.eu-west-1.cs.amazonlightsail.com/`,
        principalArn: FAKE.servicePrincipalArn,
        privateRegistryAccess: {
          ecrImagePullerRole: { isActive: true, principalArn: FAKE.pullerPrincipalArn },
        },
      };
    case "aws:lightsail/certificate:Certificate": {
      const domains = [
        inputs.domainName,
        ...((inputs.subjectAlternativeNames as string[] | undefined) ?? []),
      ];
      return {
        arn: `arn:aws:lightsail:eu-west-1:${FAKE.accountId}:Certificate/5d1f0e2a-0000-4000-8000-000000000001`,
        domainValidationOptions: domains.map((domain, i) => ({
          domainName: domain,
          resourceRecordName: `_a${i}b2c3.${domain}.`,
          resourceRecordType: "CNAME",
          resourceRecordValue: `_d${i}e5f6.acm-validations.aws.`,
        })),
      };
    }
    case "aws:iam/role:Role":
      return { name: resourceName, arn: `arn:aws:iam::${FAKE.accountId}:role/${resourceName}` };
    case "aws:iam/openIdConnectProvider:OpenIdConnectProvider":
      return { arn: FAKE.existingOidcProviderArn };
    case "aws:ssm/parameter:Parameter":
      return { arn: `arn:aws:ssm:eu-west-1:${FAKE.accountId}:parameter${resourceName}` };
    default:
      return {};
  }
}

function invokeResult(token: string, inputs: Record<string, unknown>): Record<string, unknown> {
  switch (token) {
    case "aws:ecr/getRepository:getRepository":
      return repositoryState(String(inputs.name));
    case "aws:index/getCallerIdentity:getCallerIdentity":
      return {
        accountId: FAKE.accountId,
        arn: `arn:aws:iam::${FAKE.accountId}:user/test`,
        userId: "AIDATEST",
      };
    case "aws:index/getPartition:getPartition":
      return { partition: "aws", dnsSuffix: "amazonaws.com", reverseDnsPrefix: "com.amazonaws" };
    case "aws:iam/getOpenIdConnectProvider:getOpenIdConnectProvider":
      return { arn: FAKE.existingOidcProviderArn, url: "token.actions.githubusercontent.com" };
    default:
      throw new Error(`unexpected invoke ${token}: add it to the test mocks`);
  }
}

/** Stack references whose stack is paused in this run: they export no `pullerPrincipalArn`. */
let pausedReferences: readonly string[] = [];

export interface RunOptions {
  /** Fully qualified names of other stacks that are paused (no service, so no puller output). */
  pausedStacks?: string[];
  /** Replaces stack-file keys; `undefined` removes a key. */
  overrides?: Record<string, string | undefined>;
  /** Secret config; defaults to both secrets set. */
  secrets?: Record<string, string>;
}

/** Runs index.ts against Pulumi mocks with the stack file's real configuration and records every resource. */
export async function runStack(stack: string, options: RunOptions = {}): Promise<StackRun> {
  const project = projectName();
  const secrets = options.secrets ?? {
    [`${project}:authorizerUrl`]: FAKE.authorizerUrl,
    [`${project}:apiKey`]: FAKE.apiKey,
  };
  const config: Record<string, string> = { ...stackFileConfig(stack), ...secrets };
  pausedReferences = options.pausedStacks ?? [];
  for (const [key, value] of Object.entries(options.overrides ?? {})) {
    if (value === undefined) delete config[key];
    else config[key] = value;
  }
  pulumi.runtime.setAllConfig(config, Object.keys(secrets));

  const resources: RecordedResource[] = [];
  const calls: RecordedCall[] = [];
  await pulumi.runtime.setMocks(
    {
      newResource: (args) => {
        resources.push({ type: args.type, name: args.name, inputs: args.inputs });
        return {
          id: `${args.name}-id`,
          state: { ...args.inputs, ...computedState(args.type, args.name, args.inputs) },
        };
      },
      call: (args) => {
        calls.push({ token: args.token, inputs: args.inputs });
        return invokeResult(args.token, args.inputs);
      },
    },
    project,
    stack,
    false,
  );

  // The mocks do not pass dependencies to newResource; read them off the registration requests.
  const dependencies: Record<string, string[]> = {};
  const monitor = pulumi.runtime.getMonitor() as unknown as {
    registerResource(
      request: { getName(): string; getDependenciesList(): string[] },
      callback: unknown,
    ): unknown;
  };
  const register = monitor.registerResource.bind(monitor);
  monitor.registerResource = (request, callback) => {
    dependencies[request.getName()] = request.getDependenciesList();
    return register(request, callback);
  };

  // A fresh module graph per run, so index.ts executes again for this stack's configuration.
  vi.resetModules();
  const program = (await import("../index.js")) as Record<string, pulumi.Output<unknown>>;
  const rawOutputs = { ...program };
  // An output that resolves to undefined is no stack output at all, as in `pulumi stack output`.
  const outputs = Object.fromEntries(
    (
      await Promise.all(
        Object.entries(rawOutputs).map(async ([name, output]) => [name, await outputValue(output)] as const),
      )
    ).filter(([, value]) => value !== undefined),
  );
  // Resources off the outputs' dependency path (policies) may still be registering.
  await pulumi.runtime.disconnect();
  return { project, stack, resources, calls, outputs, rawOutputs, urns: registeredUrns(), dependencies };
}

function registeredUrns(): string[] {
  // The mock monitor keeps every registration keyed by URN; its class is not exported, so check its shape.
  const monitor = pulumi.runtime.getMonitor() as unknown as { resources?: Map<string, unknown> } | undefined;
  if (!(monitor?.resources instanceof Map)) throw new Error("the Pulumi mock monitor is not active");
  return [...monitor.resources.keys()];
}

/** The type of the component a recorded resource is a direct child of, read from its URN. */
export function parentTypeOf(run: StackRun, resource: RecordedResource): string | undefined {
  const chain = run.urns
    .map((urn) => urn.split("::"))
    .find(
      ([, , types = "", name]) => name === resource.name && types.split("$").at(-1) === resource.type,
    )?.[2]
    ?.split("$");
  return chain?.at(-2);
}

export function resourcesOfType(run: StackRun, type: string): RecordedResource[] {
  return run.resources.filter((resource) => resource.type === type);
}

export function onlyResourceOfType(run: StackRun, type: string): RecordedResource {
  const found = resourcesOfType(run, type);
  if (found.length !== 1) throw new Error(`expected exactly one ${type}, found ${found.length}`);
  return found[0] as RecordedResource;
}

/** The plaintext of an input the program passed as a secret; throws when it arrived unmarked. */
export function secretInput(value: unknown): unknown {
  const wrapped = value as Record<string, unknown> | undefined;
  if (wrapped?.[pulumi.runtime.specialSigKey] !== pulumi.runtime.specialSecretSig) {
    throw new Error(`input is not marked secret: ${JSON.stringify(value)}`);
  }
  return wrapped.value;
}

/** Policies are stored as JSON strings; parse one so tests assert on structure, not text. */
export function policyOf<T>(resource: RecordedResource, key = "policy"): T {
  const value = resource.inputs[key];
  if (typeof value !== "string")
    throw new Error(`${resource.name}.${key} is not a JSON string: ${String(value)}`);
  return JSON.parse(value) as T;
}
