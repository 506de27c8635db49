import type { ServiceKey } from "../model/account.js";
import { AwsError, validationShape } from "./errors.js";

/** Formats a field constraint violation the way each service words it. */
export function fieldError(service: ServiceKey, field: string, value: unknown, constraint: string): AwsError {
  const shown = JSON.stringify(value);
  switch (service) {
    case "ecr":
      return new AwsError(
        validationShape.ecr,
        `Invalid parameter at '${field}' failed to satisfy constraint: '${constraint}' (value: ${shown})`,
      );
    case "ssm":
      return new AwsError(
        validationShape.ssm,
        `1 validation error detected: Value ${shown} at '${field}' failed to satisfy constraint: Member ${constraint}`,
      );
    default:
      return new AwsError(validationShape.lightsail, `The ${field} ${shown} is not valid: it ${constraint}.`);
  }
}

type Json = unknown;

/**
 * Reads and validates the members of one JSON object. Every accessor names the full field path in its error,
 * so a bad nested value reads as e.g. `publicEndpoint.healthCheck.intervalSeconds`.
 */
export class Fields {
  constructor(
    readonly service: ServiceKey,
    private readonly body: Record<string, Json>,
    private readonly prefix = "",
  ) {}

  static of(service: ServiceKey, body: Json, prefix = ""): Fields {
    if (typeof body !== "object" || body === null || Array.isArray(body)) {
      throw fieldError(service, prefix || "request", body, "must be an object");
    }
    return new Fields(service, body as Record<string, Json>, prefix);
  }

  path(name: string): string {
    return this.prefix ? `${this.prefix}.${name}` : name;
  }

  fail(name: string, value: unknown, constraint: string): AwsError {
    return fieldError(this.service, this.path(name), value, constraint);
  }

  has(name: string): boolean {
    return this.body[name] !== undefined && this.body[name] !== null;
  }

  raw(name: string): Json {
    return this.body[name];
  }

  string(name: string, rules: StringRules & { required: true }): string;
  string(name: string, rules?: StringRules): string | undefined;
  string(name: string, rules: StringRules = {}): string | undefined {
    const value = this.body[name];
    if (value === undefined || value === null) {
      if (rules.required) throw this.fail(name, value ?? null, "is required");
      return undefined;
    }
    if (typeof value !== "string") throw this.fail(name, value, "must be a string");
    checkString(value, rules, (constraint) => this.fail(name, value, constraint));
    return value;
  }

  integer(name: string, rules: NumberRules & { required: true }): number;
  integer(name: string, rules?: NumberRules): number | undefined;
  integer(name: string, rules: NumberRules = {}): number | undefined {
    const value = this.number(name, rules);
    if (value !== undefined && !Number.isInteger(value)) throw this.fail(name, value, "must be an integer");
    return value;
  }

  number(name: string, rules: NumberRules = {}): number | undefined {
    const value = this.body[name];
    if (value === undefined || value === null) {
      if (rules.required) throw this.fail(name, value ?? null, "is required");
      return undefined;
    }
    if (typeof value !== "number" || !Number.isFinite(value))
      throw this.fail(name, value, "must be a number");
    if (rules.min !== undefined && value < rules.min) {
      throw this.fail(name, value, `must be greater than or equal to ${rules.min}`);
    }
    if (rules.max !== undefined && value > rules.max) {
      throw this.fail(name, value, `must be less than or equal to ${rules.max}`);
    }
    return value;
  }

  boolean(name: string): boolean | undefined {
    const value = this.body[name];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== "boolean") throw this.fail(name, value, "must be a boolean");
    return value;
  }

  object(name: string, required = false): Fields | undefined {
    const value = this.body[name];
    if (value === undefined || value === null) {
      if (required) throw this.fail(name, null, "is required");
      return undefined;
    }
    if (typeof value !== "object" || Array.isArray(value)) throw this.fail(name, value, "must be an object");
    return new Fields(this.service, value as Record<string, Json>, this.path(name));
  }

  /** A map member: returns its entries with each key checked by `checkKey`. */
  map(name: string, rules: { min?: number; max?: number } = {}): [string, Json][] | undefined {
    const fields = this.object(name);
    if (!fields) return undefined;
    const entries = Object.entries(fields.body);
    if (rules.min !== undefined && entries.length < rules.min) {
      throw this.fail(name, fields.body, `must have at least ${rules.min} entries`);
    }
    if (rules.max !== undefined && entries.length > rules.max) {
      throw this.fail(name, Object.keys(fields.body), `must have at most ${rules.max} entries`);
    }
    return entries;
  }

  array(name: string, rules: { min?: number; max?: number; required?: boolean } = {}): Json[] | undefined {
    const value = this.body[name];
    if (value === undefined || value === null) {
      if (rules.required) throw this.fail(name, null, "is required");
      return undefined;
    }
    if (!Array.isArray(value)) throw this.fail(name, value, "must be a list");
    if (rules.min !== undefined && value.length < rules.min) {
      throw this.fail(name, value, `must have length greater than or equal to ${rules.min}`);
    }
    if (rules.max !== undefined && value.length > rules.max) {
      throw this.fail(name, `${value.length} items`, `must have length less than or equal to ${rules.max}`);
    }
    return value;
  }

  stringList(
    name: string,
    rules: { min?: number; max?: number; required?: boolean; item?: StringRules } = {},
  ) {
    const values = this.array(name, rules);
    return values?.map((item, index) => {
      if (typeof item !== "string") throw this.fail(`${name}[${index}]`, item, "must be a string");
      checkString(item, rules.item ?? {}, (constraint) => this.fail(`${name}[${index}]`, item, constraint));
      return item;
    });
  }
}

export interface StringRules {
  required?: boolean;
  min?: number;
  max?: number;
  pattern?: RegExp;
  patternText?: string;
  oneOf?: readonly string[];
}

export interface NumberRules {
  required?: boolean;
  min?: number;
  max?: number;
}

export function checkString(value: string, rules: StringRules, fail: (constraint: string) => AwsError): void {
  if (rules.min !== undefined && value.length < rules.min) {
    throw fail(`must have length greater than or equal to ${rules.min}`);
  }
  if (rules.max !== undefined && value.length > rules.max) {
    throw fail(`must have length less than or equal to ${rules.max}`);
  }
  if (rules.oneOf && !rules.oneOf.includes(value)) {
    throw fail(`must be one of [${rules.oneOf.join(", ")}]`);
  }
  if (rules.pattern && !rules.pattern.test(value)) {
    throw fail(`must satisfy regular expression pattern: ${rules.patternText ?? rules.pattern.source}`);
  }
}
