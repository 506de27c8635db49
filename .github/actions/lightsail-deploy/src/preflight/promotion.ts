import type { PromotedImage } from "../inputs/schema.js";
import { DescribeImagesCommand } from "../platform/aws-sdk.js";
import type { AwsClients } from "../platform/deps.js";
import { DeployError, describeError, errorName } from "../platform/errors.js";

/** An image already in ECR, pinned by its manifest digest, that a promotion deploys as it is. */
export interface Promotion {
  /** `sha256:…` of the manifest: the bytes every environment runs. */
  digest: string;
  /** `<repositoryUri>@<digest>`: a deployment names the digest, so no tag can change what it pulls. */
  uri: string;
  /** The tags ECR lists for that digest (for the log; a promotion never depends on them). */
  tags: string[];
  /** The environment the image comes from (`promote-from`), for the summary. */
  from: string | undefined;
}

function shownImage(image: PromotedImage): string {
  return "digest" in image ? image.digest : image.tag;
}

/**
 * Resolves `promote` to the digest in ECR (DescribeImages names the manifest's digest for a tag too). A
 * missing image fails here, in pre-flight, before anything changes.
 */
export async function resolvePromotion(
  image: PromotedImage,
  from: string | undefined,
  repository: { repositoryName: string; repositoryUri: string },
  aws: AwsClients,
): Promise<Promotion> {
  const imageId = "digest" in image ? { imageDigest: image.digest } : { imageTag: image.tag };
  let detail: { imageDigest?: string; imageTags?: string[] } | undefined;
  try {
    const out = await aws.ecr.send(
      new DescribeImagesCommand({ repositoryName: repository.repositoryName, imageIds: [imageId] }),
    );
    detail = out.imageDetails?.[0];
  } catch (error) {
    if (errorName(error) !== "ImageNotFoundException") throw error;
  }
  const digest = detail?.imageDigest;
  if (!digest) {
    throw new DeployError(
      `\`promote\` ${shownImage(image)} is not an image in ECR repository \`${repository.repositoryName}\``,
      "preflight",
      "nothing was changed; promote the digest an earlier environment verified (its `image-digest` output), or a tag still in the repository",
    );
  }
  return { digest, uri: `${repository.repositoryUri}@${digest}`, tags: detail?.imageTags ?? [], from };
}

/**
 * The digest ECR holds under `tag` after a push, for the `image-digest` output that the next environment
 * promotes. Unknown (undefined, with a warning) when ECR cannot say: the deploy itself does not need it.
 */
export async function digestOfTag(
  repositoryName: string,
  tag: string,
  aws: AwsClients,
  warn: (message: string) => void,
): Promise<string | undefined> {
  try {
    const out = await aws.ecr.send(
      new DescribeImagesCommand({ repositoryName, imageIds: [{ imageTag: tag }] }),
    );
    const digest = out?.imageDetails?.[0]?.imageDigest;
    if (digest) return digest;
    warn(`ECR listed no digest for tag ${tag}; the \`image-digest\` output is empty`);
  } catch (error) {
    warn(
      `Could not read the digest of tag ${tag} (${describeError(error)}); the \`image-digest\` output is empty`,
    );
  }
  return undefined;
}
