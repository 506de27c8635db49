// The release record's one writer: its verdicts as SSM parameters, one per verdict, under the record's name.

import type { AwsClients } from "../../platform/deps.js";
import { DeployError, describeError, errorName } from "../../platform/errors.js";
import {
  entryName,
  evictions,
  importLegacy,
  isEntry,
  parseRecord,
  type RecordScope,
  type ReleaseEntry,
  type ReleaseRecord,
  sinceCreated,
} from "./release-record.js";

/** Reads and writes the record's parameters. */
export interface RecordStore {
  readonly name: string;
  readonly scope: RecordScope;
  /** This service's verdicts (and what a legacy record proves); unreadable means a pre-flight failure. */
  read(): Promise<ReleaseRecord>;
  /** Pre-flight: proves PutParameter works under the path before anything changes. */
  proveWritable(marker: string): Promise<void>;
  /** Writes one verdict as a parameter of its own; never overwrites another. Returns the entry written. */
  add(entry: ReleaseEntry): Promise<ReleaseEntry>;
  /** Deletes what `evictions` names from `record`; returns how many. */
  evict(record: ReleaseRecord): Promise<number>;
}

function readFailure(name: string, error: unknown): DeployError {
  return new DeployError(
    `reading the release record \`release-record\` (${name}) failed (${describeError(error)})`,
    "preflight",
    `grant the deploying identity ssm:GetParameter, ssm:GetParametersByPath, ssm:PutParameter and ssm:DeleteParameters on ${name} and ${name}/* (infrastructure/ does)`,
    { cause: error },
  );
}

function parseStored(value: string | undefined, scope: RecordScope): ReleaseEntry | undefined {
  try {
    const parsed: unknown = JSON.parse(value ?? "");
    if (!isEntry(parsed)) return undefined;
    if (parsed.service !== scope.service || parsed.region !== scope.region) return undefined;
    return { ...parsed, why: typeof parsed.why === "string" ? parsed.why : "" };
  } catch {
    return undefined;
  }
}

/** Where a store reads and writes: the record's name, its scope's path under it, the SSM client. */
interface StoreAt {
  aws: AwsClients;
  name: string;
  scope: RecordScope;
  prefix: string;
}

const sdk = () => import(/* webpackMode: "eager" */ "../../platform/ssm-sdk.js");

async function readLegacy({ aws, name, scope }: StoreAt): Promise<ReleaseEntry[]> {
  const { GetParameterCommand } = await sdk();
  const ssm = await aws.ssm();
  try {
    const out = await ssm.send(new GetParameterCommand({ Name: name }));
    return importLegacy(parseRecord(out.Parameter?.Value ?? "", name), name, scope);
  } catch (error) {
    if (errorName(error) === "ParameterNotFound") return [];
    if (error instanceof DeployError) throw error;
    throw readFailure(name, error);
  }
}

async function readEntries({ aws, name, scope, prefix }: StoreAt): Promise<ReleaseEntry[]> {
  const { GetParametersByPathCommand } = await sdk();
  const ssm = await aws.ssm();
  const entries: ReleaseEntry[] = [];
  let token: string | undefined;
  try {
    do {
      const out = await ssm.send(
        new GetParametersByPathCommand({ Path: prefix, Recursive: false, NextToken: token }),
      );
      for (const parameter of out.Parameters ?? []) {
        // A parameter that is not a verdict of this scope (the writability marker, a hand-made one)
        // proves nothing and is passed over.
        const entry = parseStored(parameter.Value, scope);
        if (entry) entries.push(entry);
      }
      token = out.NextToken;
    } while (token);
  } catch (error) {
    throw readFailure(name, error);
  }
  return entries;
}

async function proveWritable({ aws, name, prefix }: StoreAt, marker: string): Promise<void> {
  const { PutParameterCommand } = await sdk();
  const ssm = await aws.ssm();
  try {
    await ssm.send(
      new PutParameterCommand({
        Name: `${prefix}/writable`,
        Value: marker,
        Type: "String",
        Overwrite: true,
      }),
    );
  } catch (error) {
    throw new DeployError(
      `the release record \`release-record\` (${name}) cannot be written (${describeError(error)}): verdicts would be lost and later rollbacks could not tell good releases from bad`,
      "preflight",
      `nothing was changed; grant the deploying identity ssm:PutParameter on ${name}/* (infrastructure/ does)`,
      { cause: error },
    );
  }
}

async function addEntry({ aws, name, scope }: StoreAt, entry: ReleaseEntry): Promise<ReleaseEntry> {
  const full = { ...entry, ...scope };
  const { PutParameterCommand } = await sdk();
  const ssm = await aws.ssm();
  try {
    await ssm.send(
      new PutParameterCommand({
        Name: entryName(name, full),
        Value: JSON.stringify({ schema: 2, ...full }),
        Type: "String",
        Overwrite: false,
      }),
    );
  } catch (error) {
    // The same verdict on the same deployment is already there (a retried write): nothing is lost.
    if (errorName(error) !== "ParameterAlreadyExists") throw error;
  }
  return full;
}

async function evict({ aws, name, scope }: StoreAt, record: ReleaseRecord): Promise<number> {
  const names = evictions(record).map((e) => entryName(name, { ...e, ...scope }));
  if (names.length === 0) return 0;
  const { DeleteParametersCommand } = await sdk();
  const ssm = await aws.ssm();
  for (let i = 0; i < names.length; i += 10)
    await ssm.send(new DeleteParametersCommand({ Names: names.slice(i, i + 10) }));
  return names.length;
}

export function ssmRecordStore(
  aws: AwsClients,
  name: string,
  scope: RecordScope,
  serviceCreatedAt?: Date,
): RecordStore {
  const at: StoreAt = { aws, name, scope, prefix: `${name}/${scope.region}/${scope.service}` };
  return {
    name,
    scope,
    async read() {
      const [legacy, entries] = await Promise.all([readLegacy(at), readEntries(at)]);
      const all = sinceCreated([...legacy, ...entries], serviceCreatedAt).sort((a, b) =>
        a.at.localeCompare(b.at),
      );
      return { entries: all };
    },
    proveWritable: (marker) => proveWritable(at, marker),
    add: (entry) => addEntry(at, entry),
    evict: (record) => evict(at, record),
  };
}
