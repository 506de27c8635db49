import type { Logger } from "../platform/deps.js";

/** The one minimum length (see secret-list.ts), re-exported where environment values are masked. */
export { MIN_MASKED_LENGTH } from "../platform/secret-list.js";

/**
 * Masks every container environment value found anywhere in `value` (a request or an answer): a deployment
 * can hold secrets from earlier runs or from the console, which this run never read from `ssm-path`.
 * `unmasked`: variables that hold the action's own markers (a deploy id), never a secret.
 */
export function maskEnvironmentValues(
  value: unknown,
  log: Logger,
  unmasked: ReadonlySet<string> = new Set(),
): void {
  if (typeof value !== "object" || value === null) return;
  if (Array.isArray(value)) {
    for (const item of value) maskEnvironmentValues(item, log, unmasked);
    return;
  }
  for (const [key, child] of Object.entries(value)) {
    if (key === "environment" && typeof child === "object" && child !== null && !Array.isArray(child)) {
      for (const [name, secret] of Object.entries(child)) {
        if (!unmasked.has(name) && typeof secret === "string") log.setSecret(secret);
      }
    } else {
      maskEnvironmentValues(child, log, unmasked);
    }
  }
}
