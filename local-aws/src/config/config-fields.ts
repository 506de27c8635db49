/** Readers for the config file: every error names the field and shows the bad value. */
export class ConfigError extends Error {}

export function fail(path: string, value: unknown, expected: string): never {
  throw new ConfigError(`local-aws config: \`${path}\` is ${JSON.stringify(value)}; expected ${expected}`);
}

export function asObject(value: unknown, path: string): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) fail(path, value, "an object");
  return value as Record<string, unknown>;
}

export function asArray(value: unknown, path: string): unknown[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) fail(path, value, "a list");
  return value;
}

export function optionalNumber(
  value: unknown,
  path: string,
  fallback: number,
  min: number,
  max: number,
): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isFinite(value) || value < min || value > max) {
    fail(path, value, `a number from ${min} to ${max}`);
  }
  return value;
}
