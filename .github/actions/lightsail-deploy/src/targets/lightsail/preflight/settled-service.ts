import type { ContainerService } from "@aws-sdk/client-lightsail";
import type { Inputs } from "../../../inputs/schema.js";
import type { Deps } from "../../../platform/deps.js";
import { DeployError } from "../../../platform/errors.js";
import { pollUntil } from "../../../platform/polling.js";
import type { AwsClients } from "../clients.js";
import { GetContainerServicesCommand } from "../lightsail-sdk.js";
import { awsFailure, type CheckPhase, todoFor } from "./aws-failure.js";
import { isNotFound } from "./lightsail-errors.js";

const SETTLED = new Set(["READY", "RUNNING"]);
const TRANSITIONS = new Set(["PENDING", "DEPLOYING", "UPDATING"]);

async function getService(
  aws: AwsClients,
  inputs: Inputs,
  phase: CheckPhase = "preflight",
): Promise<ContainerService> {
  try {
    const out = await aws.lightsail.send(
      new GetContainerServicesCommand({ serviceName: inputs.serviceName }),
    );
    const service = out.containerServices?.[0];
    if (service) return service;
  } catch (error) {
    if (!isNotFound(error)) throw awsFailure(error, "reading the Lightsail service", phase);
  }
  throw new DeployError(
    `Lightsail container service \`${inputs.serviceName}\` does not exist in ${inputs.region}`,
    phase,
    "create it (see infrastructure/) or fix `service-name` or `region`",
  );
}

/** What to do about each way a service's creation fails; it stays PENDING, so waiting never ends. */
const CREATION_FAILURES: Record<string, string> = {
  CERTIFICATE_LIMIT_EXCEEDED:
    "the account has as many Lightsail certificates as it may have: delete unused ones (aws lightsail get-certificates, delete-certificate), then delete the service and create it again",
  UNKNOWN_ERROR:
    "delete the service and create it again (see infrastructure/); if that fails too, ask AWS Support",
};

function failedCreation(
  service: ContainerService,
  inputs: Inputs,
  phase: CheckPhase,
): DeployError | undefined {
  const code = service.stateDetail?.code ?? "";
  const todo = CREATION_FAILURES[code];
  if (service.state !== "PENDING" || todo === undefined) return undefined;
  const detail = service.stateDetail?.message ? `: ${service.stateDetail.message}` : "";
  return new DeployError(
    `creating service \`${inputs.serviceName}\` failed (PENDING, ${code}${detail})`,
    phase,
    todoFor(phase, todo),
  );
}

/** Waits out PENDING, DEPLOYING and UPDATING, since Lightsail rejects a deployment during them. */
export async function settledService(
  aws: AwsClients,
  inputs: Inputs,
  deps: Deps,
  intervalMs = inputs.pollIntervalMs,
  phase: CheckPhase = "preflight",
): Promise<ContainerService> {
  let service = await getService(aws, inputs, phase);
  if (service.isDisabled || service.state === "DISABLED") {
    throw new DeployError(
      `service \`${inputs.serviceName}\` is disabled`,
      phase,
      `enable it: aws lightsail update-container-service --service-name ${inputs.serviceName} --no-is-disabled`,
    );
  }
  if (SETTLED.has(service.state ?? "")) return service;
  const failed = failedCreation(service, inputs, phase);
  if (failed) throw failed;
  if (!TRANSITIONS.has(service.state ?? "")) {
    throw new DeployError(
      `service \`${inputs.serviceName}\` is ${service.state}`,
      phase,
      "wait until it is READY or RUNNING",
    );
  }
  deps.log.info(`Service is ${service.state}; waiting for it to settle before deploying`);
  const settled = await pollUntil(
    async () => {
      service = await getService(aws, inputs, phase);
      deps.log.info(
        `  service state: ${service.state}${service.stateDetail?.code ? ` (${service.stateDetail.code})` : ""}`,
      );
      const failed = failedCreation(service, inputs, phase);
      if (failed) throw failed;
      return SETTLED.has(service.state ?? "") ? service : undefined;
    },
    { intervalMs, timeoutMs: inputs.waitTimeoutMs },
    deps,
  );
  if (!settled.done) {
    throw new DeployError(
      `service \`${inputs.serviceName}\` stayed ${service.state} for ${inputs.waitTimeoutMs / 1000}s`,
      phase,
      "wait for the running operation to finish, or raise `wait-timeout`",
    );
  }
  return settled.value;
}
