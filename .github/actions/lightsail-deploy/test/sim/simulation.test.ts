import { expect, test } from "vitest";
import { coverageTable, simulate, writeCoverage } from "./simulation.js";

/**
 * The seeded simulation of the deploy core (issue #17). SIM_RUNS scenarios (default 2,000) from SIM_SEED
 * (default fixed, so `npm test` is deterministic; the nightly workflow passes a random one). A failure
 * prints the one-line replay of its shrunk schedule.
 */
const runs = Number(process.env.SIM_RUNS ?? 2000);
const seed = Number(process.env.SIM_SEED ?? 20261205);
const path = process.env.SIM_PATH || undefined;
/** How long the scenarios may take (the nightly workflow raises it with SIM_RUNS). */
const limitSeconds = Number(process.env.SIM_TIME_LIMIT_S ?? 50);

test(`${runs} seeded scenarios keep the three promises (seed ${seed})`, {
  timeout: (limitSeconds + 60) * 1000,
}, async () => {
  const started = performance.now();
  const report = await simulate({ seed, runs, limitSeconds, ...(path ? { path } : {}) });
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  const { table, reached, possible } = coverageTable(report.coverage);
  const file = writeCoverage(
    `# Simulation seed ${seed}: ${report.runs} scenarios, ${report.jobs} jobs, ${seconds} s\n\n(operation × fault) pairs reached: ${reached} of ${possible}\n\n${table}\n`,
  );
  console.log(
    `simulation: seed ${seed}, ${report.runs} scenarios (${report.jobs} jobs) in ${seconds} s; (operation × fault) pairs reached ${reached}/${possible}; table in ${file}`,
  );
  if (report.failure) {
    console.log(`simulation failed; replay: ${report.failure.replay}\n${report.failure.counterexample}`);
    throw new Error(`${report.failure.error}\nreplay: ${report.failure.replay}`);
  }
  expect(report.runs).toBe(path ? 1 : runs);
});
