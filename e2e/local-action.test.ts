import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { expect, it } from "vitest";
import { repoRoot } from "../scripts/harness/paths.js";
import { endToEndEnabled } from "./support/prerequisites.js";

const execFileAsync = promisify(execFile);
const enabled = await endToEndEnabled();

// GitHub's own local runner for actions (@github/local-action) runs src/main.ts with the committed
// .env.example: a dry run against a stand-in of its own; the script checks its outputs and summary.
it.skipIf(!enabled)(
  "the action runs under @github/local-action and writes a dry run's outputs",
  async () => {
    const { stdout } = await execFileAsync(
      process.execPath,
      ["--import", "tsx", "scripts/dev/local-action.ts"],
      {
        cwd: repoRoot,
        timeout: 240_000,
      },
    ).catch((error: { stdout?: string; stderr?: string }) => {
      throw new Error(`local-action failed:\n${error.stdout ?? ""}\n${error.stderr ?? ""}`);
    });
    expect(stdout).not.toContain("FAIL");
    expect(stdout).toContain("ok   status is empty (a dry run)");
    expect(stdout).toContain("ok   the summary links the commit");
  },
  300_000,
);
