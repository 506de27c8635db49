import { defaultRecordName } from "../../inputs/record-name.js";
import { DeployError } from "../../platform/errors.js";

/**
 * The release record: which deployments this action verified as good and which it rejected. Lightsail
 * itself cannot say whether an ACTIVE deployment is good (a release that fails its probe, or whose runner
 * was killed, stays ACTIVE), so rollbacks choose from this record.
 *
 * Design: one SSM String parameter per verdict, under the `release-record` path
 * (`<release-record>/<region>/<service>/v<version>-<verdict>-<deploy id>`), written with `Overwrite: false`
 * and read with GetParametersByPath. Why, rather than one parameter rewritten by every run:
 * - no lost update: two runs writing at once write two parameters; neither reads-modifies-writes the other's;
 * - no size trimming: a verdict is a parameter of its own, so SSM's 4 KB limit never drops good entries;
 *   eviction is explicit and keeps what rollbacks need (the newest KEEP_VERIFIED verified releases of the
 *   service always; rejected verdicts go first, and losing one only makes its deployment untrusted);
 * - entries name their service and region, so a path shared by two services never mixes their verdicts.
 * The record written by earlier versions (one JSON parameter at `<release-record>` itself) is still read,
 * never written: see `importLegacy` for what it can prove.
 */

export type ReleaseVerdict = "good" | "rejected";

/**
 * The deployment a verdict is about, as the target reads it: its version and the deploy id the action
 * stamped on it (none: a deployment the action did not create). The record knows no platform beyond these.
 */
export interface DeploymentRef {
  version: number | undefined;
  id: string | undefined;
}

export interface ReleaseEntry {
  version: number;
  /** The deployment's LIGHTSAIL_DEPLOY_ID; absent for a deployment the action did not create. */
  id?: string;
  verdict: ReleaseVerdict;
  /** ISO time of the verdict. */
  at: string;
  /** Why, in a few words ("probe passed", "FAILED", "serving when the record began"). */
  why: string;
  /** The manifest digest of the image the deployment ran, when the run knew it. */
  digest?: string;
  /** A promotion: the environment the image came from (`promote-from`). */
  from?: string;
  /** The service and region the verdict is about (absent only in a legacy record). */
  service?: string;
  region?: string;
  /** Read from the legacy single-parameter record: not a parameter of its own, so never evicted. */
  legacy?: true;
}

/** What a run knows about the image of a release beyond the deployment itself. */
export interface ReleaseImage {
  digest?: string;
  from?: string;
}

export interface ReleaseRecord {
  /** Oldest first. */
  entries: ReleaseEntry[];
}

export const EMPTY_RECORD: ReleaseRecord = { entries: [] };

/** Verdicts kept per service: Lightsail keeps 50 deployments, so older verdicts name nothing listable. */
export const RECORD_LIMIT = 50;

/** The newest verified releases of a service that eviction never removes, whatever else is written. */
export const KEEP_VERIFIED = 10;

/** Legacy only: SSM's limit for a standard parameter's value, which the old single record trimmed to. */
export const RECORD_MAX_BYTES = 4096;

/** Whose verdicts a run reads and writes. */
export interface RecordScope {
  service: string;
  region: string;
}

export function isEntry(value: unknown): value is ReleaseEntry {
  const e = value as Partial<ReleaseEntry> | null;
  return (
    typeof e === "object" &&
    e !== null &&
    Number.isInteger(e.version) &&
    (e.verdict === "good" || e.verdict === "rejected") &&
    typeof e.at === "string" &&
    (e.id === undefined || typeof e.id === "string")
  );
}

/** Parses a legacy record's value; anything else than the old format is refused, never guessed. */
export function parseRecord(text: string, name: string): ReleaseRecord {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  const entries = (parsed as { releases?: unknown } | undefined)?.releases;
  if (!Array.isArray(entries) || !entries.every(isEntry)) {
    throw new DeployError(
      `the release record \`release-record\` (${name}) is not in the form this action writes`,
      "preflight",
      `delete that one parameter (verdicts now live under ${name}/; the releases it listed lose their verdicts and are not trusted until verified again) or name another with \`release-record\``,
    );
  }
  return { entries: entries.map((e) => ({ ...e, why: typeof e.why === "string" ? e.why : "" })) };
}

/** The legacy single-parameter form (tests seed upgrades with it). */
export function serializeRecord(record: ReleaseRecord): string {
  return JSON.stringify({ schema: 1, releases: record.entries });
}

/**
 * What a legacy record can prove for this service: a rejection always counts (it only withholds trust); a
 * good verdict counts when it names a deploy id (unique to the run that made it) or when the record is this
 * service's default one (written by no other service). A shared legacy record's id-less verdicts prove nothing.
 */
export function importLegacy(legacy: ReleaseRecord, name: string, scope: RecordScope): ReleaseEntry[] {
  const own = name === defaultRecordName(scope.service);
  return legacy.entries
    .filter((e) => e.verdict === "rejected" || e.id !== undefined || own)
    .map((e) => ({ ...e, ...scope, legacy: true as const }));
}

