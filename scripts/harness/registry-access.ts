import { type ECRClient, GetRepositoryPolicyCommand, SetRepositoryPolicyCommand } from "@aws-sdk/client-ecr";
import { GetContainerServicesCommand, type LightsailClient } from "@aws-sdk/client-lightsail";
// The statement the action tells users to add is the one granted here, from the same code.
import { pullStatement } from "lightsail-deploy/repository-policy";

interface PolicyStatement {
  Sid?: string;
  Effect: string;
  Principal: unknown;
  Action: string | string[];
}

/** The repository policy with the Lightsail pull statement for one service merged in (pure). */
export function withLightsailPullStatement(
  policyText: string | undefined,
  serviceName: string,
  principalArn: string,
): string {
  const policy = policyText
    ? (JSON.parse(policyText) as { Version?: string; Statement?: PolicyStatement[] })
    : { Version: "2008-10-17", Statement: [] };
  const statement = JSON.parse(pullStatement(serviceName, principalArn)) as PolicyStatement;
  const statements = (policy.Statement ?? []).filter((existing) => existing.Sid !== statement.Sid);
  statements.push(statement);
  return JSON.stringify({ Version: policy.Version ?? "2008-10-17", Statement: statements });
}

/**
 * What the Pulumi stack does in AWS, done against the stand-in: grant the service's image-puller role
 * pull rights on the repository. The principal is read from the service, never built.
 */
export async function grantServicePull(
  clients: { ecr: ECRClient; lightsail: LightsailClient },
  serviceName: string,
  repositoryName: string,
): Promise<string> {
  const { containerServices } = await clients.lightsail.send(
    new GetContainerServicesCommand({ serviceName }),
  );
  const principalArn = containerServices?.[0]?.privateRegistryAccess?.ecrImagePullerRole?.principalArn;
  if (!principalArn) {
    throw new Error(
      `service ${serviceName} has no active ECR image-puller role; turn on private registry access`,
    );
  }
  let current: string | undefined;
  try {
    current = (await clients.ecr.send(new GetRepositoryPolicyCommand({ repositoryName }))).policyText;
  } catch (error) {
    if ((error as Error).name !== "RepositoryPolicyNotFoundException") throw error;
  }
  const policyText = withLightsailPullStatement(current, serviceName, principalArn);
  if (policyText !== current) {
    await clients.ecr.send(new SetRepositoryPolicyCommand({ repositoryName, policyText }));
  }
  return principalArn;
}
