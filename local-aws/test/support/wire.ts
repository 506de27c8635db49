/** Raw clients for the three wire protocols, as the SDKs and the CLI send them (no SDK for these is installed). */

export interface WireAnswer {
  status: number;
  headers: Headers;
  text: string;
  // biome-ignore lint/suspicious/noExplicitAny: a JSON answer, read the way a client reads it
  json: any;
}

async function post(endpoint: string, headers: Record<string, string>, body: string): Promise<WireAnswer> {
  const response = await fetch(endpoint, { method: "POST", headers, body });
  const text = await response.text();
  const json = text.startsWith("{") ? JSON.parse(text) : undefined;
  return { status: response.status, headers: response.headers, text, json };
}

/** awsJson1_1 (ECS) or awsJson1_0 (CloudWatch in the JS SDK v3). */
export function jsonCall(endpoint: string, target: string, body: unknown, version: "1.0" | "1.1" = "1.1") {
  return post(
    endpoint,
    { "x-amz-target": target, "content-type": `application/x-amz-json-${version}` },
    JSON.stringify(body),
  );
}

export const ecsTarget = (operation: string) => `AmazonEC2ContainerServiceV20141113.${operation}`;
export const cloudWatchTarget = (operation: string) => `GraniteServiceVersion20100801.${operation}`;

/** Flattens a request the awsQuery way: `Names.member.1`, `Metrics.member.1.MetricStat.Period`. */
export function flatten(value: unknown, prefix: string, out: [string, string][] = []): [string, string][] {
  if (Array.isArray(value)) {
    for (const [index, item] of value.entries()) flatten(item, `${prefix}.member.${index + 1}`, out);
  } else if (typeof value === "object" && value !== null)
    for (const [key, item] of Object.entries(value)) flatten(item, prefix ? `${prefix}.${key}` : key, out);
  else if (value !== undefined) out.push([prefix, String(value)]);
  return out;
}

/** awsQuery: a form body with Action and Version; the answer is XML. */
export function queryCall(
  endpoint: string,
  version: string,
  action: string,
  params: Record<string, unknown> = {},
) {
  const body = new URLSearchParams([["Action", action], ["Version", version], ...flatten(params, "")]);
  return post(
    endpoint,
    { "content-type": "application/x-www-form-urlencoded; charset=utf-8" },
    body.toString(),
  );
}

export const ELBV2 = "2015-12-01";
export const CLOUDWATCH = "2010-08-01";
