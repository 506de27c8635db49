import type { ServiceKey } from "../model/account.js";
import { AwsError } from "./errors.js";
import { decodeQuery, QUERY_APIS } from "./query.js";

const TARGET_PREFIXES: [string, ServiceKey][] = [
  ["AmazonEC2ContainerRegistry_V20150921.", "ecr"],
  ["Lightsail_20161128.", "lightsail"],
  ["AmazonSSM.", "ssm"],
  ["AmazonEC2ContainerServiceV20141113.", "ecs"],
  ["GraniteServiceVersion20100801.", "cloudwatch"],
  ["Logs_20140328.", "logs"],
];

/** awsJson1_0 for CloudWatch (the JS SDK v3's protocol for it), awsJson1_1 for the rest, or awsQuery. */
export type Wire = "json1.0" | "json1.1" | "query";

/** A routed request: the API, the operation, how it came (and so how to answer), its decoded body. */
export interface Routed {
  api: ServiceKey;
  operation: string;
  wire: Wire;
  body: unknown;
}

/** Splits `X-Amz-Target` into the API and the operation name. */
export function parseTarget(target: string | undefined): { api: ServiceKey; operation: string } | undefined {
  if (!target) return undefined;
  for (const [prefix, api] of TARGET_PREFIXES) {
    if (target.startsWith(prefix)) return { api, operation: target.slice(prefix.length) };
  }
  return undefined;
}

/**
 * Which API and operation a request is for: `X-Amz-Target` for the JSON protocols, or a form body's `Action`
 * and `Version` for awsQuery (ELBv2, and CloudWatch from older CLIs). Never the path: clients post to `/`.
 */
export function route(
  method: string,
  rawTarget: string | undefined,
  contentType: string | undefined,
  text: string,
): Routed | AwsError {
  const target = parseTarget(rawTarget);
  if (method === "POST" && target) {
    const wire: Wire = target.api === "cloudwatch" ? "json1.0" : "json1.1";
    return { ...target, wire, body: parseJson(text) };
  }
  if (method === "POST" && !rawTarget && contentType?.startsWith("application/x-www-form-urlencoded")) {
    const query = decodeQuery(text);
    const api = QUERY_APIS[query.version]?.api;
    if (api && query.action) return { api, operation: query.action, wire: "query", body: query.params };
  }
  const shown = JSON.stringify(rawTarget ?? null);
  return new AwsError("UnknownOperationException", `Unrecognized X-Amz-Target ${shown}`);
}

function parseJson(text: string): unknown {
  try {
    return text.trim() ? JSON.parse(text) : {};
  } catch {
    return new AwsError("SerializationException", "The request body is not valid JSON");
  }
}
