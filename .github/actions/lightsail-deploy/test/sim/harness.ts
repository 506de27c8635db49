import { run } from "../../src/entry/run.js";
import { publishToTerminal, terminalLogger } from "../../src/entry/terminal.js";
import { defaultRecordName } from "../../src/inputs/record-name.js";
import { entryName } from "../../src/release/record/release-record.js";
import type { RunResult } from "../../src/report/report.js";
import type { LightsailDeps as Deps } from "../../src/targets/lightsail/clients.js";
import { verdictEntry } from "../../src/targets/lightsail/release/record-view.js";
import {
  type CallFault,
  type Coverage,
  countCoverage,
  Killed,
  modelClients,
  type RecordOp,
  type RecordOpKind,
  Session,
} from "./aws-model.js";
import { ecrPassword, leakLines, SSM_PLAIN, SSM_SECRETS } from "./secrets.js";
import {
  active,
  addImage,
  deploymentOf,
  deploymentView,
  imageRef,
  pushImage,
  type Quality,
  qualityOf,
  REGION,
  SERVICE,
  type SimDeployment,
  SSM_PATH,
  settle,
  sha256,
  type World,
} from "./world.js";

export type RunAction =
  | { kind: "deploy"; quality: Quality }
  | { kind: "rollback-previous" }
  /** `rollback-to: <version>`: the `pick`-th listed version, counted from the newest. */
  | { kind: "rollback-version"; pick: number };

export interface RunPlan {
  action: RunAction;
  autoRollback: boolean;
  debug: boolean;
  faults: CallFault[];
  recordOps: RecordOp[];
  /** The runner dies at this step; the job is then re-run (same inputs, next attempt). */
  kill?: number;
  rerunFaults: CallFault[];
  /** Model time between this run and the one before. */
  pauseMs: number;
}

export interface Scenario {
  /** What the record holds at the start: nothing (first use), verdicts, or the legacy single parameter. */
  record: "empty" | "verified" | "legacy";
  /** Every deploy bakes (`bake-time`); fails-bake images appear only then (nothing else can catch them). */
  bake: boolean;
  activationMs: number;
  runs: RunPlan[];
}

export const RECORD = defaultRecordName(SERVICE);

/** Secrets the invariants look for, this scenario's ECR password included. */
export function secretsOf(world: World): Record<string, string> {
  return { ...SSM_SECRETS, ECR_PASSWORD: world.ecrPassword };
}

/** What the simulation saw of one run (for the invariants). */
export interface Observed {
  plan: RunPlan;
  attempt: number;
  killed: boolean;
  result?: RunResult;
  exitCode?: number;
  output: string;
  /** Versions that existed when the run started. */
  versionsBefore: number[];
  /** The serving version when the run started. */
  servingBefore: number | undefined;
  world: World;
  deployed?: string;
  /** The faults this attempt was given (its schedule). */
  faults: CallFault[];
}

/** A verdict parameter in the form and at the name the action writes (the scenario's history, another run). */
function putVerdict(
  world: World,
  d: SimDeployment,
  verdict: "good" | "rejected",
  why: string,
  at: number,
): void {
  const scope = { service: SERVICE, region: REGION };
  const entry = verdictEntry(deploymentView(d), verdict, why, new Date(at), {}, scope);
  world.parameters.set(entryName(RECORD, entry), {
    value: JSON.stringify({ schema: 2, ...entry }),
    version: 1,
    type: "String",
  });
}

/** The world a scenario starts from: v1–v3 made before this action (no ids), v3 serving; all good. */
export function initialWorld(scenario: Scenario, seed: number): World {
  const world: World = {
    now: 1_800_000_000_000,
    deployments: [],
    images: new Map(),
    tags: new Map(),
    parameters: new Map(),
    ecrPassword: ecrPassword(seed),
    activationMs: scenario.activationMs,
    localImages: new Map(),
  };
  const environment = { DB_PASSWORD: SSM_SECRETS.DB_PASSWORD as string, MODE: "prod" };
  for (const version of [1, 2, 3]) {
    addImage(world, `r${version}`, "good");
    const state = version === 3 ? "ACTIVE" : "INACTIVE";
    world.deployments.push(
      deploymentOf(
        version,
        state,
        imageRef(`r${version}`),
        environment,
        world.now - (4 - version) * 3_600_000,
      ),
    );
  }
  for (const [name, value] of Object.entries({ ...SSM_SECRETS, ...SSM_PLAIN }))
    world.parameters.set(`${SSM_PATH}${name}`, { value, version: 1, type: "SecureString" });
  const at = new Date(world.now - 60_000).toISOString();
  if (scenario.record === "legacy") {
    const releases = [2, 3].map((version) => ({ version, verdict: "good", at, why: "probe passed" }));
    world.parameters.set(RECORD, {
      value: JSON.stringify({ schema: 1, releases }),
      version: 1,
      type: "String",
    });
  }
  if (scenario.record === "verified") {
    for (const d of world.deployments) {
      putVerdict(world, d, "good", "probe passed", world.now - 60_000);
    }
  }
  return world;
}

