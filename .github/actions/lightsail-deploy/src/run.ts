import type {
  ContainerServiceDeployment,
  CreateContainerServiceDeploymentRequest,
} from "@aws-sdk/client-lightsail";
import { GetContainerServicePowersCommand } from "./aws-sdk.js";
import {
  buildDeploymentRequest,
  describeRequest,
  publicImage,
  requestFromDeployment,
  targetContainerName,
} from "./deployment-request.js";
import type { AwsClients, Deps } from "./deps.js";
import { DeployError, describeError, type Phase } from "./errors.js";
import { publishImage } from "./image.js";
import { imageUri } from "./image-tag.js";
import { type Inputs, parseInputs, type RawInputs, type RollbackTarget } from "./inputs.js";
import { fetchDeploymentLogs } from "./logs.js";
import { pollIntervalFor } from "./polling.js";
import { type Preflight, preflight, settledService } from "./preflight.js";
import { monthlyCost, type RunResult } from "./report.js";
import { planRollback } from "./rollback-plan.js";
import { readSsmEnvironment } from "./ssm-environment.js";
import { servingVersion, startDeployment, verifyDeployment } from "./verify.js";

type PhaseRunner = <T>(phase: Phase, title: string, body: () => Promise<T>) => Promise<T>;

interface Context {
  inputs: Inputs;
  checked: Preflight;
  aws: AwsClients;
  deps: Deps;
  result: RunResult;
  phase: PhaseRunner;
}

/** Runs each phase in its own log group, records its duration, and gives stray errors a phase. */
function phaseRunner(result: RunResult, deps: Deps): PhaseRunner {
  return async (phase, title, body) => {
    const start = deps.now();
    try {
      return await deps.log.group(title, body);
    } catch (error) {
      if (error instanceof DeployError) throw error;
      deps.log.debug(error instanceof Error && error.stack ? error.stack : String(error));
      throw new DeployError(
        describeError(error),
        phase,
        "see the log above; re-run with debug logging for details",
      );
    } finally {
      result.phases.push({ phase: title, ms: deps.now() - start });
    }
  };
}

/** Sequences the phases. Never throws: a failure is a result with `error` set. */
export async function run(raw: RawInputs, deps: Deps): Promise<RunResult> {
  const result: RunResult = { status: undefined, dryRun: false, phases: [], notes: [], logs: [] };
  const phase = phaseRunner(result, deps);
  let ctx: Context | undefined;
  try {
    const inputs = await phase("inputs", "Inputs", async () => parseInputs(raw, deps.env));
    Object.assign(result, { dryRun: inputs.dryRun, serviceName: inputs.serviceName, region: inputs.region });
    const aws = deps.aws(inputs.region);
    const checked = await phase("preflight", "Pre-flight", () => preflight(inputs, aws, deps));
    result.serviceUrl = checked.service.url;
    result.previousVersion = checked.service.currentDeployment?.version;
    ctx = { inputs, checked, aws, deps, result, phase };
    if (inputs.source.kind === "rollback") await rollbackTo(ctx, inputs.source.target);
    else await deployNewImage(ctx);
  } catch (error) {
    if (result.status !== "rolled-back") result.status = "failed";
    result.error = error instanceof Error ? error.message : String(error);
  }
  if (ctx) await phase("report", "Cost", () => addCost(ctx)).catch(() => undefined);
  return result;
}

async function deployNewImage(ctx: Context): Promise<void> {
  const { inputs, checked, aws, deps, result, phase } = ctx;
  const tag = checked.tag ?? "";
  const repositoryUri = checked.repository.repositoryUri ?? "";
  const image = inputs.dryRun
    ? { uri: imageUri(repositoryUri, tag), tag }
    : await phase("image", "Image", () =>
        publishImage(inputs.source, { repositoryUri, tag, exists: checked.imageExists }, aws, deps),
      );
  Object.assign(result, { imageUri: image.uri, imageTag: image.tag });
  if (checked.imageExists)
    result.notes.push(`${image.uri} was already in ECR, so build and push were skipped.`);

  const current = checked.service.currentDeployment;
  const request = await phase("deploy", "Deployment request", async () => {
    const ssm = inputs.ssmPath ? await readSsmEnvironment(aws, inputs.ssmPath, deps.log) : {};
    const request = buildDeploymentRequest(current, {
      serviceName: inputs.serviceName,
      containerName: inputs.containerName,
      image: image.uri,
      // The workflow's own lines win over Parameter Store, so a run can override one value.
      environment: { ...ssm, ...inputs.environment },
      containerPort: inputs.containerPort,
      healthCheck: inputs.healthCheck,
    });
    const text = describeRequest(request);
    deps.log.info(`Container ${targetContainerName(current, inputs.containerName)} ← ${image.uri}`);
    deps.log.debug(text);
    if (inputs.dryRun) result.request = text;
    return request;
  });
  if (inputs.dryRun) {
    deps.log.info(`Dry run: this request would be sent; nothing was changed.\n${result.request}`);
    return;
  }
  await deployAndVerify(ctx, request, current, "deploy");
}