/** A verdict's parameter name: one per (service, region, version, deploy id, verdict). */
export function entryName(root: string, entry: ReleaseEntry): string {
  const id = (entry.id ?? "none").replace(/[^a-zA-Z0-9_.-]/g, "_");
  return `${root}/${entry.region}/${entry.service}/v${entry.version}-${entry.verdict}-${id}`;
}

function sameDeployment(entry: ReleaseEntry, deployment: DeploymentRef): boolean {
  return entry.version === deployment.version && entry.id === deployment.id;
}

/** The verdict recorded for this exact deployment (same version and id); a rejection outweighs a good one. */
export function verdictOf(
  record: ReleaseRecord,
  deployment: DeploymentRef | undefined,
): ReleaseVerdict | undefined {
  if (!deployment) return undefined;
  const verdicts = record.entries.filter((entry) => sameDeployment(entry, deployment)).map((e) => e.verdict);
  return verdicts.includes("rejected") ? "rejected" : verdicts[0];
}

/** The entry a verdict on `deployment` writes. */
export function verdictEntry(
  deployment: DeploymentRef,
  verdict: ReleaseVerdict,
  why: string,
  at: Date,
  image: ReleaseImage = {},
  scope?: RecordScope,
): ReleaseEntry {
  const { id } = deployment;
  return {
    version: deployment.version ?? 0,
    ...(id === undefined ? {} : { id }),
    verdict,
    at: at.toISOString(),
    why,
    ...(image.digest ? { digest: image.digest } : {}),
    ...(image.from ? { from: image.from } : {}),
    ...(scope ?? {}),
  };
}

/** The record with one more verdict (in memory: what a run knows once it wrote it). */
export function withVerdict(
  record: ReleaseRecord,
  deployment: DeploymentRef,
  verdict: ReleaseVerdict,
  why: string,
  at: Date,
  image: ReleaseImage = {},
): ReleaseRecord {
  return { entries: [...record.entries, verdictEntry(deployment, verdict, why, at, image)] };
}

/**
 * The entries to delete so that at most RECORD_LIMIT remain: rejected verdicts first (oldest first), then
 * verified ones, never the newest KEEP_VERIFIED verified deployments. Legacy entries are not parameters.
 */
export function evictions(record: ReleaseRecord): ReleaseEntry[] {
  const stored = record.entries.filter((e) => !e.legacy);
  const excess = stored.length - RECORD_LIMIT;
  if (excess <= 0) return [];
  const byAge = [...stored].sort((a, b) => a.version - b.version || a.at.localeCompare(b.at));
  const good = byAge.filter((e) => e.verdict === "good");
  const kept = new Set(good.slice(-KEEP_VERIFIED));
  const order = [...byAge.filter((e) => e.verdict === "rejected"), ...good.filter((e) => !kept.has(e))];
  return order.slice(0, excess);
}

export function hasVerifiedRelease(record: ReleaseRecord): boolean {
  return record.entries.some((entry) => entry.verdict === "good");
}

/** The newest deployment recorded as good, among those `accept` lets through; `refOf` reads a target's. */
export function newestVerified<T>(
  record: ReleaseRecord,
  deployments: readonly T[],
  refOf: (deployment: T) => DeploymentRef,
  accept: (deployment: T) => boolean = () => true,
): T | undefined {
  return [...deployments]
    .sort((a, b) => (refOf(b).version ?? 0) - (refOf(a).version ?? 0))
    .find((d) => accept(d) && verdictOf(record, refOf(d)) === "good");
}

/**
 * What a failed release is replaced with: the release that served before this run when it was verified,
 * else the newest verified one. Nothing unverified: a run that trusted the serving deployment on first use
 * has already put that verdict in the record it passes here.
 */
export function restoreTarget<T>(
  record: ReleaseRecord,
  deployments: readonly T[],
  servedBefore: T | undefined,
  failedVersion: number,
  refOf: (deployment: T) => DeploymentRef,
): T | undefined {
  const usable = (d: T) => refOf(d).version !== failedVersion;
  if (servedBefore && usable(servedBefore) && verdictOf(record, refOf(servedBefore)) === "good")
    return servedBefore;
  return newestVerified(record, deployments, refOf, usable);
}

/**
 * Only verdicts given since the service was created are about it. A service deleted and re-created under the
 * same name (a paused environment, a hand re-create) numbers its deployments from 1 again, and a verdict on
 * the old service's version N with no deploy id would otherwise vouch for the new service's version N.
 */
export function sinceCreated(
  entries: readonly ReleaseEntry[],
  serviceCreatedAt: Date | undefined,
): ReleaseEntry[] {
  if (!serviceCreatedAt) return [...entries];
  const created = serviceCreatedAt.getTime();
  return entries.filter((entry) => !(Date.parse(entry.at) < created));
}
