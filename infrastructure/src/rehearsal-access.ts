import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { githubPullRequestTrustPolicy, rehearsalPolicy } from "./policies.js";
import type { StackTags } from "./tags.js";

export interface RehearsalAccessArgs {
  oidcProviderArn: pulumi.Input<string>;
  /** `OWNER/REPO`: only its pull requests may assume the role. */
  githubRepository: string;
  region: string;
  /** Where the rehearsal values live (see rehearsalPathOf). */
  rehearsalPath: string;
  tags: StackTags;
}

/** The read-only role the pull-request deploy rehearsal assumes (.github/workflows/lightsail-rehearsal.yml). */
export class RehearsalAccess extends pulumi.ComponentResource {
  readonly roleArn: pulumi.Output<string>;

  constructor(name: string, args: RehearsalAccessArgs, opts?: pulumi.ComponentResourceOptions) {
    super("vidos:infrastructure:RehearsalAccess", name, {}, opts);
    const role = new aws.iam.Role(
      `${name}-rehearsal-role`,
      {
        description: `GitHub ${args.githubRepository} pull requests read the Lightsail service to rehearse a deploy.`,
        assumeRolePolicy: pulumi
          .output(args.oidcProviderArn)
          .apply((providerArn) =>
            JSON.stringify(githubPullRequestTrustPolicy({ providerArn, repository: args.githubRepository })),
          ),
        maxSessionDuration: 3600,
        tags: { ...args.tags },
      },
      { parent: this },
    );
    const identity = aws.getCallerIdentityOutput({}, { parent: this });
    const partition = aws.getPartitionOutput({}, { parent: this });
    new aws.iam.RolePolicy(
      `${name}-rehearsal-policy`,
      {
        role: role.name,
        policy: pulumi.all([partition.partition, identity.accountId]).apply(([partitionName, accountId]) =>
          JSON.stringify(
            rehearsalPolicy({
              partition: partitionName,
              region: args.region,
              accountId,
              rehearsalPath: args.rehearsalPath,
            }),
          ),
        ),
      },
      { parent: this },
    );
    this.roleArn = role.arn;
    this.registerOutputs({ roleArn: this.roleArn });
  }
}
