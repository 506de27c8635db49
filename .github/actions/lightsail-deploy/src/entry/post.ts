import { rm } from "node:fs/promises";
import * as core from "@actions/core";
import { removableTempDirs, TEMP_DIRS_STATE } from "../platform/temp-dirs.js";

/**
 * The post step (action.yml `runs.post`): the runner runs it after the job's steps, also when the job was
 * cancelled or the main step killed mid-push, when the main step's own cleanup never ran. It removes
 * the private docker config (it holds the ECR password) that the main step recorded with saveState.
 */
export async function run(): Promise<void> {
  const dirs = removableTempDirs(core.getState(TEMP_DIRS_STATE), process.env.RUNNER_TEMP);
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  core.info(
    dirs.length ? `Removed ${dirs.length} private temp dir(s)` : "No private temp dir was left to remove",
  );
}
