import type { BuildCacheSetting, ImageSource } from "../inputs/schema.js";
import { GetAuthorizationTokenCommand } from "../platform/aws-sdk.js";
import type { AwsClients, Deps } from "../platform/deps.js";
import { DeployError, describeError } from "../platform/errors.js";
import { imageLabels } from "../platform/run-context.js";
import { TEMP_DIR_PREFIX } from "../platform/temp-dirs.js";
import { timed } from "../platform/timeline.js";
import { buildCommand, type CacheBuilder, chooseCacheBuilder, describeCacheBuilder } from "./build-cache.js";
import { checkImagePlatform } from "./image-platform.js";
import { imageUri } from "./image-tag.js";

export interface PublishedImage {
  uri: string;
  tag: string;
  /** False when the tag was already in ECR and build and push were skipped. */
  pushed: boolean;
}

export interface RegistryLogin {
  host: string;
  username: string;
  password: string;
}

const PUSH_ATTEMPTS = 3;
const PUSH_RETRY_DELAY_MS = 5_000;
// A push that fails for these reasons fails the same way again.
const PERMANENT_PUSH_FAILURE =
  /denied|unauthorized|forbidden|name unknown|repository .* not found|no such image/i;

/** `https://123.dkr.ecr.eu-west-1.amazonaws.com` → the host docker logs in to (the stand-in uses http). */
export function registryHost(proxyEndpoint: string): string {
  return proxyEndpoint.replace(/^[a-z][a-z0-9+.-]*:\/\//i, "").replace(/\/+$/, "");
}

/** The ECR token is base64 of `AWS:<password>`. */
export function decodeAuthorizationToken(token: string): { username: string; password: string } {
  const decoded = Buffer.from(token, "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  if (colon <= 0)
    throw new DeployError("ECR returned an authorization token in an unknown form", "image", "retry the run");
  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

export async function ecrLogin(aws: AwsClients, deps: Deps): Promise<RegistryLogin> {
  const out = await aws.ecr.send(new GetAuthorizationTokenCommand({}));
  const data = out.authorizationData?.[0];
  if (!data?.authorizationToken || !data.proxyEndpoint) {
    throw new DeployError(
      "ECR returned no authorization data",
      "image",
      "check the ECR permissions of the deploying identity",
    );
  }
  deps.log.setSecret(data.authorizationToken);
  const { username, password } = decodeAuthorizationToken(data.authorizationToken);
  deps.log.setSecret(password);
  return { host: registryHost(data.proxyEndpoint), username, password };
}

async function docker(
  deps: Deps,
  args: string[],
  what: string,
  options: { env?: Record<string, string>; input?: string } = {},
) {
  const result = await deps.exec("docker", args, options);
  if (result.exitCode !== 0) {
    throw new DeployError(
      `${what} failed (exit code ${result.exitCode}: ${result.stderr.trim().split("\n").slice(-1)[0] ?? ""})`,
      "image",
      "read the docker output above",
    );
  }
  return result;
}

type BuildSource = Extract<ImageSource, { kind: "build" }>;

/** The build's own options: file, tag, build args and labels. */
async function buildOptions(source: BuildSource, uri: string, deps: Deps): Promise<string[]> {
  const buildArgs = Object.entries(source.buildArgs).flatMap(([key, value]) => [
    "--build-arg",
    `${key}=${value}`,
  ]);
  // A prebuilt image keeps the labels it was built with: a tag cannot add any.
  const labels = imageLabels(await deps.github.context());
  return ["--file", source.dockerfile, "--tag", uri, ...buildArgs, ...labels];
}

async function buildOrTag(source: ImageSource, uri: string, deps: Deps): Promise<void> {
  // Build with the user's own docker config (it holds buildx and base-image credentials); only the
  // login and push below use the action's private config.
  if (source.kind === "build") {
    const options = await buildOptions(source, uri, deps);
    await docker(deps, buildCommand({ kind: "off", why: "" }, options, source.context).args, "docker build");
  } else if (source.kind === "prebuilt") {
    await docker(deps, ["tag", "--", source.image, uri], `docker tag ${source.image}`);
  }
}

async function pushWithRetry(uri: string, env: Record<string, string>, deps: Deps): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    const result = await deps.exec("docker", ["push", uri], { env });
    if (result.exitCode === 0) return;
    const reason = result.stderr.trim().split("\n").slice(-1)[0] ?? "";
    if (attempt >= PUSH_ATTEMPTS || PERMANENT_PUSH_FAILURE.test(reason)) {
      throw new DeployError(
        `docker push ${uri} failed after ${attempt} attempt(s) (${reason || `exit code ${result.exitCode}`})`,
        "image",
        "check the registry and the ECR push permissions, then re-run",
      );
    }
    deps.log.warning(`docker push failed (${reason}); retrying (${attempt}/${PUSH_ATTEMPTS - 1})`);
    await deps.sleep(PUSH_RETRY_DELAY_MS * attempt);
  }
}

/**
 * A build that reads (and with buildx writes) the registry cache, so it runs with the action's login. If it
 * fails (a base image only the user's own docker config can pull, a builder that cannot export a cache),
 * the build runs again as without a cache: the cache may make a build faster, never make it fail.
 */
async function cachedBuild(
  source: BuildSource,
  uri: string,
  builder: Exclude<CacheBuilder, { kind: "off" }>,
  env: Record<string, string>,
  deps: Deps,
): Promise<void> {
  const command = buildCommand(builder, await buildOptions(source, uri, deps), source.context);
  const result = await deps.exec("docker", command.args, { env: { ...command.env, ...env } });
  if (result.exitCode === 0) return;
  const reason = result.stderr.trim().split("\n").slice(-1)[0] || `exit code ${result.exitCode}`;
  deps.log.warning(`The build with the cache failed (${reason}); building again without the cache`);
  await buildOrTag(source, uri, deps);
}

/** The inline cache lives in the image itself, so the image is pushed as the cache reference too. */
async function pushInlineCache(uri: string, ref: string, env: Record<string, string>, deps: Deps) {
  const tagged = await deps.exec("docker", ["tag", "--", uri, ref], { silent: true });
  const pushed = tagged.exitCode === 0 ? await deps.exec("docker", ["push", ref], { env }) : tagged;
  if (pushed.exitCode === 0) deps.log.info(`Pushed the build cache ${ref}`);
  // A missing cache costs the next build time only, so this is not a failure.
  else
    deps.log.warning(
      `Could not push the build cache ${ref} (${pushed.stderr.trim().split("\n").slice(-1)[0]}); the next build starts without it`,
    );
}

/**
 * Builds (or tags) and pushes `<repositoryUri>:<tag>`. The login lives in a temporary DOCKER_CONFIG, so
 * the user's own docker config is never written, and it is removed at the end whatever happens.
 */
export async function publishImage(
  source: ImageSource,
  target: { repositoryUri: string; tag: string; exists: boolean },
  aws: AwsClients,
  deps: Deps,
  cache: BuildCacheSetting = { kind: "off" },
): Promise<PublishedImage> {
  const uri = imageUri(target.repositoryUri, target.tag);
  if (target.exists) {
    deps.log.info(`${uri} is already in ECR: skipping build and push (pre-flight said why)`);
    return { uri, tag: target.tag, pushed: false };
  }
  const builder: CacheBuilder =
    source.kind === "build"
      ? await chooseCacheBuilder(cache, target.repositoryUri, deps)
      : { kind: "off", why: "nothing is built" };
  if (source.kind === "build") deps.log.info(describeCacheBuilder(builder));
  // Right after the build (with or without the cache), so an image Lightsail cannot run never reaches ECR.
  const checkPlatform = () =>
    source.kind === "build" || source.kind === "prebuilt"
      ? checkImagePlatform(uri, source, "image", deps)
      : Promise.resolve();
  if (builder.kind === "off") {
    await timed(deps, "build", () => buildOrTag(source, uri, deps));
    await checkPlatform();
  }
  const configDir = await deps.tempDirs.create(`${TEMP_DIR_PREFIX}docker-`);
  const env = { DOCKER_CONFIG: configDir };
  let login: RegistryLogin | undefined;
  try {
    await timed(deps, "login", async () => {
      const token = await ecrLogin(aws, deps);
      login = token;
      await docker(
        deps,
        ["login", "--username", token.username, "--password-stdin", token.host],
        `docker login ${token.host}`,
        {
          env,
          input: token.password,
        },
      );
    });
    if (builder.kind !== "off" && source.kind === "build") {
      await timed(deps, "build", () => cachedBuild(source, uri, builder, env, deps));
      await checkPlatform();
    }
    await timed(deps, "push", async () => {
      await pushWithRetry(uri, env, deps);
      if (builder.kind !== "off") await pushInlineCache(uri, builder.ref, env, deps);
    });
    deps.log.info(`Pushed ${uri}`);
  } finally {
    if (login) {
      await deps.exec("docker", ["logout", login.host], { env, silent: true }).catch((error: unknown) => {
        deps.log.debug(`docker logout failed: ${describeError(error)}`);
      });
    }
    await deps.tempDirs.remove(configDir);
  }
  return { uri, tag: target.tag, pushed: true };
}
