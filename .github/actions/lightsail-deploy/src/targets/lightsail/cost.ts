import type { ContainerService, ContainerServicePower } from "@aws-sdk/client-lightsail";
import type { Logger } from "../../platform/deps.js";
import { describeError } from "../../platform/errors.js";
import type { MonthlyCost } from "../../report/report.js";
import type { AwsClients } from "./clients.js";
import { GetContainerServicePowersCommand } from "./lightsail-sdk.js";

/** Monthly price of the service: the power's price × scale, from GetContainerServicePowers. */
export function monthlyCost(
  powers: readonly ContainerServicePower[],
  power: string | undefined,
  scale: number | undefined,
): MonthlyCost | undefined {
  const match = powers.find((p) => p.name === power || p.powerId === power);
  if (!power || !scale || match?.price === undefined) return undefined;
  return { power, scale, pricePerNode: match.price, total: Math.round(match.price * scale * 100) / 100 };
}

/** The service's monthly cost at today's prices; undefined (and a warning) when the prices cannot be read. */
export async function readCost(
  aws: AwsClients,
  service: ContainerService,
  log: Logger,
): Promise<MonthlyCost | undefined> {
  try {
    const out = await aws.lightsail.send(new GetContainerServicePowersCommand({}));
    return monthlyCost(out.powers ?? [], service.power, service.scale);
  } catch (error) {
    // The cost line is informative only; a failure here must not fail a good deploy.
    log.warning(`Could not read container service prices: ${describeError(error)}`);
    return undefined;
  }
}
