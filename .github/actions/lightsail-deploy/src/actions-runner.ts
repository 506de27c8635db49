import { randomUUID } from "node:crypto";
import { appendFile } from "node:fs/promises";
import { EOL } from "node:os";
import type { Logger } from "./deps.js";
import { outputsOf, type RunResult, renderSummary } from "./report.js";
import { secretList } from "./secret-list.js";

/*
 * The GitHub runner's workflow-command protocol, the part of @actions/core this action needs.
 * @actions/core itself pulls in undici for its OIDC client (~420 kB of a 1.4 MB bundle, measured with
 * ncc), which this action never uses.
 */

export interface RunnerIO {
  write(text: string): void;
  appendFile(path: string, text: string): Promise<void>;
  env: Readonly<Record<string, string | undefined>>;
}

export const processRunnerIO: RunnerIO = {
  write: (text) => process.stdout.write(text),
  appendFile: (path, text) => appendFile(path, text, "utf8"),
  env: process.env,
};

/** Escaping from @actions/core, so that a message cannot end a command early. */
export function escapeData(value: string): string {
  return value.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
}

function command(io: RunnerIO, name: string, message: string): void {
  io.write(`::${name}::${escapeData(message)}${EOL}`);
}

export function actionsLogger(io: RunnerIO): Logger {
  const secrets = secretList();
  return {
    // The runner masks the log; the summary and output files it does not, so they go through this.
    mask: secrets.mask,
    info: (message) => io.write(`${message}${EOL}`),
    warning: (message) => command(io, "warning", message),
    debug: (message) => command(io, "debug", message),
    // The runner replaces the value with *** in everything logged afterwards.
    // Each value once: every deployment listing repeats the same environment values.
    setSecret: (value) => {
      if (secrets.add(value)) command(io, "add-mask", value);
    },
    group: async (name, body) => {
      io.write(`::group::${name}${EOL}`);
      try {
        return await body();
      } finally {
        io.write(`::endgroup::${EOL}`);
      }
    },
  };
}

/** A value written to GITHUB_OUTPUT between a random delimiter, as @actions/core does. */
export function outputFileEntry(
  name: string,
  value: string,
  delimiter = `ghadelimiter_${randomUUID()}`,
): string {
  return `${name}<<${delimiter}${EOL}${value}${EOL}${delimiter}${EOL}`;
}

/**
 * Sets the outputs, writes the job summary and fails the step when the run failed. The runner masks
 * neither the summary nor the output file, so both go through `mask`.
 */
export async function publishToActions(
  result: RunResult,
  io: RunnerIO,
  mask: (text: string) => string,
): Promise<number> {
  const outputFile = io.env.GITHUB_OUTPUT;
  for (const [name, raw] of Object.entries(outputsOf(result))) {
    const value = mask(raw);
    if (outputFile) await io.appendFile(outputFile, outputFileEntry(name, value));
    else io.write(`${EOL}::set-output name=${name}::${escapeData(value)}${EOL}`);
  }
  const summary = mask(renderSummary(result));
  const summaryFile = io.env.GITHUB_STEP_SUMMARY;
  if (summaryFile) await io.appendFile(summaryFile, summary);
  else io.write(`(GITHUB_STEP_SUMMARY is not set; the summary follows)${EOL}${summary}`);
  if (result.error) {
    command(io, "error", result.error);
    return 1;
  }
  return 0;
}
