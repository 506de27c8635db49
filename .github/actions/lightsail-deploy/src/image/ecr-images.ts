import { parseImageReference } from "../inputs/image-reference.js";
import { BatchGetImageCommand } from "../platform/aws-sdk.js";
import type { AwsClients } from "../platform/deps.js";

/**
 * The images (of those in `repositoryUri`) that are no longer in ECR, e.g. expired by a lifecycle policy.
 * BatchGetImage reports a missing image as a failure entry, not an exception.
 */
export async function missingImages(
  aws: AwsClients,
  repository: { repositoryName: string; repositoryUri: string },
  images: readonly string[],
): Promise<string[]> {
  const missing: string[] = [];
  for (const image of images) {
    const reference = parseImageReference(image);
    if (!reference?.registry || `${reference.registry}/${reference.repository}` !== repository.repositoryUri)
      continue;
    // Docker pulls the digest when a reference has both, and `latest` when it has neither.
    const imageId = reference.digest
      ? { imageDigest: reference.digest }
      : { imageTag: reference.tag ?? "latest" };
    const out = await aws.ecr.send(
      new BatchGetImageCommand({ repositoryName: repository.repositoryName, imageIds: [imageId] }),
    );
    if ((out.failures?.length ?? 0) > 0 || (out.images?.length ?? 0) === 0) missing.push(image);
  }
  return missing;
}
