import type { CreatedDeployment } from "./create-deployment.js";
import { newDeployId } from "./deployment-id.js";
import type { AwsClients, Deps } from "./deps.js";
import { customDomains } from "./domains.js";
import type { Inputs } from "./inputs.js";
import type { PhaseRunner } from "./phase-runner.js";
import { pollIntervalFor } from "./polling.js";
import type { Preflight } from "./preflight.js";
import { probeCountFor } from "./probe.js";
import { type RecordStore, type ReleaseRecord, withVerdict } from "./release-record.js";
import { type Verdict, verifyDeployment } from "./verify.js";

/** What the deploy, rollback and restore steps share: inputs, checks, clients and the release record. */
export interface ReleaseContext {
  inputs: Inputs;
  checked: Preflight;
  aws: AwsClients;
  deps: Deps;
  record: RecordStore;
  /** The record as pre-flight read it, before this run changed anything. */
  recordAtStart: ReleaseRecord;
  phase: PhaseRunner;
  verify(created: CreatedDeployment, kind: "deploy" | "rollback"): Promise<Verdict>;
  /** A deployment id no other Create of this run (or any other run) uses: `<run id>-<n>`. */
  nextDeployId(): string;
  /** Writes a good or rejected verdict to the record; a write that fails is a warning, not a failure. */
  recordVerdict(verdict: Verdict): Promise<void>;
}

export function releaseContext(
  base: Omit<ReleaseContext, "verify" | "recordVerdict" | "nextDeployId">,
): ReleaseContext {
  const { inputs, checked, aws, deps, record } = base;
  const runId = newDeployId(deps.env, deps.random);
  let creates = 0;
  return {
    ...base,
    nextDeployId: () => `${runId}-${++creates}`,
    verify: (created, kind) =>
      verifyDeployment(
        aws,
        {
          serviceName: inputs.serviceName,
          version: created.version,
          id: created.id,
          serviceUrl: checked.service.url,
          domainUrls: customDomains(checked.service).map((domain) => `https://${domain}/`),
          intervalMs: pollIntervalFor(kind, inputs.pollIntervalMs),
          timeoutMs: inputs.waitTimeoutMs,
          probePath: inputs.probePath,
          probeCount: probeCountFor(inputs.probeCount, checked.service.scale),
          maxErrorRate: inputs.maxErrorRate,
        },
        deps,
      ),
    async recordVerdict(verdict) {
      if (verdict.kind !== "good" && verdict.kind !== "rejected") return;
      const { deployment } = verdict;
      // Short reasons: the record holds 40 entries within SSM's 4 KB.
      const why =
        verdict.kind === "good"
          ? verdict.probe
            ? "probe passed"
            : "went ACTIVE"
          : verdict.activated
            ? "failed the probe"
            : "FAILED";
      const outcome = verdict.kind;
      try {
        await record.update((r) => withVerdict(r, deployment, outcome, why, new Date(deps.now())));
        deps.log.info(`Release record ${record.name}: version ${deployment.version} is ${verdict.kind}`);
      } catch (error) {
        deps.log.warning(
          `Could not write version ${deployment.version} as ${verdict.kind} to the release record ${record.name} (${error instanceof Error ? error.message : String(error)}); later rollbacks will not know it`,
        );
      }
    },
  };
}
