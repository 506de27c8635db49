import type { CreateContainerServiceDeploymentRequest } from "@aws-sdk/client-lightsail";
import { parseImageReference } from "../../../../inputs/image-reference.js";
import { DescribeImagesCommand } from "../../../../platform/aws-sdk.js";
import { DeployError, describeError, errorName } from "../../../../platform/errors.js";
import type { AwsClients } from "../../clients.js";

/**
 * The checks the built image gets, for each `images` entry, before anything changes: the container is in the
 * current deployment and is not the one the action deploys its own image to, and an image in this run's ECR
 * registry is there (DescribeImages). Images from other registries (public ECR) are Lightsail's to pull.
 */
export async function checkContainerImages(
  images: Record<string, string>,
  current: CreateContainerServiceDeploymentRequest["containers"] | undefined,
  target: string,
  repositoryUri: string | undefined,
  aws: AwsClients,
): Promise<void> {
  const ecrHost = repositoryUri ? parseImageReference(repositoryUri)?.registry : undefined;
  for (const [name, image] of Object.entries(images)) {
    if (name === target) {
      throw new DeployError(
        `\`images\` names container \`${name}\`, which gets the image this run deploys`,
        "inputs",
        "leave that container out of `images`",
      );
    }
    if (!current?.[name]) {
      const known = Object.keys(current ?? {}).join(", ") || "none";
      throw new DeployError(
        `\`images\` names container \`${name}\`, which is not in the current deployment (containers: ${known})`,
        "inputs",
        "fix `images`; it replaces images of existing containers only",
      );
    }
    const ref = parseImageReference(image);
    if (!ref || ref.registry !== ecrHost || !(ref.tag || ref.digest)) continue;
    // Docker pulls the digest when a reference has both: that is the image that must exist.
    const imageId = ref.digest ? { imageDigest: ref.digest } : { imageTag: ref.tag };
    let found: boolean;
    try {
      const out = await aws.ecr.send(
        new DescribeImagesCommand({ repositoryName: ref.repository, imageIds: [imageId] }),
      );
      found = (out.imageDetails?.length ?? 0) > 0;
    } catch (error) {
      const awsName = errorName(error);
      if (awsName !== "ImageNotFoundException" && awsName !== "RepositoryNotFoundException")
        throw new DeployError(
          `could not look up image ${image} for container \`${name}\` in ECR (${describeError(error)})`,
          "deploy",
          "nothing was changed; try again",
          { cause: error },
        );
      found = false;
    }
    if (!found) {
      throw new DeployError(
        `\`images\` gives container \`${name}\` the image ${image}, which is not in ECR`,
        "inputs",
        "push that image first, or fix `images`",
      );
    }
  }
}

/** Applies `images` to a built request: only those containers' `image` changes, nothing else. */
export function withContainerImages(
  request: CreateContainerServiceDeploymentRequest,
  images: Record<string, string>,
): CreateContainerServiceDeploymentRequest {
  const containers = { ...request.containers };
  for (const [name, image] of Object.entries(images)) {
    const container = containers[name];
    if (container) containers[name] = { ...container, image };
  }
  return { ...request, containers };
}

/** `name → image` of every container in the request, for the job summary. */
export function containerImageList(
  request: CreateContainerServiceDeploymentRequest,
): { name: string; image: string }[] {
  return Object.entries(request.containers ?? {}).map(([name, container]) => ({
    name,
    image: container.image ?? "",
  }));
}
