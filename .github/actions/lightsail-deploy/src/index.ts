import { actionsLogger, processRunnerIO, publishToActions } from "./actions-runner.js";
import { INPUT_NAMES, rawInputsFromArgv, rawInputsFromEnv } from "./inputs.js";
import { realDeps } from "./real-deps.js";
import { run } from "./run.js";
import { processTerminalIO, publishToTerminal, terminalLogger, usage } from "./terminal.js";

// Flags mean a person at a terminal; none means the GitHub runner (inputs in INPUT_* variables).
const argv = process.argv.slice(2);
if (argv.includes("--help") || argv.includes("-h")) {
  process.stdout.write(usage(INPUT_NAMES));
} else if (argv.length > 0) {
  const log = terminalLogger(processTerminalIO);
  const result = await run({ ...rawInputsFromEnv(process.env), ...safeArgv(argv) }, realDeps(log));
  process.exitCode = publishToTerminal(result, processTerminalIO, log.mask);
} else {
  const log = actionsLogger(processRunnerIO);
  const result = await run(rawInputsFromEnv(process.env), realDeps(log));
  process.exitCode = await publishToActions(result, processRunnerIO, log.mask);
}

function safeArgv(args: string[]): Record<string, string> {
  try {
    return rawInputsFromArgv(args);
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n${usage(INPUT_NAMES)}`);
    process.exit(2);
  }
}
