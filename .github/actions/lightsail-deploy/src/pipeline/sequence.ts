import { imageTagOf } from "../inputs/image-reference.js";
import { parseInputs } from "../inputs/inputs.js";
import type { Inputs, RawInputs } from "../inputs/schema.js";
import type { AwsClients, Deps } from "../platform/deps.js";
import { describeError } from "../platform/errors.js";
import { type PhaseRunner, type PhaseTiming, phaseRunner } from "../platform/phase-runner.js";
import { newTimeline, timed } from "../platform/timeline.js";
import { maskEnvironmentValues } from "../release/masking.js";
import type { ReleaseRecord } from "../release/record/release-record.js";
import { ssmRecordStore } from "../release/record/ssm-record-store.js";
import { postCommitStatus } from "../report/commit-status.js";
import type { RunResult } from "../report/report.js";
import type { DeployTarget, OpenTarget, StepOutcome } from "../targets/deploy-target.js";

/**
 * Sequences the phases against one deploy target and turns their outcomes into the result. Never throws.
 * An entry point picks the target (entry/run.ts: Lightsail).
 */
export async function runWith<Clients extends AwsClients>(
  target: DeployTarget<Clients>,
  raw: RawInputs,
  runDeps: Deps<Clients>,
): Promise<RunResult> {
  const timeline = newTimeline(runDeps.now);
  const deps: Deps<Clients> = { ...runDeps, timeline };
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
  let opened: OpenTarget | undefined;
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
    maskEnvironmentValues({ environment: inputs.environment }, deps.log, target.unmaskedVariables);
    const aws = deps.aws(inputs.region);
    const service = await timed(deps, "pre-flight", () =>
      phase("preflight", "Pre-flight", () => target.open(inputs, aws, deps, phase)),
    );
    opened = service;
    const warnings = await service.warnings();
    for (const warning of warnings) deps.log.warning(warning);
    result.notes.push(...warnings);
    Object.assign(result, { serviceUrl: service.serviceUrl, previousVersion: service.servingVersion });
    const { record, recordAtStart } = await openRecord(inputs, service, aws, deps, phase);
    const { step, known } = await service.release(record, recordAtStart);
    applyStep(result, step);
    if (step.deployed?.uri === result.imageUri)
      Object.assign(result, { imageDigest: step.deployed?.digest, promotedFrom: step.deployed?.from });
    if (!inputs.dryRun && (result.status === "deployed" || result.status === "rolled-back"))
      await protectImages(service, known, deps, phase);
  } catch (error) {
    result.status = "failed";
    result.error = error instanceof Error ? error.message : String(error);
  }
  await finishReport(result, opened, token, deps, phase);
  return result;
}

/** Reads the release record and, before anything changes, proves a verdict can be written to it. */
async function openRecord(
  inputs: Inputs,
  service: OpenTarget,
  aws: AwsClients,
  deps: Deps,
  phase: PhaseRunner,
) {
  const record = ssmRecordStore(
    aws,
    inputs.releaseRecord,
    { service: inputs.serviceName, region: inputs.region },
    service.createdAt,
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

/** Keeps the images a later rollback needs from the lifecycle policy; optional, so a failure only warns. */
async function protectImages(service: OpenTarget, known: ReleaseRecord, deps: Deps, phase: PhaseRunner) {
  await phase("report", "Image protection", () => service.protectImages(known)).catch((error: unknown) =>
    deps.log.warning(`Could not protect the images: ${describeError(error)}`),
  );
}

/** Cost, the run's GitHub context and the commit status: read and posted whatever the outcome. */
async function finishReport(
  result: RunResult,
  opened: OpenTarget | undefined,
  token: string | undefined,
  deps: Deps,
  phase: PhaseRunner,
): Promise<void> {
  if (opened) {
    const service = opened;
    result.cost = await phase("report", "Cost", () => service.monthlyCost()).catch(() => undefined);
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
