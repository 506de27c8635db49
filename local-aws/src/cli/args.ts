/** Parses `--name value`, `--name=value` and bare `--flag` arguments against a list of known options. */
export function parseArgs(
  argv: string[],
  known: { values: string[]; flags: string[] },
): Record<string, string | boolean> {
  const result: Record<string, string | boolean> = {};
  for (let index = 0; index < argv.length; index += 1) {
    const arg = argv[index] as string;
    const match = /^--([a-z-]+)(?:=(.*))?$/.exec(arg);
    if (!match) throw new Error(`unexpected argument ${JSON.stringify(arg)}`);
    const name = match[1] as string;
    if (known.flags.includes(name)) {
      result[name] = true;
    } else if (known.values.includes(name)) {
      const value = match[2] ?? argv[++index];
      if (value === undefined) throw new Error(`--${name} needs a value`);
      result[name] = value;
    } else {
      throw new Error(
        `unknown option --${name}; known: ${[...known.values, ...known.flags].map((o) => `--${o}`).join(" ")}`,
      );
    }
  }
  return result;
}

export function portOption(value: string | boolean | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const port = Number(value);
  if (typeof value !== "string" || !Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`--${name} must be a port number from 0 to 65535; got ${JSON.stringify(value)}`);
  }
  return port;
}
