import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { Fault, FaultController } from "../faults/faults.js";
import { ACCOUNT_ID, type ServiceKey } from "../model/account.js";
import { AwsError, errorBody, serverFaultShape } from "./errors.js";
import { DEFAULT_REQUEST_LIMITS, type RequestLimits, readBoundedBody, TOO_LARGE } from "./request-body.js";
import type { RequestStats } from "./request-stats.js";

export type Handler = (body: unknown) => Promise<unknown>;
export type HandlerTable = Record<ServiceKey, Record<string, Handler>>;
/** Answers `/_local/...` requests: status and JSON body, or undefined for 404. */
export type AdminHandler = (
  method: string,
  path: string,
  body: unknown,
) => Promise<{ status: number; body: unknown } | undefined>;

const TARGET_PREFIXES: [string, ServiceKey][] = [
  ["AmazonEC2ContainerRegistry_V20150921.", "ecr"],
  ["Lightsail_20161128.", "lightsail"],
  ["AmazonSSM.", "ssm"],
];

/** Splits `X-Amz-Target` into the API and the operation name. */
export function parseTarget(target: string | undefined): { api: ServiceKey; operation: string } | undefined {
  if (!target) return undefined;
  for (const [prefix, api] of TARGET_PREFIXES) {
    if (target.startsWith(prefix)) return { api, operation: target.slice(prefix.length) };
  }
  return undefined;
}

function send(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    "content-type": "application/x-amz-json-1.1",
    "content-length": Buffer.byteLength(text),
    "x-amzn-RequestId": randomUUID(),
    ...headers,
  });
  response.end(text);
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
}

function errorAnswer(
  target: { api?: ServiceKey; operation?: string },
  error: AwsError,
  code?: string,
): AwsAnswer {
  const body = { ...errorBody(target.api, error), ...(code ? { code } : {}) };
  return { ...target, status: error.status, errorShape: error.shape, body };
}

function reply(
  options: ApiServerOptions,
  response: ServerResponse,
  answer: AwsAnswer,
  headers: Record<string, string> = {},
): void {
  options.record?.(answer);
  const errorType: Record<string, string> = answer.errorShape
    ? { "x-amzn-ErrorType": answer.errorShape }
    : {};
  send(response, answer.status, answer.body, { ...errorType, ...headers });
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
  const target = parseTarget(rawTarget);
  const text = await readBoundedBody(request, limits.maxBodyBytes);
  if (text === TOO_LARGE) {
    // 413 as an awsJson error the SDK does not retry; the connection closes so the rest is never read.
    const error = new AwsError(
      "SerializationException",
      `The request body is larger than ${limits.maxBodyBytes} bytes`,
      413,
    );
    reply(options, response, errorAnswer(target ?? {}, error), { connection: "close" });
    return;
  }
  const url = new URL(request.url ?? "/", "http://127.0.0.1");
  if (url.pathname.startsWith("/_local/")) {
    await handleAdmin(options, request.method ?? "GET", url.pathname, text, response);
    return;
  }
  if (request.method !== "POST" || !target) {
    const shown = JSON.stringify(rawTarget ?? null);
    const error = new AwsError("UnknownOperationException", `Unrecognized X-Amz-Target ${shown}`);
    reply(options, response, errorAnswer({}, error));
    return;
  }
  const handler = options.handlers[target.api][target.operation];
  if (!handler) {
    const message = `local-aws does not emulate ${target.api}:${target.operation}`;
    reply(options, response, errorAnswer(target, new AwsError("UnknownOperationException", message)));
    return;
  }
  options.stats.record(target.api, target.operation);
  const fault = options.faults.takeRequestFault(target.api, target.operation);
  if (fault?.kind === "drop") {
    request.socket.destroy();
    return;
  }
  const outcome = await answer(options, target, handler, text, fault);
  // dropAnswer: the handler has run (its change is made), but the client never hears of it.
  if (fault?.kind === "dropAnswer") {
    request.socket.destroy();
    return;
  }
  if (outcome instanceof AwsError) {
    const quirk =
      target.api === "lightsail" && outcome.shape === "NotFoundException" && options.faults.notFoundQuirk();
    reply(options, response, errorAnswer(target, outcome, quirk ? "DoesNotExist" : undefined));
  } else reply(options, response, { ...target, status: 200, body: outcome });
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
  text: string,
  fault: Fault | undefined,
): Promise<unknown> {
  if (fault?.kind === "throttle") return new AwsError("ThrottlingException", "Rate exceeded");
  if (fault?.kind === "error" && fault.code !== undefined)
    return injectedClientError(target, fault.code, fault.status);
  if (fault?.kind === "error") {
    const status = fault.status ?? 500;
    // The service's modeled fault with the injected status: the models have no ServiceUnavailableException.
    const message = `Injected fault: ${target.operation} answered ${status}`;
    return new AwsError(serverFaultShape[target.api], message, status);
  }
  let body: unknown;
  try {
    body = text.trim() ? JSON.parse(text) : {};
  } catch {
    return new AwsError("SerializationException", "The request body is not valid JSON");
  }
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
