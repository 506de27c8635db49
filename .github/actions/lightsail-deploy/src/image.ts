import { GetAuthorizationTokenCommand } from "./aws-sdk.js";
import type { AwsClients, Deps } from "./deps.js";
import { DeployError, describeError } from "./errors.js";
import { imageUri } from "./image-tag.js";
import type { ImageSource } from "./inputs.js";
import { imageLabels } from "./run-context.js";
import { TEMP_DIR_PREFIX } from "./temp-dirs.js";
import { timed } from "./timeline.js";

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

async function buildOrTag(source: ImageSource, uri: string, deps: Deps): Promise<void> {
  // Build with the user's own docker config (it holds buildx and base-image credentials); only the
  // login and push below use the action's private config.
  if (source.kind === "build") {
    const buildArgs = Object.entries(source.buildArgs).flatMap(([key, value]) => [
      "--build-arg",
      `${key}=${value}`,
    ]);
    // A prebuilt image keeps the labels it was built with: a tag cannot add any.
    const labels = imageLabels(await deps.github.context());
    await docker(
      deps,
      ["build", "--file", source.dockerfile, "--tag", uri, ...buildArgs, ...labels, "--", source.context],
      "docker build",
    );
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
 * Builds (or tags) and pushes `<repositoryUri>:<tag>`. The login lives in a temporary DOCKER_CONFIG, so
 * the user's own docker config is never written, and it is removed at the end whatever happens.
 */
export async function publishImage(
  source: ImageSource,
  target: { repositoryUri: string; tag: string; exists: boolean },
  aws: AwsClients,
  deps: Deps,
): Promise<PublishedImage> {
  const uri = imageUri(target.repositoryUri, target.tag);
  if (target.exists) {
    deps.log.info(`${uri} is already in ECR: skipping build and push (pre-flight said why)`);
    return { uri, tag: target.tag, pushed: false };
  }
  await timed(deps, "build", () => buildOrTag(source, uri, deps));
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
    await timed(deps, "push", () => pushWithRetry(uri, env, deps));
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
