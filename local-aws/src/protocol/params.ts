import { AwsError } from "./errors.js";

/**
 * Reads request members that may come as awsJson (typed values) or as awsQuery (every leaf a string): the
 * same handler serves both, so numbers and booleans are accepted in either form. Errors name the member and
 * show the value, with the shape the caller picks (`ValidationError` for the query-era APIs).
 */
export class Params {
  constructor(
    private readonly body: Record<string, unknown>,
    private readonly shape: string,
    private readonly prefix = "",
  ) {}

  static of(body: unknown, shape: string): Params {
    const object = typeof body === "object" && body !== null && !Array.isArray(body) ? body : {};
    return new Params(object as Record<string, unknown>, shape);
  }

  fail(name: string, value: unknown, constraint: string): AwsError {
    const where = this.prefix ? `${this.prefix}.${name}` : name;
    return new AwsError(
      this.shape,
      `1 validation error detected: Value ${JSON.stringify(value ?? null)} at '${where}' failed to satisfy constraint: ${constraint}`,
    );
  }

  has(name: string): boolean {
    return this.body[name] !== undefined && this.body[name] !== null;
  }

  string(name: string, required: true, max?: number): string;
  string(name: string, required?: boolean, max?: number): string | undefined;
  string(name: string, required = false, max = 1024): string | undefined {
    const value = this.body[name];
    if (value === undefined || value === null) {
      if (required) throw this.fail(name, value, "Member must not be null");
      return undefined;
    }
    if (typeof value !== "string") throw this.fail(name, value, "Member must be a string");
    if (value.length < 1 || value.length > max)
      throw this.fail(name, value, `Member must have length between 1 and ${max}`);
    return value;
  }

  oneOf<T extends string>(name: string, values: readonly T[], required = false): T | undefined {
    const value = this.string(name, required);
    if (value !== undefined && !values.includes(value as T))
      throw this.fail(name, value, `Member must satisfy enum value set: [${values.join(", ")}]`);
    return value as T | undefined;
  }

  number(name: string, min = -Infinity, max = Infinity): number | undefined {
    const value = this.body[name];
    if (value === undefined || value === null) return undefined;
    const parsed = typeof value === "string" && value.trim() !== "" ? Number(value) : value;
    if (typeof parsed !== "number" || !Number.isFinite(parsed))
      throw this.fail(name, value, "Member must be a number");
    if (parsed < min || parsed > max)
      throw this.fail(name, value, `Member must be between ${min} and ${max}`);
    return parsed;
  }

  integer(name: string, min = -Infinity, max = Infinity): number | undefined {
    const value = this.number(name, min, max);
    if (value !== undefined && !Number.isInteger(value))
      throw this.fail(name, value, "Member must be an integer");
    return value;
  }

  boolean(name: string): boolean | undefined {
    const value = this.body[name];
    if (value === undefined || value === null) return undefined;
    if (value === true || value === "true") return true;
    if (value === false || value === "false") return false;
    throw this.fail(name, value, "Member must be a boolean");
  }

  strings(name: string, maxItems = 100): string[] | undefined {
    const list = this.list(name, maxItems);
    if (list?.some((item) => typeof item !== "string"))
      throw this.fail(name, list, "Member must be a list of strings");
    return list as string[] | undefined;
  }

  list(name: string, maxItems = 100): unknown[] | undefined {
    const value = this.body[name];
    if (value === undefined || value === null || value === "") return undefined;
    if (!Array.isArray(value)) throw this.fail(name, value, "Member must be a list");
    if (value.length > maxItems)
      throw this.fail(name, value, `Member must have length less than or equal to ${maxItems}`);
    return value;
  }

  /** A nested structure, read with the member path in its errors. */
  object(name: string, item?: unknown): Params {
    const value = item ?? this.body[name];
    if (typeof value !== "object" || value === null || Array.isArray(value))
      throw this.fail(name, value, "Member must be a structure");
    const where = this.prefix ? `${this.prefix}.${name}` : name;
    return new Params(value as Record<string, unknown>, this.shape, where);
  }
}
