import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { type ECRClient, GetAuthorizationTokenCommand } from "@aws-sdk/client-ecr";

const execFileAsync = promisify(execFile);

/**
 * Pushes a local image to the stand-in's registry as `<registry>/<repository>:<tag>`, the way a team pushes a
 * sidecar image next to its app: ECR login (password on stdin, in a throw-away DOCKER_CONFIG), tag, push.
 * Returns the pushed reference; the local tag is removed again.
 */
export async function pushToLocalRegistry(
  ecr: ECRClient,
  registryEndpoint: string,
  localImage: string,
  repository: string,
  tag: string,
): Promise<string> {
  const registry = new URL(registryEndpoint).host;
  const target = `${registry}/${repository}:${tag}`;
  const token = await ecr.send(new GetAuthorizationTokenCommand({}));
  const password = Buffer.from(token.authorizationData?.[0]?.authorizationToken ?? "", "base64")
    .toString("utf8")
    .replace(/^AWS:/, "");
  const config = mkdtempSync(join(tmpdir(), "push-image-docker-"));
  try {
    const env = { ...process.env, DOCKER_CONFIG: config };
    const login = execFileAsync("docker", ["login", "--username", "AWS", "--password-stdin", registry], {
      env,
    });
    login.child.stdin?.end(password);
    await login;
    await execFileAsync("docker", ["tag", localImage, target]);
    await execFileAsync("docker", ["push", "--quiet", target], { env });
  } finally {
    rmSync(config, { recursive: true, force: true });
    await execFileAsync("docker", ["rmi", target]).catch(() => {});
  }
  return target;
}

/** Builds the local Redis sidecar image if missing (scripts/build-redis-image.sh) and returns its name. */
export async function ensureRedisImage(repoRoot: string): Promise<string> {
  const { stdout } = await execFileAsync("bash", ["scripts/build-redis-image.sh"], { cwd: repoRoot });
  const image = /local\/redis:[\w.-]+/.exec(stdout)?.[0];
  if (!image) throw new Error(`could not tell which image scripts/build-redis-image.sh built:\n${stdout}`);
  return image;
}
