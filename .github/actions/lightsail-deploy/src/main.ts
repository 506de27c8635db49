import * as core from "@actions/core";
import { rawInputs } from "./inputs.js";
import { realDeps } from "./real-deps.js";
import { run as deploy } from "./run.js";
import { publishToActions, toolkitLogger } from "./toolkit.js";

/**
 * The action on a GitHub runner: inputs, log, outputs, summary and failure through @actions/core (the
 * run's context comes from @actions/github, through Deps). `@github/local-action` calls this too (it wants `run()` here).
 */
export async function run(): Promise<void> {
  const log = toolkitLogger(core);
  const result = await deploy(rawInputs(core.getInput), realDeps(log));
  await publishToActions(result, core, log.mask, process.env);
}
