import type { ContainerServiceDeployment } from "@aws-sdk/client-lightsail";
import type { Clock, Logger } from "../../../platform/deps.js";
import { describeError } from "../../../platform/errors.js";
import { retryUntil } from "../../../platform/polling.js";
import type { Serving } from "../../deploy-target.js";
import type { AwsClients } from "../clients.js";
import { GetContainerServiceDeploymentsCommand, GetContainerServicesCommand } from "../lightsail-sdk.js";

/** The documentation gives two different orders, so sort by version rather than trust either. */
export function sortByVersion(
  deployments: readonly ContainerServiceDeployment[],
): ContainerServiceDeployment[] {
  return [...deployments].sort((a, b) => (a.version ?? 0) - (b.version ?? 0));
}

/** The service's deployments (Lightsail keeps the latest 50), oldest first. */
export async function listDeployments(
  aws: AwsClients,
  serviceName: string,
): Promise<ContainerServiceDeployment[]> {
  const out = await aws.lightsail.send(new GetContainerServiceDeploymentsCommand({ serviceName }));
  return sortByVersion(out.deployments ?? []);
}

/** How long the final "what is serving" read may keep trying: long enough for a burst of 5xx, no more. */
export const SERVING_READ_BUDGET_MS = 30_000;

/**
 * Reads the serving version, retrying passing faults for a short while. A failure message never guesses:
 * an error is reported as "could not be read", never as "nothing is serving".
 */
export async function readServing(
  aws: AwsClients,
  serviceName: string,
  deps: Clock & { log: Logger },
): Promise<Serving> {
  try {
    const out = await retryUntil(
      () => aws.lightsail.send(new GetContainerServicesCommand({ serviceName })),
      { deadline: deps.now() + SERVING_READ_BUDGET_MS, what: "reading which version is serving" },
      deps,
    );
    return { version: out.containerServices?.[0]?.currentDeployment?.version };
  } catch (error) {
    return { unknown: describeError(error) };
  }
}

export function describeServing(serving: Serving): string {
  if ("unknown" in serving) return `which version is serving could not be read (${serving.unknown})`;
  return serving.version === undefined ? "no version is serving" : `version ${serving.version} is serving`;
}
