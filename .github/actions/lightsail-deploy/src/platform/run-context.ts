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

/**
 * `docker build --label` arguments that say where an image comes from: the OCI revision and source
 * annotations, and the run that built it. No `created`: ECR records the push time, and a timestamp would
 * give every build of one commit a different image id. Each value follows its key, so none can be read as
 * an option.
 */
export function imageLabels(context: RunContext): string[] {
  const labels: [string, string | undefined][] = [
    ["org.opencontainers.image.revision", context.sha],
    ["org.opencontainers.image.source", context.repositoryUrl],
    [RUN_URL_LABEL, context.runUrl],
  ];
  return labels.flatMap(([key, value]) => (value ? ["--label", `${key}=${value}`] : []));
}

/** Our own label (OCI defines none for a build's run); reverse-DNS of the place the run lives. */
export const RUN_URL_LABEL = "com.github.actions.run-url";
