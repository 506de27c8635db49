import { ECRServiceException } from "@aws-sdk/client-ecr";
import { LightsailServiceException } from "@aws-sdk/client-lightsail";
import { SSMServiceException } from "@aws-sdk/client-ssm";
import { AWS_MAX_ATTEMPTS } from "../../src/platform/deps.js";

/** Every network error code the SDK's classifier knows (@smithy/core retry constants), and ECONNABORTED. */
export const NETWORK_CODES = [
  "ECONNRESET",
  "ECONNREFUSED",
  "ETIMEDOUT",
  "EPIPE",
  "EAI_AGAIN",
  "ENETUNREACH",
  "EHOSTUNREACH",
  "ENOTFOUND",
  "ECONNABORTED",
] as const;

export type NetworkCode = (typeof NETWORK_CODES)[number];

/**
 * What the action sees from one `send` when AWS misbehaves: the error the SDK throws once its own
 * attempts are used up (so a fault here is one the SDK could not ride out), or a request AWS processed
 * whose answer was lost (then the SDK's retry is processed too, and its answer is what the action gets).
 */
export type FaultKind = "throttle" | "5xx" | "denied" | "lost-answer" | NetworkCode;

export const FAULT_KINDS: readonly FaultKind[] = [
  "throttle",
  "5xx",
  "denied",
  "lost-answer",
  ...NETWORK_CODES,
];

export type Service = "lightsail" | "ecr" | "ssm";

/** The SDK's base exception class of each client, as a deserialised unmodelled error arrives. */
function serviceError(
  service: Service,
  name: string,
  status: number,
  fault: "client" | "server",
  message: string,
) {
  const options = {
    name,
    $fault: fault,
    $metadata: { httpStatusCode: status, attempts: AWS_MAX_ATTEMPTS, totalRetryDelay: 20_000 },
    message,
  };
  if (service === "lightsail") return new LightsailServiceException(options);
  if (service === "ecr") return new ECRServiceException(options);
  return new SSMServiceException(options);
}

const SERVER_FAULT: Record<Service, string> = {
  lightsail: "ServiceException",
  ecr: "ServerException",
  ssm: "InternalServerError",
};

const NETWORK_MESSAGES: Record<NetworkCode, (host: string) => string> = {
  ECONNRESET: () => "read ECONNRESET",
  ECONNREFUSED: () => "connect ECONNREFUSED 52.94.1.1:443",
  ETIMEDOUT: () => "connect ETIMEDOUT 52.94.1.1:443",
  EPIPE: () => "write EPIPE",
  EAI_AGAIN: (host) => `getaddrinfo EAI_AGAIN ${host}`,
  ENETUNREACH: () => "connect ENETUNREACH 52.94.1.1:443",
  EHOSTUNREACH: () => "connect EHOSTUNREACH 52.94.1.1:443",
  ENOTFOUND: (host) => `getaddrinfo ENOTFOUND ${host}`,
  ECONNABORTED: () => "socket hang up",
};

/** A Node system error as @smithy/node-http-handler rejects with it, after the retry middleware's attempts. */
export function networkError(code: NetworkCode, service: Service): Error {
  const host = `${service}.eu-west-1.amazonaws.com`;
  return Object.assign(new Error(NETWORK_MESSAGES[code](host)), {
    code,
    errno: -1,
    syscall: code.startsWith("EAI") || code === "ENOTFOUND" ? "getaddrinfo" : "connect",
    $metadata: { attempts: AWS_MAX_ATTEMPTS, totalRetryDelay: 20_000 },
  });
}

export function faultError(
  kind: Exclude<FaultKind, "lost-answer">,
  service: Service,
  command: string,
): Error {
  switch (kind) {
    case "throttle":
      return serviceError(service, "ThrottlingException", 400, "client", "Rate exceeded");
    case "5xx":
      return serviceError(
        service,
        SERVER_FAULT[service],
        500,
        "server",
        "We encountered an internal error. Please try again.",
      );
    case "denied":
      return serviceError(
        service,
        "AccessDeniedException",
        400,
        "client",
        `User: arn:aws:sts::111111111111:assumed-role/deploy/gha is not authorized to perform: ${service}:${command.replace(/Command$/, "")}`,
      );
    default:
      return networkError(kind, service);
  }
}

/** A modelled client error (400), as AWS answers a request it refuses. */
export function refusal(service: Service, name: string, message: string): Error {
  return serviceError(service, name, 400, "client", message);
}