/** Creates the deployment, verifies it, and on failure collects logs and (if allowed) rolls back. */
async function deployAndVerify(
  ctx: Context,
  request: CreateContainerServiceDeploymentRequest,
  previous: ContainerServiceDeployment | undefined,
  kind: "deploy" | "rollback",
): Promise<void> {
  const { inputs, checked, aws, deps, result, phase } = ctx;
  const version = await phase(kind, "Deploy", async () => {
    const created = await startDeployment(request, aws, kind);
    deps.log.info(`Created deployment version ${created}`);
    return created;
  });
  result.deploymentVersion = version;
  const verify = (v: number, urgency: "deploy" | "rollback") =>
    verifyDeployment(
      aws,
      {
        serviceName: inputs.serviceName,
        version: v,
        serviceUrl: checked.service.url,
        intervalMs: pollIntervalFor(urgency, inputs.pollIntervalMs),
        timeoutMs: inputs.waitTimeoutMs,
        probePath: inputs.probePath,
        probeCount: inputs.probeCount,
        maxErrorRate: inputs.maxErrorRate,
      },
      deps,
    );
  const verdict = await phase("verify", `Verify version ${version}`, () => verify(version, kind));
  if (verdict.ok) {
    result.status = kind === "deploy" ? "deployed" : "rolled-back";
    return;
  }
  if (verdict.deployment) {
    const deployment = verdict.deployment;
    result.logs = await phase("verify", "Container logs", () =>
      fetchDeploymentLogs(aws, inputs.serviceName, deployment, new Date(deps.now())),
    ).catch((error: unknown) => [`(could not read the container logs: ${describeError(error)})`]);
    deps.log.info(result.logs.join("\n"));
  }
  const what = `deployment version ${version} ${verdict.reason}`;
  const todo = verdict.timedOut
    ? "it may still finish: check it with GetContainerServiceDeployments, and raise `wait-timeout` if the app starts slowly"
    : "read the container logs in the step log or job summary, fix the cause and deploy again";
  if (verdict.activated && kind === "deploy" && inputs.autoRollback && previous) {
    const restored = await phase("rollback", "Automatic rollback", async () => {
      // The failed version can be ACTIVE while the service still finishes its cut-over (DEPLOYING), and
      // Lightsail refuses a new deployment until the service settles.
      await settledService(aws, inputs, deps, pollIntervalFor("rollback", inputs.pollIntervalMs));
      return startDeployment(requestFromDeployment(inputs.serviceName, previous), aws, "rollback");
    });
    const back = await phase("rollback", `Verify rollback version ${restored}`, () =>
      verify(restored, "rollback"),
    );
    result.status = back.ok ? "rolled-back" : "failed";
    result.deploymentVersion = restored;
    // The outputs describe what is deployed now: the previous image, not the one that failed.
    const image = publicImage(previous);
    if (image) result.notes.push(`${result.imageUri} failed and was rolled back to ${image}.`);
    Object.assign(result, { imageUri: image, imageTag: image?.split(":").pop() });
    const serving = back.ok
      ? `rolled back: version ${restored} (the configuration of version ${previous.version}) is serving`
      : `the rollback to the configuration of version ${previous.version} (as version ${restored}) also ${back.reason}`;
    throw new DeployError(`${what}; ${serving}`, "verify", todo);
  }
  const serving = await servingVersion(aws, inputs.serviceName).catch(() => undefined);
  const still = serving === undefined ? "no version is serving" : `version ${serving} is serving`;
  throw new DeployError(`${what}; ${still}`, kind === "deploy" ? "verify" : "rollback", todo);
}

async function rollbackTo(ctx: Context, target: RollbackTarget): Promise<void> {
  const { inputs, checked, aws, deps, result, phase } = ctx;
  const current = checked.service.currentDeployment;
  const plan = await phase("rollback", "Rollback target", () =>
    planRollback(inputs, checked, target, aws, deps),
  );
  const image = publicImage({
    containers: plan.request.containers,
    publicEndpoint: plan.request.publicEndpoint,
  });
  Object.assign(result, { imageUri: image, imageTag: image?.split(":").pop() });
  if (plan.choice.kind === "already-active") {
    result.status = "rolled-back";
    result.deploymentVersion = plan.choice.deployment.version;
    result.notes.push(
      `Version ${plan.choice.deployment.version} is already the active deployment; nothing was changed.`,
    );
    return;
  }
  if (inputs.dryRun) {
    result.request = describeRequest(plan.request);
    deps.log.info(`Dry run: this request would be sent; nothing was changed.\n${result.request}`);
    return;
  }
  await deployAndVerify(ctx, plan.request, current, "rollback");
}

async function addCost(ctx: Context): Promise<void> {
  const { aws, checked, result, deps } = ctx;
  try {
    const out = await aws.lightsail.send(new GetContainerServicePowersCommand({}));
    result.cost = monthlyCost(out.powers ?? [], checked.service.power, checked.service.scale);
  } catch (error) {
    // The cost line is informative only; a failure here must not fail a good deploy.
    deps.log.warning(`Could not read container service prices: ${describeError(error)}`);
  }
}
