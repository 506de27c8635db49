import type { CreateContainerServiceDeploymentRequest } from "@aws-sdk/client-lightsail";
import { containerImageList } from "../image/container-images.js";
import { publishImage } from "../image/image.js";
import { imageUri } from "../image/image-tag.js";
import { imageTagOf } from "../inputs/image-reference.js";
import { parseInputs } from "../inputs/inputs.js";
import type { RawInputs } from "../inputs/schema.js";
import { GetContainerServicePowersCommand } from "../platform/aws-sdk.js";
import type { AwsClients, Deps } from "../platform/deps.js";
import { describeError } from "../platform/errors.js";
import { type PhaseTiming, phaseRunner } from "../platform/phase-runner.js";
import { newTimeline, timed } from "../platform/timeline.js";
import { type Preflight, preflight } from "../preflight/preflight.js";
import { digestOfTag } from "../preflight/promotion.js";
import { checkDeployImages, planDeploy } from "../release/create/deploy.js";
import { describeRequest, publicImage } from "../release/create/deployment-request.js";
import { maskEnvironmentValues, withMaskedEnvironments } from "../release/masking.js";
import { ssmRecordStore, verdictOf } from "../release/record/release-record.js";
import { type ReleaseOutcome, release } from "../release/release.js";
import { type ReleaseContext, releaseContext } from "../release/release-context.js";
import { certificateWarnings, customDomains, publicUrls } from "../release/verify/domains.js";
import { postCommitStatus } from "../report/commit-status.js";
import { type MonthlyCost, monthlyCost, type RunResult } from "../report/report.js";
import { protectNeededImages } from "../rollback/image-protection.js";
import { planRollback } from "../rollback/rollback-plan.js";

/** What the deploy or rollback step produced: a release, or (dry run, nothing to do) a note. */
type StepOutcome =
  | { kind: "released"; outcome: ReleaseOutcome; containers?: RunResult["containers"] }
  | {
      kind: "unchanged";
      image: string | undefined;
      version: number | undefined;
      note?: string;
      request?: string;
      containers?: RunResult["containers"];
    };

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
    const certificates = customDomains(checked.service).length
      ? await phase("preflight", "Custom domains", () => certificateWarnings(aws, checked.service, deps))
      : [];
    for (const warning of certificates) deps.log.warning(warning);
    result.notes.push(...certificates);
    Object.assign(result, {
      // The custom domain when one is attached: it is where users reach the service.
      serviceUrl: publicUrls(checked.service)[0],
      previousVersion: checked.service.currentDeployment?.version,
    });
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
    const ctx = releaseContext({ inputs, checked, aws, deps, record, recordAtStart, phase });
    const step =
      inputs.source.kind === "rollback"
        ? await rollbackStep(ctx)
        : inputs.source.kind === "promote"
          ? await promoteStep(ctx)
          : await deployStep(ctx);
    applyStep(result, step);
    if (ctx.deployed?.uri === result.imageUri)
      Object.assign(result, { imageDigest: ctx.deployed?.digest, promotedFrom: ctx.deployed?.from });
    if (!inputs.dryRun && (result.status === "deployed" || result.status === "rolled-back")) {
      const target = {
        serviceName: inputs.serviceName,
        repositoryName: checked.repository.repositoryName ?? "",
        repositoryUri: checked.repository.repositoryUri ?? "",
      };
      await phase("report", "Image protection", async () =>
        protectNeededImages(aws, target, ctx.known(), deps.log),
      ).catch((error: unknown) => deps.log.warning(`Could not protect the images: ${describeError(error)}`));
    }
  } catch (error) {
    result.status = "failed";
    result.error = error instanceof Error ? error.message : String(error);
  }
  if (started) {
    const { aws, checked } = started;
    result.cost = await phase("report", "Cost", () => readCost(aws, checked, deps)).catch(() => undefined);
  }
  result.context = await deps.github.context().catch((error: unknown) => {
    deps.log.warning(`Could not read the run's GitHub context: ${describeError(error)}`);
    return undefined;
  });
  if (token) await deps.log.group("Commit status", () => postCommitStatus(result, token, deps));
  return result;
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

