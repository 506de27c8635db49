import { imageTagOf } from "../inputs/image-reference.js";
import { parseInputs } from "../inputs/inputs.js";
import type { Inputs, RawInputs } from "../inputs/schema.js";
import { GetContainerServicePowersCommand } from "../platform/aws-sdk.js";
import type { AwsClients, Deps } from "../platform/deps.js";
import { describeError } from "../platform/errors.js";
import { type PhaseRunner, type PhaseTiming, phaseRunner } from "../platform/phase-runner.js";
import { newTimeline, timed } from "../platform/timeline.js";
import { type Preflight, preflight } from "../preflight/preflight.js";
import { deployStep } from "../release/deploy-step.js";
import { maskEnvironmentValues, withMaskedEnvironments } from "../release/masking.js";
import { promoteStep } from "../release/promote-step.js";
import { ssmRecordStore } from "../release/record/ssm-record-store.js";
import { type ReleaseContext, releaseContext } from "../release/release-context.js";
import type { StepOutcome } from "../release/step-outcome.js";
import { certificateWarnings, customDomains, publicUrls } from "../release/verify/domains.js";
import { postCommitStatus } from "../report/commit-status.js";
import { type MonthlyCost, monthlyCost, type RunResult } from "../report/report.js";
import { protectNeededImages } from "../rollback/image-protection.js";
import { rollbackStep } from "../rollback/rollback-step.js";

/** Sequences the phases and turns their outcomes into the result. Never throws. */
export async function run(raw: RawInputs, runDeps: Deps): Promise<RunResult> {
  const timeline = newTimeline(runDeps.now);
  const deps: Deps = { ...runDeps, timeline };
  const phases: PhaseTiming[] = [];
  const phase = phaseRunner(phases, deps);
  const result: RunResult = {
    status: undefined,
    dryRun: false,
    phases,
    timeline: timeline.spans,
    notes: [],
    logs: [],
  };
  let started: { aws: AwsClients; checked: Preflight } | undefined;
  let token: string | undefined;
  try {
    // Masked before anything can print it, the input check included.
    if (raw["github-token"]?.trim()) deps.log.setSecret(raw["github-token"].trim());
    const inputs = await phase("inputs", "Inputs", async () => parseInputs(raw, deps.env));
    token = inputs.githubToken;
    Object.assign(result, {
      dryRun: inputs.dryRun,
      serviceName: inputs.serviceName,
      region: inputs.region,
      source: inputs.source.kind,
    });
    maskEnvironmentValues({ environment: inputs.environment }, deps.log);
    const aws = withMaskedEnvironments(deps.aws(inputs.region), deps.log);
    const checked = await timed(deps, "pre-flight", () =>
      phase("preflight", "Pre-flight", () => preflight(inputs, aws, deps)),
    );
    started = { aws, checked };
    result.notes.push(...(await domainWarnings(aws, checked, deps, phase)));
    Object.assign(result, {
      // The custom domain when one is attached: it is where users reach the service.
      serviceUrl: publicUrls(checked.service)[0],
      previousVersion: checked.service.currentDeployment?.version,
    });
    const { record, recordAtStart } = await openRecord(inputs, checked, aws, deps, phase);
    const ctx = releaseContext({ inputs, checked, aws, deps, record, recordAtStart, phase });
    const step = await stepFor(ctx);
    applyStep(result, step);
    if (step.deployed?.uri === result.imageUri)
      Object.assign(result, { imageDigest: step.deployed?.digest, promotedFrom: step.deployed?.from });
    if (!inputs.dryRun && (result.status === "deployed" || result.status === "rolled-back"))
      await protectImages(ctx);
  } catch (error) {
    result.status = "failed";
    result.error = error instanceof Error ? error.message : String(error);
  }
  await finishReport(result, started, token, deps, phase);
  return result;
}

/** Certificate and domain warnings, logged and kept for the summary; none without a custom domain. */
async function domainWarnings(aws: AwsClients, checked: Preflight, deps: Deps, phase: PhaseRunner) {
  const certificates = customDomains(checked.service).length
    ? await phase("preflight", "Custom domains", () => certificateWarnings(aws, checked.service, deps))
    : [];
  for (const warning of certificates) deps.log.warning(warning);
  return certificates;
}

