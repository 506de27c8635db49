import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { promisify } from "node:util";
import { actionPath } from "../../scripts/harness/paths.js";

const execFileAsync = promisify(execFile);

/** What the end-to-end tests need on this machine; empty when all of it is there. */
export async function missingPrerequisites(): Promise<string[]> {
  const missing: string[] = [];
  try {
    await execFileAsync("docker", ["version", "--format", "{{.Server.Version}}"], { timeout: 15_000 });
  } catch {
    missing.push("a running Docker engine (run scripts/install-prerequisites.sh)");
  }
  if (!existsSync("/usr/bin/docker-registry"))
    missing.push("docker-registry (apt-get install docker-registry)");
  if (!existsSync(`${actionPath}/dist/index.js`)) missing.push("the action bundle (npm run build)");
  return missing;
}

/**
 * End-to-end tests run wherever their prerequisites are; elsewhere they are skipped with a message naming
 * what is missing. With CI=true they must run, so a missing prerequisite fails the run instead.
 */
export async function endToEndEnabled(): Promise<boolean> {
  const missing = await missingPrerequisites();
  if (missing.length === 0) return true;
  const message = `end-to-end tests need: ${missing.join("; ")}`;
  if (process.env.CI === "true") throw new Error(`${message} (CI=true, so they must run)`);
  console.warn(`SKIPPED: ${message}`);
  return false;
}
