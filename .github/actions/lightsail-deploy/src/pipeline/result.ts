import { imageTagOf } from "../inputs/image-reference.js";
import type { Inputs } from "../inputs/schema.js";
import type { PhaseTiming } from "../platform/phase-runner.js";
import type { RunContext } from "../platform/run-context.js";
import type { Span } from "../platform/timeline.js";
import type { MonthlyCost, RunResult } from "../report/report.js";
import type { StepOutcome } from "../targets/deploy-target.js";

/** What each phase of a run produced; a phase the run did not reach leaves its field out. */
export interface RunOutcomes {
  phases: readonly PhaseTiming[];
  timeline: readonly Span[];
  inputs?: Pick<Inputs, "dryRun" | "serviceName" | "region"> & { source: Inputs["source"]["kind"] };
  /** What pre-flight read of the service, with the warnings it found. */
  service?: { url: string | undefined; servingVersion: number | undefined; warnings: readonly string[] };
  step?: StepOutcome;
  /** The message of the error that ended the run early. */
  error?: string;
  /** Read once pre-flight passed (undefined: the prices could not be read). */
  cost?: { value: MonthlyCost | undefined };
  context: RunContext | undefined;
}

type StepFields = Omit<RunResult, "dryRun" | "phases" | "timeline" | "notes"> & { notes: string[] };

/** The result's fields a step decides: what it deployed (or would have), its verdict and what serves. */
export function stepResult(step: StepOutcome): StepFields {
  const containers = step.containers ? { containers: step.containers } : {};
  if (step.kind === "unchanged") {
    const image = { imageUri: step.image, imageTag: imageTagOf(step.image), request: step.request };
    // A rollback to the version already serving: nothing deployed, and it is what serves.
    const active =
      step.version === undefined
        ? { status: undefined }
        : { status: "rolled-back" as const, deploymentVersion: step.version, servingVersion: step.version };
    return { ...containers, ...image, ...active, logs: [], notes: step.note ? [step.note] : [] };
  }
  const { outcome } = step;
  return {
    ...containers,
    status: outcome.status,
    deploymentVersion: outcome.version,
    imageUri: outcome.image,
    imageTag: imageTagOf(outcome.image),
    logs: outcome.logs,
    error: outcome.error?.message,
    ...(outcome.bake ? { bake: outcome.bake } : {}),
    ...("unknown" in outcome.serving
      ? { servingUnknown: outcome.serving.unknown }
      : { servingVersion: outcome.serving.version }),
    notes: outcome.notes,
  };
}

/** The digest and origin of the deployed image, only when the image the run left deployed is that one. */
function deployedImage(step: StepOutcome, imageUri: string | undefined): Partial<RunResult> {
  if (step.deployed?.uri !== imageUri) return {};
  return { imageDigest: step.deployed?.digest, promotedFrom: step.deployed?.from };
}

/**
 * The run's result, from what its phases produced: the one place it is built, with no side effect. An
 * error that ended the run fails it, whatever the step said before.
 */
export function buildResult(o: RunOutcomes): RunResult {
  const step = o.step ? stepResult(o.step) : undefined;
  const notes = [...(o.service?.warnings ?? []), ...(step?.notes ?? [])];
  return {
    status: undefined,
    dryRun: o.inputs?.dryRun ?? false,
    ...(o.inputs && {
      serviceName: o.inputs.serviceName,
      region: o.inputs.region,
      source: o.inputs.source,
    }),
    ...(o.service && { serviceUrl: o.service.url, previousVersion: o.service.servingVersion }),
    ...step,
    ...(o.step && deployedImage(o.step, step?.imageUri)),
    ...(o.error !== undefined && { status: "failed" as const, error: o.error }),
    phases: [...o.phases],
    timeline: [...o.timeline],
    notes,
    logs: step?.logs ?? [],
    ...(o.cost && { cost: o.cost.value }),
    context: o.context,
  };
}
