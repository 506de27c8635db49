import type { PhaseTiming } from "../platform/phase-runner.js";
import type { RunContext } from "../platform/run-context.js";
import { renderGantt, renderTimelineText, type Span } from "../platform/timeline.js";
import type { Status } from "../release/release-status.js";
import { type BakeResult, renderBake } from "../release/verify/bake.js";

/** What the service costs a month: a size's price per node × the node count (the target reads the prices). */
export interface MonthlyCost {
  /** The size's name (Lightsail: the power). */
  power: string;
  scale: number;
  pricePerNode: number;
  total: number;
}

/** What a run did; the outputs, the job summary and the terminal report are all rendered from it. */
export interface RunResult {
  /** Undefined for a dry run, which deploys nothing. */
  status: Status | undefined;
  dryRun: boolean;
  serviceName?: string;
  region?: string;
  imageUri?: string;
  imageTag?: string;
  /** The manifest digest of the image this run deployed (a promotion's, or the pushed tag's). */
  imageDigest?: string;
  /** A promotion: the environment the image came from. */
  promotedFrom?: string;
  /** What the run deployed: a build of this commit, a `rollback-to`, or a `promote`d image. */
  source?: "build" | "prebuilt" | "rollback" | "promote";
  deploymentVersion?: number;
  previousVersion?: number;
  /** The version serving when the run ended, as read back from the platform. */
  servingVersion?: number;
  /** Why the serving version could not be read (then servingVersion is unknown, not "none"). */
  servingUnknown?: string;
  serviceUrl?: string;
  phases: PhaseTiming[];
  /** When each phase (pre-flight … rollback) started and how long it took. */
  timeline?: Span[];
  /** The bake window after the new version's probe, when `bake-time` is set and it got that far. */
  bake?: BakeResult;
  cost?: MonthlyCost;
  notes: string[];
  logs: string[];
  /** The commit and run this deploy comes from; undefined or empty fields outside GitHub. */
  context?: RunContext;
  /** Every container of the deployment request and its image. */
  containers?: { name: string; image: string }[];
  /** Dry run: the request that would have been sent, secrets masked. */
  request?: string;
  error?: string;
}

export const OUTPUT_NAMES = [
  "image-uri",
  "image-tag",
  "image-digest",
  "deployment-version",
  "previous-version",
  "serving-version",
  "service-url",
  "status",
] as const;

export type OutputName = (typeof OUTPUT_NAMES)[number];

/**
 * The shape of each output: every one is built from non-secret parts (numbers, AWS names, a digest, a URL),
 * so one that has its shape is printed as is. Masking it would garble it wherever a secret's value happens
 * to be in it (a Parameter Store value `4444` in a version, `staging` in a URL) and break what reads it.
 */
const OUTPUT_SHAPES: Record<OutputName, RegExp> = {
  "image-uri":
    /^$|^[a-z0-9.-]+(?::\d+)?\/[a-z0-9._/-]+(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}|@sha256:[0-9a-f]{64})$/,
  "image-tag": /^$|^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/,
  "image-digest": /^$|^sha256:[0-9a-f]{64}$/,
  "deployment-version": /^\d*$/,
  "previous-version": /^\d*$/,
  "serving-version": /^\d*$/,
  "service-url": /^$|^https?:\/\/[A-Za-z0-9.-]+(?::\d+)?\/?$/,
  status: /^[a-z-]*$/,
};

/** The output as is when it has its shape; masked otherwise (a shape it should never lack). */
export function shaped(name: string, value: string, mask: (text: string) => string): string {
  const shape = OUTPUT_SHAPES[name as OutputName];
  return shape?.test(value) ? value : mask(value);
}

export function outputsOf(result: RunResult): Record<OutputName, string> {
  return {
    "image-uri": result.imageUri ?? "",
    "image-tag": result.imageTag ?? "",
    "image-digest": result.imageDigest ?? "",
    "deployment-version": result.deploymentVersion?.toString() ?? "",
    "previous-version": result.previousVersion?.toString() ?? "",
    "serving-version": result.servingVersion?.toString() ?? "",
    "service-url": result.serviceUrl ?? "",
    status: result.status ?? "",
  };
}

