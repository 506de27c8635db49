import type { RehearsalOptions } from "./rehearse.js";

export interface RehearsalArgs {
  "service-name"?: string;
  image?: string;
  "rehearsal-path"?: string;
  placeholder?: string[];
  "probe-count"?: string;
  "max-error-rate"?: string;
  "bake-time"?: string;
  "wait-timeout"?: string;
  "time-scale"?: string;
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Validates the command's flags into options; errors name the flag, and never echo a placeholder's value. */
export function parseRehearsalArgs(args: RehearsalArgs): RehearsalOptions {
  const serviceName = args["service-name"];
  if (!serviceName) throw new Error("`--service-name` is required");
  const image = args.image;
  if (!image) throw new Error("`--image` is required (the pull request's image, built on this runner)");
  if (image.startsWith("-")) throw new Error(`\`--image\` is "${image}", which cannot start with "-"`);
  const path = args["rehearsal-path"];
  if (path !== undefined && !/^\/(?:[\w.-]+\/)*$/.test(path))
    throw new Error(
      `\`--rehearsal-path\` is "${path}", which is not a Parameter Store path like /app/rehearsal/`,
    );
  const placeholders: Record<string, string> = {};
  for (const line of args.placeholder ?? []) {
    const eq = line.indexOf("=");
    const name = eq > 0 ? line.slice(0, eq) : "";
    if (!NAME.test(name))
      throw new Error("`--placeholder` takes NAME=VALUE, with a variable name before `=`");
    placeholders[name] = line.slice(eq + 1);
  }
  const actionInputs: Record<string, string> = { "poll-interval": "1s" };
  for (const key of ["probe-count", "max-error-rate", "bake-time", "wait-timeout"] as const) {
    const value = args[key];
    if (value !== undefined) actionInputs[key] = value;
  }
  const timeScale = args["time-scale"];
  let settings: Record<string, number> | undefined;
  if (timeScale !== undefined) {
    const n = Number(timeScale);
    if (!(n > 0 && n <= 1))
      throw new Error(`\`--time-scale\` is "${timeScale}", which is not a number in (0, 1]`);
    settings = { timeScale: n };
  }
  return {
    serviceName,
    image,
    ...(path ? { rehearsalPath: path } : {}),
    placeholders,
    actionInputs,
    ...(settings ? { settings } : {}),
  };
}