/** Someone else writing the record: an operator emptying it, a corruption, a flood, another run's verdict. */
function recordOp(world: World, kind: RecordOpKind, coverage: Coverage): void {
  countCoverage(coverage, "(record)", kind);
  const ours = [...world.parameters.keys()].filter(
    (name) => name === RECORD || name.startsWith(`${RECORD}/`),
  );
  if (kind === "empty") for (const name of ours) world.parameters.delete(name);
  if (kind === "corrupt-legacy")
    world.parameters.set(RECORD, { value: '{"releases":[{"version":"x"', version: 9, type: "String" });
  if (kind === "corrupt-entry") {
    const entry = ours.find((name) => name !== RECORD && !name.endsWith("/writable"));
    if (entry) world.parameters.set(entry, { value: "{not json", version: 9, type: "String" });
  }
  if (kind === "fill") {
    // Rejections of versions long gone, and a stray parameter: more than a page, more than the limit.
    for (let v = 1; v <= 60; v++) {
      const name = `${RECORD}/${REGION}/${SERVICE}/v${1000 + v}-rejected-old-${v}`;
      const entry = {
        version: 1000 + v,
        id: `old-${v}`,
        verdict: "rejected",
        at: new Date(world.now - 1e9 + v).toISOString(),
        why: "FAILED",
        service: SERVICE,
        region: REGION,
      };
      world.parameters.set(name, {
        value: JSON.stringify({ schema: 2, ...entry }),
        version: 1,
        type: "String",
      });
    }
    world.parameters.set(`${RECORD}/${REGION}/${SERVICE}/stray`, {
      value: "hand-made",
      version: 1,
      type: "String",
    });
  }
  if (kind === "concurrent") {
    // Another run of this action judged a listed release truly (it served and its image is what it is).
    const judged = [...world.deployments]
      .reverse()
      .find((d) => d.state === "ACTIVE" || d.state === "INACTIVE" || d.state === "FAILED");
    if (!judged) return;
    const good = qualityOf(world, judged) === "good" && judged.state !== "FAILED";
    putVerdict(world, judged, good ? "good" : "rejected", "another run", world.now);
  }
}

function inputsFor(plan: RunPlan, scenario: Scenario, tag: string, world: World): Record<string, string> {
  const base: Record<string, string> = {
    "service-name": SERVICE,
    region: REGION,
    "wait-timeout": "5m",
    "poll-interval": "10s",
    "auto-rollback": String(plan.autoRollback),
    // The environment's setting, as a workflow passes it to every job (deploy and rollback alike).
    ...(scenario.bake ? { "bake-time": "60s" } : {}),
  };
  const { action } = plan;
  if (action.kind === "deploy")
    return {
      ...base,
      repository: "app",
      "ssm-path": SSM_PATH,
      image: `local/app:${tag}`,
      tag,
    };
  if (action.kind === "rollback-previous") return { ...base, "rollback-to": "previous" };
  const versions = world.deployments.map((d) => d.version).sort((a, b) => b - a);
  const version = versions[action.pick % versions.length] ?? 1;
  return { ...base, "rollback-to": String(version) };
}

function simDeps(session: Session, output: string[], debug: boolean, env: Record<string, string>): Deps {
  const { world } = session;
  const write = (text: string) => {
    if (!session.killed) output.push(text);
  };
  const log = terminalLogger({ out: write, err: write, debug });
  return {
    aws: () => modelClients(session),
    exec: async (command, args, options) => {
      session.step();
      const ok = (stdout = "") => ({ exitCode: 0, stdout, stderr: "" });
      if (command !== "docker") return ok();
      if (args[0] === "version") return ok("27.0.0");
      if (args[0] === "buildx")
        return { exitCode: 1, stdout: "", stderr: "docker: 'buildx' is not a docker command." };
      if (args[0] === "image" && args[1] === "inspect" && args.includes("{{.Os}}/{{.Architecture}}"))
        return ok("linux/amd64");
      if (args[0] === "image" && args[1] === "inspect") {
        const local = world.localImages.get(String(args.at(-1)).replace(/^local\/app:/, ""));
        return local ? ok(local.configDigest) : { exitCode: 1, stdout: "", stderr: "No such image" };
      }
      if (args[0] === "login" && options?.input !== world.ecrPassword)
        return { exitCode: 1, stdout: "", stderr: "unauthorized: incorrect username or password" };
      if (args[0] === "push") pushImage(world, String(args[1]).split(":").at(-1) as string);
      return ok();
    },
    now: () => world.now,
    sleep: async (ms) => {
      session.step();
      world.now += ms;
    },
    random: seededRandom(env.GITHUB_RUN_ID ?? "0", env.GITHUB_RUN_ATTEMPT ?? "1"),
    httpGet: async () => {
      session.step();
      const serving = active(world);
      if (!serving) return { status: 503 };
      serving.served++;
      const quality = qualityOf(world, serving);
      if (quality === "fails-probe") return { status: 500 };
      if (quality === "fails-bake" && serving.served > 30) return { status: 500 };
      return { status: 200 };
    },
    tempDirs: { create: async (prefix) => `/tmp/${prefix}sim`, remove: async () => undefined },
    log,
    env,
    github: {
      context: async () => ({}),
      statuses: async () => {
        throw new Error("no github-token in the simulation");
      },
    },
  };
}