/** A dry run stops before the Create: it prints the request (environment values as ***) and changes nothing. */
function dryRun(
  request: CreateContainerServiceDeploymentRequest,
  image: string | undefined,
  deps: Deps,
  note?: string,
): StepOutcome {
  const text = describeRequest(request);
  deps.log.info(`Dry run: this request would be sent; nothing was changed.\n${text}`);
  const containers = containerImageList(request);
  return {
    kind: "unchanged",
    image,
    version: undefined,
    request: text,
    containers,
    ...(note ? { note } : {}),
  };
}

async function deployStep(ctx: ReleaseContext): Promise<StepOutcome> {
  const { inputs, checked, aws, deps, phase } = ctx;
  const tag = checked.tag ?? "";
  const repositoryUri = checked.repository.repositoryUri ?? "";
  await checkOtherImages(ctx);
  const image = inputs.dryRun
    ? { uri: imageUri(repositoryUri, tag), tag }
    : await phase("image", "Image", () =>
        publishImage(
          inputs.source,
          { repositoryUri, tag, exists: checked.imageExists },
          aws,
          deps,
          inputs.buildCache,
        ),
      );
  const notes = checked.imageExists
    ? [`${image.uri} was already in ECR, so build and push were skipped.`]
    : [];
  const request = await phase("deploy", "Deployment request", async () => {
    const planned = await planDeploy(inputs, checked, image.uri, aws, deps);
    deps.log.debug(describeRequest(planned));
    return planned;
  });
  if (inputs.dryRun) return dryRun(request, image.uri, deps, notes[0]);
  const repositoryName = checked.repository.repositoryName ?? inputs.repository ?? "";
  const digest = await digestOfTag(repositoryName, image.tag, aws, (m) => deps.log.warning(m));
  ctx.deployed = { uri: image.uri, digest, from: undefined };
  const outcome = await release(ctx, request, "deploy", image.uri);
  outcome.notes.unshift(...notes);
  return { kind: "released", outcome, containers: containerImageList(request) };
}

/** Deploys an image already in ECR, pinned by digest, with this environment's own configuration. */
/** `images` (other containers' new images) checked before anything is pushed or deployed. */
async function checkOtherImages({ inputs, checked, aws, phase }: ReleaseContext): Promise<void> {
  if (Object.keys(inputs.images).length === 0) return;
  await phase("preflight", "Container images", () => checkDeployImages(inputs, checked, aws));
}

async function promoteStep(ctx: ReleaseContext): Promise<StepOutcome> {
  const { inputs, checked, aws, deps, phase } = ctx;
  const promotion = checked.promotion;
  if (!promotion) throw new Error("promoteStep needs a promotion resolved in pre-flight");
  await checkOtherImages(ctx);
  const request = await phase("deploy", "Deployment request", async () => {
    const planned = await planDeploy(inputs, checked, promotion.uri, aws, deps);
    deps.log.debug(describeRequest(planned));
    return planned;
  });
  ctx.deployed = { uri: promotion.uri, digest: promotion.digest, from: promotion.from };
  const note = `Promoted ${promotion.digest}${promotion.from ? ` from ${promotion.from}` : ""}: nothing was built or pushed.`;
  if (inputs.dryRun) return dryRun(request, promotion.uri, deps, note);
  const outcome = await release(ctx, request, "deploy", promotion.uri);
  outcome.notes.unshift(note);
  return { kind: "released", outcome };
}

async function rollbackStep(ctx: ReleaseContext): Promise<StepOutcome> {
  const { inputs, checked, aws, deps, phase } = ctx;
  if (inputs.source.kind !== "rollback") throw new Error("rollbackStep needs a rollback source");
  const target = inputs.source.target;
  const plan = await phase("rollback", "Rollback target", () =>
    planRollback(inputs, checked, target, ctx.recordAtStart, aws, deps),
  );
  const image = publicImage({
    containers: plan.request.containers,
    publicEndpoint: plan.request.publicEndpoint,
  });
  if (plan.choice.kind === "already-active") {
    const version = plan.choice.deployment.version;
    return {
      kind: "unchanged",
      image,
      version,
      note: `Version ${version} is already the active deployment; nothing was changed.`,
    };
  }
  if (inputs.dryRun) return dryRun(plan.request, image, deps);
  const containers = containerImageList(plan.request);
  // A target the record does not hold as verified good gets its first verdict here, bake window included.
  const verified =
    plan.choice.kind === "redeploy" && verdictOf(ctx.recordAtStart, plan.choice.deployment) === "good";
  const outcome = await release(ctx, plan.request, "rollback", image, !verified);
  return { kind: "released", outcome, containers };
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
