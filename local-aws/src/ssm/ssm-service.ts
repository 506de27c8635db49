import { AwsError, ssmValidation } from "../protocol/errors.js";
import { Fields, type StringRules } from "../protocol/fields.js";
import type { ParameterRecord } from "../state/state.js";
import type { StateStore } from "../state/state-store.js";
import { parameterView } from "./parameter-store.js";

/** Standard-tier values hold at most 4096 characters (the only tier emulated). */
export const MAX_STANDARD_VALUE = 4096;
/**
 * GetParametersByPath looks at no more than this many parameters under the path per call, so a call can
 * return fewer than MaxResults (even none) with a NextToken, as AWS documents it may.
 */
export const SCANNED_PER_CALL = 10;
const MAX_DEPTH = 15;
const PARAMETER_TYPES = ["String", "StringList", "SecureString"] as const;

const nameRules: StringRules & { required: true } = {
  required: true,
  min: 1,
  max: 2048,
  pattern: /^(?:(?:\/[a-zA-Z0-9_.-]+)+|[a-zA-Z0-9_.-]+)$/,
  patternText: "a name of a-zA-Z0-9_.- characters, or a path of such segments each after a /",
};

function depth(name: string): number {
  return name.split("/").filter(Boolean).length;
}

function decodeOffset(token: string | undefined, limit: number): number {
  if (token === undefined) return 0;
  const offset = Number(Buffer.from(token, "base64url").toString("utf8"));
  if (!Number.isInteger(offset) || offset < 0 || offset > limit) {
    throw new AwsError("InvalidNextToken", `The NextToken ${JSON.stringify(token)} is not valid.`);
  }
  return offset;
}

/** SSM Parameter Store over the parameters in the state store (seeded from the config, written by PutParameter). */
export class SsmService {
  constructor(
    private readonly store: StateStore,
    private readonly region: string,
    private readonly now: () => number,
  ) {}

  private get parameters(): Record<string, ParameterRecord> {
    this.store.state.parameters ??= {};
    return this.store.state.parameters;
  }

  readonly handlers: Record<string, (body: unknown) => Promise<unknown>> = {
    GetParametersByPath: async (body) => this.getParametersByPath(Fields.of("ssm", body)),

    GetParameter: async (body) => {
      const fields = Fields.of("ssm", body);
      const name = fields.string("Name", {
        ...nameRules,
        patternText: `${nameRules.patternText} (selectors like :2 are not emulated)`,
      });
      const decrypt = fields.boolean("WithDecryption") ?? false;
      const parameter = this.parameters[name];
      if (!parameter) throw new AwsError("ParameterNotFound", `Parameter ${name} not found.`);
      return { Parameter: parameterView(parameter, this.region, decrypt) };
    },

    PutParameter: async (body) => this.putParameter(Fields.of("ssm", body)),

    DeleteParameters: async (body) => this.deleteParameters(Fields.of("ssm", body)),
  };

  /** As AWS: names that are not there are listed as InvalidParameters, not an error. */
  private deleteParameters(fields: Fields) {
    const names = fields.stringList("Names", { required: true, min: 1, max: 10, item: nameRules }) ?? [];
    const deleted: string[] = [];
    const invalid: string[] = [];
    for (const name of names) {
      if (this.parameters[name]) {
        delete this.parameters[name];
        deleted.push(name);
      } else {
        invalid.push(name);
      }
    }
    if (deleted.length > 0) this.store.save();
    return { DeletedParameters: deleted, InvalidParameters: invalid };
  }

  private getParametersByPath(fields: Fields) {
    const path = fields.string("Path", {
      required: true,
      min: 1,
      max: 2048,
      pattern: /^\/([a-zA-Z0-9_.-]+\/?)*$/,
      patternText: "a path starting with / made of a-zA-Z0-9_.- segments",
    });
    const recursive = fields.boolean("Recursive") ?? false;
    const decrypt = fields.boolean("WithDecryption") ?? false;
    const maxResults = fields.integer("MaxResults", { min: 1, max: 10 }) ?? 10;
    const nextToken = fields.string("NextToken", { min: 1, max: 64 });
    if (fields.has("ParameterFilters")) {
      throw fields.fail(
        "parameterFilters",
        fields.raw("ParameterFilters"),
        "is not supported by local-aws; omit it",
      );
    }
    if (depth(path) > MAX_DEPTH) {
      throw fields.fail("path", path, `must have a hierarchy depth of at most ${MAX_DEPTH}`);
    }
    const prefix = path.endsWith("/") ? path : `${path}/`;
    const candidates = Object.values(this.parameters)
      .filter((p) => p.name.startsWith(prefix))
      .sort((a, b) => a.name.localeCompare(b.name));
    const start = decodeOffset(nextToken, candidates.length);
    const page: ParameterRecord[] = [];
    let index = start;
    // Deeper parameters of a non-recursive call are looked at too, and count towards the scan limit.
    while (index < candidates.length && page.length < maxResults && index - start < SCANNED_PER_CALL) {
      const candidate = candidates[index] as ParameterRecord;
      if (recursive || !candidate.name.slice(prefix.length).includes("/")) page.push(candidate);
      index += 1;
    }
    return {
      Parameters: page.map((p) => parameterView(p, this.region, decrypt)),
      ...(index < candidates.length ? { NextToken: Buffer.from(String(index)).toString("base64url") } : {}),
    };
  }

  private putParameter(fields: Fields) {
    const name = fields.string("Name", nameRules);
    const value = fields.string("Value", { required: true });
    const type = fields.string("Type", { oneOf: PARAMETER_TYPES }) as ParameterRecord["type"] | undefined;
    const overwrite = fields.boolean("Overwrite") ?? false;
    fields.string("Description", { max: 1024 });
    fields.string("Tier", { oneOf: ["Standard"] });
    fields.string("DataType", { oneOf: ["text"] });
    for (const unsupported of ["KeyId", "AllowedPattern", "Tags", "Policies"]) {
      if (fields.has(unsupported)) {
        throw fields.fail(unsupported, "(given)", "is not supported by local-aws; omit it");
      }
    }
    if (/^\/?(aws|ssm)/i.test(name)) {
      throw ssmValidation(`Parameter name: can't be prefixed with "aws" or "ssm" (case-insensitive).`);
    }
    if (depth(name) > MAX_DEPTH) {
      throw new AwsError(
        "HierarchyLevelLimitExceededException",
        `Parameter name ${name} has more than ${MAX_DEPTH} levels; the hierarchy limit is ${MAX_DEPTH}.`,
      );
    }
    // The value is never echoed: it may be a secret.
    if (value.length > MAX_STANDARD_VALUE) {
      throw ssmValidation(
        `Standard tier parameters support a maximum parameter value of ${MAX_STANDARD_VALUE} characters (this one has ${value.length}). To create a larger parameter value, upgrade the parameter to use the advanced-parameter tier (not emulated by local-aws).`,
      );
    }
    const existing = this.parameters[name];
    if (existing && !overwrite) {
      throw new AwsError(
        "ParameterAlreadyExists",
        "The parameter already exists. To overwrite this value, set the overwrite option in the request to true.",
      );
    }
    if (!existing && !type) throw ssmValidation("A parameter type is required when you create a parameter.");
    const record: ParameterRecord = {
      name,
      type: type ?? (existing as ParameterRecord).type,
      value,
      version: (existing?.version ?? 0) + 1,
      lastModifiedDate: this.now() / 1000,
      source: "api",
    };
    this.parameters[name] = record;
    this.store.save();
    return { Version: record.version, Tier: "Standard" };
  }
}
