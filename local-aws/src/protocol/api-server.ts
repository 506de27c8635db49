import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { Fault, FaultController } from "../faults/faults.js";
import { ACCOUNT_ID, type ServiceKey } from "../model/account.js";
import { AwsError, errorBody, serverFault, serverFaultShape } from "./errors.js";
import { QUERY_APIS, QUERY_ERROR_CODES, queryError, queryResponse } from "./query.js";
import { parseTarget, route, type Wire } from "./routing.js";

export { parseTarget, type Wire } from "./routing.js";

import { DEFAULT_REQUEST_LIMITS, type RequestLimits, readBoundedBody, TOO_LARGE } from "./request-body.js";
import type { RequestStats } from "./request-stats.js";

export type Handler = (body: unknown) => Promise<unknown>;
/** Handlers by API; an API without an entry answers UnknownOperationException, as for an unknown operation. */
export type HandlerTable = Partial<Record<ServiceKey, Record<string, Handler>>>;
/** Answers `/_local/...` requests: status and JSON body, or undefined for 404. */
export type AdminHandler = (
  method: string,
  path: string,
  body: unknown,
) => Promise<{ status: number; body: unknown } | undefined>;

/** JSON with timestamps as epoch seconds, as awsJson wants them (handlers may give `Date`s). */
export function toJsonText(body: unknown): string {
  return JSON.stringify(body, function (this: Record<string, unknown>, key, value) {
    const raw = this[key];
    return raw instanceof Date ? raw.getTime() / 1000 : value;
  });
}

function send(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
  wire: Wire = "json1.1",
): void {
  const requestId = randomUUID();
  const text = wire === "query" ? queryText(body, status, requestId) : toJsonText(body);
  const type = {
    "json1.0": "application/x-amz-json-1.0",
    "json1.1": "application/x-amz-json-1.1",
    query: "text/xml",
  }[wire];
  response.writeHead(status, {
    "content-type": type,
    "content-length": Buffer.byteLength(text),
    "x-amzn-RequestId": requestId,
    ...headers,
  });
  response.end(text);
}

/** The XML of a query answer; `body` is the result, or `{__type, message}` for an error. */
function queryText(body: unknown, status: number, requestId: string): string {
  const { operation, namespace, result } = body as { operation: string; namespace: string; result: unknown };
  if (status === 200) return queryResponse(operation, namespace, result, requestId);
  const error = result as { __type: string; message?: string; Message?: string };
  return queryError(error.__type, error.message ?? error.Message ?? "", status, namespace, requestId);
}

/** One answer to an AWS request, as the client sees it (and as `record` gets it). */
export interface AwsAnswer {
  /** Undefined when the target names no API the stand-in knows. */
  api?: ServiceKey;
  operation?: string;
  status: number;
  /** The `__type` of an error answer. */
  errorShape?: string;
  body: unknown;
  /** How it was answered; absent means awsJson. */
  wire?: Wire;
}

function errorAnswer(
  target: { api?: ServiceKey; operation?: string; wire?: Wire },
  error: AwsError,
  code?: string,
): AwsAnswer {
  const body = { ...errorBody(target.api, error), ...(code ? { code } : {}) };
  const { api, operation, wire } = target;
  return { api, operation, wire, status: error.status, errorShape: error.shape, body };
}

function reply(
  options: ApiServerOptions,
  response: ServerResponse,
  answer: AwsAnswer,
  headers: Record<string, string> = {},
): void {
  const wire = answer.wire ?? "json1.1";
  options.record?.({ ...answer, body: JSON.parse(toJsonText(answer.body) ?? "null") });
  const errorType: Record<string, string> = answer.errorShape
    ? errorHeaders(answer.errorShape, answer.status, wire)
    : {};
  const namespace = Object.values(QUERY_APIS).find((entry) => entry.api === answer.api)?.namespace ?? "";
  const body =
    wire === "query" ? { operation: answer.operation, namespace, result: answer.body } : answer.body;
  send(response, answer.status, body, { ...errorType, ...headers }, wire);
}

/**
 * `x-amzn-ErrorType` names the shape; CloudWatch's JSON answers also carry `x-amzn-query-error` (the model is
 * `awsQueryCompatible`), from which the SDKs take the query-era code.
 */
function errorHeaders(shape: string, status: number, wire: Wire): Record<string, string> {
  if (wire !== "json1.0") return { "x-amzn-ErrorType": shape };
  const code = QUERY_ERROR_CODES[shape] ?? shape;
  return {
    "x-amzn-ErrorType": shape,
    "x-amzn-query-error": `${code};${status >= 500 ? "Receiver" : "Sender"}`,
  };
}

export interface ApiServerOptions {
  handlers: HandlerTable;
  faults: FaultController;
  stats: RequestStats;
  admin: AdminHandler;
  log: (line: string) => void;
  /** Body size and slow-client bounds; DEFAULT_REQUEST_LIMITS unless given (tests shrink them). */
  limits?: RequestLimits;
  /** Called with every AWS answer sent (not the admin ones, not those a fault drops). */
  record?: (answer: AwsAnswer) => void;
}

/**
 * The awsJson1_1 endpoint for ECR, Lightsail and SSM. It routes on `X-Amz-Target` only (the SDK and the CLI
 * post to different paths), applies injected faults first, and answers errors as status + `x-amzn-ErrorType` +
 * `{"__type","message"}`.
 */
