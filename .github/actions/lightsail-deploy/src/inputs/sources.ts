// Input sources: the runner's INPUT_* variables (through a getter) and a terminal's flags.
import { parseArgs } from "node:util";
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
 * Unknown flags are kept so that parseInputs names them in its error. node:util's parseArgs reads the flags;
 * pairing a bare flag with the argument after it stays here, since parseArgs (in its lenient mode, needed to
 * keep unknown flags) would take a following `--dry-run` as a value and drop an unknown flag's value.
 */
export function rawInputsFromArgv(argv: readonly string[]): Record<string, string> {
  const args = [...argv];
  const { tokens } = parseArgs({ args, strict: false, allowPositionals: true, tokens: true });
  const raw: Record<string, string> = {};
  let taken = -1;
  for (const token of tokens) {
    if (token.index <= taken) continue;
    // A positional, a short option (`-x`), `--` alone or a flag with no name (`--=x`): inputs are --name value only.
    if (token.kind !== "option" || !token.rawName.startsWith("--") || token.name.startsWith("="))
      throw unexpected(args[token.index]);
    let value = token.inlineValue ? (token.value ?? "") : undefined;
    if (value === undefined) {
      const next = args[token.index + 1];
      if (next === undefined || next.startsWith("--")) value = bareFlag(token.name);
      else {
        value = next;
        taken = token.index + 1;
      }
    }
    // Repeating a line-list flag adds a line: --environment A=1 --environment B=2.
    const name = token.name;
    raw[name] = LINE_LISTS.has(name) && raw[name] !== undefined ? `${raw[name]}\n${value}` : value;
  }
  return raw;
}

function unexpected(arg: string | undefined): DeployError {
  return new DeployError(
    `unexpected argument ${JSON.stringify(arg)}`,
    "inputs",
    "pass inputs as --name value",
  );
}

/** A flag with no value: "true" for a boolean; `--service-name --dry-run` would otherwise name a service "true". */
function bareFlag(name: string): string {
  if (!BOOLEAN_INPUTS.has(name) && INPUT_NAMES.includes(name as InputName)) {
    throw new DeployError(
      `\`--${name}\` needs a value`,
      "inputs",
      `pass it as --${name} <value> or --${name}=<value>`,
    );
  }
  return "true";
}
