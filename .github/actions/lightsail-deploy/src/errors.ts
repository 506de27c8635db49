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

function fields(error: unknown): { name: string; message: string; code: string } {
  const e = (typeof error === "object" && error !== null ? error : {}) as ErrorLike;
  return {
    name: typeof e.name === "string" ? e.name : "",
    message: typeof e.message === "string" ? e.message : String(error),
    code: typeof e.code === "string" ? e.code : typeof e.Code === "string" ? e.Code : "",
  };
}

export function errorName(error: unknown): string {
  return fields(error).name;
}

/** `Name: message`, short enough for a one-line failure message. */
export function describeError(error: unknown): string {
  const { name, message } = fields(error);
  return name && name !== "Error" ? `${name}: ${message}` : message;
}

/**
 * Lightsail sometimes answers with `code: "DoesNotExist"`, which older SDKs surface as the base
 * LightsailServiceException rather than NotFoundException (aws-sdk-js-v3#6606), so match both forms.
 */
export function isNotFound(error: unknown): boolean {
  const { name, message, code } = fields(error);
  return (
    name === "NotFoundException" ||
    name.endsWith("NotFoundException") ||
    [name, message, code].some((text) => text.includes("DoesNotExist"))
  );
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
  return credentialErrorNames.has(fields(error).name);
}

export function isAccessDenied(error: unknown): boolean {
  const { name } = fields(error);
  return name === "AccessDeniedException" || name === "AccessDenied";
}

/**
 * Lightsail's answer while it is still preparing a new account or region for the caller: the call is
 * fine and will work once the setup ends.
 */
export function setupInProgress(error: unknown): "account" | "region" | undefined {
  const { name } = fields(error);
  if (name === "AccountSetupInProgressException") return "account";
  if (name === "RegionSetupInProgressException") return "region";
  return undefined;
}

const transientNames = new Set([
  "ThrottlingException",
  "Throttling",
  "TooManyRequestsException",
  "RequestLimitExceeded",
  "ServiceException",
  "ServiceUnavailable",
  "InternalFailure",
  "TimeoutError",
  "RequestTimeout",
]);

/** Throttling, server faults and network errors: worth asking again later. */
export function isTransient(error: unknown): boolean {
  if (error instanceof DeployError) return error.cause !== undefined && isTransient(error.cause);
  const e = (typeof error === "object" && error !== null ? error : {}) as {
    $retryable?: unknown;
    $metadata?: { httpStatusCode?: number };
    code?: unknown;
  };
  const status = e.$metadata?.httpStatusCode ?? 0;
  const networkCodes = ["ECONNRESET", "ECONNREFUSED", "ETIMEDOUT", "EPIPE", "EAI_AGAIN"];
  return (
    transientNames.has(fields(error).name) ||
    e.$retryable !== undefined ||
    status >= 500 ||
    status === 429 ||
    (typeof e.code === "string" && networkCodes.includes(e.code))
  );
}
