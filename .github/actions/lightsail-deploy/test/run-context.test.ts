import { expect, test } from "vitest";
import { type GitHubContext, runContextOf } from "../src/platform/run-context.js";

const onGitHub: GitHubContext = {
  sha: "0123456789abcdef0123456789abcdef01234567",
  ref: "refs/heads/main",
  actor: "octocat",
  serverUrl: "https://github.example.com/",
  runId: 42,
  runAttempt: 2,
  repo: { owner: "acme", repo: "shop" },
};

test("on a runner: commit, repository and run links from the context", () => {
  expect(runContextOf(onGitHub)).toEqual({
    sha: onGitHub.sha,
    ref: "refs/heads/main",
    actor: "octocat",
    repository: "acme/shop",
    repositoryUrl: "https://github.example.com/acme/shop",
    commitUrl: `https://github.example.com/acme/shop/commit/${onGitHub.sha}`,
    runUrl: "https://github.example.com/acme/shop/actions/runs/42/attempts/2",
  });
});

test("in a terminal (no GITHUB_* variables): no links, and no throw from the repo getter", () => {
  const terminal = {
    ...onGitHub,
    sha: undefined as unknown as string,
    ref: undefined as unknown as string,
    actor: undefined as unknown as string,
    runId: Number.NaN,
    runAttempt: Number.NaN,
    get repo(): { owner: string; repo: string } {
      throw new Error("context.repo requires a GITHUB_REPOSITORY environment variable");
    },
  };
  expect(runContextOf(terminal)).toEqual({
    sha: undefined,
    ref: undefined,
    actor: undefined,
    repository: undefined,
    repositoryUrl: undefined,
    commitUrl: undefined,
    runUrl: undefined,
  });
});
