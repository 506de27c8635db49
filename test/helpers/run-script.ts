import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * Runs a workflow step's `run:` script the way GitHub's bash shell does (`bash -e -o pipefail`), with the
 * given environment, `commands` put first on PATH (name → script text, e.g. a fake `curl`), in `cwd`, and
 * returns what it wrote to `$GITHUB_OUTPUT` as name → value.
 */
export function runScript(
  script: string,
  env: Record<string, string>,
  commands: Record<string, string> = {},
  cwd?: string,
): { status: number | null; stdout: string; stderr: string; outputs: Record<string, string> } {
  const dir = mkdtempSync(join(tmpdir(), "workflow-step-"));
  try {
    for (const [name, text] of Object.entries(commands))
      writeFileSync(join(dir, name), text, { mode: 0o755 });
    const output = join(dir, "github-output");
    writeFileSync(output, "");
    const result = spawnSync("bash", ["--noprofile", "--norc", "-e", "-o", "pipefail", "-c", script], {
      env: { ...env, PATH: `${dir}:${env.PATH ?? process.env.PATH}`, GITHUB_OUTPUT: output },
      encoding: "utf8",
      cwd,
    });
    const outputs = Object.fromEntries(
      readFileSync(output, "utf8")
        .split("\n")
        .filter((line) => line.includes("="))
        .map((line) => [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1)]),
    );
    return { status: result.status, stdout: result.stdout, stderr: result.stderr, outputs };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
