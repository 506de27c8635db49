import { execFile } from "node:child_process";
import { promisify } from "node:util";

const execFileAsync = promisify(execFile);

export interface Revision {
  /** Full commit SHA, or undefined outside a git checkout. */
  sha?: string;
  /** Set when the work tree has uncommitted changes, so a local deploy never reuses the committed image. */
  dirtyTag?: string;
}

/** Pure: the tag a dirty work tree deploys under (the commit plus a UTC timestamp). */
export function dirtyTag(sha: string, now: Date): string {
  const stamp = now.toISOString().replace(/[-:]/g, "").replace(/\..*$/, "").replace("T", "-");
  return `${sha.slice(0, 7)}-dirty-${stamp}`;
}

export async function currentRevision(cwd: string, now: Date): Promise<Revision> {
  try {
    const sha = (await execFileAsync("git", ["rev-parse", "HEAD"], { cwd })).stdout.trim();
    const status = (await execFileAsync("git", ["status", "--porcelain", "--untracked-files=no"], { cwd }))
      .stdout;
    return status.trim() ? { sha, dirtyTag: dirtyTag(sha, now) } : { sha };
  } catch {
    return {};
  }
}
