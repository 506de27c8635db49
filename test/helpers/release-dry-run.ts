import { mkdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { type Context, interpolate } from "./expressions.js";
import { runScript } from "./run-script.js";
import { parseWorkflow } from "./workflow-model.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const FAKE_GH = readFileSync(join(ROOT, "test/helpers/fake-gh.sh"), "utf8");

export interface DryRun {
  /** Whether every job passed. */
  ok: boolean;
  /** The step that failed, with its output, when one did. */
  failed?: string;
}

/**
 * Runs release.yml's jobs, in order, against a local git repository standing for the GitHub repository (its
 * tags are the repository's tags; `test/helpers/fake-gh.sh` answers the `gh` calls from it and keeps the
 * releases in `releases`). Every `run:` step runs as written, with its `env:` evaluated by GitHub's expression
 * evaluator; `actions/checkout` checks out the commit it names; `actions/setup-node` is this Node.js (24, the
 * `.node-version`), first on PATH. A `uses:` of anything else fails the dry run.
 */
export function dryRunRelease(options: {
  git: string;
  releases: string;
  event: { name: "push"; tag: string } | { name: "workflow_dispatch"; tag: string };
}): DryRun {
  const { git, releases, event } = options;
  const workflow = parseWorkflow(
    readFileSync(join(ROOT, ".github/workflows/release.yml"), "utf8"),
    "release.yml",
  );
  mkdirSync(releases, { recursive: true });
  const head = runScript("git rev-parse HEAD", {}, {}, git).stdout.trim();
  const github = {
    event_name: event.name,
    repository: "acme/lightsail-deploy",
    ref_name: event.name === "push" ? event.tag : "main",
    sha:
      event.name === "push"
        ? runScript(`git rev-parse "${event.tag}^{commit}"`, {}, {}, git).stdout.trim()
        : head,
    token: "fake-token",
    run_id: "1",
  };
  const inputs = event.name === "workflow_dispatch" ? { tag: event.tag } : {};
  const needs: Record<string, { outputs: Record<string, string> }> = {};
  const runnerTemp = join(releases, "runner-temp");
  mkdirSync(runnerTemp, { recursive: true });
  for (const [jobId, job] of Object.entries(workflow.jobs)) {
    const steps: Record<string, { outputs: Record<string, string> }> = {};
    const context = (): Context => ({ github, inputs, needs, steps }) as unknown as Context;
    for (const step of job.steps ?? []) {
      const name = `${jobId}: ${step.name ?? step.uses ?? "(unnamed)"}`;
      const withValue = (key: string) => interpolate(String(step.with?.[key] ?? ""), context());
      if (step.uses?.startsWith("actions/checkout@")) {
        const ran = runScript(`git checkout -q --detach "${withValue("ref") || head}"`, {}, {}, git);
        if (ran.status !== 0) return { ok: false, failed: `${name}\n${ran.stderr}` };
        continue;
      }
      if (step.uses?.startsWith("actions/setup-node@")) continue;
      if (step.uses) return { ok: false, failed: `${name}: the dry run does not know \`${step.uses}\`` };
      const env = Object.fromEntries(
        Object.entries(step.env ?? {}).map(([key, value]) => [key, interpolate(String(value), context())]),
      );
      const ran = runScript(
        step.run ?? "",
        {
          ...env,
          PATH: `${dirname(process.execPath)}:${process.env.PATH}`,
          RUNNER_TEMP: runnerTemp,
          FAKE_GH_GIT: git,
          FAKE_GH_RELEASES: releases,
        },
        { gh: FAKE_GH },
        git,
      );
      if (ran.status !== 0) return { ok: false, failed: `${name}\n${ran.stdout}${ran.stderr}` };
      if (step.id) steps[step.id] = { outputs: ran.outputs };
    }
    const outputs = (job as { outputs?: Record<string, string> }).outputs ?? {};
    needs[jobId] = {
      outputs: Object.fromEntries(
        Object.entries(outputs).map(([key, value]) => [key, interpolate(value, context())]),
      ),
    };
  }
  return { ok: true };
}
