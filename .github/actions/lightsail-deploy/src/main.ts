import * as core from "@actions/core";
import { realDeps } from "./entry/real-deps.js";
import { run as deploy } from "./entry/run.js";
import { publishToActions, toolkitLogger } from "./entry/toolkit.js";
import { rawInputs } from "./inputs/sources.js";
import { TEMP_DIRS_STATE } from "./platform/temp-dirs.js";

/**
 * The action on a GitHub runner: inputs, log, outputs, summary and failure through @actions/core (the
 * run's context comes from @actions/github, through Deps). `@github/local-action` calls this too (it wants `run()` here).
 */
export async function run(): Promise<void> {
  const log = toolkitLogger(core);
  const tempDirs: string[] = [];
  const deps = realDeps(log, {
    // Saved at once: a job cancelled or killed mid-push still has its post step remove them.
    tempDirCreated: (path) => {
      tempDirs.push(path);
      core.saveState(TEMP_DIRS_STATE, JSON.stringify(tempDirs));
    },
  });
  try {
    const result = await deploy(rawInputs(core.getInput), deps);
    await publishToActions(result, core, log.mask, process.env);
  } catch (error) {
    // run() never throws; this is for the toolkit failing to write outputs or summary.
    core.setFailed(
      log.mask(`lightsail-deploy failed: ${error instanceof Error ? error.message : String(error)}`),
    );
  }
}
