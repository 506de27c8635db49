import { createHash } from "node:crypto";
import type { ParameterConfig } from "../config/config.js";
import { ACCOUNT_ID } from "../model/account.js";
import type { ParameterRecord, PersistedState } from "../state/state.js";

/**
 * Brings the stored parameters in line with the config: a declared parameter that the API never wrote takes
 * the config's value (a new Version when it changed); one the API wrote (PutParameter) keeps its value.
 * Config-seeded parameters dropped from the config go; API-written ones stay.
 */
export function syncParameters(state: PersistedState, declared: ParameterConfig[], now: number): void {
  const parameters = state.parameters ?? {};
  for (const parameter of declared) {
    const existing = parameters[parameter.name];
    if (existing?.source === "api") continue;
    if (existing && existing.value === parameter.value && existing.type === parameter.type) continue;
    parameters[parameter.name] = {
      name: parameter.name,
      type: parameter.type,
      value: parameter.value,
      version: (existing?.version ?? 0) + 1,
      lastModifiedDate: now,
      source: "config",
    };
  }
  for (const [name, record] of Object.entries(parameters)) {
    if (record.source === "config" && !declared.some((p) => p.name === name)) delete parameters[name];
  }
  state.parameters = parameters;
}

/** Stands in for KMS ciphertext: stable per value, and the plaintext cannot be read back from it. */
function opaqueCiphertext(parameter: ParameterRecord): string {
  const digest = createHash("sha256").update(`${parameter.name}\0${parameter.value}`).digest("base64");
  return `AQICAHlocal-aws${digest}`;
}

/** The `Parameter` shape of GetParameter and GetParametersByPath. */
export function parameterView(parameter: ParameterRecord, region: string, decrypt: boolean) {
  return {
    Name: parameter.name,
    Type: parameter.type,
    Value: parameter.type === "SecureString" && !decrypt ? opaqueCiphertext(parameter) : parameter.value,
    Version: parameter.version,
    LastModifiedDate: parameter.lastModifiedDate,
    ARN: `arn:aws:ssm:${region}:${ACCOUNT_ID}:parameter/${parameter.name.replace(/^\//, "")}`,
    DataType: "text",
  };
}