export function createApiServer(options: ApiServerOptions): Server {
  const limits = options.limits ?? DEFAULT_REQUEST_LIMITS;
  const server = createServer(
    { connectionsCheckingInterval: limits.checkIntervalMs },
    (request, response) => {
      void handle(options, limits, request, response).catch((error: unknown) => {
        options.log(`local-aws: unexpected error: ${String(error)}`);
        if (!response.headersSent)
          reply(options, response, errorAnswer({}, new AwsError("InternalFailure", String(error), 500)));
      });
    },
  );
  // A client that trickles its headers or body gets a 408 and is disconnected.
  server.requestTimeout = limits.requestTimeoutMs;
  server.headersTimeout = limits.headersTimeoutMs;
  return server;
}

async function handle(
  options: ApiServerOptions,
  limits: RequestLimits,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const rawTarget = request.headers["x-amz-target"] as string | undefined;
  const early = parseTarget(rawTarget);
  const text = await readBoundedBody(request, limits.maxBodyBytes);
  if (text === TOO_LARGE) {
    // 413 as an awsJson error the SDK does not retry; the connection closes so the rest is never read.
    const error = new AwsError(
      "SerializationException",
      `The request body is larger than ${limits.maxBodyBytes} bytes`,
      413,
    );
    reply(options, response, errorAnswer(early ?? {}, error), { connection: "close" });
    return;
  }
  const url = new URL(request.url ?? "/", "http://127.0.0.1");
  if (url.pathname.startsWith("/_local/")) {
    await handleAdmin(options, request.method ?? "GET", url.pathname, text, response);
    return;
  }
  const routed = route(request.method ?? "GET", rawTarget, request.headers["content-type"], text);
  if (routed instanceof AwsError) {
    reply(options, response, errorAnswer({}, routed));
    return;
  }
  const handler = options.handlers[routed.api]?.[routed.operation];
  const target = { api: routed.api, operation: routed.operation };
  if (!handler) {
    const message = `local-aws does not emulate ${routed.api}:${routed.operation}`;
    reply(options, response, errorAnswer(routed, new AwsError("UnknownOperationException", message)));
    return;
  }
  options.stats.record(routed.api, routed.operation);
  const fault = options.faults.takeRequestFault(routed.api, routed.operation);
  if (fault?.kind === "drop") {
    request.socket.destroy();
    return;
  }
  const outcome = await answer(options, target, handler, routed.body, fault);
  // dropAnswer: the handler has run (its change is made), but the client never hears of it.
  if (fault?.kind === "dropAnswer") {
    request.socket.destroy();
    return;
  }
  if (outcome instanceof AwsError) {
    const quirk =
      routed.api === "lightsail" && outcome.shape === "NotFoundException" && options.faults.notFoundQuirk();
    reply(options, response, errorAnswer(routed, outcome, quirk ? "DoesNotExist" : undefined));
  } else reply(options, response, { ...target, wire: routed.wire, status: 200, body: outcome });
}

async function handleAdmin(
  options: ApiServerOptions,
  method: string,
  path: string,
  text: string,
  response: ServerResponse,
): Promise<void> {
  let body: unknown = {};
  try {
    body = text ? JSON.parse(text) : {};
  } catch {
    send(response, 400, { message: "the body is not valid JSON" });
    return;
  }
  const answer = await options.admin(method, path, body);
  if (answer) send(response, answer.status, answer.body);
  else send(response, 404, { message: `no admin endpoint ${method} ${path}` });
}

/**
 * An injected error with a chosen shape. An access denial reads as IAM writes it (the identity, the action
 * `api:Operation` it lacks), which is what a deploy tool has to name; other shapes say they were injected.
 */
function injectedClientError(
  target: { api: ServiceKey; operation: string },
  code: string,
  status = 400,
): AwsError {
  const action = `${target.api}:${target.operation}`;
  const message =
    code === "AccessDeniedException"
      ? `User: arn:aws:sts::${ACCOUNT_ID}:assumed-role/local-deploy/local-aws is not authorized to perform: ${action} because no identity-based policy allows the ${action} action`
      : `Injected fault: ${target.operation} answered ${code}`;
  return new AwsError(code, message, status);
}

/** Runs an operation (or its injected fault): the 200 body, or the error to answer with. */
async function answer(
  options: ApiServerOptions,
  target: { api: ServiceKey; operation: string },
  handler: Handler,
  body: unknown,
  fault: Fault | undefined,
): Promise<unknown> {
  if (fault?.kind === "throttle") return new AwsError("ThrottlingException", "Rate exceeded");
  if (fault?.kind === "error" && fault.code !== undefined)
    return injectedClientError(target, fault.code, fault.status);
  if (fault?.kind === "error") {
    const status = fault.status ?? 500;
    // The service's modeled fault with the injected status: the models have no ServiceUnavailableException.
    const message = `Injected fault: ${target.operation} answered ${status}`;
    return serverFault(target.api, status, message);
  }
  if (body instanceof AwsError) return body;
  try {
    return await handler(body);
  } catch (error) {
    if (error instanceof AwsError) return error;
    options.log(
      `local-aws: ${target.api}:${target.operation} failed: ${(error as Error).stack ?? String(error)}`,
    );
    return new AwsError(serverFaultShape[target.api], `Internal error: ${(error as Error).message}`, 500);
  }
}