/** Reads the release record and, before anything changes, proves a verdict can be written to it. */
async function openRecord(
  inputs: Inputs,
  checked: Preflight,
  aws: AwsClients,
  deps: Deps,
  phase: PhaseRunner,
) {
  const record = ssmRecordStore(
    aws,
    inputs.releaseRecord,
    { service: inputs.serviceName, region: inputs.region },
    checked.service.createdAt,
  );
  const recordAtStart = await phase("preflight", "Release record", async () => {
    const read = await record.read();
    deps.log.info(`${record.name}: ${read.entries.length} verdicts recorded for this service`);
    // Proven before anything changes: a verdict that cannot be written is a rollback lost later.
    if (!inputs.dryRun)
      await record.proveWritable(
        `${deps.env.GITHUB_RUN_ID ?? "local"} ${new Date(deps.now()).toISOString()}`,
      );
    return read;
  });
  return { record, recordAtStart };
}

function stepFor(ctx: ReleaseContext): Promise<StepOutcome> {
  if (ctx.inputs.source.kind === "rollback") return rollbackStep(ctx);
  if (ctx.inputs.source.kind === "promote") return promoteStep(ctx);
  return deployStep(ctx);
}

/** Keeps the images a later rollback needs from the lifecycle policy; optional, so a failure only warns. */
async function protectImages(ctx: ReleaseContext): Promise<void> {
  const { inputs, checked, aws, deps, phase } = ctx;
  const target = {
    serviceName: inputs.serviceName,
    repositoryName: checked.repository.repositoryName ?? "",
    repositoryUri: checked.repository.repositoryUri ?? "",
  };
  await phase("report", "Image protection", async () =>
    protectNeededImages(aws, target, ctx.known(), deps.log),
  ).catch((error: unknown) => deps.log.warning(`Could not protect the images: ${describeError(error)}`));
}

/** Cost, the run's GitHub context and the commit status: read and posted whatever the outcome. */
async function finishReport(
  result: RunResult,
  started: { aws: AwsClients; checked: Preflight } | undefined,
  token: string | undefined,
  deps: Deps,
  phase: PhaseRunner,
): Promise<void> {
  if (started) {
    const { aws, checked } = started;
    result.cost = await phase("report", "Cost", () => readCost(aws, checked, deps)).catch(() => undefined);
  }
  result.context = await deps.github.context().catch((error: unknown) => {
    deps.log.warning(`Could not read the run's GitHub context: ${describeError(error)}`);
    return undefined;
  });
  if (token) await deps.log.group("Commit status", () => postCommitStatus(result, token, deps));
}

function applyStep(result: RunResult, step: StepOutcome): void {
  if (step.containers) result.containers = step.containers;
  if (step.kind === "unchanged") {
    Object.assign(result, { imageUri: step.image, imageTag: imageTagOf(step.image), request: step.request });
    if (step.note) result.notes.push(step.note);
    if (step.version !== undefined)
      Object.assign(result, {
        status: "rolled-back",
        deploymentVersion: step.version,
        servingVersion: step.version,
      });
    return;
  }
  const { outcome } = step;
  Object.assign(result, {
    status: outcome.status,
    deploymentVersion: outcome.version,
    imageUri: outcome.image,
    imageTag: imageTagOf(outcome.image),
    logs: outcome.logs,
    error: outcome.error?.message,
  });
  if (outcome.bake) result.bake = outcome.bake;
  if ("unknown" in outcome.serving) result.servingUnknown = outcome.serving.unknown;
  else result.servingVersion = outcome.serving.version;
  result.notes.push(...outcome.notes);
}

async function readCost(aws: AwsClients, checked: Preflight, deps: Deps): Promise<MonthlyCost | undefined> {
  try {
    const out = await aws.lightsail.send(new GetContainerServicePowersCommand({}));
    return monthlyCost(out.powers ?? [], checked.service.power, checked.service.scale);
  } catch (error) {
    // The cost line is informative only; a failure here must not fail a good deploy.
    deps.log.warning(`Could not read container service prices: ${describeError(error)}`);
    return undefined;
  }
}
