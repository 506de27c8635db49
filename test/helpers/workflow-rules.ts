import { parse } from "yaml";
import { allSteps, type Job, type Permissions, type Workflow } from "./workflow-model.js";

/**
 * Rules for workflow files. Each is a pure function returning human-readable problems (empty = fine), so a
 * test can show it passing on the real workflows and failing on a small bad example.
 *
 * Hand-written because the maintained linter that covers pins, injection and permissions, zizmor, cannot be
 * installed here: it is published on PyPI, crates.io and GitHub releases, not on npm nor in Debian, the only
 * registries this project installs from. The concurrency, variable and input rules are this repository's own
 * conventions, which no general linter knows. (docs/maintaining.md, "Workflow checks".)
 */

const SHA_PINNED = /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+(?:\/[^@\s]+)?@([0-9a-f]{40})$/;
const VERSION_COMMENT = /^v\d+(?:\.\d+){0,2}$/;
const USES_LINE = /^\s*(?:-\s+)?uses:\s*(["']?)([^\s"'#]+)\1\s*(?:#\s*(.*?))?\s*$/;

function isLocal(uses: string): boolean {
  return uses.startsWith("./");
}

/** Every `uses:` value in a workflow text: steps and reusable-workflow calls. */
function usesValues(text: string): string[] {
  const workflow = parse(text) as Workflow;
  const fromJobs = Object.values(workflow.jobs ?? {}).flatMap((job) => (job.uses ? [job.uses] : []));
  const fromSteps = allSteps(workflow).flatMap(({ step }) => (step.uses ? [step.uses] : []));
  return [...fromJobs, ...fromSteps];
}

/**
 * Third-party `uses:` must name a full 40-hex commit SHA followed by a `# vX.Y.Z` comment; local `./` paths
 * are allowed. A `uses:` written in a form the line scan cannot read (flow style, anchors) is reported too,
 * so nothing escapes the check.
 */
export function findUnpinnedUses(text: string, file: string): string[] {
  const problems: string[] = [];
  const seen: string[] = [];
  text.split("\n").forEach((line, index) => {
    const match = USES_LINE.exec(line);
    if (!match) return;
    const [, , uses = "", comment] = match;
    seen.push(uses);
    if (isLocal(uses)) return;
    const where = `${file}:${index + 1}`;
    if (uses.startsWith("docker://")) {
      if (!/@sha256:[0-9a-f]{64}$/.test(uses)) problems.push(`${where}: \`${uses}\` is not pinned by digest`);
      return;
    }
    if (!SHA_PINNED.test(uses)) {
      problems.push(`${where}: \`${uses}\` is not pinned to a full 40-character commit SHA`);
    } else if (!comment || !VERSION_COMMENT.test(comment)) {
      problems.push(`${where}: \`${uses}\` needs the release it stands for in a comment, e.g. \`# v1.2.3\``);
    }
  });
  for (const uses of usesValues(text)) {
    if (!seen.includes(uses))
      problems.push(`${file}: \`uses: ${uses}\` is written in a form this check cannot read`);
  }
  return problems;
}

/** Pinned actions must be ones listed in `pins`, at exactly the listed SHA and version comment. */
export function findPinsNotInRegistry(
  text: string,
  file: string,
  pins: Readonly<Record<string, { sha: string; version: string }>>,
): string[] {
  const problems: string[] = [];
  text.split("\n").forEach((line, index) => {
    const match = USES_LINE.exec(line);
    if (!match) return;
    const [, , uses = "", comment = ""] = match;
    if (isLocal(uses) || !SHA_PINNED.test(uses)) return;
    const [path = "", sha] = uses.split("@");
    const action = path.split("/").slice(0, 2).join("/");
    const pin = pins[action];
    const where = `${file}:${index + 1}`;
    if (!pin) problems.push(`${where}: \`${action}\` is not in the list of reviewed pins`);
    else if (pin.sha !== sha || pin.version !== comment) {
      problems.push(
        `${where}: \`${action}@${sha} # ${comment}\` differs from the reviewed pin ${pin.sha} # ${pin.version}`,
      );
    }
  });
  return problems;
}

/** Expressions safe inside a shell script: values GitHub generates, never text a user can choose. */
const SAFE_IN_RUN = new Set([
  "github.sha",
  "github.run_id",
  "github.run_number",
  "github.run_attempt",
  "github.workspace",
  "runner.temp",
  "runner.os",
]);

/**
 * `${{ }}` is pasted into the script before the shell runs it, so user-controlled text (inputs, event
 * payloads, branch names, step outputs) becomes code. Anything outside a short list of generated values must
 * reach the script through `env:` instead.
 */
export function findExpressionsInRunScripts(workflow: Workflow, file: string): string[] {
  const problems: string[] = [];
  for (const { jobId, step } of allSteps(workflow)) {
    if (typeof step.run !== "string") continue;
    for (const match of step.run.matchAll(/\$\{\{\s*(.*?)\s*\}\}/g)) {
      const expression = match[1] ?? "";
      if (SAFE_IN_RUN.has(expression)) continue;
      const stepName = step.name ?? step.id ?? "(unnamed step)";
      problems.push(
        `${file}: job \`${jobId}\`, step "${stepName}": \`\${{ ${expression} }}\` inside \`run:\`; pass it through \`env:\``,
      );
    }
  }
  return problems;
}

function grants(permissions: Permissions | undefined, scope: string): string | undefined {
  if (permissions === undefined || typeof permissions === "string") return undefined;
  return permissions[scope];
}

function writeScopes(permissions: Permissions | undefined): string[] {
  if (permissions === undefined || typeof permissions === "string") return [];
  return Object.entries(permissions)
    .filter(([, level]) => level === "write")
    .map(([scope]) => scope);
}

const ASSUME_AWS = "aws-actions/configure-aws-credentials@";

/**
 * Whether a job assumes an AWS role: it runs configure-aws-credentials itself, or calls a local reusable
 * workflow that does (`resolve` loads `./.github/workflows/x.yml`).
 */
export function jobAssumesAws(job: Job, resolve: (path: string) => Workflow | undefined): boolean {
  if ((job.steps ?? []).some((step) => step.uses?.startsWith(ASSUME_AWS))) return true;
  if (job.uses && isLocal(job.uses)) {
    const called = resolve(job.uses);
    return called !== undefined && Object.values(called.jobs).some((inner) => jobAssumesAws(inner, resolve));
  }
  return false;
}

/**
 * Least privilege: an explicit top-level `permissions` with no write scope (writes are granted per job),
 * no `write-all`/`read-all`, and `id-token: write` exactly on the jobs that assume an AWS role over OIDC.
 */
export function findPermissionProblems(
  workflow: Workflow,
  file: string,
  resolve: (path: string) => Workflow | undefined,
): string[] {
  const problems: string[] = [];
  if (workflow.permissions === undefined) {
    problems.push(`${file}: no top-level \`permissions\`, so the token gets the repository's default scopes`);
  } else if (typeof workflow.permissions === "string") {
    problems.push(`${file}: top-level \`permissions: ${workflow.permissions}\`; list the scopes instead`);
  } else if (writeScopes(workflow.permissions).length > 0) {
    problems.push(
      `${file}: top-level write scopes ${writeScopes(workflow.permissions).join(", ")}; grant them per job`,
    );
  }
  for (const [jobId, job] of Object.entries(workflow.jobs)) {
    if (typeof job.permissions === "string") {
      problems.push(
        `${file}: job \`${jobId}\` has \`permissions: ${job.permissions}\`; list the scopes instead`,
      );
      continue;
    }
    const idToken = grants(job.permissions, "id-token") ?? grants(workflow.permissions, "id-token");
    const assumes = jobAssumesAws(job, resolve);
    if (idToken === "write" && !assumes) {
      problems.push(`${file}: job \`${jobId}\` has \`id-token: write\` but assumes no AWS role`);
    }
    if (assumes && idToken !== "write") {
      problems.push(`${file}: job \`${jobId}\` assumes an AWS role over OIDC but lacks \`id-token: write\``);
    }
  }
  return problems;
}

function environmentName(job: Job): string | undefined {
  if (typeof job.environment === "string") return job.environment;
  return job.environment?.name;
}

/**
 * A job bound to an environment deploys to it: it needs a concurrency group keyed on that environment and
 * `cancel-in-progress: false`, so a second deploy waits instead of overlapping or killing the first.
 */
export function findDeployConcurrencyProblems(workflow: Workflow, file: string): string[] {
  const problems: string[] = [];
  for (const [jobId, job] of Object.entries(workflow.jobs)) {
    const environment = environmentName(job);
    if (environment === undefined) continue;
    const concurrency = job.concurrency;
    if (concurrency === undefined || typeof concurrency === "string") {
      problems.push(
        `${file}: job \`${jobId}\` deploys to ${environment} without \`concurrency\` + cancel-in-progress: false`,
      );
      continue;
    }
    if (!concurrency.group?.includes(environment)) {
      problems.push(
        `${file}: job \`${jobId}\`: concurrency group "${concurrency.group}" is not keyed on ${environment}`,
      );
    }
    if (concurrency["cancel-in-progress"] !== false) {
      problems.push(
        `${file}: job \`${jobId}\`: cancel-in-progress must be false, a deploy must never be cut off`,
      );
    }
  }
  return problems;
}

/** `vars.NAME` references must be documented names: actionlint knows the `vars` context but not its names. */
export function findUndocumentedVariables(
  text: string,
  file: string,
  documented: readonly string[],
): string[] {
  const used = new Set(
    [...text.matchAll(/\bvars\.([A-Za-z_][A-Za-z0-9_]*)/g)].map((match) => match[1] ?? ""),
  );
  return [...used]
    .filter((name) => !documented.includes(name))
    .map((name) => `${file}: \`vars.${name}\` is not one of the documented variables`);
}

interface InputSpec {
  required?: boolean;
  default?: unknown;
}

/**
 * `with:` given to an action or reusable workflow must name declared inputs, and every required input
 * without a default must be given.
 */
export function findInputMismatches(
  given: Record<string, unknown> | undefined,
  declared: Record<string, InputSpec | null>,
  where: string,
): string[] {
  const problems: string[] = [];
  const givenNames = Object.keys(given ?? {});
  for (const name of givenNames) {
    if (!(name in declared)) problems.push(`${where}: input \`${name}\` is not declared`);
  }
  for (const [name, spec] of Object.entries(declared)) {
    if (spec?.required === true && spec.default === undefined && !givenNames.includes(name)) {
      problems.push(`${where}: required input \`${name}\` is not given`);
    }
  }
  return problems;
}
