import {
  isClockSkewCorrectedError,
  isRetryableByTrait,
  isServerError,
  isThrottlingError,
  isTransientError,
} from "@smithy/core/retry";
export type Phase = "inputs" | "preflight" | "image" | "deploy" | "verify" | "rollback" | "report";

/** An expected failure: says what happened, in which phase, and what the user can do about it. */
export class DeployError extends Error {
  constructor(
    readonly what: string,
    readonly phase: Phase,
    readonly todo: string,
    /** The AWS error behind it, so that a caller can tell a passing fault from a lasting one. */
    options?: { cause?: unknown },
  ) {
    super(`lightsail-deploy failed: ${what}, at ${phase}; ${todo}`, options);
    this.name = "DeployError";
  }
}

interface ErrorLike {
  name?: unknown;
  message?: unknown;
  code?: unknown;
  Code?: unknown;
}

/** An error's name, message and code, whatever shape it has (an SDK error, a Node error, a string). */
export function errorFields(error: unknown): { name: string; message: string; code: string } {
  const e = (typeof error === "object" && error !== null ? error : {}) as ErrorLike;
  return {
    name: typeof e.name === "string" ? e.name : "",
    message: typeof e.message === "string" ? e.message : String(error),
    code: typeof e.code === "string" ? e.code : typeof e.Code === "string" ? e.Code : "",
  };
}

export function errorName(error: unknown): string {
  return errorFields(error).name;
}

/** `Name: message`, short enough for a one-line failure message. */
export function describeError(error: unknown): string {
  const { name, message } = errorFields(error);
  return name && name !== "Error" ? `${name}: ${message}` : message;
}

const credentialErrorNames = new Set([
  "CredentialsProviderError",
  "UnrecognizedClientException",
  "InvalidSignatureException",
  "SignatureDoesNotMatch",
  "ExpiredTokenException",
  "ExpiredToken",
  "UnauthenticatedException",
  "InvalidClientTokenId",
]);

export function isCredentialsError(error: unknown): boolean {
  return credentialErrorNames.has(errorFields(error).name);
}

export function isAccessDenied(error: unknown): boolean {
  const { name } = errorFields(error);
  return name === "AccessDeniedException" || name === "AccessDenied";
}

type SdkError = Parameters<typeof isTransientError>[0];

/**
 * Node's network and socket errors, which the SDK's classifier lists only in part (its lists: ECONNRESET,
 * ECONNREFUSED, EPIPE, ETIMEDOUT, EHOSTUNREACH, ENETUNREACH, ENOTFOUND, EAI_AGAIN). After the SDK's own
 * attempts they are still passing faults of the network, not answers from AWS, so a recovery outlasts them.
 */
const NETWORK_CODES = new Set([
  "ECONNABORTED",
  "ECONNRESET",
  "ECONNREFUSED",
  "ETIMEDOUT",
  "EPIPE",
  "EAI_AGAIN",
  "ENETUNREACH",
  "ENETDOWN",
  "ENETRESET",
  "EHOSTUNREACH",
  "EHOSTDOWN",
  "ENOTFOUND",
  "EPROTO",
  "ERR_SOCKET_CONNECTION_TIMEOUT",
  "UND_ERR_CONNECT_TIMEOUT",
  "UND_ERR_SOCKET",
  "UND_ERR_HEADERS_TIMEOUT",
  "UND_ERR_BODY_TIMEOUT",
]);

/** Server-side names some AWS APIs answer without the `fault` trait the SDK's classifier looks at. */
const SERVER_NAMES = new Set(["ServiceException", "ServiceUnavailable", "InternalFailure", "InternalError"]);

/**
 * The SDK's own retry decision. Clock skew counts as the SDK counts it, once it corrected the offset
 * (isClockSkewCorrectedError): the deprecated isClockSkewError lists AccessDeniedException, which would
 * make a denied call look passing and be retried until `wait-timeout`.
 */
function classifiedBySdk(error: SdkError): boolean {
  return (
    isRetryableByTrait(error) ||
    Boolean(isClockSkewCorrectedError(error)) ||
    isThrottlingError(error) ||
    isTransientError(error) ||
    isServerError(error)
  );
}

/**
 * The one classification of errors worth asking again later: everything the SDK's own classifier calls
 * retryable, throttling, clock skew, transient or a server fault (used as is, not copied), plus Node's
 * network codes, 429 and any 5xx, anywhere in the `cause` chain. A DeployError counts by its cause.
 */
export function isTransient(error: unknown, depth = 0): boolean {
  if (typeof error !== "object" || error === null || depth > 10) return false;
  if (error instanceof DeployError) return error.cause !== undefined && isTransient(error.cause, depth + 1);
  const e = error as SdkError & { code?: unknown; errno?: unknown; cause?: unknown };
  const status = e.$metadata?.httpStatusCode ?? 0;
  const code = typeof e.code === "string" ? e.code : typeof e.errno === "string" ? e.errno : "";
  return (
    (e.name !== "AbortError" && classifiedBySdk(e)) ||
    SERVER_NAMES.has(errorFields(error).name) ||
    e.$retryable !== undefined ||
    status >= 500 ||
    status === 429 ||
    NETWORK_CODES.has(code) ||
    (e.cause !== undefined && isTransient(e.cause, depth + 1))
  );
}
