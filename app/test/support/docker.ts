// Drives the local Docker engine for the image test and the startup benchmark (argument arrays, no shell).
import { fileURLToPath } from "node:url";

export const REPO_ROOT = fileURLToPath(new URL("../../../", import.meta.url));

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

export async function run(command: string[], env: Record<string, string> = {}): Promise<CommandResult> {
  const child = Bun.spawn(command, {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env },
    stdout: "pipe",
    stderr: "pipe",
  });
  const [stdout, stderr, code] = await Promise.all([
    new Response(child.stdout).text(),
    new Response(child.stderr).text(),
    child.exited,
  ]);
  return { code, stdout, stderr };
}

export async function runOrThrow(command: string[], env: Record<string, string> = {}): Promise<string> {
  const result = await run(command, env);
  if (result.code !== 0) {
    throw new Error(`\`${command.join(" ")}\` exited ${result.code}:\n${result.stderr || result.stdout}`);
  }
  return result.stdout;
}

export type Availability = { ok: true } | { ok: false; missing: string };

/** Says what is missing when Docker cannot be used, so a skip can name it. */
export async function dockerAvailability(): Promise<Availability> {
  if (Bun.which("docker") === null) return { ok: false, missing: "the `docker` CLI is not on PATH" };
  const info = await run(["docker", "info", "--format", "{{.ServerVersion}}"]);
  if (info.code !== 0) {
    return {
      ok: false,
      missing: `no Docker engine answers \`docker info\` (${info.stderr.trim().split("\n")[0]})`,
    };
  }
  return { ok: true };
}

/** The base image made by scripts/build-bun-base-image.sh, named after the npm `bun` package's version. */
export async function buildBaseImage(): Promise<string> {
  const manifest = (await Bun.file(`${REPO_ROOT}node_modules/bun/package.json`).json()) as {
    version: string;
  };
  await runOrThrow(["bash", `${REPO_ROOT}scripts/build-bun-base-image.sh`]);
  return `local/bun:${manifest.version}`;
}

export async function buildAppImage(tag: string, baseImage: string, gitSha: string): Promise<void> {
  await runOrThrow(
    [
      "docker",
      "build",
      "--quiet",
      "--build-arg",
      `BUN_IMAGE=${baseImage}`,
      "--build-arg",
      `GIT_SHA=${gitSha}`,
      "--tag",
      tag,
      "--file",
      `${REPO_ROOT}Dockerfile`,
      REPO_ROOT,
    ],
    { DOCKER_BUILDKIT: "0" },
  );
}

export async function imageSize(image: string): Promise<number> {
  return Number((await runOrThrow(["docker", "image", "inspect", "--format", "{{.Size}}", image])).trim());
}

/** Starts a container on the host network (no port publishing here) and returns its id. */
export async function runContainer(
  name: string,
  image: string,
  env: Record<string, string>,
): Promise<string> {
  const envArgs = Object.keys(env).flatMap((key) => ["--env", key]);
  // Values travel through our environment (`--env KEY`), so a secret never appears in a command line.
  return (
    await runOrThrow(
      ["docker", "run", "--detach", "--name", name, "--network", "host", ...envArgs, image],
      env,
    )
  ).trim();
}

export async function removeContainer(name: string): Promise<void> {
  await run(["docker", "rm", "--force", name]);
}

export async function removeImage(image: string): Promise<void> {
  await run(["docker", "image", "rm", "--force", image]);
}

/** A port nothing listens on right now (bind port 0, read it, release it). */
export async function freePort(): Promise<number> {
  const server = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response() });
  const port = server.port ?? 0;
  await server.stop(true);
  return port;
}

/** Polls `url` until it answers 200; returns that response, or throws after `timeoutMs`. */
export async function waitFor200(url: string, timeoutMs: number, intervalMs = 10): Promise<Response> {
  const deadline = Date.now() + timeoutMs;
  let last = "no answer yet";
  while (Date.now() < deadline) {
    try {
      const response = await fetch(url);
      if (response.status === 200) return response;
      last = `status ${response.status}`;
    } catch (error) {
      last = error instanceof Error ? error.message : String(error);
    }
    await Bun.sleep(intervalMs);
  }
  throw new Error(`${url} did not answer 200 within ${timeoutMs} ms (last: ${last})`);
}
