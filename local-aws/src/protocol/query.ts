import type { ServiceKey } from "../model/account.js";

/** The awsQuery APIs the stand-in speaks, by the `Version` a request names, with their XML namespaces. */
export const QUERY_APIS: Record<string, { api: ServiceKey; namespace: string }> = {
  "2015-12-01": { api: "elbv2", namespace: "http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/" },
  "2010-08-01": { api: "cloudwatch", namespace: "http://monitoring.amazonaws.com/doc/2010-08-01/" },
};

/**
 * The wire code of a query error, where the model's `error.code` differs from the shape name (botocore 1.43
 * elbv2 and cloudwatch). The awsJson answers name the shape; the query answers name this code.
 */
export const QUERY_ERROR_CODES: Record<string, string> = {
  TargetGroupNotFoundException: "TargetGroupNotFound",
  ListenerNotFoundException: "ListenerNotFound",
  RuleNotFoundException: "RuleNotFound",
  LoadBalancerNotFoundException: "LoadBalancerNotFound",
  InvalidTargetException: "InvalidTarget",
  ResourceNotFound: "ResourceNotFound",
  InvalidParameterValueException: "InvalidParameterValue",
  MissingRequiredParameterException: "MissingParameter",
  LimitExceededFault: "LimitExceeded",
  InternalServiceFault: "InternalServiceError",
  InvalidFormatFault: "InvalidFormat",
};

export interface QueryRequest {
  action: string;
  version: string;
  params: Record<string, unknown>;
}

type Tree = { [key: string]: Tree | string };

/**
 * Decodes a form body (`Action=…&Names.member.1=a`) into the nested shape the JSON protocols carry: `member.N`
 * and `entry.N` levels become arrays in index order. Leaves stay strings; handlers coerce numbers.
 */
export function decodeQuery(text: string): QueryRequest {
  const root: Tree = {};
  let action = "";
  let version = "";
  for (const [key, value] of new URLSearchParams(text)) {
    if (key === "Action") action = value;
    else if (key === "Version") version = value;
    else insert(root, key.split("."), value);
  }
  return { action, version, params: finish(root) as Record<string, unknown> };
}

function insert(tree: Tree, path: string[], value: string): void {
  let node = tree;
  for (const [index, part] of path.entries()) {
    if (index === path.length - 1) {
      node[part] = value;
      return;
    }
    const next = node[part];
    if (typeof next === "object") node = next;
    else {
      const created: Tree = {};
      node[part] = created;
      node = created;
    }
  }
}

function finish(node: Tree | string): unknown {
  if (typeof node === "string") return node;
  const keys = Object.keys(node);
  const listKey = keys.length === 1 && (keys[0] === "member" || keys[0] === "entry") ? keys[0] : undefined;
  if (listKey) {
    const items = node[listKey] as Tree;
    return Object.keys(items)
      .map(Number)
      .sort((a, b) => a - b)
      .map((index) => finish(items[String(index)] as Tree | string));
  }
  return Object.fromEntries(keys.map((key) => [key, finish(node[key] as Tree | string)]));
}

function escapeXml(text: string): string {
  return text
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;");
}

/** One element: lists as `<member>` children (no flattened lists in these models), dates as ISO 8601. */
export function toXml(name: string, value: unknown): string {
  if (value === undefined || value === null) return "";
  if (value instanceof Date) return `<${name}>${value.toISOString()}</${name}>`;
  if (Array.isArray(value))
    return `<${name}>${value.map((item) => toXml("member", item)).join("")}</${name}>`;
  if (typeof value === "object") {
    const children = Object.entries(value as Record<string, unknown>)
      .map(([key, child]) => toXml(key, child))
      .join("");
    return `<${name}>${children}</${name}>`;
  }
  return `<${name}>${escapeXml(String(value))}</${name}>`;
}

/** `<OpResponse><OpResult>…</OpResult><ResponseMetadata>…` as awsQuery answers a success. */
export function queryResponse(
  operation: string,
  namespace: string,
  result: unknown,
  requestId: string,
): string {
  const empty =
    result === undefined || (typeof result === "object" && Object.keys(result ?? {}).length === 0);
  const body = empty ? "" : toXml(`${operation}Result`, result);
  const metadata = `<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata>`;
  return `<?xml version="1.0" encoding="UTF-8"?>\n<${operation}Response xmlns="${namespace}">${body}${metadata}</${operation}Response>\n`;
}

/** `<ErrorResponse>` with the wire code; `Receiver` for server faults, as the SDKs read `Type`. */
export function queryError(
  shape: string,
  message: string,
  status: number,
  namespace: string,
  requestId: string,
): string {
  const code = QUERY_ERROR_CODES[shape] ?? shape;
  const type = status >= 500 ? "Receiver" : "Sender";
  const error = `<Error><Type>${type}</Type><Code>${escapeXml(code)}</Code><Message>${escapeXml(message)}</Message></Error>`;
  return `<?xml version="1.0" encoding="UTF-8"?>\n<ErrorResponse xmlns="${namespace}">${error}<RequestId>${requestId}</RequestId></ErrorResponse>\n`;
}
