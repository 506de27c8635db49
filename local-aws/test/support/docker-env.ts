import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { execCommand } from "../../src/docker/exec.js";

const here = dirname(fileURLToPath(import.meta.url));

/** What the Docker-backed tests need; empty when everything is there. */
export async function missingDockerPrerequisites(): Promise<string[]> {
  const missing: string[] = [];
  const check = async (file: string, args: string[], what: string) => {
    try {
      const result = await execCommand(file, args, { timeoutMs: 15_000 });
      if (result.code !== 0) missing.push(what);
    } catch {
      missing.push(what);
    }
  };
  await check(
    "docker",
    ["version", "--format", "{{.Server.Version}}"],
    "a running Docker engine (`docker version` failed)",
  );
  if (!existsSync("/usr/bin/docker-registry"))
    missing.push("/usr/bin/docker-registry (apt-get install docker-registry)");
  await check("gcc", ["--version"], "gcc (to build the static test image)");
  return missing;
}

/**
 * Docker tests run when the prerequisites are present, are skipped with a message naming what is missing,
 * and fail instead of skipping when CI=true.
 */
export async function dockerTestsEnabled(): Promise<boolean> {
  const missing = await missingDockerPrerequisites();
  if (missing.length === 0) return true;
  const message = `Docker-backed local-aws tests need: ${missing.join("; ")}`;
  if (process.env.CI === "true") throw new Error(`${message} (CI=true, so they must run)`);
  console.warn(`SKIPPED: ${message}`);
  return false;
}

async function run(file: string, args: string[], options: { env?: NodeJS.ProcessEnv; input?: string } = {}) {
  const result = await execCommand(file, args, { ...options, timeoutMs: 120_000 });
  if (result.code !== 0)
    throw new Error(`${file} ${args.join(" ")} failed: ${result.stderr || result.stdout}`);
  return result.stdout;
}

/** Builds a FROM-scratch image holding one static binary (test/fixtures/tiny-http.c) and returns its name. */
export async function buildTinyImage(name: string): Promise<string> {
  const work = mkdtempSync(join(tmpdir(), "local-aws-image-"));
  try {
    await run("gcc", ["-static", "-Os", "-o", join(work, "server"), join(here, "../fixtures/tiny-http.c")]);
    const tar = join(work, "rootfs.tar");
    await run("tar", ["-C", work, "-cf", tar, "server"]);
    await run("docker", ["import", "--change", 'ENTRYPOINT ["/server"]', tar, name]);
    return name;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** Tags and pushes a local image into the registry, logging in with a throw-away DOCKER_CONFIG. */
export async function pushImage(localImage: string, registryHost: string, password: string, target: string) {
  const config = mkdtempSync(join(tmpdir(), "local-aws-docker-config-"));
  const env = { ...process.env, DOCKER_CONFIG: config };
  try {
    await run("docker", ["login", "--username", "AWS", "--password-stdin", registryHost], {
      env,
      input: password,
    });
    const remote = `${registryHost}/${target}`;
    await run("docker", ["tag", localImage, remote], { env });
    await run("docker", ["push", remote], { env });
    await run("docker", ["rmi", remote], { env });
    return remote;
  } finally {
    rmSync(config, { recursive: true, force: true });
  }
}
