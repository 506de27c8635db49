import type { Deps } from "../platform/deps.js";
import { describeError } from "../platform/errors.js";
import type { CommitStatusApi } from "../platform/github-access.js";
import type { RunResult } from "./report.js";

export type CommitStatus = Parameters<CommitStatusApi["createCommitStatus"]>[0];

/** GitHub's limit on a status description. */
const MAX_DESCRIPTION = 140;

/**
 * The commit status for a finished run, or why there is none. Deployed (or a requested rollback that
 * worked): success, linking the service URL; anything else: failure, linking the run's log. The
 * description names the outcome, never the error text (it may hold what the runner would mask).
 */
export function commitStatusFor(result: RunResult): CommitStatus | { skip: string } {
  const context = result.context;
  if (result.dryRun) return { skip: "a dry run deploys nothing" };
  if (!context?.sha || !context.repository)
    return { skip: "there is no GitHub commit (GITHUB_SHA, GITHUB_REPOSITORY)" };
  if (!result.serviceName) return { skip: "the inputs were not valid" };
  // A manual rollback or a promotion deploys an image some other commit built: a status on GITHUB_SHA
  // would turn that commit green (or red) for what it never built.
  if (result.source === "rollback" || result.source === "promote")
    return {
      skip: `a ${result.source === "rollback" ? "`rollback-to`" : "`promote`"} does not deploy GITHUB_SHA's build`,
    };
  const [owner = "", repo = ""] = context.repository.split("/");
  const ok = !result.error && (result.status === "deployed" || result.status === "rolled-back");
  const version = result.servingVersion ?? result.deploymentVersion;
  const serving = version === undefined ? "" : `, version ${version} serving`;
  const description = `${result.serviceName}: ${result.status ?? "failed"}${serving}`;
  return {
    owner,
    repo,
    sha: context.sha,
    state: ok ? "success" : "failure",
    context: `lightsail-deploy/${result.serviceName}`,
    description: description.slice(0, MAX_DESCRIPTION),
    ...((ok ? result.serviceUrl : context.runUrl)
      ? { target_url: ok ? result.serviceUrl : context.runUrl }
      : {}),
  };
}

/** Posts the run's outcome with `token`. Optional: a failure to post is a warning, never a failed deploy. */
export async function postCommitStatus(result: RunResult, token: string, deps: Deps): Promise<void> {
  const status = commitStatusFor(result);
  if ("skip" in status) {
    deps.log.info(`No commit status: ${status.skip}.`);
    return;
  }
  try {
    const api = await deps.github.statuses(token);
    await api.createCommitStatus(status);
    deps.log.info(`Commit status ${status.context} on ${status.sha.slice(0, 7)}: ${status.state}`);
  } catch (error) {
    deps.log.warning(
      `Could not post the commit status ${status.context} (${describeError(error)}); the deploy's outcome is unchanged. The token needs \`statuses: write\` on ${status.owner}/${status.repo}.`,
    );
  }
}
