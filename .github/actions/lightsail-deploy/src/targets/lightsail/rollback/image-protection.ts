import type { ContainerServiceDeployment } from "@aws-sdk/client-lightsail";
import { parseImageReference } from "../../../inputs/image-reference.js";
import { BatchGetImageCommand, PutImageCommand } from "../../../platform/aws-sdk.js";
import type { Logger } from "../../../platform/deps.js";
import { describeError, errorName } from "../../../platform/errors.js";
import type { ReleaseRecord } from "../../../release/record/release-record.js";
import type { AwsClients } from "../clients.js";
import { listDeployments } from "../preflight/lightsail-reads.js";
import { publicImage } from "../release/create/deployment-request.js";
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

/** Every container's image of a deployment, public container first: a rollback restores them all. */
function containerImages(
  deployment: ContainerServiceDeployment | undefined,
): { container: string; image: string }[] {
  const publicName = deployment?.publicEndpoint?.containerName;
  return Object.entries(deployment?.containers ?? {})
    .flatMap(([container, c]) => (c.image ? [{ container, image: c.image }] : []))
    .sort((a, b) => Number(b.container === publicName) - Number(a.container === publicName));
}

/**
 * The images this service needs kept: every container's image (sidecars and the `container-name` one
 * included) of what serves, and of what `rollback-to: previous` would deploy.
 */
export function neededImages(
  deployments: readonly ContainerServiceDeployment[],
  record: ReleaseRecord,
): { serving: string | undefined; previous: string | undefined; containers: NeededImage[] } {
  const active = deployments.find((d) => d.state === "ACTIVE");
  let previousDeployment: ContainerServiceDeployment | undefined;
  try {
    const choice = selectRollbackTarget(deployments, { kind: "previous" }, record);
    previousDeployment = choice.kind === "redeploy" ? choice.deployment : undefined;
  } catch {
    previousDeployment = undefined; // nothing verified to go back to
  }
  const of = (which: "serving" | "previous", d: ContainerServiceDeployment | undefined) =>
    containerImages(d).map((c) => ({
      which,
      ...c,
      isPublic: c.container === d?.publicEndpoint?.containerName,
    }));
  return {
    serving: publicImage(active),
    previous: previousDeployment ? publicImage(previousDeployment) : undefined,
    containers: [...of("serving", active), ...of("previous", previousDeployment)],
  };
}

export interface NeededImage {
  which: "serving" | "previous";
  container: string;
  image: string;
  isPublic: boolean;
}

/** The public container keeps the tags it always had; every other container gets its own. */
export function protectionTagFor(serviceName: string, needed: NeededImage): string {
  const base = protectionTags(serviceName)[needed.which];
  return needed.isPublic ? base : `${base}-${needed.container}`;
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
  for (const item of needed.containers) {
    const { image } = item;
    const tag = protectionTagFor(target.serviceName, item);
    const reference = parseImageReference(image);
    // Only images in this repository can be tagged (and only those are subject to its lifecycle policy).
    if (`${reference?.registry}/${reference?.repository}` !== target.repositoryUri) continue;
    try {
      const done = await tagImage(aws, target.repositoryName, image, tag);
      log.info(`${tag} → ${image}${done === "already" ? " (already)" : ""}`);
    } catch (error) {
      log.warning(
        `Could not tag ${image} as ${tag} (${describeError(error)}); until a later run tags it, the repository's lifecycle policy may expire it`,
      );
    }
  }
}
