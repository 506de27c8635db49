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
import type { DeployTarget, OpenTarget } from "../targets/deploy-target.js";
import { buildResult, type RunOutcomes, stepResult } from "./result.js";

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
  // Each phase's outcome, kept as it ends; buildResult turns them into the result at the end.
  const outcomes: Outcomes = { phases, timeline: timeline.spans };
  let opened: OpenTarget | undefined;
  let token: string | undefined;
  try {
    // Masked before anything can print it, the input check included.
    if (raw["github-token"]?.trim()) deps.log.setSecret(raw["github-token"].trim());
    const inputs = await phase("inputs", "Inputs", async () => parseInputs(raw, deps.env));
    token = inputs.githubToken;
    const { dryRun, serviceName, region } = inputs;
    outcomes.inputs = { dryRun, serviceName, region, source: inputs.source.kind };
    maskEnvironmentValues({ environment: inputs.environment }, deps.log, target.unmaskedVariables);
    const aws = deps.aws(inputs.region);
    const service = await timed(deps, "pre-flight", () =>
      phase("preflight", "Pre-flight", () => target.open(inputs, aws, deps, phase)),
    );
    opened = service;
    const warnings = await service.warnings();
    for (const warning of warnings) deps.log.warning(warning);
    outcomes.service = { url: service.serviceUrl, servingVersion: service.servingVersion, warnings };
    const { record, recordAtStart } = await openRecord(inputs, service, aws, deps, phase);
    const { step, known } = await service.release(record, recordAtStart);
    outcomes.step = step;
    const { status } = stepResult(step);
    if (!inputs.dryRun && (status === "deployed" || status === "rolled-back"))
      await protectImages(service, known, deps, phase);
  } catch (error) {
    outcomes.error = error instanceof Error ? error.message : String(error);
  }
  return finishReport(outcomes, opened, token, deps, phase);
}

type Outcomes = Omit<RunOutcomes, "context">;

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

/** Cost and the run's GitHub context, read whatever the outcome; then the result, and its commit status. */
async function finishReport(
  outcomes: Outcomes,
  opened: OpenTarget | undefined,
  token: string | undefined,
  deps: Deps,
  phase: PhaseRunner,
): Promise<RunResult> {
  const cost = opened && {
    value: await phase("report", "Cost", () => opened.monthlyCost()).catch(() => undefined),
  };
  const context = await deps.github.context().catch((error: unknown) => {
    deps.log.warning(`Could not read the run's GitHub context: ${describeError(error)}`);
    return undefined;
  });
  const result = buildResult({ ...outcomes, ...(cost && { cost }), context });
  if (token) await deps.log.group("Commit status", () => postCommitStatus(result, token, deps));
  return result;
}
