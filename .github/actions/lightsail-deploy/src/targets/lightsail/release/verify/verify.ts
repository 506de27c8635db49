import type { ContainerServiceDeployment } from "@aws-sdk/client-lightsail";
import type { Deps } from "../../../../platform/deps.js";
import { describeError } from "../../../../platform/errors.js";
import { pollUntil, retryUntil } from "../../../../platform/polling.js";
import { timed } from "../../../../platform/timeline.js";
import { type BakeResult, bake } from "../../../../release/verify/bake.js";
import { type ProbeResult, probe, probeUrl } from "../../../../release/verify/probe.js";
import type { AwsClients } from "../../clients.js";
import { listDeployments } from "../../preflight/lightsail-reads.js";
import { deployIdOf } from "../deployment-id.js";
import { expectedActivationMs, pollDelayMs } from "./poll-schedule.js";

export interface VerifyOptions {
  serviceName: string;
  version: number;
  /** This run's id on that version: another deployment with the same number is not this one. */
  id: string;
  serviceUrl: string | undefined;
  /** `https://<domain>/` of each custom domain attached: probed first, as they are what users reach. */
  domainUrls?: string[];
  intervalMs: number;
  timeoutMs: number;
  /** Undefined: the deployment's health-check path. */
  probePath: string | undefined;
  probeCount: number;
  maxErrorRate: number;
  /** After the probe passed, keep probing this long (`bake-time`); 0 or undefined: no bake window. */
  bakeMs?: number;
}

/** The verdict on one deployment version; every kind but `good` fails the step. */
export type Verdict =
  | {
      kind: "good";
      deployment: ContainerServiceDeployment;
      probe: ProbeResult | undefined;
      bake?: BakeResult;
    }
  /** FAILED, or ACTIVE but failed the probe or the bake window (`activated`): the release is bad. */
  | {
      kind: "rejected";
      activated: boolean;
      reason: string;
      deployment: ContainerServiceDeployment;
      bake?: BakeResult;
    }
  /** Not settled in time: it may still finish; nothing is known about it. */
  | { kind: "timed-out"; reason: string; deployment: ContainerServiceDeployment | undefined }
  /** Another deployment replaced it before the verdict: nothing this run measured belongs to it. */
  | { kind: "superseded"; by: number; reason: string; deployment: ContainerServiceDeployment | undefined };

function percent(rate: number): string {
  return `${Math.round(rate * 1000) / 10}%`;
}

/** A newer deployment that has served (ACTIVE, or INACTIVE after serving): it replaced `version`. */
export function replacedBy(
  deployments: readonly ContainerServiceDeployment[],
  version: number,
): ContainerServiceDeployment | undefined {
  return deployments
    .filter((d) => (d.version ?? 0) > version && (d.state === "ACTIVE" || d.state === "INACTIVE"))
    .sort((a, b) => (b.version ?? 0) - (a.version ?? 0))[0];
}

function superseded(
  deployment: ContainerServiceDeployment | undefined,
  by: ContainerServiceDeployment,
): Verdict {
  return {
    kind: "superseded",
    by: by.version ?? 0,
    reason: `was superseded by version ${by.version}, another deployment, before it could be judged`,
    deployment,
  };
}

type Settled =
  | { state: "ACTIVE" | "FAILED"; deployment: ContainerServiceDeployment }
  | {
      state: "SUPERSEDED";
      deployment: ContainerServiceDeployment | undefined;
      by: ContainerServiceDeployment;
    }
  /** `readError`: the last status reads failed, so its state is not known. */
  | { state: "TIMEOUT"; deployment: ContainerServiceDeployment | undefined; readError?: string };

/**
 * Polls the one deployment version this run created (never the service state, which another
 * deployment could change) until it is ACTIVE or FAILED, is replaced, or the timeout passes.
 */
export async function waitForDeployment(
  aws: AwsClients,
  options: VerifyOptions,
  deps: Deps,
): Promise<Settled> {
  const { version } = options;
  let lastState: string | undefined;
  let last: ContainerServiceDeployment | undefined;
  let readError: string | undefined;
  const result = await pollUntil<Settled>(
    async () => {
      let deployments: ContainerServiceDeployment[];
      try {
        deployments = await listDeployments(aws, options.serviceName);
      } catch (error) {
        // A status read never decides a verdict: the deployment carries on whatever happens to one call
        // (a network fault, or a permission taken away mid-run), so poll again until `wait-timeout`, and
        // say at the end that the status could not be read.
        readError = describeError(error);
        deps.log.warning(`Reading the deployment status failed (${readError}); polling again`);
        return undefined;
      }
      readError = undefined;
      const deployment = deployments.find((d) => d.version === version && deployIdOf(d) === options.id);
      if (deployment?.state !== lastState) {
        deps.log.info(`Version ${version}: ${deployment?.state ?? "not listed yet"}`);
        lastState = deployment?.state;
      }
      last = deployment;
      // FAILED is a fact about this version whatever came after; anything else is judged only if this
      // version is still the newest to have served.
      if (deployment?.state === "FAILED") return { state: "FAILED", deployment };
      const newer = replacedBy(deployments, version);
      if (newer) return { state: "SUPERSEDED", deployment, by: newer };
      if (deployment?.state === "ACTIVE") return { state: "ACTIVE", deployment };
      return undefined;
    },
    {
      ...options,
      delayMs: (elapsed) =>
        pollDelayMs(elapsed, expectedActivationMs(last?.publicEndpoint?.healthCheck), options.intervalMs),
    },
    deps,
  );
  return result.done
    ? result.value
    : { state: "TIMEOUT", deployment: last, ...(readError ? { readError } : {}) };
}

