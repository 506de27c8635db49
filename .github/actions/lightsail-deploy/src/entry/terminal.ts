import { EOL } from "node:os";
import { getInput } from "@actions/core";
import { INPUT_NAMES } from "../inputs/schema.js";
import { rawInputs, rawInputsFromArgv } from "../inputs/sources.js";
import type { Logger } from "../platform/deps.js";
import { secretList } from "../platform/secret-list.js";
import { outputsOf, type RunResult, renderSummary, shaped } from "../report/report.js";
import { realDeps } from "./real-deps.js";
import { run } from "./run.js";

export interface TerminalIO {
  out(text: string): void;
  err(text: string): void;
  debug: boolean;
}

export const processTerminalIO: TerminalIO = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
  debug: process.env.LIGHTSAIL_DEPLOY_DEBUG === "1" || process.env.RUNNER_DEBUG === "1",
};

/** A terminal has no runner to mask secrets, so this logger masks them itself. */
export function terminalLogger(io: TerminalIO): Logger {
  const secrets = secretList();
  const mask = secrets.mask;
  return {
    mask,
    info: (message) => io.out(`${mask(message)}${EOL}`),
    warning: (message) => io.err(`warning: ${mask(message)}${EOL}`),
    debug: (message) => {
      if (io.debug) io.err(`debug: ${mask(message)}${EOL}`);
    },
    setSecret: (value) => {
      secrets.add(value);
    },
    group: async (name, body) => {
      io.out(`${EOL}── ${name}${EOL}`);
      return body();
    },
  };
}

/**
 * Prints the same report as the job summary, then the outputs, through the logger's masking (the report
 * holds container log lines and messages that can carry secrets); returns the exit code.
 */
export function publishToTerminal(result: RunResult, io: TerminalIO, mask: (text: string) => string): number {
  io.out(mask(`${EOL}${renderSummary(result, "text")}${EOL}`));
  for (const [name, value] of Object.entries(outputsOf(result)))
    io.out(`${name}=${shaped(name, value, mask)}${EOL}`);
  if (result.error) {
    io.err(mask(`${result.error}${EOL}`));
    return 1;
  }
  return 0;
}

export function usage(names: readonly string[]): string {
  return [
    "Usage: node dist/index.js --service-name <name> --repository <ecr-repo> [--<input> <value> ...]",
    "",
    "Builds, pushes and deploys to AWS Lightsail; the flags are the action's inputs (INPUT_* variables work too):",
    ...names.map((name) => `  --${name}`),
    "",
  ].join(EOL);
}

/**
 * The action from a terminal: the flags go in front of the same input reader the runner uses (so INPUT_*
 * variables still work), a logger that masks itself, and the same report on stdout; sets the exit code.
 */
export async function runInTerminal(
  argv: readonly string[],
  io: TerminalIO = processTerminalIO,
): Promise<void> {
  if (argv.includes("--help") || argv.includes("-h")) {
    io.out(usage(INPUT_NAMES));
    return;
  }
  let flags: Record<string, string>;
  try {
    flags = rawInputsFromArgv(argv);
  } catch (error) {
    io.err(`${error instanceof Error ? error.message : String(error)}${EOL}${usage(INPUT_NAMES)}`);
    process.exitCode = 2;
    return;
  }
  const log = terminalLogger(io);
  // Unknown flags stay in, so that the input check names them.
  const raw = { ...flags, ...rawInputs((name) => flags[name] ?? getInput(name)) };
  const result = await run(raw, realDeps(log));
  process.exitCode = publishToTerminal(result, io, log.mask);
}
