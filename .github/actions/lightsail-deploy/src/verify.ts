import type {
  ContainerServiceDeployment,
  CreateContainerServiceDeploymentRequest,
  GetContainerServiceDeploymentsCommandOutput,
} from "@aws-sdk/client-lightsail";
import {
  CreateContainerServiceDeploymentCommand,
  GetContainerServiceDeploymentsCommand,
  GetContainerServicesCommand,
} from "./aws-sdk.js";
import type { AwsClients, Deps } from "./deps.js";
import { DeployError, describeError, isTransient } from "./errors.js";
import { pollUntil } from "./polling.js";
import { type ProbeResult, probe, probeUrl } from "./probe.js";

export type WaitOutcome =
  | { state: "ACTIVE" | "FAILED" | "INACTIVE"; deployment: ContainerServiceDeployment }
  | { state: "TIMEOUT"; deployment: ContainerServiceDeployment | undefined };

/** The documentation gives two different orders, so sort by version rather than trust either. */
export function sortByVersion(
  deployments: readonly ContainerServiceDeployment[],
): ContainerServiceDeployment[] {
  return [...deployments].sort((a, b) => (a.version ?? 0) - (b.version ?? 0));
}

/** Sends the request and returns the version it created, read from `nextDeployment`. */
export async function startDeployment(
  request: CreateContainerServiceDeploymentRequest,
  aws: AwsClients,
  phase: "deploy" | "rollback",
): Promise<number> {
  let version: number | undefined;
  try {
    const out = await aws.lightsail.send(new CreateContainerServiceDeploymentCommand(request));
    version = out.containerService?.nextDeployment?.version;
  } catch (error) {
    throw new DeployError(
      `CreateContainerServiceDeployment was refused (${describeError(error)})`,
      phase,
      "nothing was changed; fix the cause above and re-run",
    );
  }
  if (version === undefined) {
    throw new DeployError(
      "Lightsail accepted the deployment but reported no new version",
      phase,
      "check the service in the console",
    );
  }
  return version;
}

/**
 * Polls the one deployment version this run created (never the service state, which another
 * deployment could change) until it is ACTIVE or FAILED, or the timeout passes.
 */
export async function waitForDeployment(
  aws: AwsClients,
  serviceName: string,
  version: number,
  options: { intervalMs: number; timeoutMs: number },
  deps: Deps,
): Promise<WaitOutcome> {
  let lastState: string | undefined;
  let last: ContainerServiceDeployment | undefined;
  const result = await pollUntil<WaitOutcome>(
    async () => {
      let out: GetContainerServiceDeploymentsCommandOutput;
      try {
        out = await aws.lightsail.send(new GetContainerServiceDeploymentsCommand({ serviceName }));
      } catch (error) {
        // The deployment carries on whatever happens to one status call; only give up on errors that
        // would repeat (permissions, bad input). Transient ones already had the SDK's retries.
        if (!isTransient(error)) throw error;
        deps.log.warning(`Reading the deployment status failed (${describeError(error)}); polling again`);
        return undefined;
      }
      const deployment = sortByVersion(out.deployments ?? []).find((d) => d.version === version);
      if (deployment?.state !== lastState) {
        deps.log.info(`Version ${version}: ${deployment?.state ?? "not listed yet"}`);
        lastState = deployment?.state;
      }
      last = deployment;
      if (!deployment) return undefined;
      if (deployment.state === "ACTIVE" || deployment.state === "FAILED" || deployment.state === "INACTIVE") {
        return { state: deployment.state, deployment };
      }
      return undefined;
    },
    options,
    deps,
  );
  return result.done ? result.value : { state: "TIMEOUT", deployment: last };
}

export interface VerifyOptions {
  serviceName: string;
  version: number;
  serviceUrl: string | undefined;
  intervalMs: number;
  timeoutMs: number;
  /** Undefined: the deployment's health-check path. */
  probePath: string | undefined;
  probeCount: number;
  maxErrorRate: number;
}

export type Verdict =
  | { ok: true; deployment: ContainerServiceDeployment; probe: ProbeResult | undefined }
  | {
      ok: false;
      /** The version went ACTIVE (it served traffic) before it was judged bad. */
      activated: boolean;
      reason: string;
      /** It may still finish: Lightsail keeps activating after this run stops waiting. */
      timedOut: boolean;
      deployment: ContainerServiceDeployment | undefined;
    };

function percent(rate: number): string {
  return `${Math.round(rate * 1000) / 10}%`;
}

/** Waits for the version, then checks the outcome a user sees: the public URL answering. */
export async function verifyDeployment(
  aws: AwsClients,
  options: VerifyOptions,
  deps: Deps,
): Promise<Verdict> {
  const { version } = options;
  const outcome = await waitForDeployment(aws, options.serviceName, version, options, deps);
  if (outcome.state === "TIMEOUT") {
    const state = outcome.deployment?.state ?? "not listed";
    const reason = `did not become ACTIVE within ${Math.round(options.timeoutMs / 1000)}s (last state: ${state})`;
    return { ok: false, activated: false, timedOut: true, reason, deployment: outcome.deployment };
  }
  if (outcome.state === "FAILED") {
    const reason = "FAILED: its containers did not start or did not pass the health check";
    return { ok: false, activated: false, timedOut: false, reason, deployment: outcome.deployment };
  }
  if (outcome.state === "INACTIVE") {
    const reason = "was replaced by another deployment while this run waited";
    return { ok: false, activated: false, timedOut: false, reason, deployment: outcome.deployment };
  }
  if (options.probeCount === 0 || !options.serviceUrl) {
    if (options.probeCount > 0) deps.log.warning("The service has no public URL; skipping the probe");
    return { ok: true, deployment: outcome.deployment, probe: undefined };
  }
  const path = options.probePath ?? outcome.deployment.publicEndpoint?.healthCheck?.path ?? "/";
  const result = await probe(probeUrl(options.serviceUrl, path), options.probeCount, deps.httpGet);
  deps.log.info(
    `Probe ${result.url}: ${result.count - result.failures}/${result.count} answered (${percent(result.errorRate)} errors)`,
  );
  if (result.errorRate > options.maxErrorRate) {
    const reason =
      `went ACTIVE but failed the probe: ${result.failures} of ${result.count} requests to ${result.url} failed ` +
      `(${percent(result.errorRate)} > ${percent(options.maxErrorRate)}; e.g. ${result.samples.join(", ")})`;
    return { ok: false, activated: true, timedOut: false, reason, deployment: outcome.deployment };
  }
  return { ok: true, deployment: outcome.deployment, probe: result };
}

/** The version serving now, read back from Lightsail so a failure message never guesses. */
export async function servingVersion(aws: AwsClients, serviceName: string): Promise<number | undefined> {
  const out = await aws.lightsail.send(new GetContainerServicesCommand({ serviceName }));
  return out.containerServices?.[0]?.currentDeployment?.version;
}
