import { mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { type Coverage, countCoverage, OPERATIONS } from "./aws-model.js";
import { FAULT_KINDS } from "./faults.js";
import { runScenario, type Scenario } from "./harness.js";
import { checkInvariants } from "./invariants.js";
import { scenarioArbitrary } from "./schedule.js";

export interface SimulationOptions {
  seed: number;
  runs: number;
  /** Stops (and the test fails on the count) rather than outlast the test's timeout. */
  limitSeconds: number;
  /** fast-check's path to one (shrunk) counterexample: replays it alone. */
  path?: string;
}

export interface SimulationReport {
  runs: number;
  jobs: number;
  coverage: Coverage;
  failure?: { replay: string; counterexample: string; error: string };
}

/** The one-line command that replays a failing seed (and, with its path, the shrunk schedule). */
export function replayLine(seed: number, path: string | undefined): string {
  return `SIM_SEED=${seed}${path ? ` SIM_PATH=${path}` : ""} SIM_RUNS=1 npx vitest run test/sim`;
}

/** Runs the seeded property: each sample is a scenario, its jobs run on one model, checked after each. */
export async function simulate(options: SimulationOptions): Promise<SimulationReport> {
  const coverage: Coverage = new Map();
  let jobs = 0;
  const property = fc.asyncProperty(
    scenarioArbitrary,
    fc.integer(),
    async (scenario: Scenario, worldSeed) => {
      await runScenario(scenario, worldSeed, coverage, (observed) => {
        jobs++;
        countCoverage(
          coverage,
          "(outcome)",
          observed.killed ? "killed" : (observed.result?.status ?? "none"),
        );
        checkInvariants(observed);
      });
    },
  );
  const details = await fc.check(property, {
    seed: options.seed,
    numRuns: options.runs,
    ...(options.path ? { path: options.path } : {}),
    // Shrinking replays many schedules; bounded so that a failure reports within the test's budget.
    endOnFailure: false,
    interruptAfterTimeLimit: options.limitSeconds * 1000,
    markInterruptAsFailure: false,
  });
  const report: SimulationReport = { runs: details.numRuns, jobs, coverage };
  if (details.failed) {
    report.failure = {
      replay: replayLine(details.seed, details.counterexamplePath ?? undefined),
      counterexample: JSON.stringify(details.counterexample, null, 1),
      error:
        details.errorInstance instanceof Error
          ? details.errorInstance.message
          : String(details.errorInstance),
    };
  }
  return report;
}

/** The (operation × fault) table: how many times each fault was injected at each operation. */
export function coverageTable(coverage: Coverage): { table: string; reached: number; possible: number } {
  const columns = ["ok", ...FAULT_KINDS];
  const rows = Object.values(OPERATIONS).flat();
  let reached = 0;
  const lines = [`| operation | ${columns.join(" | ")} |`, `| --- |${columns.map(() => " ---: |").join("")}`];
  for (const row of rows) {
    const counts = coverage.get(row);
    const cells = columns.map((column) => {
      const n = counts?.get(column) ?? 0;
      if (column !== "ok" && n > 0) reached++;
      return String(n);
    });
    lines.push(`| ${row.replace(/Command$/, "")} | ${cells.join(" | ")} |`);
  }
  const extra = ["(outcome)", "(record)"].flatMap((row) =>
    [...(coverage.get(row) ?? new Map<string, number>())].map(([what, n]) => `${row} ${what}: ${n}`),
  );
  return {
    table: [...lines, "", ...extra].join("\n"),
    reached,
    possible: rows.length * FAULT_KINDS.length,
  };
}

/** Writes the table under the OS temp dir and returns its path. */
export function writeCoverage(text: string): string {
  const dir = join(tmpdir(), "lightsail-deploy-sim");
  mkdirSync(dir, { recursive: true });
  const file = join(dir, "coverage.md");
  writeFileSync(file, text);
  return file;
}
