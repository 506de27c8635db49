import type { context } from "@actions/github";

/** Where a run comes from, for links, image labels and the commit status; empty fields outside GitHub. */
export interface RunContext {
  /** Full commit SHA. */
  sha?: string;
  ref?: string;
  actor?: string;
  /** `owner/repo`. */
  repository?: string;
  /** `https://github.com/owner/repo` */
  repositoryUrl?: string;
  commitUrl?: string;
  /** `https://github.com/owner/repo/actions/runs/<id>/attempts/<n>` */
  runUrl?: string;
}

/** The fields of @actions/github's context this action reads. */
export type GitHubContext = Pick<
  typeof context,
  "sha" | "ref" | "actor" | "serverUrl" | "runId" | "runAttempt" | "repo"
>;

/** @actions/github's context as plain values; a terminal has no GITHUB_* variables, so most are empty. */
export function runContextOf(github: GitHubContext): RunContext {
  const text = (value: string | undefined) => value?.trim() || undefined;
  let repository: string | undefined;
  try {
    // The getter throws without GITHUB_REPOSITORY.
    repository = `${github.repo.owner}/${github.repo.repo}`;
  } catch {
    repository = undefined;
  }
  const sha = text(github.sha);
  const server = (text(github.serverUrl) ?? "https://github.com").replace(/\/+$/, "");
  const repositoryUrl = repository ? `${server}/${repository}` : undefined;
  const runId = Number.isSafeInteger(github.runId) && github.runId > 0 ? github.runId : undefined;
  const attempt = Number.isSafeInteger(github.runAttempt) && github.runAttempt > 0 ? github.runAttempt : 1;
  return {
    sha,
    ref: text(github.ref),
    actor: text(github.actor),
    repository,
    repositoryUrl,
    commitUrl: repositoryUrl && sha ? `${repositoryUrl}/commit/${sha}` : undefined,
    runUrl: repositoryUrl && runId ? `${repositoryUrl}/actions/runs/${runId}/attempts/${attempt}` : undefined,
  };
}
