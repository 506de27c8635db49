import type { LightsailClient } from "@aws-sdk/client-lightsail";
import type { AwsClients, Logger } from "../platform/deps.js";
import { DEPLOY_ID_VARIABLE } from "./deployment-id.js";

/** The one minimum length (see secret-list.ts), re-exported where environment values are masked. */
export { MIN_MASKED_LENGTH } from "../platform/secret-list.js";

/**
 * Masks every container environment value found anywhere in `value` (a request or an answer): a deployment
 * can hold secrets from earlier runs or from the console, which this run never read from `ssm-path`.
 */
export function maskEnvironmentValues(value: unknown, log: Logger): void {
  if (typeof value !== "object" || value === null) return;
  if (Array.isArray(value)) {
    for (const item of value) maskEnvironmentValues(item, log);
    return;
  }
  for (const [key, child] of Object.entries(value)) {
    if (key === "environment" && typeof child === "object" && child !== null && !Array.isArray(child)) {
      for (const [name, secret] of Object.entries(child)) {
        if (name !== DEPLOY_ID_VARIABLE && typeof secret === "string") log.setSecret(secret);
      }
    } else {
      maskEnvironmentValues(child, log);
    }
  }
}

/**
 * The clients, with every Lightsail request and answer passing through maskEnvironmentValues before the
 * caller sees it. One place, so that no code path (deploy, rollback, dry run, logs) can forget it.
 */
export function withMaskedEnvironments(aws: AwsClients, log: Logger): AwsClients {
  const inner = aws.lightsail;
  const send = (async (command: { input: unknown }, ...rest: unknown[]) => {
    maskEnvironmentValues(command.input, log);
    const out: unknown = await (inner.send as (...args: unknown[]) => Promise<unknown>)(command, ...rest);
    maskEnvironmentValues(out, log);
    return out;
  }) as LightsailClient["send"];
  const lightsail = new Proxy(inner, {
    get: (target, property, receiver) =>
      property === "send" ? send : (Reflect.get(target, property, receiver) as unknown),
  });
  return { ...aws, lightsail };
}
