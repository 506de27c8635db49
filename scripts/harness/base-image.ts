import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { baseImageScript, repoRoot } from "./paths.js";

const execFileAsync = promisify(execFile);

/** Builds the local Bun base image when it is missing (Docker Hub is not needed) and returns its name. */
export async function ensureBaseImage(log: (line: string) => void): Promise<string> {
  const { stdout } = await execFileAsync("bash", [baseImageScript], { cwd: repoRoot, maxBuffer: 1 << 24 });
  const lines = stdout.trim().split("\n");
  log(lines[lines.length - 1] ?? "");
  const image = /local\/bun:[\w.-]+/.exec(stdout)?.[0];
  if (!image) throw new Error(`could not tell which base image ${baseImageScript} built:\n${stdout}`);
  return image;
}
