import type { ServiceKey } from "../model/account.js";
/** An error the API answers with: the modeled shape name goes into `__type` and `x-amzn-ErrorType`. */
export class AwsError extends Error {
  constructor(
    readonly shape: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
    this.name = shape;
  }
}

/** The validation exception each service models for bad input. */
export const validationShape: Record<ServiceKey, string> = {
  lightsail: "InvalidInputException",
  ecr: "InvalidParameterException",
  ssm: "ValidationException",
  ecs: "InvalidParameterException",
  // ELBv2 models no validation shape; the query protocol's common `ValidationError` is what it answers.
  elbv2: "ValidationError",
  cloudwatch: "ValidationError",
  logs: "InvalidParameterException",
};

/** The server fault each service models (`fault: true`); answered with 500 or an injected 502/503/504. */
export const serverFaultShape: Record<ServiceKey, string> = {
  lightsail: "ServiceException",
  ecr: "ServerException",
  ssm: "InternalServerError",
  ecs: "ServerException",
  // ELBv2 models no fault shape, and CloudWatch lists its InternalServiceFault on a few operations only:
  // both answer the common errors every AWS API may answer (`InternalFailure`, or `ServiceUnavailable` for
  // an injected 502/503/504; see serverFault).
  elbv2: "InternalFailure",
  cloudwatch: "InternalFailure",
  logs: "ServiceUnavailableException",
};

/** The server fault an API answers with this status. */
export function serverFault(api: ServiceKey, status: number, message: string): AwsError {
  const shape = serverFaultShape[api];
  return new AwsError(
    shape === "InternalFailure" && status !== 500 ? "ServiceUnavailable" : shape,
    message,
    status,
  );
}

/**
 * SSM's models name the message member `Message` in most errors but `message` in these (botocore 1.43);
 * ECR and Lightsail always use `message`.
 */
const SSM_LOWERCASE_MESSAGE = new Set([
  "HierarchyLevelLimitExceededException",
  "InvalidKeyId",
  "ParameterAlreadyExists",
  "ParameterLimitExceeded",
  "ParameterMaxVersionLimitExceeded",
  "ParameterNotFound",
  "ParameterVersionNotFound",
  "UnsupportedParameterType",
]);

/** CloudWatch's models name the message `Message` in these two errors and `message` in the others. */
const CLOUDWATCH_UPPERCASE_MESSAGE = new Set(["InternalServiceFault", "ConflictException"]);

/** The JSON error body, with the message under the member name the service's model gives it. */
export function errorBody(api: ServiceKey | undefined, error: AwsError): Record<string, string> {
  const upper =
    (api === "ssm" && !SSM_LOWERCASE_MESSAGE.has(error.shape)) ||
    (api === "cloudwatch" && CLOUDWATCH_UPPERCASE_MESSAGE.has(error.shape));
  const key = upper ? "Message" : "message";
  return { __type: error.shape, [key]: error.message };
}

export function invalidInput(message: string): AwsError {
  return new AwsError("InvalidInputException", message);
}

export function invalidParameter(message: string): AwsError {
  return new AwsError("InvalidParameterException", message);
}

export function ssmValidation(message: string): AwsError {
  return new AwsError("ValidationException", message);
}
