import type { ImageSource } from "../inputs/schema.js";
import { BatchGetImageCommand } from "../platform/aws-sdk.js";
import type { AwsClients, Deps } from "../platform/deps.js";
import { DeployError, describeError } from "../platform/errors.js";
import { checkImagePlatform } from "./image-platform.js";
import type { ResolvedTag } from "./image-tag.js";

// Every manifest form ECR may hold, so that it returns the stored manifest rather than a conversion.
const MANIFEST_TYPES = [
  "application/vnd.docker.distribution.manifest.v2+json",
  "application/vnd.oci.image.manifest.v1+json",
  "application/vnd.docker.distribution.manifest.list.v2+json",
  "application/vnd.oci.image.index.v1+json",
];

/** The digests that identify an image in ECR: its manifest's and (for a single image) its config's. */
async function ecrDigests(aws: AwsClients, repositoryName: string, tag: string): Promise<string[]> {
  const out = await aws.ecr.send(
    new BatchGetImageCommand({
      repositoryName,
      imageIds: [{ imageTag: tag }],
      acceptedMediaTypes: MANIFEST_TYPES,
    }),
  );
  const image = out.images?.[0];
  let config: string | undefined;
  try {
    config = (JSON.parse(image?.imageManifest ?? "{}") as { config?: { digest?: string } }).config?.digest;
  } catch {
    config = undefined;
  }
  return [config, image?.imageId?.imageDigest].filter((d): d is string => typeof d === "string");
}

/**
 * The local image's id. With Docker's classic store it is the config digest (what ECR's manifest names
 * as `config.digest`); with the containerd store it is the manifest's digest. Both are compared.
 */
async function localImageId(image: string, deps: Deps): Promise<string> {
  const result = await deps
    .exec("docker", ["image", "inspect", "--format", "{{.Id}}", "--", image], { silent: true })
    .catch((error: unknown) => ({ exitCode: -1, stdout: "", stderr: describeError(error) }));
  const id = result.stdout.trim();
  if (result.exitCode !== 0 || !/^sha256:[0-9a-f]{64}$/.test(id)) {
    throw new DeployError(
      `docker cannot inspect \`image\` ${image} (${result.stderr.trim().split("\n")[0] || `exit code ${result.exitCode}`})`,
      "preflight",
      "build or pull that image on this machine first",
    );
  }
  return id;
}

/**
 * The tag is already in ECR, so build and push will be skipped: says why that is safe, or fails (before
 * anything changes) when the image in ECR may not be the one meant.
 */
export async function checkReuse(
  source: ImageSource,
  resolved: ResolvedTag,
  repositoryName: string,
  aws: AwsClients,
  deps: Deps,
): Promise<void> {
  const { tag } = resolved;
  if (source.kind === "prebuilt") {
    // The tag in ECR is deployed as it is, so this is the last look at the image before it serves.
    await checkImagePlatform(source.image, source, "preflight", deps);
    const local = await localImageId(source.image, deps);
    const remote = await ecrDigests(aws, repositoryName, tag);
    if (!remote.includes(local)) {
      throw new DeployError(
        `\`tag\` ${tag} is already in ECR with other content than \`image\` ${source.image} (local ${local}; in ECR ${remote.join(" / ") || "no readable manifest"})`,
        "preflight",
        "nothing was changed; give this image a new `tag`, or delete the old one from ECR to replace it",
      );
    }
    deps.log.info(
      `Tag ${tag} in ECR holds the same image as ${source.image} (${local}), so it is not pushed again`,
    );
  } else if (resolved.from === "commit") {
    deps.log.info(
      `Tag ${tag} is already in ECR: that image was built from this commit earlier, so it is not rebuilt`,
    );
  } else {
    const hint = resolved.from === "input" ? " (a new build needs a new `tag`)" : "";
    deps.log.info(
      `Tag ${tag} is already in ECR: that image is deployed as it is, not rebuilt from this tree${hint}`,
    );
  }
}
