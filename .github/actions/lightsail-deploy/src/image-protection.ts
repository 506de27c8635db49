import type { ContainerServiceDeployment } from "@aws-sdk/client-lightsail";
import { BatchGetImageCommand, PutImageCommand } from "./aws-sdk.js";
import { publicImage } from "./deployment-request.js";
import type { AwsClients, Logger } from "./deps.js";
import { describeError, errorName } from "./errors.js";
import { parseImageReference } from "./image-tag.js";
import { listDeployments } from "./lightsail-reads.js";
import type { ReleaseRecord } from "./release-record.js";
import { selectRollbackTarget } from "./rollback.js";

/**
 * ECR lifecycle rules select images by tag and count, never by "an environment serves it", so the images
 * a service needs carry tags the repository's lifecycle policy never expires (infrastructure/: rule 1
 * selects `keep-*`, and ECR never lets a lower-priority rule expire what a higher one selected). Two tags
 * per service, moved after every run that changed what serves: the image serving, and the one
 * `rollback-to: previous` would pick. The repository keeps every other tag immutable and excludes only
 * `keep-*`, so moving them renames no image. Tagging is PutImage with the manifest already in ECR: no bytes.
 */
export const PROTECTED_TAG_PREFIX = "keep-";

export function protectionTags(serviceName: string): { serving: string; previous: string } {
  return {
    serving: `${PROTECTED_TAG_PREFIX}${serviceName}-serving`,
    previous: `${PROTECTED_TAG_PREFIX}${serviceName}-previous`,
  };
}

// Every manifest form ECR may hold, so that it returns the stored manifest rather than a conversion.
const MANIFEST_TYPES = [
  "application/vnd.docker.distribution.manifest.v2+json",
  "application/vnd.oci.image.manifest.v1+json",
  "application/vnd.docker.distribution.manifest.list.v2+json",
  "application/vnd.oci.image.index.v1+json",
];

/** The images this service needs kept: what serves, and what `rollback-to: previous` would deploy. */
export function neededImages(
  deployments: readonly ContainerServiceDeployment[],
  record: ReleaseRecord,
): { serving: string | undefined; previous: string | undefined } {
  const serving = publicImage(deployments.find((d) => d.state === "ACTIVE"));
  let previous: string | undefined;
  try {
    const choice = selectRollbackTarget(deployments, { kind: "previous" }, record);
    previous = choice.kind === "redeploy" ? publicImage(choice.deployment) : undefined;
  } catch {
    previous = undefined; // nothing verified to go back to
  }
  return { serving, previous };
}

/** Puts `tag` on the image `image` names (by digest or tag), with the manifest ECR already holds. */
async function tagImage(
  aws: AwsClients,
  repositoryName: string,
  image: string,
  tag: string,
): Promise<"tagged" | "already"> {
  const reference = parseImageReference(image);
  const imageId = reference?.digest
    ? { imageDigest: reference.digest }
    : { imageTag: reference?.tag ?? "latest" };
  const out = await aws.ecr.send(
    new BatchGetImageCommand({ repositoryName, imageIds: [imageId], acceptedMediaTypes: MANIFEST_TYPES }),
  );
  const found = out.images?.[0];
  if (!found?.imageManifest)
    throw new Error(`${image} is not in ECR (${out.failures?.[0]?.failureCode ?? "no manifest"})`);
  try {
    await aws.ecr.send(
      new PutImageCommand({
        repositoryName,
        imageTag: tag,
        imageManifest: found.imageManifest,
        imageManifestMediaType: found.imageManifestMediaType,
        imageDigest: found.imageId?.imageDigest,
      }),
    );
    return "tagged";
  } catch (error) {
    // The tag is already on this very manifest.
    if (errorName(error) === "ImageAlreadyExistsException") return "already";
    throw error;
  }
}

/**
 * Moves this service's protection tags to the images it needs now. Best effort: a failure is a warning
 * (the release itself stands), which says what could be expired.
 */
export async function protectNeededImages(
  aws: AwsClients,
  target: { serviceName: string; repositoryName: string; repositoryUri: string },
  record: ReleaseRecord,
  log: Logger,
): Promise<void> {
  let needed: ReturnType<typeof neededImages>;
  try {
    needed = neededImages(await listDeployments(aws, target.serviceName), record);
  } catch (error) {
    log.warning(`Could not read the deployments to protect their images (${describeError(error)})`);
    return;
  }
  const tags = protectionTags(target.serviceName);
  for (const [which, image] of [
    ["serving", needed.serving],
    ["previous", needed.previous],
  ] as const) {
    if (!image) continue;
    const reference = parseImageReference(image);
    // Only images in this repository can be tagged (and only those are subject to its lifecycle policy).
    if (`${reference?.registry}/${reference?.repository}` !== target.repositoryUri) continue;
    try {
      const done = await tagImage(aws, target.repositoryName, image, tags[which]);
      log.info(`${tags[which]} → ${image}${done === "already" ? " (already)" : ""}`);
    } catch (error) {
      log.warning(
        `Could not tag ${image} as ${tags[which]} (${describeError(error)}); until a later run tags it, the repository's lifecycle policy may expire it`,
      );
    }
  }
}
