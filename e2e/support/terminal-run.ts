import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { filesUnder } from "../../scripts/local/github-runner.js";
import { actionPath, repoRoot } from "../../scripts/local/paths.js";

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
    const child = spawn(process.execPath, [join(actionPath, "dist", "index.js"), ...flags], {
      cwd: repoRoot,
      env: {
        PATH: process.env.PATH ?? "/usr/bin:/bin",
        HOME: process.env.HOME ?? temp,
        TMPDIR: temp,
        ...env,
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const out: string[] = [];
    const err: string[] = [];
    child.stdout.on("data", (d: Buffer) => out.push(d.toString()));
    child.stderr.on("data", (d: Buffer) => err.push(d.toString()));
    const exitCode = await new Promise<number>((resolve, reject) => {
      child.on("error", reject);
      child.on("close", (code) => resolve(code ?? 1));
    });
    return { exitCode, stdout: out.join(""), stderr: err.join(""), leftInTemp: filesUnder(temp) };
  } finally {
    rmSync(temp, { recursive: true, force: true });
  }
}
