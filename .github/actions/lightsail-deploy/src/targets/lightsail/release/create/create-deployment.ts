import type {
  ContainerServiceDeployment,
  CreateContainerServiceDeploymentRequest,
} from "@aws-sdk/client-lightsail";
import type { Deps } from "../../../../platform/deps.js";
import { DeployError, describeError, isTransient } from "../../../../platform/errors.js";
import { retryUntil } from "../../../../platform/polling.js";
import type { ReleaseKind } from "../../../../platform/release-kind.js";
import type { AwsClients } from "../../clients.js";
import { CreateContainerServiceDeploymentCommand } from "../../lightsail-sdk.js";
import { listDeployments } from "../../preflight/lightsail-reads.js";
import { deployIdOf, withDeployId } from "../deployment-id.js";

export interface CreatedDeployment {
  version: number;
  /** This deployment's LIGHTSAIL_DEPLOY_ID. */
  id: string;
}

export interface CreateOptions {
  serviceName: string;
  /** The id this deployment carries (a fresh one per Create: see ReleaseContext.nextDeployId). */
  id: string;
  /** Where a failure of the Create is reported. */
  kind: ReleaseKind;
  /** Until when passing AWS faults are retried. */
  deadline: number;
  /**
   * Whether a refusal is worth another try (a rollback waits out a service still busy with the failed
   * release's cut-over); a deploy has already waited for the service to settle in pre-flight.
   */
  retryRefusal?: (error: unknown) => boolean;
}

/** This run's deployment, found by its id: the truth after a lost answer or a refused SDK retry. */
async function findOwn(
  aws: AwsClients,
  options: CreateOptions,
  id: string,
  deps: Deps,
): Promise<ContainerServiceDeployment | undefined> {
  const deployments = await retryUntil(
    () => listDeployments(aws, options.serviceName),
    { deadline: options.deadline, what: "looking for this run's deployment" },
    deps,
  );
  return deployments.findLast((d) => deployIdOf(d) === id);
}

/**
 * Sends CreateContainerServiceDeployment with a fresh deployment id and returns the version it created.
 * When the answer is an error (a lost answer, then the SDK's retry refused because the first attempt did
 * go through), the deployments are read back: if one carries this id, it is this run's, whatever the error
 * said. "Nothing was changed" is said only once that read shows no such deployment.
 */
export async function createDeployment(
  request: CreateContainerServiceDeploymentRequest,
  aws: AwsClients,
  options: CreateOptions,
  deps: Deps,
): Promise<CreatedDeployment> {
  const { id } = options;
  const command = new CreateContainerServiceDeploymentCommand(withDeployId(request, id));
  // One attempt: send; on any error, read back whether this id's deployment exists. The raw AWS error
  // comes out only when it does not, so retryUntil retries exactly the Creates that changed nothing.
  const attempt = async (): Promise<CreatedDeployment> => {
    let failure: unknown;
    try {
      const out = await aws.lightsail.send(command);
      const version = out.containerService?.nextDeployment?.version;
      if (version !== undefined) return { version, id };
      failure = new Error("the answer named no new version");
    } catch (error) {
      failure = error;
    }
    let own: ContainerServiceDeployment | undefined;
    try {
      own = await findOwn(aws, options, id, deps);
    } catch (readError) {
      throw new DeployError(
        `CreateContainerServiceDeployment failed (${describeError(failure)}), and whether it created a deployment could not be read (${describeError(readError)})`,
        options.kind,
        "look at the service's deployments before re-running",
        { cause: readError },
      );
    }
    if (own?.version === undefined) throw failure;
    deps.log.warning(
      `CreateContainerServiceDeployment answered ${describeError(failure)}, but the deployment was created: version ${own.version} carries this run's id ${id}`,
    );
    return { version: own.version, id };
  };
  try {
    return await retryUntil(
      attempt,
      {
        deadline: options.deadline,
        what: "CreateContainerServiceDeployment",
        aftermath: "and created nothing",
        retryable: (error) =>
          !(error instanceof DeployError) && (isTransient(error) || (options.retryRefusal?.(error) ?? false)),
      },
      deps,
    );
  } catch (failure) {
    if (failure instanceof DeployError) throw failure;
    throw new DeployError(
      `CreateContainerServiceDeployment was refused (${describeError(failure)})`,
      options.kind,
      "nothing was changed (no deployment carries this run's id); fix the cause above and re-run",
      { cause: failure },
    );
  }
}
