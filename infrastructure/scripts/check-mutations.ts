/**
 * Proves the tests guard each rule: for every entry in test/mutations.json, break the rule in the source, run the
 * test suite, expect at least one failure, then restore the file. Slow (one suite run per rule, ~10 minutes), so it
 * is a manual check, not part of `npm test`:
 *   npm run check-mutations -w infrastructure [-- <rule substring>...]
 */
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

interface Mutation {
  rule: string;
  file: string;
  find: string;
  replace: string;
}

interface VitestJson {
  testResults: { name: string; status: string; assertionResults: { fullName: string; status: string }[] }[];
}

const root = fileURLToPath(new URL("..", import.meta.url));

function runSuite(reportFile: string): Promise<void> {
  // vitest exits non-zero when tests fail; the JSON report is what we read.
  return new Promise((resolve) => {
    execFile("npx", ["vitest", "run", "--reporter=json", `--outputFile=${reportFile}`], { cwd: root }, () =>
      resolve(),
    );
  });
}

async function failuresOf(reportFile: string): Promise<string[]> {
  try {
    const report = JSON.parse(await readFile(reportFile, "utf8")) as VitestJson;
    return report.testResults.flatMap((file) => {
      const failed = file.assertionResults.filter((a) => a.status === "failed").map((a) => a.fullName);
      return file.status === "failed" && failed.length === 0 ? [`${file.name} (did not load)`] : failed;
    });
  } catch (error) {
    return [`no test report: ${String(error)}`];
  }
}

async function main(): Promise<void> {
  const filters = process.argv.slice(2);
  const all = JSON.parse(await readFile(join(root, "test/mutations.json"), "utf8")) as Mutation[];
  const mutations = all.filter((m) => filters.length === 0 || filters.some((f) => m.rule.includes(f)));
  const dir = await mkdtemp(join(tmpdir(), "infra-mutations-"));
  let survivors = 0;
  try {
    for (const mutation of mutations) {
      const path = join(root, mutation.file);
      const original = await readFile(path, "utf8");
      const occurrences = original.split(mutation.find).length - 1;
      if (occurrences !== 1) {
        survivors++;
        console.log(
          `NOT APPLIED  ${mutation.rule}: "${mutation.find}" occurs ${occurrences} times in ${mutation.file}`,
        );
        continue;
      }
      const report = join(dir, "report.json");
      await rm(report, { force: true });
      try {
        await writeFile(path, original.replace(mutation.find, mutation.replace));
        await runSuite(report);
      } finally {
        await writeFile(path, original);
      }
      const failures = await failuresOf(report);
      if (failures.length === 0) survivors++;
      console.log(
        `${failures.length > 0 ? `CAUGHT (${failures.length})` : "SURVIVED   "}  ${mutation.rule}  ${failures[0] ?? ""}`,
      );
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  console.log(`${mutations.length - survivors}/${mutations.length} broken rules caught by a failing test`);
  if (survivors > 0) process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error(`check-mutations failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
