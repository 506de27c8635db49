import type { Repository } from "@aws-sdk/client-ecr";
import type { ContainerService } from "@aws-sdk/client-lightsail";
import { checkReuse } from "../../../image/image-reuse.js";
import { resolveTag } from "../../../image/image-tag.js";
import { parseImageReference } from "../../../inputs/image-reference.js";
import type { Inputs } from "../../../inputs/schema.js";
import {
  DescribeImagesCommand,
  DescribeRepositoriesCommand,
  GetRepositoryPolicyCommand,
} from "../../../platform/aws-sdk.js";
import type { Deps } from "../../../platform/deps.js";
import { DeployError, describeError, errorName } from "../../../platform/errors.js";
import { type Promotion, resolvePromotion } from "../../../preflight/promotion.js";
import type { AwsClients } from "../clients.js";
import { awsFailure } from "./aws-failure.js";
import { listDeployments } from "./lightsail-reads.js";
import { policyGrantsPull, pullStatement } from "./repository-policy.js";
import { settledService } from "./settled-service.js";

export interface Preflight {
  service: ContainerService;
  repository: Repository;
  /** Undefined for a rollback, which deploys an existing image. */
  tag: string | undefined;
  /** The tag is already in ECR, so build and push are skipped (a re-run). */
  imageExists: boolean;
  /** A promotion: the image in ECR it deploys, resolved to its digest. */
  promotion?: Promotion;
}

async function getRepository(aws: AwsClients, name: string, inputs: Inputs): Promise<Repository> {
  try {
    const out = await aws.ecr.send(new DescribeRepositoriesCommand({ repositoryNames: [name] }));
    const repository = out.repositories?.[0];
    const arnRegion = repository?.repositoryArn?.split(":")[3];
    if (repository && arnRegion && arnRegion !== inputs.region) {
      throw new DeployError(
        `ECR repository \`${name}\` is in ${arnRegion}, not ${inputs.region}`,
        "preflight",
        "Lightsail pulls only from a repository in its own region; use one there",
      );
    }
    if (repository?.repositoryUri) return repository;
  } catch (error) {
    if (errorName(error) !== "RepositoryNotFoundException")
      throw awsFailure(error, "reading the ECR repository");
  }
  throw new DeployError(
    `ECR repository \`${name}\` does not exist in ${inputs.region}`,
    "preflight",
    "create it (see infrastructure/) or fix `repository`",
  );
}

/** Lightsail pulls from private ECR only through its image-puller role, which the repository policy must allow. */
async function checkPullAccess(
  aws: AwsClients,
  service: ContainerService,
  repositoryName: string,
): Promise<void> {
  const role = service.privateRegistryAccess?.ecrImagePullerRole;
  const name = service.containerServiceName ?? "";
  if (!role?.isActive || !role.principalArn) {
    throw new DeployError(
      `service \`${name}\` has no active ECR image-puller role, so it cannot pull from \`${repositoryName}\``,
      "preflight",
      `activate it (aws lightsail update-container-service --service-name ${name} --private-registry-access ecrImagePullerRole={isActive=true}), wait 30 s, then allow its principalArn in the repository policy`,
    );
  }
  let policyText = "";
  try {
    policyText = (await aws.ecr.send(new GetRepositoryPolicyCommand({ repositoryName }))).policyText ?? "";
  } catch (error) {
    if (errorName(error) !== "RepositoryPolicyNotFoundException")
      throw awsFailure(error, "reading the repository policy");
  }
  const verdict = policyGrantsPull(policyText, role.principalArn);
  if (!verdict.granted) {
    throw new DeployError(
      `the policy of ECR repository \`${repositoryName}\` does not let the service's image-puller role (${role.principalArn}) pull: ${verdict.reason}`,
      "preflight",
      verdict.denied
        ? "remove that Deny, or narrow it so that it does not cover the image-puller role"
        : `add this statement to the repository policy (infrastructure/ does it): ${pullStatement(name, role.principalArn)}`,
    );
  }
}

async function tagExists(aws: AwsClients, repositoryName: string, tag: string): Promise<boolean> {
  try {
    const out = await aws.ecr.send(
      new DescribeImagesCommand({ repositoryName, imageIds: [{ imageTag: tag }] }),
    );
    return (out.imageDetails?.length ?? 0) > 0;
  } catch (error) {
    if (errorName(error) === "ImageNotFoundException") return false;
    throw awsFailure(error, `looking up image tag ${tag}`);
  }
}

