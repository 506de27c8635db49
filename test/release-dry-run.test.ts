import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { prepareRelease, releaseNotes } from "../scripts/release/changelog.js";
import { dryRunRelease } from "./helpers/release-dry-run.js";
import { runScript } from "./helpers/run-script.js";

// The release workflow itself (.github/workflows/release.yml), run step by step on a local git repository that
// holds this repository's CHANGELOG.md and release script: the tags it leaves are the ones GitHub would get.
const ROOT = new URL("..", import.meta.url).pathname;
// 1.0.0 waits for the input renames (issue #20), so main's entries are still under Unreleased: the dry run
// prepares 1.0.0 from them, as `changelog.ts prepare 1.0.0` does before the tag is pushed.
const CHANGELOG = prepareRelease(readFileSync(join(ROOT, "CHANGELOG.md"), "utf8"), "v1.0.0", new Date());

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const git = (repo: string, command: string) => {
  const ran = runScript(command, { HOME: repo, GIT_CONFIG_NOSYSTEM: "1" }, {}, repo);
  if (ran.status !== 0) throw new Error(`${command}: ${ran.stderr}`);
  return ran.stdout.trim();
};

/** A repository at one commit with this CHANGELOG.md and scripts/release/, like a clone of main. */
function repository(changelog = CHANGELOG) {
  const base = mkdtempSync(join(tmpdir(), "release-dry-run-"));
  dirs.push(base);
  const repo = join(base, "repo");
  mkdirSync(join(repo, "scripts"), { recursive: true });
  cpSync(join(ROOT, "scripts/release"), join(repo, "scripts/release"), { recursive: true });
  writeFileSync(join(repo, "CHANGELOG.md"), changelog);
  git(repo, "git init -q -b main && git config user.email r@example.test && git config user.name release");
  git(repo, "git add -A && git commit -q -m first");
  return { repo, releases: join(base, "releases") };
}

/** Every tag of the repository → the commit it names. */
const tags = (repo: string) =>
  Object.fromEntries(
    git(repo, "git for-each-ref --format='%(refname:short) %(objectname)' refs/tags")
      .split("\n")
      .filter(Boolean)
      .map((line) => line.split(" ")),
  );
const notes = (releases: string, tag: string) => readFileSync(join(releases, `${tag}.md`), "utf8");

describe("release.yml, dry run: the first release", () => {
  it("a pushed v1.0.0 becomes a release with CHANGELOG.md's 1.0.0 notes, and v1 is made at the same commit", () => {
    const { repo, releases } = repository();
    const head = git(repo, "git rev-parse HEAD");
    git(repo, "git tag v1.0.0");
    const run = dryRunRelease({ git: repo, releases, event: { name: "push", tag: "v1.0.0" } });
    expect(run).toEqual({ ok: true });
    expect(tags(repo)).toEqual({ "v1.0.0": head, v1: head });
    expect(notes(releases, "v1.0.0")).toBe(releaseNotes(CHANGELOG, "v1.0.0"));
    expect(notes(releases, "v1.0.0")).toContain("- The `lightsail-deploy` action: build, push to ECR");
  });

  it("a manual run naming v1.0.0 makes the tag at the run's commit, then v1", () => {
    const { repo, releases } = repository();
    const head = git(repo, "git rev-parse HEAD");
    const run = dryRunRelease({ git: repo, releases, event: { name: "workflow_dispatch", tag: "v1.0.0" } });
    expect(run).toEqual({ ok: true });
    expect(tags(repo)).toEqual({ "v1.0.0": head, v1: head });
  });

  it("the next release moves v1 to its commit; a patch on an older line leaves v1 where it is", () => {
    const next = CHANGELOG.replace("## Unreleased\n", "## Unreleased\n\n## [1.1.0] - 2027-01-01\n\n- more\n");
    const patch = next.replace("## [1.0.0]", "## [1.0.1] - 2027-01-02\n\n- a fix\n\n## [1.0.0]");
    const { repo, releases } = repository(patch);
    const first = git(repo, "git rev-parse HEAD");
    git(repo, "git tag v1.0.0");
    expect(dryRunRelease({ git: repo, releases, event: { name: "push", tag: "v1.0.0" } }).ok).toBe(true);
    git(repo, "git commit -q --allow-empty -m second && git tag v1.1.0");
    const second = git(repo, "git rev-parse HEAD");
    expect(dryRunRelease({ git: repo, releases, event: { name: "push", tag: "v1.1.0" } }).ok).toBe(true);
    expect(tags(repo).v1).toBe(second);
    git(repo, `git checkout -q ${first} && git tag v1.0.1`);
    expect(dryRunRelease({ git: repo, releases, event: { name: "push", tag: "v1.0.1" } }).ok).toBe(true);
    expect(tags(repo)).toEqual({ "v1.0.0": first, "v1.0.1": first, "v1.1.0": second, v1: second });
    expect(notes(releases, "v1.1.0")).toBe("- more\n");
  });

  it("a tag without its CHANGELOG.md section publishes nothing and leaves v1 alone", () => {
    const { repo, releases } = repository();
    const run = dryRunRelease({ git: repo, releases, event: { name: "workflow_dispatch", tag: "v1.2.0" } });
    expect(run.ok).toBe(false);
    expect(run.failed).toContain('no "## [1.2.0]" section');
    expect(tags(repo)).toEqual({});
    expect(existsSync(join(releases, "v1.2.0.md"))).toBe(false);
  });

  it("refuses a tag that is not vX.Y.Z before asking GitHub anything", () => {
    const { repo, releases } = repository();
    const run = dryRunRelease({ git: repo, releases, event: { name: "workflow_dispatch", tag: "v1" } });
    expect(run.failed).toContain("is not a release tag of the form v1.2.3");
    expect(existsSync(join(releases, "calls.log"))).toBe(false);
  });
});
