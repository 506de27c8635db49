import type { Exec } from "../platform/deps.js";

/** 2026-11-21T23:15:47Z → 20261121-231547 (Docker tags allow no colons). */
export function timestampTag(epochMs: number): string {
  const iso = new Date(epochMs).toISOString();
  return `${iso.slice(0, 10).replace(/-/g, "")}-${iso.slice(11, 19).replace(/:/g, "")}`;
}

export interface ResolvedTag {
  tag: string;
  /** `commit`: the short SHA of a clean tree, so an image already under it holds the same source. */
  from: "input" | "commit" | "dirty" | "time";
}

/**
 * The explicit tag, else the short git SHA (GITHUB_SHA, else `git rev-parse`), else a UTC timestamp. A
 * tree with uncommitted changes gets `<sha7>-dirty-<UTC timestamp>`, since its image is not the commit's
 * and must not be mistaken for one already pushed under the commit's tag.
 */
export async function resolveTag(
  explicit: string | undefined,
  gitSha: string | undefined,
  exec: Exec,
  now: number,
): Promise<ResolvedTag> {
  if (explicit) return { tag: explicit, from: "input" };
  const git = (args: string[]) => exec("git", args, { silent: true }).catch(() => undefined);
  let sha = gitSha?.slice(0, 7).toLowerCase();
  if (!sha) {
    const head = await git(["rev-parse", "--short=7", "HEAD"]);
    const short = head?.exitCode === 0 ? head.stdout.trim() : "";
    if (!/^[0-9a-f]{7,}$/.test(short)) return { tag: timestampTag(now), from: "time" };
    sha = short;
  }
  // Untracked files count: they are in the build context as much as edited ones.
  const status = await git(["status", "--porcelain"]);
  if (status?.exitCode === 0 && status.stdout.trim() !== "")
    return { tag: `${sha}-dirty-${timestampTag(now)}`, from: "dirty" };
  return { tag: sha, from: "commit" };
}

/** `<repositoryUri>:<tag>` — the URI comes from ECR, never built from an amazonaws.com pattern. */
export function imageUri(repositoryUri: string, tag: string): string {
  return `${repositoryUri}:${tag}`;
}
