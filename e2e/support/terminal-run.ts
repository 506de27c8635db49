import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { filesUnder, runNode } from "../../scripts/harness/github-runner.js";
import { actionPath, repoRoot } from "../../scripts/harness/paths.js";

export interface TerminalRun {
  exitCode: number;
  stdout: string;
  stderr: string;
  /** Files left in the run's own TMPDIR (where a terminal run keeps its docker config). */
  leftInTemp: Record<string, string>;
}

/** Runs the bundled action from a terminal, `node dist/index.js --flag value …`, as a person would. */
export async function runInTerminal(flags: string[], env: Record<string, string>): Promise<TerminalRun> {
  const temp = mkdtempSync(join(tmpdir(), "terminal-run-"));
  try {
    const out: string[] = [];
    const err: string[] = [];
    const { code: exitCode } = await runNode(
      [join(actionPath, "dist", "index.js"), ...flags],
      {
        cwd: repoRoot,
        env: {
          PATH: process.env.PATH ?? "/usr/bin:/bin",
          HOME: process.env.HOME ?? temp,
          TMPDIR: temp,
          ...env,
        },
      },
      (data, stream) => (stream === "stdout" ? out : err).push(data),
    );
    return { exitCode, stdout: out.join(""), stderr: err.join(""), leftInTemp: filesUnder(temp) };
  } finally {
    rmSync(temp, { recursive: true, force: true });
  }
}
