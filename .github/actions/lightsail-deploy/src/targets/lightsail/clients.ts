import type { LightsailClient } from "@aws-sdk/client-lightsail";
import type { AwsClients as CoreClients, Deps } from "../../platform/deps.js";

/** The clients a Lightsail deploy uses: the core's (ECR, SSM) and Lightsail's. */
export interface AwsClients extends CoreClients {
  lightsail: LightsailClient;
}

/** Deps whose `aws(region)` gives the Lightsail client too. */
export type LightsailDeps = Deps<AwsClients>;
