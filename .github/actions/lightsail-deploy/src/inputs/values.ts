// Value parsers: one input's text to a checked value, the error naming the input and showing the value.
import { DeployError } from "../platform/errors.js";
import { INPUT_DEFAULTS, type InputName, type RawInputs } from "./schema.js";

// Lightsail names: 1–63 (services) or 1–53 (containers) of a-z, 0-9 and -, no hyphen at either end.
export const LIGHTSAIL_NAME = /^(?:[a-z0-9]{1,2}|[a-z0-9][a-z0-9-]+[a-z0-9])$/;
// ECR repository names: 2–256 characters of lower-case path components.

export const ECR_REPOSITORY =
  /^(?=.{2,256}$)[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*)*$/;

export const DOCKER_TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

export const POSIX_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/**
 * A Parameter Store path: `/`, then segments of these characters, each ended by `/` or the end. Linear: one
 * character class with no quantified group (the old `(?:[...]+\/?)*` backtracked exponentially on a long
 * segment with one bad character); an empty segment (`//`) is refused apart from the pattern.
 */

export const SSM_PATH = /^\/[A-Za-z0-9_./-]*$/;

export const IMAGE_DIGEST = /^sha256:[0-9a-f]{64}$/;
// An environment's name as a GitHub environment may spell it, shown in the summary and the record.

export const ENVIRONMENT_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

export const SSM_PARAMETER = /^(?:\/[A-Za-z0-9_.-]+){1,15}$/;

export const LIGHTSAIL_REGIONS = new Set([
  "us-east-1",
  "us-east-2",
  "us-west-1",
  "us-west-2",
  "eu-west-1",
  "eu-west-2",
  "eu-west-3",
  "eu-central-1",
  "eu-north-1",
  "ca-central-1",
  "ap-south-1",
  "ap-southeast-1",
  "ap-southeast-2",
  "ap-southeast-3",
  "ap-southeast-5",
  "ap-northeast-1",
  "ap-northeast-2",
]);

export function invalid(name: string, value: string, rule: string): DeployError {
  return new DeployError(
    `\`${name}\` is ${JSON.stringify(value)}, which ${rule}`,
    "inputs",
    `fix \`${name}\``,
  );
}

/** Reads a value with the default applied; empty means unset, as GitHub passes unset inputs as "". */
export function text(raw: RawInputs, name: InputName): string | undefined {
  const value = raw[name]?.trim();
  if (value) return value;
  return INPUT_DEFAULTS[name];
}

export function isSet(raw: RawInputs, name: InputName): boolean {
  const value = raw[name]?.trim();
  return value !== undefined && value !== "" && value !== INPUT_DEFAULTS[name];
}

export function integer(raw: RawInputs, name: InputName, min: number, max: number): number | undefined {
  const value = text(raw, name);
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) {
    throw invalid(name, value, `is not a whole number from ${min} to ${max}`);
  }
  return Number(value);
}

export function boolean(raw: RawInputs, name: InputName): boolean {
  const value = text(raw, name) ?? "false";
  if (/^(true|yes)$/i.test(value)) return true;
  if (/^(false|no)$/i.test(value)) return false;
  throw invalid(name, value, "is not true or false");
}

export const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** `500ms`, `5s`, `20m`, `1h`; a bare number means seconds. */
export function parseDuration(value: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(value);
  if (!match) return undefined;
  return Math.round(Number(match[1]) * (DURATION_UNITS[match[2] ?? "s"] ?? 1000));
}

export function duration(
  raw: RawInputs,
  name: InputName,
  minMs: number,
  maxMs: number,
  range: string,
): number {
  const value = text(raw, name) ?? "";
  const ms = parseDuration(value);
  if (ms === undefined || ms < minMs || ms > maxMs) {
    throw invalid(name, value, `is not a duration from ${range} (write it like 5s, 20m or 1h)`);
  }
  return ms;
}

export function percentage(raw: RawInputs, name: InputName): number {
  const value = text(raw, name) ?? "";
  const match = /^(\d+(?:\.\d+)?)%$/.exec(value);
  if (!match || Number(match[1]) > 100) throw invalid(name, value, "is not a percentage from 0% to 100%");
  return Number(match[1]) / 100;
}

/** `KEY=VALUE` lines; blank lines and `#` comments are skipped. Values may contain `=`. */
export function parseKeyValueLines(name: string, value: string | undefined): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [index, line] of (value ?? "").split(/\r?\n/).entries()) {
    const trimmed = line.trim();
    if (trimmed === "" || trimmed.startsWith("#")) continue;
    const equals = trimmed.indexOf("=");
    // The value may be a secret, so errors show only the line number.
    if (equals === -1) {
      // A line without `=` may be a value that lost its key, so not even it is shown.
      throw new DeployError(
        `\`${name}\` line ${index + 1} is not a KEY=VALUE line`,
        "inputs",
        `fix \`${name}\``,
      );
    }
    const key = trimmed.slice(0, equals).trim();
    if (!POSIX_NAME.test(key)) {
      // Not even the key is shown: a line like `PASSWORD:s3cret=x` or a value pasted without its key puts
      // most of a secret before the `=`.
      throw new DeployError(
        `\`${name}\` line ${index + 1}: the text before \`=\` is not a variable name (letters, digits and _, not starting with a digit; the line is not shown, as it may hold a secret)`,
        "inputs",
        `fix line ${index + 1} of \`${name}\``,
      );
    }
    result[key] = trimmed.slice(equals + 1);
  }
  return result;
}

/** `200`, `200,202`, `200-299`: the Lightsail health-check form, each code from 200 to 499. */
export function successCodes(raw: RawInputs): string | undefined {
  const value = text(raw, "success-codes");
  if (value === undefined) return undefined;
  const inRange = (code: string) => Number(code) >= 200 && Number(code) <= 499;
  const valid = value.split(",").every((part) => {
    const match = /^(\d{3})(?:-(\d{3}))?$/.exec(part.trim());
    if (!match?.[1] || !inRange(match[1])) return false;
    return match[2] === undefined || (inRange(match[2]) && Number(match[2]) >= Number(match[1]));
  });
  if (!valid)
    throw invalid(
      "success-codes",
      value,
      "is not a list of HTTP codes or ranges from 200 to 499 (e.g. 200-299)",
    );
  return value.replace(/\s+/g, "");
}

export function matching(
  raw: RawInputs,
  name: InputName,
  pattern: RegExp,
  rule: string,
  maxLength = Infinity,
) {
  const value = text(raw, name);
  if (value !== undefined && (!pattern.test(value) || value.length > maxLength))
    throw invalid(name, value, rule);
  return value;
}

/** A path on the service's own host: `//host/x` (and `/\host/x`, which URLs read alike) names another host. */
export function path(raw: RawInputs, name: InputName): string | undefined {
  return matching(
    raw,
    name,
    /^\/(?!\/)[^\s?#\\]*$/,
    "is not a URL path on the service (one / then the path, without spaces, ?, # or \\)",
  );
}

/** A path handed to docker: one starting with `-` would read as an option (`-` alone means stdin). */
export function notAnOption(raw: RawInputs, name: InputName): string | undefined {
  return matching(raw, name, /^[^-]/, "starts with -, which docker would read as an option (write ./-name)");
}
