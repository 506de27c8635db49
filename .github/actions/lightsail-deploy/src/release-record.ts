import type { ContainerServiceDeployment } from "@aws-sdk/client-lightsail";
import { deployIdOf } from "./deployment-id.js";
import type { AwsClients } from "./deps.js";
import { DeployError, describeError, errorName } from "./errors.js";

/**
 * The release record: which deployments this action verified as good and which it rejected, kept in one
 * SSM String parameter so that it survives across runs and machines. Lightsail itself cannot say whether
 * an ACTIVE deployment is good (a release that fails its probe, or whose runner was killed, stays ACTIVE),
 * so rollbacks choose from this record. SSM rather than a tag or a file: the deploy role can be granted
 * GetParameter/PutParameter on exactly this one parameter, and nothing else in the stack may write it.
 */

export type ReleaseVerdict = "good" | "rejected";

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

/** Entries kept: Lightsail keeps 50 deployments, and 40 short entries stay far below SSM's 4 KB. */
export const RECORD_LIMIT = 40;

/** SSM's limit for a standard parameter's value: entries with digests are longer, so the oldest go first. */
export const RECORD_MAX_BYTES = 4096;

export function defaultRecordName(serviceName: string): string {
  return `/lightsail-deploy/${serviceName}/releases`;
}

function isEntry(value: unknown): value is ReleaseEntry {
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

/** Parses the parameter's value; anything else than this action's own format is refused, never guessed. */
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
      "delete the parameter (the record starts again from the serving release) or name another with `release-record`",
    );
  }
  return { entries: entries.map((e) => ({ ...e, why: typeof e.why === "string" ? e.why : "" })) };
}

export function serializeRecord(record: ReleaseRecord): string {
  return JSON.stringify({ schema: 1, releases: record.entries });
}

function sameRelease(entry: ReleaseEntry, deployment: ContainerServiceDeployment): boolean {
  return entry.version === deployment.version && entry.id === deployIdOf(deployment);
}

/** The verdict recorded for this exact deployment (same version and same id), if any. */
export function verdictOf(
  record: ReleaseRecord,
  deployment: ContainerServiceDeployment | undefined,
): ReleaseVerdict | undefined {
  if (!deployment) return undefined;
  return record.entries.findLast((entry) => sameRelease(entry, deployment))?.verdict;
}

export function withVerdict(
  record: ReleaseRecord,
  deployment: ContainerServiceDeployment,
  verdict: ReleaseVerdict,
  why: string,
  at: Date,
  image: ReleaseImage = {},
): ReleaseRecord {
  const entry: ReleaseEntry = {
    version: deployment.version ?? 0,
    ...(deployIdOf(deployment) === undefined ? {} : { id: deployIdOf(deployment) }),
    verdict,
    at: at.toISOString(),
    why,
    ...(image.digest ? { digest: image.digest } : {}),
    ...(image.from ? { from: image.from } : {}),
  };
  const others = record.entries.filter((e) => !sameRelease(e, deployment));
  const entries = [...others, entry].slice(-RECORD_LIMIT);
  while (entries.length > 1 && Buffer.byteLength(serializeRecord({ entries })) > RECORD_MAX_BYTES)
    entries.shift();
  return { entries };
}

export function hasVerifiedRelease(record: ReleaseRecord): boolean {
  return record.entries.some((entry) => entry.verdict === "good");
}

/** The newest listed deployment recorded as good, among those `accept` lets through. */
export function newestVerified(
  record: ReleaseRecord,
  deployments: readonly ContainerServiceDeployment[],
  accept: (deployment: ContainerServiceDeployment) => boolean = () => true,
): ContainerServiceDeployment | undefined {
  return [...deployments]
    .sort((a, b) => (b.version ?? 0) - (a.version ?? 0))
    .find((d) => accept(d) && verdictOf(record, d) === "good");
}

/**
 * What a failed release is replaced with: the release that served before this run when it was verified,
 * else the newest verified one, else (a record that has verified nothing yet) the release that served
 * before this run unless it was rejected.
 */
export function restoreTarget(
  record: ReleaseRecord,
  deployments: readonly ContainerServiceDeployment[],
  servedBefore: ContainerServiceDeployment | undefined,
  failedVersion: number,
): ContainerServiceDeployment | undefined {
  const usable = (d: ContainerServiceDeployment) => d.version !== failedVersion;
  if (servedBefore && usable(servedBefore) && verdictOf(record, servedBefore) === "good") return servedBefore;
  const verified = newestVerified(record, deployments, usable);
  if (verified) return verified;
  if (hasVerifiedRelease(record)) return undefined;
  return servedBefore && usable(servedBefore) && verdictOf(record, servedBefore) !== "rejected"
    ? servedBefore
    : undefined;
}

/** Reads and writes the record parameter. */
export interface RecordStore {
  readonly name: string;
  read(): Promise<ReleaseRecord>;
  /** Re-reads, applies `change`, writes; returns what was written. */
  update(change: (record: ReleaseRecord) => ReleaseRecord): Promise<ReleaseRecord>;
}

export function ssmRecordStore(aws: AwsClients, name: string): RecordStore {
  const read = async (): Promise<ReleaseRecord> => {
    const { GetParameterCommand } = await import(/* webpackMode: "eager" */ "./ssm-sdk.js");
    const ssm = await aws.ssm();
    try {
      const out = await ssm.send(new GetParameterCommand({ Name: name }));
      return parseRecord(out.Parameter?.Value ?? "", name);
    } catch (error) {
      if (errorName(error) === "ParameterNotFound") return EMPTY_RECORD;
      if (error instanceof DeployError) throw error;
      throw new DeployError(
        `reading the release record \`release-record\` (${name}) failed (${describeError(error)})`,
        "preflight",
        "grant the deploying identity ssm:GetParameter and ssm:PutParameter on it (infrastructure/ does)",
        { cause: error },
      );
    }
  };
  return {
    name,
    read,
    async update(change) {
      // Read again just before writing, so that a verdict written meanwhile by another run is kept.
      const next = change(await read());
      const { PutParameterCommand } = await import(/* webpackMode: "eager" */ "./ssm-sdk.js");
      const ssm = await aws.ssm();
      await ssm.send(
        new PutParameterCommand({
          Name: name,
          Value: serializeRecord(next),
          Type: "String",
          Overwrite: true,
        }),
      );
      return next;
    },
  };
}
