import * as core from "@actions/core";
import { context } from "@actions/github";
import { rawInputs } from "./inputs.js";
import { realDeps } from "./real-deps.js";
import { run as deploy } from "./run.js";
import { runContextOf } from "./run-context.js";
import { publishToActions, toolkitLogger } from "./toolkit.js";

/**
 * The action on a GitHub runner: inputs, log, outputs, summary and failure through @actions/core, the
 * run's context from @actions/github. `@github/local-action` calls this too (it wants `run()` here).
 */
export async function run(): Promise<void> {
  const log = toolkitLogger(core);
  const result = await deploy(rawInputs(core.getInput), realDeps(log, runContextOf(context)));
  await publishToActions(result, core, log.mask, process.env);
}
