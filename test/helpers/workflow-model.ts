import { parse } from "yaml";

/** The parts of a GitHub workflow file that the rules look at; everything else is kept as `unknown`. */
export type Permissions = string | Record<string, string>;

export interface Step {
  name?: string;
  id?: string;
  uses?: string;
  run?: string;
  if?: string;
  with?: Record<string, unknown>;
  env?: Record<string, unknown>;
}

export interface Job {
  name?: string;
  uses?: string;
  needs?: string | string[];
  if?: string;
  with?: Record<string, unknown>;
  permissions?: Permissions;
  environment?: string | { name?: string; url?: string };
  concurrency?: string | { group?: string; "cancel-in-progress"?: boolean | string };
  strategy?: { matrix?: Record<string, unknown>; "max-parallel"?: number; "fail-fast"?: boolean };
  steps?: Step[];
}

export interface Workflow {
  name?: string;
  on: unknown;
  permissions?: Permissions;
  jobs: Record<string, Job>;
}

export class WorkflowShapeError extends Error {}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Parses workflow text; a file without `on` or `jobs` is rejected with the file named. */
export function parseWorkflow(text: string, file: string): Workflow {
  const parsed: unknown = parse(text);
  if (!isObject(parsed)) throw new WorkflowShapeError(`${file}: expected a mapping at the top level`);
  if (parsed.on === undefined) throw new WorkflowShapeError(`${file}: has no \`on\` triggers`);
  if (!isObject(parsed.jobs))
    throw new WorkflowShapeError(`${file}: \`jobs\` is ${JSON.stringify(parsed.jobs)}`);
  for (const [id, job] of Object.entries(parsed.jobs)) {
    if (!isObject(job)) throw new WorkflowShapeError(`${file}: job \`${id}\` is not a mapping`);
    if (job.steps !== undefined && !Array.isArray(job.steps)) {
      throw new WorkflowShapeError(`${file}: job \`${id}\` has \`steps\` that is not a list`);
    }
  }
  return parsed as unknown as Workflow;
}

/** Every step of every job, with its job id, in file order. */
export function allSteps(workflow: Workflow): { jobId: string; step: Step }[] {
  return Object.entries(workflow.jobs).flatMap(([jobId, job]) =>
    (job.steps ?? []).map((step) => ({ jobId, step })),
  );
}

/** Trigger names whatever form `on` takes: a string, a list or a mapping. */
export function triggerNames(workflow: Workflow): string[] {
  const on = workflow.on;
  if (typeof on === "string") return [on];
  if (Array.isArray(on)) return on.map(String);
  if (isObject(on)) return Object.keys(on);
  return [];
}

/** The configuration of one trigger (`{}` for a trigger given without settings). */
export function trigger(workflow: Workflow, name: string): Record<string, unknown> | undefined {
  if (!triggerNames(workflow).includes(name)) return undefined;
  const on = workflow.on;
  if (isObject(on) && isObject(on[name])) return on[name];
  return {};
}
