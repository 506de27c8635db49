import type * as core from "@actions/core";
import type { Logger } from "../platform/deps.js";
import { secretList } from "../platform/secret-list.js";
import { outputsOf, type RunResult, renderSummary, shaped } from "../report/report.js";

/**
 * The part of @actions/core this action uses, as a parameter: production passes the module itself, tests a
 * recording fake. The toolkit speaks the runner's protocol (workflow commands, GITHUB_OUTPUT,
 * GITHUB_STEP_SUMMARY, GITHUB_STATE); nothing here writes it by hand.
 */
export type Toolkit = Pick<
  typeof core,
  "getInput" | "setOutput" | "setSecret" | "info" | "warning" | "debug" | "group" | "setFailed"
> & {
  summary: { addRaw(text: string): unknown; write(): Promise<unknown> };
};

/** The step log. The runner masks it after setSecret; the summary and outputs it does not, hence `mask`. */
export function toolkitLogger(toolkit: Toolkit): Logger {
  const secrets = secretList();
  return {
    mask: secrets.mask,
    info: (message) => toolkit.info(message),
    warning: (message) => toolkit.warning(message),
    debug: (message) => toolkit.debug(message),
    // Each form once (every deployment listing repeats the same environment values), each form to the
    // runner too: it would not mask a PEM key's single line or a base64 form registered as a whole value.
    setSecret: (value) => {
      for (const form of secrets.add(value)) toolkit.setSecret(form);
    },
    group: (name, body) => toolkit.group(name, body),
  };
}

/**
 * Sets the outputs, writes the job summary and fails the step when the run failed. The runner masks
 * neither the summary nor the outputs, so both go through `mask`.
 */
export async function publishToActions(
  result: RunResult,
  toolkit: Toolkit,
  mask: (text: string) => string,
  env: Readonly<Record<string, string | undefined>>,
): Promise<void> {
  for (const [name, value] of Object.entries(outputsOf(result)))
    toolkit.setOutput(name, shaped(name, value, mask));
  const summary = mask(renderSummary(result));
  if (env.GITHUB_STEP_SUMMARY) {
    toolkit.summary.addRaw(summary);
    await toolkit.summary.write().catch((error: unknown) => {
      toolkit.warning(`Could not write the job summary: ${error instanceof Error ? error.message : error}`);
      toolkit.info(summary);
    });
  } else {
    toolkit.info(`(GITHUB_STEP_SUMMARY is not set; the summary follows)\n${summary}`);
  }
  if (result.error) toolkit.setFailed(result.error);
}
