import { parseImageReference } from "../../../inputs/image-reference.js";
import type { Inputs } from "../../../inputs/schema.js";
import type { Deps } from "../../../platform/deps.js";
import { describeError } from "../../../platform/errors.js";
import type { PhaseRunner } from "../../../platform/phase-runner.js";
import { pollIntervalFor } from "../../../platform/polling.js";
import type { ReleaseKind } from "../../../platform/release-kind.js";
import type { ReleaseEntry, ReleaseImage, ReleaseRecord } from "../../../release/record/release-record.js";
import type { RecordStore } from "../../../release/record/ssm-record-store.js";
import { probeCountFor } from "../../../release/verify/probe.js";
import type { DeployedImage } from "../../deploy-target.js";
import type { AwsClients } from "../clients.js";
import type { Preflight } from "../preflight/preflight.js";
import type { CreatedDeployment } from "./create/create-deployment.js";
import { publicImage } from "./create/deployment-request.js";
import { newDeployId } from "./deployment-id.js";
import { verdictEntry } from "./record-view.js";
import { customDomains } from "./verify/domains.js";
import { type Verdict, verifyDeployment } from "./verify/verify.js";

/** What the deploy, rollback and restore steps share: inputs, checks, clients and the release record. */
export interface ReleaseContext {
  inputs: Inputs;
  checked: Preflight;
  aws: AwsClients;
  deps: Deps;
  record: RecordStore;
  /** The record as pre-flight read it, before this run changed anything. */
  recordAtStart: ReleaseRecord;
  /**
   * What this run goes by: the record read at the start plus this run's own verdicts, never re-read (a
   * record that became unreadable mid-run must not abandon a rollback).
   */
  known(): ReleaseRecord;
  /** Adds a verdict to what this run knows, then writes it; a failed write is a warning (known keeps it). */
  remember(entry: ReleaseEntry, say: string): Promise<void>;
  phase: PhaseRunner;
  /**
   * `bake`: also a rollback's verification runs the bake window (a rollback to a release the record does not
   * hold as verified good: its verdict is a first verdict, as strict as a deploy's).
   */
  verify(created: CreatedDeployment, kind: ReleaseKind, bake?: boolean): Promise<Verdict>;
  /** A deployment id no other Create of this run (or any other run) uses: `<run id>-<n>`. */
  nextDeployId(): string;
  /**
   * Writes a good or rejected verdict to the record (see `remember`); `deployed` is the image this run
   * deploys and its digest, which the record notes for that image only (see `deploying`).
   */
  recordVerdict(verdict: Verdict, deployed?: DeployedImage): Promise<void>;
}

/** The context a deploy or promote step releases with: its verdicts note `deployed`'s digest. */
export function deploying(ctx: ReleaseContext, deployed: DeployedImage): ReleaseContext {
  return { ...ctx, recordVerdict: (verdict) => ctx.recordVerdict(verdict, deployed) };
}

/** The digest a deployment runs: pinned in its image, or known for this run's image (a restore is not). */
function imageOf(
  deployment: Parameters<typeof publicImage>[0],
  deployed: DeployedImage | undefined,
): ReleaseImage {
  const image = publicImage(deployment);
  const pinned = parseImageReference(image ?? "")?.digest;
  const ours = deployed !== undefined && image === deployed.uri;
  const digest = pinned ?? (ours ? deployed.digest : undefined);
  return {
    ...(digest ? { digest } : {}),
    ...(ours && deployed.from ? { from: deployed.from } : {}),
  };
}

export function releaseContext(
  base: Omit<ReleaseContext, "verify" | "recordVerdict" | "nextDeployId" | "known" | "remember">,
): ReleaseContext {
  const { inputs, checked, aws, deps, record } = base;
  const runId = newDeployId(deps.env, deps.random);
  let creates = 0;
  const known: ReleaseEntry[] = [...base.recordAtStart.entries];
  const ctx: ReleaseContext = {
    ...base,
    known: () => ({ entries: [...known] }),
    async remember(entry, say) {
      known.push(entry);
      try {
        await record.add(entry);
        deps.log.info(`Release record ${record.name}: ${say}`);
      } catch (error) {
        deps.log.warning(
          `Could not write version ${entry.version} as ${entry.verdict} to the release record ${record.name} (${describeError(error)}); this run goes by it, later runs will not know it`,
        );
        return;
      }
      try {
        const evicted = await record.evict(ctx.known());
        if (evicted > 0) deps.log.info(`Release record ${record.name}: ${evicted} old verdicts removed`);
      } catch (error) {
        deps.log.warning(`Could not remove old verdicts from ${record.name} (${describeError(error)})`);
      }
    },
    nextDeployId: () => `${runId}-${++creates}`,
    verify: (created, kind, bake = kind === "deploy") =>
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
          // A rollback to a verified release: service comes back first, without a window.
          bakeMs: bake ? inputs.bakeMs : 0,
        },
        deps,
      ),
    async recordVerdict(verdict, deployed) {
      if (verdict.kind !== "good" && verdict.kind !== "rejected") return;
      const { deployment } = verdict;
      const why =
        verdict.kind === "good"
          ? verdict.probe
            ? "probe passed"
            : "went ACTIVE"
          : verdict.bake?.failed
            ? "failed the bake window"
            : verdict.activated
              ? "failed the probe"
              : "FAILED";
      const image = imageOf(deployment, deployed);
      const entry = verdictEntry(deployment, verdict.kind, why, new Date(deps.now()), image, record.scope);
      await ctx.remember(entry, `version ${deployment.version} is ${verdict.kind}`);
    },
  };
  return ctx;
}
