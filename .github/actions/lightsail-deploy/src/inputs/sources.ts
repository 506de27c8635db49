// Input sources: the runner's INPUT_* variables (through a getter) and a terminal's flags.
import { DeployError } from "../platform/errors.js";
import { BOOLEAN_INPUTS, INPUT_NAMES, type InputName, LINE_LISTS } from "./schema.js";

/**
 * Every input by name, from `get` (production: @actions/core's getInput, which reads the runner's INPUT_*
 * variables; a terminal puts its flags in front of it). Empty means unset, as GitHub passes unset inputs.
 */
export function rawInputs(get: (name: InputName) => string): Record<string, string> {
  const raw: Record<string, string> = {};
  for (const name of INPUT_NAMES) {
    const value = get(name);
    if (value !== "") raw[name] = value;
  }
  return raw;
}

/**
 * `--service-name demo`, `--service-name=demo`; a boolean flag with no value (`--dry-run`) means "true".
 * Unknown flags are kept so that parseInputs names them in its error.
 */
export function rawInputsFromArgv(argv: readonly string[]): Record<string, string> {
  const raw: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? "";
    if (!arg.startsWith("--")) {
      throw new DeployError(
        `unexpected argument ${JSON.stringify(arg)}`,
        "inputs",
        "pass inputs as --name value",
      );
    }
    const equals = arg.indexOf("=");
    const name = equals === -1 ? arg.slice(2) : arg.slice(2, equals);
    let value: string;
    if (equals !== -1) {
      value = arg.slice(equals + 1);
    } else if (argv[i + 1] === undefined || argv[i + 1]?.startsWith("--")) {
      // `--service-name --dry-run` would otherwise name a service "true".
      if (!BOOLEAN_INPUTS.has(name) && INPUT_NAMES.includes(name as InputName)) {
        throw new DeployError(
          `\`--${name}\` needs a value`,
          "inputs",
          `pass it as --${name} <value> or --${name}=<value>`,
        );
      }
      value = "true";
    } else {
      value = argv[++i] ?? "";
    }
    // Repeating a line-list flag adds a line: --environment A=1 --environment B=2.
    raw[name] = LINE_LISTS.has(name) && raw[name] !== undefined ? `${raw[name]}\n${value}` : value;
  }
  return raw;
}
