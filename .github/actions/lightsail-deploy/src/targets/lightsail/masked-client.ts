import type { LightsailClient } from "@aws-sdk/client-lightsail";
import type { Logger } from "../../platform/deps.js";
import { maskEnvironmentValues } from "../../release/masking.js";
import type { AwsClients } from "./clients.js";
import { DEPLOY_ID_VARIABLE } from "./release/deployment-id.js";

/** The variable the action stamps on its deployments: an id, not a secret (see deployment-id.ts). */
export const UNMASKED_VARIABLES: ReadonlySet<string> = new Set([DEPLOY_ID_VARIABLE]);

/**
 * The clients, with every Lightsail request and answer passing through maskEnvironmentValues before the
 * caller sees it. One place, so that no code path (deploy, rollback, dry run, logs) can forget it.
 */
export function withMaskedEnvironments(aws: AwsClients, log: Logger): AwsClients {
  const inner = aws.lightsail;
  const send = (async (command: { input: unknown }, ...rest: unknown[]) => {
    maskEnvironmentValues(command.input, log, UNMASKED_VARIABLES);
    const out: unknown = await (inner.send as (...args: unknown[]) => Promise<unknown>)(command, ...rest);
    maskEnvironmentValues(out, log, UNMASKED_VARIABLES);
    return out;
  }) as LightsailClient["send"];
  const lightsail = new Proxy(inner, {
    get: (target, property, receiver) =>
      property === "send" ? send : (Reflect.get(target, property, receiver) as unknown),
  });
  return { ...aws, lightsail };
}