/** Deterministic [0, 1) from the run's id (mulberry32). */
function seededRandom(...parts: string[]): () => number {
  let a = [...parts.join("/")].reduce((h, c) => Math.imul(h ^ c.charCodeAt(0), 16777619), 2166136261) >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** One attempt of a job: a fresh run() on the world as it is, with this attempt's schedule. */
async function attempt(
  scenario: Scenario,
  plan: RunPlan,
  world: World,
  coverage: Coverage,
  options: { index: number; attempt: number; faults: CallFault[]; kill?: number; recordOps: RecordOp[] },
): Promise<Observed> {
  const tag = `r${10 + options.index}`;
  const output: string[] = [];
  const session = new Session(world, options.faults, options.kill, options.recordOps, coverage, (kind) =>
    recordOp(world, kind, coverage),
  );
  const env = {
    GITHUB_SHA: "0123456789abcdef0123456789abcdef01234567",
    GITHUB_RUN_ID: String(100 + options.index),
    GITHUB_RUN_ATTEMPT: String(options.attempt),
  };
  const inputs = inputsFor(plan, scenario, tag, world);
  // Lightsail moved on while no run was calling it: what the run starts from is the settled state.
  settle(world);
  const versionsBefore = world.deployments.map((d) => d.version);
  const servingBefore = active(world)?.version;
  const deps = simDeps(session, output, plan.debug, env);
  let result: RunResult | undefined;
  let exitCode: number | undefined;
  try {
    result = await run(inputs, deps);
    if (!session.killed) {
      const io = {
        out: (t: string) => output.push(t),
        err: (t: string) => output.push(t),
        debug: plan.debug,
      };
      exitCode = publishToTerminal(result, io, deps.log.mask);
    }
  } catch (error) {
    // run() never throws; only a kill may end its chain with one.
    if (!(error instanceof Killed) && !session.killed) throw error;
  }
  return {
    plan,
    attempt: options.attempt,
    killed: session.killed,
    ...(session.killed ? {} : { result, exitCode }),
    output: output.join(""),
    versionsBefore,
    servingBefore,
    world,
    ...(plan.action.kind === "deploy" ? { deployed: imageRef(tag) } : {}),
    faults: options.faults,
  };
}

/** Runs the scenario's jobs in turn on one world; `check` judges each attempt as it ends. */
export async function runScenario(
  scenario: Scenario,
  seed: number,
  coverage: Coverage,
  check: (observed: Observed) => void,
): Promise<void> {
  const world = initialWorld(scenario, seed);
  for (const [index, plan] of scenario.runs.entries()) {
    world.now += plan.pauseMs;
    if (plan.action.kind === "deploy") {
      const tag = `r${10 + index}`;
      const quality =
        plan.action.quality === "fails-bake" && !scenario.bake ? "fails-probe" : plan.action.quality;
      const logLines =
        quality === "good"
          ? ["listening on :8080"]
          : leakLines(Object.values(secretsOf(world))[index % 4] as string);
      world.localImages.set(tag, { configDigest: sha256(`config:${tag}`), quality, logLines });
    }
    const first = await attempt(scenario, plan, world, coverage, {
      index,
      attempt: 1,
      faults: plan.faults,
      recordOps: plan.recordOps,
      ...(plan.kill === undefined ? {} : { kill: plan.kill }),
    });
    check(first);
    if (!first.killed) continue;
    world.now += 30_000;
    check(
      await attempt(scenario, plan, world, coverage, {
        index,
        attempt: 2,
        faults: plan.rerunFaults,
        recordOps: [],
      }),
    );
  }
}
