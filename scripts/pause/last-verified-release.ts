/**
 * The image a resumed environment gets back: the newest release the deploy action verified as good for this
 * service, read from its release record (one SSM parameter per verdict, JSON, under
 * `/lightsail-deploy/<service>/releases/<region>/<service>/`). pause.yml's resume pipes the record into it:
 *
 *   aws ssm get-parameters-by-path --path <record>/<region>/<service> --recursive --output json |
 *     node scripts/pause/last-verified-release.ts --service <service> --region <region>
 *
 * and promotes the digest it prints: nothing is rebuilt, and the environment's own configuration applies.
 * Only node: built-ins, so the runner's Node runs it as it is, without `npm ci`.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

/** The fields of a verdict the resume reads (the action writes more). */
export interface Verdict {
  version: number;
  id?: string;
  verdict: "good" | "rejected";
  /** ISO time of the verdict. */
  at: string;
  digest?: string;
  service?: string;
  region?: string;
}

export interface VerifiedRelease {
  digest: string;
  version: number;
  at: string;
}

function verdictOf(value: string | undefined): Verdict | undefined {
  try {
    const v = JSON.parse(value ?? "") as Partial<Verdict> | null;
    const valid =
      typeof v === "object" &&
      v !== null &&
      Number.isInteger(v.version) &&
      (v.verdict === "good" || v.verdict === "rejected") &&
      typeof v.at === "string" &&
      !Number.isNaN(Date.parse(v.at));
    return valid ? (v as Verdict) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The newest good verdict of this service, by time: a re-created service numbers its deployments from 1
 * again, so versions do not order releases across a pause. A release also rejected (its probe failed
 * later, say) does not count, as in the action's own rollbacks.
 */
export function lastVerifiedRelease(
  parameters: readonly { Name?: string; Value?: string }[],
  scope: { service: string; region: string },
): VerifiedRelease {
  const verdicts = parameters
    .map((p) => verdictOf(p.Value))
    .filter((v): v is Verdict => v?.service === scope.service && v.region === scope.region);
  const release = (v: Verdict) => `${v.version}/${v.id ?? ""}`;
  const rejected = new Set(verdicts.filter((v) => v.verdict === "rejected").map(release));
  const good = verdicts
    .filter((v) => v.verdict === "good" && !rejected.has(release(v)))
    .sort((a, b) => Date.parse(b.at) - Date.parse(a.at));
  const newest = good[0];
  if (newest === undefined)
    throw new Error(
      `the release record holds no verified release of ${scope.service} in ${scope.region}; deploy one with deploy.yml`,
    );
  if (!newest.digest)
    throw new Error(
      `the newest verified release of ${scope.service} (v${newest.version}, ${newest.at}) has no image digest in the record; deploy it with deploy.yml (rollback-to or promote its tag)`,
    );
  return { digest: newest.digest, version: newest.version, at: newest.at };
}

function main(): void {
  const { values } = parseArgs({ options: { service: { type: "string" }, region: { type: "string" } } });
  for (const flag of ["service", "region"] as const)
    if (!values[flag])
      throw new Error(
        `--${flag} is required (e.g. --${flag} ${flag === "service" ? "vidos-dev" : "eu-west-1"})`,
      );
  const text = readFileSync(0, "utf8");
  let parsed: { Parameters?: { Name?: string; Value?: string }[] };
  try {
    parsed = JSON.parse(text) as typeof parsed;
  } catch {
    throw new Error(`standard input is not the JSON of aws ssm get-parameters-by-path: ${text.slice(0, 80)}`);
  }
  const release = lastVerifiedRelease(parsed.Parameters ?? [], {
    service: values.service ?? "",
    region: values.region ?? "",
  });
  console.error(`last verified release: v${release.version}, verified ${release.at}, ${release.digest}`);
  console.log(release.digest);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  try {
    main();
  } catch (error) {
    console.error(`last-verified-release: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  }
}
