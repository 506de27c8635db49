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

export type ServiceKey = "ecr" | "lightsail" | "ssm";

/** The validation exception each service models for bad input. */
export const validationShape: Record<ServiceKey, string> = {
  lightsail: "InvalidInputException",
  ecr: "InvalidParameterException",
  ssm: "ValidationException",
};

/** The 500 fault each service models. */
export const serverFaultShape: Record<ServiceKey, string> = {
  lightsail: "ServiceException",
  ecr: "ServerException",
  ssm: "InternalServerError",
};

export function invalidInput(message: string): AwsError {
  return new AwsError("InvalidInputException", message);
}

export function invalidParameter(message: string): AwsError {
  return new AwsError("InvalidParameterException", message);
}

export function ssmValidation(message: string): AwsError {
  return new AwsError("ValidationException", message);
}
