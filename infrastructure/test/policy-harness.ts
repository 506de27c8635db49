import type {
  PolicyResource,
  ResourceValidationArgs,
  ResourceValidationPolicy,
  StackValidationArgs,
  StackValidationPolicy,
} from "@pulumi/policy";
import { unknownCheckingProxy } from "@pulumi/policy";

/** A resource as a policy sees it during preview: its type, name and input properties. */
export interface PolicyInput {
  type: string;
  name: string;
  props: Record<string, unknown>;
  /** The type of the component the resource is a direct child of; it becomes part of the URN. */
  parentType?: string;
  ignoreChanges?: string[];
}

class NotApplicable extends Error {}

// Mirrors the analyzer server's isTypeOf: a class matches by its static `__pulumiType`.
function isTypeOf(type: string, resourceClass: unknown): boolean {
  return (resourceClass as { __pulumiType?: string } | undefined)?.__pulumiType === type;
}

function resourceArgs(input: PolicyInput): ResourceValidationArgs {
  const props = unknownCheckingProxy(input.props) as Record<string, unknown>;
  return {
    type: input.type,
    name: input.name,
    urn: `urn:pulumi:test::vidos::${input.parentType ? `${input.parentType}$` : ""}${input.type}::${input.name}`,
    props,
    opts: {
      protect: false,
      ignoreChanges: input.ignoreChanges ?? [],
      aliases: [],
      customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
      additionalSecretOutputs: [],
    },
    stackTags: new Map(),
    isType: (resourceClass) => isTypeOf(input.type, resourceClass),
    asType: ((resourceClass: unknown) =>
      isTypeOf(input.type, resourceClass) ? props : undefined) as ResourceValidationArgs["asType"],
    getConfig: <T extends object>() => ({}) as T,
    notApplicable: (reason?: string): never => {
      throw new NotApplicable(reason);
    },
  } as ResourceValidationArgs;
}

/** Runs one resource policy the way `pulumi preview --policy-pack` would, without the analyzer server. */
export async function resourceViolations(
  policy: ResourceValidationPolicy,
  input: PolicyInput,
): Promise<string[]> {
  const violations: string[] = [];
  const validations = policy.validateResource
    ? Array.isArray(policy.validateResource)
      ? policy.validateResource
      : [policy.validateResource]
    : [];
  for (const validation of validations) {
    try {
      await validation(resourceArgs(input), (message) => violations.push(message));
    } catch (error) {
      if (!(error instanceof NotApplicable)) throw error;
    }
  }
  return violations;
}

export async function stackViolations(
  policy: StackValidationPolicy,
  inputs: PolicyInput[],
): Promise<string[]> {
  const violations: string[] = [];
  const resources = inputs.map((input) => {
    const args = resourceArgs(input);
    return { ...args, propertyDependencies: {}, dependencies: [] } as unknown as PolicyResource;
  });
  const args = {
    resources,
    getConfig: <T extends object>() => ({}) as T,
    notApplicable: (reason?: string): never => {
      throw new NotApplicable(reason);
    },
  } as unknown as StackValidationArgs;
  await policy.validateStack(args, (message) => violations.push(message));
  return violations;
}
