import { createHash } from "node:crypto";
import type { ParameterConfig } from "../config/config.js";
import { ACCOUNT_ID } from "../ecr/ecr-service.js";
import { AwsError } from "../protocol/errors.js";
import { Fields } from "../protocol/fields.js";

/** Stands in for KMS ciphertext: stable per value, and the plaintext cannot be read back from it. */
function opaqueCiphertext(parameter: ParameterConfig): string {
  const digest = createHash("sha256").update(`${parameter.name}\0${parameter.value}`).digest("base64");
  return `AQICAHlocal-aws${digest}`;
}

/** SSM Parameter Store, read-only, seeded from the config file. */
export class SsmService {
  constructor(
    private readonly parameters: ParameterConfig[],
    private readonly region: string,
    private readonly startedAt: number,
  ) {}

  readonly handlers: Record<string, (body: unknown) => Promise<unknown>> = {
    GetParametersByPath: async (body) => {
      const fields = Fields.of("ssm", body);
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
      if (path.split("/").filter(Boolean).length > 15) {
        throw fields.fail("path", path, "must have a hierarchy depth of at most 15");
      }
      const prefix = path.endsWith("/") ? path : `${path}/`;
      const matching = this.parameters
        .filter((p) => p.name.startsWith(prefix) && (recursive || !p.name.slice(prefix.length).includes("/")))
        .sort((a, b) => a.name.localeCompare(b.name));
      let offset = 0;
      if (nextToken !== undefined) {
        offset = Number(Buffer.from(nextToken, "base64url").toString("utf8"));
        if (!Number.isInteger(offset) || offset < 0 || offset > matching.length) {
          throw new AwsError("InvalidNextToken", `The NextToken ${JSON.stringify(nextToken)} is not valid.`);
        }
      }
      const page = matching.slice(offset, offset + maxResults);
      const end = offset + page.length;
      return {
        Parameters: page.map((p) => ({
          Name: p.name,
          Type: p.type,
          Value: p.type === "SecureString" && !decrypt ? opaqueCiphertext(p) : p.value,
          Version: 1,
          LastModifiedDate: this.startedAt,
          ARN: `arn:aws:ssm:${this.region}:${ACCOUNT_ID}:parameter${p.name}`,
          DataType: "text",
        })),
        ...(end < matching.length ? { NextToken: Buffer.from(String(end)).toString("base64url") } : {}),
      };
    },
  };
}
