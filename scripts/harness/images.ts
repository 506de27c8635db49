import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { repoRoot } from "./paths.js";

const execFileAsync = promisify(execFile);

/** `docker build` of one image, with the local Bun base (the classic builder: no network needed). */
export async function buildImage(baseImage: string, image: string, dockerfile: string, context: string) {
  await execFileAsync(
    "docker",
    ["build", "-q", "-t", image, "--build-arg", `BUN_IMAGE=${baseImage}`, "-f", dockerfile, context],
    { cwd: repoRoot, env: { ...process.env, DOCKER_BUILDKIT: "0" } },
  );
}

export async function removeImages(...images: string[]) {
  await execFileAsync("docker", ["rmi", "-f", ...images]).catch(() => {});
}
