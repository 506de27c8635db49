import type { ImageSource } from "../inputs/schema.js";
import type { Deps } from "../platform/deps.js";
import { DeployError, describeError, type Phase } from "../platform/errors.js";

/**
 * What Lightsail container services run: x86-64 Linux nodes. An image for another platform (built on an arm64
 * runner or an Apple-silicon laptop) is pushed and deployed without complaint, then fails to start there.
 */
export const LIGHTSAIL_PLATFORM = "linux/amd64";

/** `docker image inspect --format '{{.Os}}/{{.Architecture}}'` output → `os/architecture`, else undefined. */
export function parseImagePlatform(stdout: string): string | undefined {
  const platform = stdout.trim();
  return /^[a-z0-9]+\/[a-z0-9_]+$/.test(platform) ? platform : undefined;
}

/** The sources that give the action a local image: a build, or a prebuilt `image`. */
export type LocalImageSource = Extract<ImageSource, { kind: "build" | "prebuilt" }>;

/** What to change so that the image is built for Lightsail, for the way this run gets its image. */
function howToBuildFor(source: LocalImageSource): string {
  if (source.kind === "prebuilt")
    return `rebuild \`image\` ${source.image} with \`docker build --platform ${LIGHTSAIL_PLATFORM}\``;
  return (
    `build for ${LIGHTSAIL_PLATFORM}: run the job on an x86-64 runner (e.g. ubuntu-latest), or set ` +
    `\`DOCKER_DEFAULT_PLATFORM: ${LIGHTSAIL_PLATFORM}\` in the step's \`env\` (on an arm64 machine that needs ` +
    "QEMU emulation, e.g. docker/setup-qemu-action)"
  );
}

/**
 * Fails, before the image is pushed or deployed, when the local `image` is not for linux/amd64. Reads the
 * platform docker recorded for it (`docker image inspect`), so it holds for a build, a prebuilt image and a
 * tag of one.
 */
export async function checkImagePlatform(
  image: string,
  source: LocalImageSource,
  phase: Phase,
  deps: Deps,
): Promise<void> {
  const result = await deps
    .exec("docker", ["image", "inspect", "--format", "{{.Os}}/{{.Architecture}}", "--", image], {
      silent: true,
    })
    .catch((error: unknown) => ({ exitCode: -1, stdout: "", stderr: describeError(error) }));
  const platform = result.exitCode === 0 ? parseImagePlatform(result.stdout) : undefined;
  if (platform === undefined) {
    const why =
      result.stderr.trim().split("\n")[0] || `exit code ${result.exitCode}: "${result.stdout.trim()}"`;
    throw new DeployError(
      `docker cannot say which platform image ${image} is for (${why})`,
      phase,
      "nothing was pushed or deployed; check that docker can inspect the image, then re-run",
    );
  }
  if (platform !== LIGHTSAIL_PLATFORM) {
    throw new DeployError(
      `image ${image} is built for ${platform}, but Lightsail runs ${LIGHTSAIL_PLATFORM} containers`,
      phase,
      `nothing was pushed or deployed; ${howToBuildFor(source)}`,
    );
  }
  deps.log.info(`Image ${image} is for ${platform}, the platform Lightsail runs`);
}
