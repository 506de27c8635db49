import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { deployPolicy, GITHUB_OIDC_AUDIENCE, GITHUB_OIDC_URL, githubTrustPolicy } from "./policies.js";
import type { StackTags } from "./tags.js";

export interface DeployAccessArgs {
  /** The GitHub OIDC provider is one per account: one stack creates it, the others look it up. */
  createOidcProvider: boolean;
  /** `OWNER/REPO` */
  githubRepository: string;
  /** GitHub environment allowed to assume the role (the stack name). */
  environment: string;
  region: string;
  repositoryArn: pulumi.Input<string>;
  /** Undefined while the environment is paused. */
  serviceArn: pulumi.Input<string | undefined>;
  /** The Lightsail service's name, which names the deploy action's release record. */
  serviceName: pulumi.Input<string>;
  ssmPath: string;
  /** Only the build environment's role pushes images; the others promote what is in the repository. */
  buildsImages: boolean;
  tags: StackTags;
}

/** GitHub OIDC trust and the least-privilege role the deploy workflow assumes. */
export class DeployAccess extends pulumi.ComponentResource {
  readonly oidcProviderArn: pulumi.Output<string>;
  readonly roleArn: pulumi.Output<string>;

  constructor(name: string, args: DeployAccessArgs, opts?: pulumi.ComponentResourceOptions) {
    super("vidos:infrastructure:DeployAccess", name, {}, opts);

    this.oidcProviderArn = args.createOidcProvider
      ? new aws.iam.OpenIdConnectProvider(
          `${name}-github-oidc`,
          { url: GITHUB_OIDC_URL, clientIdLists: [GITHUB_OIDC_AUDIENCE], tags: { ...args.tags } },
          // Other stacks in the account look this provider up, so destroying this stack must not delete it.
          { parent: this, retainOnDelete: true },
        ).arn
      : aws.iam.getOpenIdConnectProviderOutput({ url: GITHUB_OIDC_URL }, { parent: this }).arn;

    const role = new aws.iam.Role(
      `${name}-deploy-role`,
      {
        description: `GitHub ${args.githubRepository} environment "${args.environment}" deploys to Lightsail.`,
        assumeRolePolicy: this.oidcProviderArn.apply((providerArn) =>
          JSON.stringify(
            githubTrustPolicy({
              providerArn,
              repository: args.githubRepository,
              environment: args.environment,
            }),
          ),
        ),
        maxSessionDuration: 3600,
        tags: { ...args.tags },
      },
      { parent: this },
    );

    const identity = aws.getCallerIdentityOutput({}, { parent: this });
    const partition = aws.getPartitionOutput({}, { parent: this });
    new aws.iam.RolePolicy(
      `${name}-deploy-policy`,
      {
        role: role.name,
        policy: pulumi
          .all([
            partition.partition,
            partition.dnsSuffix,
            identity.accountId,
            args.repositoryArn,
            args.serviceArn,
            args.serviceName,
          ])
          .apply(([partitionName, dnsSuffix, accountId, repositoryArn, serviceArn, serviceName]) =>
            JSON.stringify(
              deployPolicy({
                partition: partitionName,
                dnsSuffix,
                region: args.region,
                accountId,
                repositoryArn,
                serviceArn,
                serviceName,
                ssmPath: args.ssmPath,
                buildsImages: args.buildsImages,
              }),
            ),
          ),
      },
      { parent: this },
    );

    this.roleArn = role.arn;
    this.registerOutputs({ oidcProviderArn: this.oidcProviderArn, roleArn: this.roleArn });
  }
}
