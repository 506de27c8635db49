import type { ContainerService } from "@aws-sdk/client-lightsail";
import type { Inputs } from "../../inputs/schema.js";
import type { PhaseRunner } from "../../platform/phase-runner.js";
import type { ReleaseRecord } from "../../release/record/release-record.js";
import type { RecordStore } from "../../release/record/ssm-record-store.js";
import type { DeployTarget, OpenTarget, StepOutcome } from "../deploy-target.js";
import type { AwsClients, LightsailDeps } from "./clients.js";
import { readCost } from "./cost.js";
import { UNMASKED_VARIABLES, withMaskedEnvironments } from "./masked-client.js";
import { type Preflight, preflight } from "./preflight/preflight.js";
import { deployStep } from "./release/deploy-step.js";
import { promoteStep } from "./release/promote-step.js";
import { type ReleaseContext, releaseContext } from "./release/release-context.js";
import { certificateWarnings, customDomains, publicUrls } from "./release/verify/domains.js";
import { protectNeededImages } from "./rollback/image-protection.js";
import { rollbackStep } from "./rollback/rollback-step.js";

/** An AWS Lightsail container service: deployments by CreateContainerServiceDeployment, images from ECR. */
export const lightsailTarget: DeployTarget<AwsClients> = {
  unmaskedVariables: UNMASKED_VARIABLES,
  async open(inputs, clients, deps, phase) {
    // Every Lightsail request and answer is masked before anything can log it.
    const aws = withMaskedEnvironments(clients, deps.log);
    const checked = await preflight(inputs, aws, deps);
    return openService(inputs, aws, checked, deps, phase);
  },
};

function openService(
  inputs: Inputs,
  aws: AwsClients,
  checked: Preflight,
  deps: LightsailDeps,
  phase: PhaseRunner,
): OpenTarget {
  const { service } = checked;
  return {
    serviceUrl: publicUrls(service)[0],
    servingVersion: service.currentDeployment?.version,
    createdAt: service.createdAt,
    warnings: () => domainWarnings(aws, service, deps, phase),
    async release(record: RecordStore, recordAtStart: ReleaseRecord) {
      const ctx = releaseContext({ inputs, checked, aws, deps, record, recordAtStart, phase });
      return { step: await stepFor(ctx), known: ctx.known() };
    },
    protectImages: (known) =>
      protectNeededImages(
        aws,
        {
          serviceName: inputs.serviceName,
          repositoryName: checked.repository.repositoryName ?? "",
          repositoryUri: checked.repository.repositoryUri ?? "",
        },
        known,
        deps.log,
      ),
    monthlyCost: () => readCost(aws, service, deps.log),
  };
}

/** Certificate and domain warnings; none (and no phase) without a custom domain. */
async function domainWarnings(
  aws: AwsClients,
  service: ContainerService,
  deps: LightsailDeps,
  phase: PhaseRunner,
): Promise<string[]> {
  if (customDomains(service).length === 0) return [];
  return phase("preflight", "Custom domains", () => certificateWarnings(aws, service, deps));
}

function stepFor(ctx: ReleaseContext): Promise<StepOutcome> {
  if (ctx.inputs.source.kind === "rollback") return rollbackStep(ctx);
  if (ctx.inputs.source.kind === "promote") return promoteStep(ctx);
  return deployStep(ctx);
}
