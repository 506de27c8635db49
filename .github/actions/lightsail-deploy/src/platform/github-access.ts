import { type RunContext, runContextOf } from "./run-context.js";

/** The commit-status endpoint of Octokit's REST API (`octokit.rest.repos.createCommitStatus`). */
export interface CommitStatusApi {
  createCommitStatus(params: {
    owner: string;
    repo: string;
    sha: string;
    state: "error" | "failure" | "pending" | "success";
    target_url?: string;
    description?: string;
    context?: string;
  }): Promise<unknown>;
}

/** What the action takes from @actions/github. */
export interface GitHubAccess {
  /** The commit, ref, actor and run this deploy comes from. */
  context(): Promise<RunContext>;
  /** Commit statuses, through Octokit authenticated with `token`. */
  statuses(token: string): Promise<CommitStatusApi>;
}

/**
 * @actions/github, evaluated on first use: its entry module builds the Octokit class as it loads (Octokit,
 * its REST plugins and a second @actions/http-client), so a static import only for the context would put
 * all that on the path to the first AWS request. The context is first needed after
 * pre-flight (image labels, summary), and Octokit only with `github-token`.
 */
export function lazyGitHub(): GitHubAccess {
  let module: Promise<typeof import("@actions/github")> | undefined;
  const load = () => {
    // Eager: kept in dist/index.js (ncc leaves a lazy chunk unminified) but evaluated only here.
    module ??= import(/* webpackMode: "eager" */ "@actions/github");
    return module;
  };
  return {
    context: async () => runContextOf((await load()).context),
    statuses: async (token) => (await load()).getOctokit(token).rest.repos,
  };
}
