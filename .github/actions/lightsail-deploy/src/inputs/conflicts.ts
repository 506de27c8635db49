// Conflict rules: inputs that cannot go together, and inputs the action does not know.
import { DeployError } from "../platform/errors.js";
import { INPUT_NAMES, type InputName, LINE_LISTS, type RawInputs } from "./schema.js";
import { isSet } from "./values.js";

/** Inputs that change what gets built or deployed; a rollback redeploys an old configuration as it was. */
export const CHANGE_INPUTS: InputName[] = [
  "promote",
  "image",
  "context",
  "dockerfile",
  "build-args",
  "tag",
  "environment",
  "ssm-path",
  "container-port",
  "health-check-path",
  "health-check-interval",
  "health-check-timeout",
  "healthy-threshold",
  "unhealthy-threshold",
  "success-codes",
];

/** An input as an error shows it: line lists by their keys only, since their values may be secrets. */
export function shown(raw: RawInputs, name: InputName): string {
  const value = raw[name]?.trim() ?? "";
  if (!LINE_LISTS.has(name)) return `\`${name}\` (${JSON.stringify(value)})`;
  const keys = value
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== "" && !line.startsWith("#"))
    .map((line) => (line.includes("=") ? line.slice(0, line.indexOf("=")).trim() : "?"));
  return `\`${name}\` (keys ${keys.join(", ")})`;
}

export function rejectConflicts(raw: RawInputs): void {
  const conflict = (a: InputName, b: InputName, why: string) =>
    new DeployError(
      `${shown(raw, a)} conflicts with ${shown(raw, b)}: ${why}`,
      "inputs",
      `remove one of \`${a}\` and \`${b}\``,
    );
  if (isSet(raw, "rollback-to")) {
    const other = CHANGE_INPUTS.find((name) => isSet(raw, name));
    if (other)
      throw conflict(
        "rollback-to",
        other,
        "a rollback redeploys an earlier image and configuration unchanged",
      );
  }
  if (isSet(raw, "promote")) {
    const other = (["image", "context", "dockerfile", "build-args", "tag"] as const).find((name) =>
      isSet(raw, name),
    );
    if (other)
      throw conflict(
        "promote",
        other,
        "a promotion deploys an image already in ECR, so nothing is built or pushed",
      );
  }
  if (isSet(raw, "promote-from") && !isSet(raw, "promote")) {
    throw new DeployError(
      "`promote-from` is set without `promote`: it names the environment a promoted image comes from",
      "inputs",
      "set `promote` to the digest or tag to promote, or remove `promote-from`",
    );
  }
  if (isSet(raw, "image")) {
    const other = (["context", "dockerfile", "build-args"] as const).find((name) => isSet(raw, name));
    if (other) throw conflict("image", other, "`image` pushes a prebuilt image, so nothing is built");
  }
}

export function rejectUnknown(raw: RawInputs): void {
  const known = new Set<string>(INPUT_NAMES);
  const unknown = Object.keys(raw).find((name) => !known.has(name));
  if (unknown !== undefined) {
    throw new DeployError(
      // Its value is not shown: a misspelt `environment` would print its secrets.
      `unknown input \`${unknown}\``,
      "inputs",
      `use one of: ${INPUT_NAMES.join(", ")}`,
    );
  }
}
