import type { Inputs } from "../inputs/schema.js";
import type { AwsClients, Deps } from "../platform/deps.js";
import type { DeployError } from "../platform/errors.js";
import type { PhaseRunner } from "../platform/phase-runner.js";
import type { ReleaseRecord } from "../release/record/release-record.js";
import type { RecordStore } from "../release/record/ssm-record-store.js";
import type { Status } from "../release/release-status.js";
import type { BakeResult } from "../release/verify/bake.js";
import type { MonthlyCost } from "../report/report.js";

/**
 * The seam between the core and a platform. The core (inputs, release record, probe, bake window, masking,
 * timeline, report, commit status and the sequencer in pipeline/) knows only this file; everything about
 * one platform (its deployment request, what serves and the states of its deployments, container logs,
 * certificates and custom domains, prices, its error wording) lives in `targets/<name>/`, which only the
 * entry points import (.dependency-cruiser.cjs holds it). A target reuses the core's pieces (probe, bake,
 * record, polling, ECR image phase); the core never calls into a target except through these methods.
 *
 * Words, one per concept, on every target: a *release* is what the action ships (an image and its
 * configuration), by a deploy or a rollback (`ReleaseKind`); a *deployment* is the platform's record of one
 * release, named by its version (Lightsail: a deployment version; ECS: a service deployment of a task
 * definition revision); a *verdict* is the action's judgement of one deployment (`Verdict` while it is
 * judged; good or rejected once written to the release record).
 *
 * How ECS on Fargate (docs: /work/shared/reference/ecs-target.md) maps onto it, as `targets/ecs/` plus an
 * entry point that passes `ecsTarget` to `runWith`:
 * - `open`: DescribeServices (ACTIVE, deploymentController ECS), DescribeTaskDefinition of the serving
 *   revision, the ALB listener rule; `servingVersion` is the task definition revision serving.
 * - `release`: RegisterTaskDefinition (the request), then the one-off task ECS needs before traffic moves
 *   (RunTask of the new revision, waited on to STOPPED and gated on exit code 0: a migration) as a step of
 *   its own inside `release`, then UpdateService and polling DescribeServiceDeployments for that exact
 *   deployment through its lifecycle stages. The core's probe and bake window still judge the outcome.
 *   A deployment that ECS rolled back by itself on an alarm (ROLLBACK_SUCCESSFUL, `triggeredAlarmNames`)
 *   is a `ReleaseOutcome` with status `rolled-back` or `failed` and a note naming the alarm: the outcome
 *   already says what serves after a rollback, whoever did it, so the core needs no new field for it.
 * - `protectImages`: the same ECR tags (ECS pulls from ECR too). `monthlyCost`: the Fargate price table.
 * - Logs: CloudWatch Logs GetLogEvents per task, into `ReleaseOutcome.logs`; error wording of its own.
 */
export interface DeployTarget<Clients extends AwsClients = AwsClients> {
  /** Variables that carry the action's own marker on a deployment (a deploy id): never masked. */
  readonly unmaskedVariables: ReadonlySet<string>;
  /**
   * Pre-flight: reads the service and checks everything that can be checked without changing anything.
   * Runs inside the core's pre-flight phase; `phase` is for the sub-phases it runs later.
   */
  open(inputs: Inputs, aws: Clients, deps: Deps<Clients>, phase: PhaseRunner): Promise<OpenTarget>;
}

/** A service that passed pre-flight, ready to release to. */
export interface OpenTarget {
  /** Where users reach the service (a custom domain first, when one is attached). */
  readonly serviceUrl: string | undefined;
  /** The version serving before this run changed anything. */
  readonly servingVersion: number | undefined;
  /** When the service was created: only verdicts given since then are about it (see release-record.ts). */
  readonly createdAt: Date | undefined;
  /** Problems that do not stop a deploy (a certificate about to expire), for the log and the summary. */
  warnings(): Promise<string[]>;
  /** Deploys, promotes or rolls back as the inputs ask, judged and recorded in `record`. */
  release(record: RecordStore, recordAtStart: ReleaseRecord): Promise<Released>;
  /** Keeps the images a later rollback needs from the repository's lifecycle policy. */
  protectImages(known: ReleaseRecord): Promise<void>;
  /** The service's monthly cost at today's prices; undefined when they cannot be read. */
  monthlyCost(): Promise<MonthlyCost | undefined>;
}

/** What `release` did, and what the run knows of the record afterwards (its own verdicts included). */
export interface Released {
  step: StepOutcome;
  known: ReleaseRecord;
}

/** What is serving, as read back from the platform; `unknown` says why it could not be read. */
export type Serving = { version: number | undefined } | { unknown: string };

/** What a release did to the service, for the report. */
export interface ReleaseOutcome {
  status: Status;
  /** The last deployment version this run created (after a restore, the restore's). */
  version: number | undefined;
  /** The image this run left deployed (after a restore, the restored image). */
  image: string | undefined;
  serving: Serving;
  logs: string[];
  notes: string[];
  error?: DeployError;
  /** The new version's bake window, when it had one. */
  bake?: BakeResult;
}

/** The image a deploy or promote step deploys, its digest and the environment it was promoted from. */
export interface DeployedImage {
  uri: string;
  digest: string | undefined;
  from: string | undefined;
}

/** Each container of the deployment and its image, as the summary lists them. */
export type ContainerImages = { name: string; image: string }[];

/**
 * What the deploy, promote or rollback step produced: a release, or (dry run, nothing to do) a note.
 * `deployed`: the image a deploy or promote step deployed (or would have), with its digest, for the result.
 */
export type StepOutcome = (
  | { kind: "released"; outcome: ReleaseOutcome; containers?: ContainerImages }
  | {
      kind: "unchanged";
      image: string | undefined;
      version: number | undefined;
      note?: string;
      request?: string;
      containers?: ContainerImages;
    }
) & { deployed?: DeployedImage };