function formatMs(ms: number): string {
  return ms < 1000
    ? `${ms} ms`
    : ms < 60_000
      ? `${(ms / 1000).toFixed(1)} s`
      : `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}

function cell(value: string | number | undefined): string {
  return value === undefined || value === "" ? "—" : String(value).replace(/\|/g, "\\|").replace(/\n/g, " ");
}

const STATUS_TITLE: Record<Status, string> = {
  deployed: "✅ Deployed",
  "rolled-back": "↩️ Rolled back",
  failed: "❌ Failed",
  superseded: "⏭️ Superseded by another deployment",
};

/** A Markdown link, or the bare text when there is no URL. */
function link(text: string, url: string | undefined): string {
  return url ? `[${text.replace(/[[\]]/g, "\\$&")}](${url})` : text;
}

/** Commit and run, linked; nothing at all outside GitHub. */
function contextRows(context: RunContext | undefined): [string, string][] {
  const rows: [string, string][] = [];
  if (context?.sha) {
    const ref = context.ref ? ` (${context.ref.replace(/^refs\/(heads|tags)\//, "")})` : "";
    rows.push(["Commit", `${link(context.sha.slice(0, 7), context.commitUrl)}${ref}`]);
  }
  if (context?.runUrl)
    rows.push(["Run", link(context.actor ? `run by ${context.actor}` : "run", context.runUrl)]);
  return rows;
}

/** Rows shown only when they have a value (a run that promotes nothing has no source environment). */
function optionalRows(rows: [string, string | undefined][]): [string, string][] {
  return rows.filter((row): row is [string, string] => row[1] !== undefined && row[1] !== "");
}

/**
 * The job summary (Markdown); the terminal report prints the same text, with the timeline drawn as text
 * rather than as a Mermaid chart.
 */
export function renderSummary(result: RunResult, timeline: "mermaid" | "text" = "mermaid"): string {
  const title =
    result.dryRun && !result.error ? "🧪 Dry run (nothing changed)" : STATUS_TITLE[result.status ?? "failed"];
  const spans = result.timeline ?? [];
  const chart = timeline === "mermaid" ? renderGantt(spans) : renderTimelineText(spans);
  const parts = [
    ...(chart ? [chart, ""] : []),
    `## lightsail-deploy: ${title}`,
    "",
    "| | |",
    "| --- | --- |",
    ...summaryRows(result).map(([key, value]) => `| ${key} | ${cell(value)} |`),
  ];
  if (result.bake) parts.push("", renderBake(result.bake));
  if (result.error) parts.push("", `**${result.error}**`);
  if (result.notes.length) parts.push("", ...result.notes.map((note) => `- ${note}`));
  parts.push(...detailBlocks(result));
  return `${parts.join("\n")}\n`;
}

/** The summary table's rows, in the order a reader looks for them. */
function summaryRows(result: RunResult): [string, string | number | undefined][] {
  return [
    ["Service", result.serviceName],
    ["Region", result.region],
    ["Version", result.deploymentVersion],
    ["Previous version", result.previousVersion],
    [
      "Serving now",
      result.servingUnknown ? `could not be read (${result.servingUnknown})` : result.servingVersion,
    ],
    ["Image", result.imageUri],
    ...optionalRows([
      ["Image digest", result.imageDigest],
      ["Promoted from", result.promotedFrom],
    ]),
    // With sidecars, each container and its image; one container is the Image row already.
    ...((result.containers?.length ?? 0) > 1
      ? (result.containers ?? []).map(({ name, image }): [string, string] => [`Container: ${name}`, image])
      : []),
    ["URL", result.serviceUrl],
    [
      "Monthly cost",
      result.cost &&
        `$${result.cost.total.toFixed(2)} (${result.cost.power} $${result.cost.pricePerNode.toFixed(2)} × ${result.cost.scale})`,
    ],
    ...contextRows(result.context),
    ...result.phases.map(({ phase, ms }): [string, string] => [`Phase: ${phase}`, formatMs(ms)]),
  ];
}

/** The deployment request and the new deployment's container logs, folded. */
function detailBlocks(result: RunResult): string[] {
  const parts: string[] = [];
  if (result.request)
    parts.push(
      "",
      "<details><summary>Deployment request</summary>",
      "",
      "```json",
      result.request,
      "```",
      "</details>",
    );
  if (result.logs.length) {
    parts.push(
      "",
      "<details open><summary>Container logs of the new deployment (last lines)</summary>",
      "",
      "```",
      ...result.logs,
      "```",
      "</details>",
    );
  }
  return parts;
}