/**
 * After the probe: is the version still the one serving? If another deployment took over meanwhile, the
 * probe may have measured it, so the verdict cannot be this version's.
 */
async function takenOverDuringProbe(
  aws: AwsClients,
  options: VerifyOptions,
  deps: Deps,
): Promise<ContainerServiceDeployment | undefined> {
  try {
    const deployments = await retryUntil(
      () => listDeployments(aws, options.serviceName),
      { deadline: deps.now() + options.timeoutMs, what: "checking that the probed version still serves" },
      deps,
    );
    return replacedBy(deployments, options.version);
  } catch (error) {
    deps.log.warning(
      `Could not check that version ${options.version} still serves (${describeError(error)})`,
    );
    return undefined;
  }
}

/** Waits for the version, then checks the outcome a user sees: the public URL answering. */
export async function verifyDeployment(
  aws: AwsClients,
  options: VerifyOptions,
  deps: Deps,
): Promise<Verdict> {
  const settled = await timed(deps, "activation", () => waitForDeployment(aws, options, deps));
  if (settled.state === "SUPERSEDED") return superseded(settled.deployment, settled.by);
  if (settled.state === "TIMEOUT") {
    const state = settled.deployment?.state ?? "not listed";
    const seconds = Math.round(options.timeoutMs / 1000);
    const reason = settled.readError
      ? `could not be judged: its status could not be read within ${seconds}s (${settled.readError}; last state read: ${state})`
      : `did not become ACTIVE within ${seconds}s (last state: ${state})`;
    return { kind: "timed-out", reason, deployment: settled.deployment };
  }
  if (settled.state === "FAILED") {
    const reason = "FAILED: its containers did not start or did not pass the health check";
    return { kind: "rejected", activated: false, reason, deployment: settled.deployment };
  }
  const bases = [...(options.domainUrls ?? []), ...(options.serviceUrl ? [options.serviceUrl] : [])];
  // `probe-count: 0` turns the first probe off, not a bake window that was asked for.
  const probes = options.probeCount > 0 || Boolean(options.bakeMs);
  if (!probes || bases.length === 0) {
    if (probes) deps.log.warning("The service has no public URL; skipping the probe");
    return { kind: "good", deployment: settled.deployment, probe: undefined };
  }
  const path = options.probePath ?? settled.deployment.publicEndpoint?.healthCheck?.path ?? "/";
  // The bake window requests every URL the probe covers, in turn: custom domains are what users reach.
  const urls = bases.map((base) => probeUrl(base, path));
  if (options.probeCount === 0)
    return bakeVerdict(
      aws,
      options,
      { urls, durationMs: options.bakeMs ?? 0 },
      settled.deployment,
      undefined,
      deps,
    );
  const result = await timed(deps, "probe", async () => {
    // Each URL is probed in full: a release can answer at the default URL and fail at a custom domain.
    const results: ProbeResult[] = [];
    for (const base of bases) {
      const probed = await probe(probeUrl(base, path), options.probeCount, deps.httpGet);
      deps.log.info(
        `Probe ${probed.url}: ${probed.count - probed.failures}/${probed.count} answered (${percent(probed.errorRate)} errors)`,
      );
      results.push(probed);
    }
    return results.find((r) => r.errorRate > options.maxErrorRate) ?? (results[0] as ProbeResult);
  });
  const newer = await takenOverDuringProbe(aws, options, deps);
  if (newer) return superseded(settled.deployment, newer);
  if (result.errorRate > options.maxErrorRate) {
    const reason =
      `went ACTIVE but failed the probe: ${result.failures} of ${result.count} requests to ${result.url} failed ` +
      `(${percent(result.errorRate)} > ${percent(options.maxErrorRate)}; e.g. ${result.samples.join(", ")})`;
    return { kind: "rejected", activated: true, reason, deployment: settled.deployment };
  }
  if (!options.bakeMs) return { kind: "good", deployment: settled.deployment, probe: result };
  return bakeVerdict(aws, options, { urls, durationMs: options.bakeMs }, settled.deployment, result, deps);
}

/** The bake window: a verdict like the probe's, on the error rate over the whole window. */
async function bakeVerdict(
  aws: AwsClients,
  options: VerifyOptions,
  window: { urls: string[]; durationMs: number },
  deployment: ContainerServiceDeployment,
  probed: ProbeResult | undefined,
  deps: Deps,
): Promise<Verdict> {
  const baked = await timed(deps, "bake", () =>
    bake({ ...window, maxErrorRate: options.maxErrorRate }, deps),
  );
  deps.log.info(
    `Bake ${baked.url}: ${baked.requests - baked.errors}/${baked.requests} answered in ${Math.round(baked.ranMs / 1000)}s (${percent(baked.errorRate)} errors)`,
  );
  const newer = await takenOverDuringProbe(aws, options, deps);
  if (newer) return superseded(deployment, newer);
  if (baked.failed) {
    const reason =
      `went ACTIVE${probed ? " and passed the probe" : ""}, then failed the bake window: ${baked.errors} of ${baked.requests} requests to ${baked.url} ` +
      `failed in ${Math.round(baked.ranMs / 1000)}s (more than ${percent(options.maxErrorRate)} of the ${Math.round(window.durationMs / 1000)}s window; e.g. ${baked.samples.join(", ")})`;
    return { kind: "rejected", activated: true, reason, deployment, bake: baked };
  }
  return { kind: "good", deployment, probe: probed, bake: baked };
}
