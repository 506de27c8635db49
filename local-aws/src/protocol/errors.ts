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
};

/** The server fault each service models (`fault: true`); answered with 500 or an injected 502/503/504. */
export const serverFaultShape: Record<ServiceKey, string> = {
  lightsail: "ServiceException",
  ecr: "ServerException",
  ssm: "InternalServerError",
  ecs: "ServerException",
  // ELBv2 models no fault shape; `InternalFailure` is the common error every AWS API may answer.
  elbv2: "InternalFailure",
  cloudwatch: "InternalServiceFault",
};

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

/** The JSON error body, with the message under the member name the service's model gives it. */
export function errorBody(api: ServiceKey | undefined, error: AwsError): Record<string, string> {
  const key = api === "ssm" && !SSM_LOWERCASE_MESSAGE.has(error.shape) ? "Message" : "message";
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
