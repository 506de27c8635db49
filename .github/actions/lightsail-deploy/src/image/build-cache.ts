import type { BuildCacheSetting } from "../inputs/schema.js";
import type { Deps } from "../platform/deps.js";

/**
 * The tag of the cache next to the images. It is not a commit's tag, so no release ever uses it, and the
 * repository's lifecycle policy keeps it (infrastructure/: rules expire only untagged and commit images).
 */
export const CACHE_TAG = "buildcache";

/**
 * How this run builds with a registry cache, or why it does not. Both builders keep an inline cache (the
 * image's own config carries it) and the image is pushed as the cache reference too: a docker client older
 * than 23 can export nothing else, and buildx's default `docker` driver cannot export a separate registry
 * cache (`--cache-to type=registry`) either.
 */
export type CacheBuilder =
  | { kind: "buildx"; ref: string; network: string | undefined }
  /** A docker client older than 23 runs BuildKit itself with DOCKER_BUILDKIT=1. */
  | { kind: "inline"; ref: string; network: string | undefined }
  | { kind: "off"; why: string };

/** Docker 23 made `docker build` a buildx alias; older clients carry BuildKit themselves. */
const FIRST_CLIENT_WITHOUT_BUILTIN_BUILDKIT = 23;

async function quiet(deps: Deps, args: string[]) {
  return deps.exec("docker", args, { silent: true }).catch(() => ({ exitCode: 1, stdout: "", stderr: "" }));
}

/**
 * Finds out what the docker client can do rather than assuming it: buildx, BuildKit built in, or neither
 * (then the build runs as it did without a cache). An engine without a bridge network (some self-hosted
 * runners, the local stand-in) can only give BuildKit's RUN steps the host network.
 */
export async function chooseCacheBuilder(
  setting: BuildCacheSetting,
  repositoryUri: string,
  deps: Deps,
): Promise<CacheBuilder> {
  if (setting.kind === "off") return { kind: "off", why: "`build-cache` is off" };
  const ref = setting.ref ?? `${repositoryUri}:${CACHE_TAG}`;
  const network = async () => {
    const out = await quiet(deps, ["network", "ls", "--filter", "name=^bridge$", "--format", "{{.Name}}"]);
    return out.exitCode === 0 && !out.stdout.split("\n").includes("bridge") ? "host" : undefined;
  };
  if ((await quiet(deps, ["buildx", "version"])).exitCode === 0)
    return { kind: "buildx", ref, network: await network() };
  const version = (await quiet(deps, ["version", "--format", "{{.Client.Version}}"])).stdout.trim();
  const major = Number(/^(\d+)\./.exec(version)?.[1] ?? Number.NaN);
  if (major < FIRST_CLIENT_WITHOUT_BUILTIN_BUILDKIT) return { kind: "inline", ref, network: await network() };
  return {
    kind: "off",
    why: `no BuildKit: this docker client (${version || "version unknown"}) needs the buildx plugin, which is not installed`,
  };
}

export interface BuildCommand {
  args: string[];
  env: Record<string, string>;
}

/**
 * The build command for a builder: the options go before `--` (the context after it), so no value can be
 * read as an option; `options` are the build's own (file, tag, build args, labels).
 */
export function buildCommand(builder: CacheBuilder, options: string[], context: string): BuildCommand {
  const network = builder.kind !== "off" && builder.network ? ["--network", builder.network] : [];
  switch (builder.kind) {
    case "buildx":
      return {
        args: [
          "buildx",
          "build",
          "--load",
          "--cache-from",
          `type=registry,ref=${builder.ref}`,
          "--cache-to",
          "type=inline",
          ...network,
          ...options,
          "--",
          context,
        ],
        env: {},
      };
    case "inline":
      return {
        args: [
          "build",
          "--build-arg",
          "BUILDKIT_INLINE_CACHE=1",
          "--cache-from",
          builder.ref,
          ...network,
          ...options,
          "--",
          context,
        ],
        env: { DOCKER_BUILDKIT: "1" },
      };
    case "off":
      return { args: ["build", ...options, "--", context], env: {} };
  }
}

/** What the log says about the cache before the build. */
export function describeCacheBuilder(builder: CacheBuilder): string {
  switch (builder.kind) {
    case "buildx":
      return `Build cache: ${builder.ref} (buildx, inline cache; the image is pushed there too)`;
    case "inline":
      return `Build cache: ${builder.ref} (BuildKit inline cache; the image is pushed there too)`;
    case "off":
      return `Build cache: off (${builder.why}); building without it`;
  }
}