async function checkDocker(deps: Deps): Promise<void> {
  const result = await deps
    .exec("docker", ["version", "--format", "{{.Server.Version}}"], { silent: true })
    .catch((error: unknown) => ({ exitCode: -1, stdout: "", stderr: describeError(error) }));
  if (result.exitCode !== 0) {
    throw new DeployError(
      `docker is not usable (${result.stderr.trim().split("\n")[0] || `exit code ${result.exitCode}`})`,
      "preflight",
      "install Docker and start its daemon, or push the image beforehand and re-run with the same `tag`",
    );
  }
  deps.log.info(`Docker engine ${result.stdout.trim()}`);
}

/** The repository to check: the input, or for a rollback the one the running deployment pulls from. */
function repositoryName(inputs: Inputs, service: ContainerService): string {
  if (inputs.repository) return inputs.repository;
  const current = service.currentDeployment;
  const containerName =
    current?.publicEndpoint?.containerName ?? Object.keys(current?.containers ?? {})[0] ?? "";
  // Only an image with a registry can be in ECR (`nginx:latest` is on Docker Hub).
  const reference = parseImageReference(current?.containers?.[containerName]?.image ?? "");
  if (reference?.registry) return reference.repository;
  throw new DeployError(
    `service \`${inputs.serviceName}\` has no deployment whose image names an ECR repository`,
    "preflight",
    "set `repository`",
  );
}

/** A first deployment has no earlier one to take the port from; found out now, not after the push. */
function requirePortForFirstDeploy(inputs: Inputs, service: ContainerService): void {
  if (service.currentDeployment || inputs.containerPort !== undefined) return;
  throw new DeployError(
    `service \`${inputs.serviceName}\` has no deployment yet, so \`container-port\` is needed to know the port the app listens on`,
    "preflight",
    "set `container-port` to the port the app listens on",
  );
}

/** Everything that can be checked without changing anything; a dry run stops after this. */
export async function preflight(inputs: Inputs, aws: AwsClients, deps: Deps): Promise<Preflight> {
  const service = await settledService(aws, inputs, deps);
  deps.log.info(
    `Service ${inputs.serviceName}: ${service.state}, power ${service.power} × ${service.scale}, current version ${service.currentDeployment?.version ?? "none"}`,
  );
  // Verification polls the deployments: a role that cannot list them must fail here, before anything
  // changes, not after the Create with a release live and unjudged.
  await listDeployments(aws, inputs.serviceName).catch((error: unknown) => {
    throw awsFailure(error, "listing the service's deployments (GetContainerServiceDeployments)");
  });
  const name = repositoryName(inputs, service);
  const repository = await getRepository(aws, name, inputs);
  deps.log.info(`Repository ${name}: ${repository.repositoryUri}`);
  await checkPullAccess(aws, service, name);
  deps.log.info("The service's image-puller role may pull from the repository");
  if (inputs.source.kind === "rollback") return { service, repository, tag: undefined, imageExists: true };
  requirePortForFirstDeploy(inputs, service);
  if (inputs.source.kind === "promote") {
    const { image, from } = inputs.source;
    const promotion = await resolvePromotion(
      image,
      from,
      { repositoryName: name, repositoryUri: repository.repositoryUri ?? "" },
      aws,
    ).catch((error: unknown) => {
      throw awsFailure(error, "looking up the image to promote");
    });
    deps.log.info(
      `Promoting ${promotion.uri}${promotion.tags.length ? ` (tags ${promotion.tags.join(", ")})` : ""}${from ? ` from ${from}` : ""}: nothing is built or pushed`,
    );
    return { service, repository, tag: undefined, imageExists: true, promotion };
  }

  const resolved = await resolveTag(inputs.tag, inputs.gitSha, deps.exec, deps.now());
  if (resolved.from === "dirty")
    deps.log.info(
      `The work tree has uncommitted changes, so the image gets a tag of its own: ${resolved.tag}`,
    );
  const imageExists = await tagExists(aws, name, resolved.tag);
  if (imageExists) await checkReuse(inputs.source, resolved, name, aws, deps);
  else await checkDocker(deps);
  return { service, repository, tag: resolved.tag, imageExists };
}
