/**
 * CHANGELOG.md, kept by hand in the Keep a Changelog layout and turned into releases by this script:
 *
 *   node scripts/release/changelog.ts prepare 1.2.0   before tagging: `## Unreleased` becomes `## [1.2.0] - <date>`
 *                                                     under a new empty `## Unreleased`; commit that, tag v1.2.0
 *   node scripts/release/changelog.ts notes 1.2.0     the section of 1.2.0 (release.yml publishes it as the notes)
 *
 * Node 24 runs it directly (type stripping; only `node:` imports), so the release workflow needs no `npm ci`.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { pathToFileURL } from "node:url";

export class ChangelogError extends Error {}

const SEMVER = /^\d+\.\d+\.\d+$/;
const HEADING = /^## (.*)$/gm;

/** The version a tag stands for: `v1.2.3` or `1.2.3` → `1.2.3`; anything else is refused. */
export function versionOf(tag: string): string {
  const version = tag.replace(/^v/, "");
  if (!SEMVER.test(version)) throw new ChangelogError(`"${tag}" is not a release tag of the form v1.2.3`);
  return version;
}

/** The `## ` sections in order, each with its heading text and its body (trimmed). */
function sections(changelog: string): { heading: string; start: number; end: number; body: string }[] {
  const found = [...changelog.matchAll(HEADING)];
  return found.map((match, index) => {
    const start = match.index ?? 0;
    const end = found[index + 1]?.index ?? changelog.length;
    const body = changelog.slice(start + match[0].length, end).trim();
    return { heading: match[1] ?? "", start, end, body };
  });
}

const isVersion = (heading: string, version: string) => heading.startsWith(`[${version}]`);

/** The notes of one released version; a missing or empty section is an error naming what to do. */
export function releaseNotes(changelog: string, tag: string): string {
  const version = versionOf(tag);
  const section = sections(changelog).find((s) => isVersion(s.heading, version));
  if (!section)
    throw new ChangelogError(
      `CHANGELOG.md has no "## [${version}]" section: run \`node scripts/release/changelog.ts prepare ${version}\`, ` +
        "commit, and tag that commit",
    );
  if (section.body === "") throw new ChangelogError(`CHANGELOG.md's "## [${version}]" section is empty`);
  return `${section.body}\n`;
}

/** Moves `## Unreleased` under `## [version] - date` and starts a new empty `## Unreleased` above it. */
export function prepareRelease(changelog: string, tag: string, date: Date): string {
  const version = versionOf(tag);
  const all = sections(changelog);
  if (all.some((s) => isVersion(s.heading, version)))
    throw new ChangelogError(`CHANGELOG.md already has a "## [${version}]" section`);
  const unreleased = all.find((s) => s.heading.trim() === "Unreleased");
  if (!unreleased) throw new ChangelogError('CHANGELOG.md has no "## Unreleased" section');
  if (unreleased.body === "") throw new ChangelogError('"## Unreleased" is empty: nothing to release');
  const day = date.toISOString().slice(0, 10);
  const released = `## Unreleased\n\n## [${version}] - ${day}\n\n${unreleased.body}\n\n`;
  return `${changelog.slice(0, unreleased.start)}${released}${changelog.slice(unreleased.end).trimStart()}`;
}

function main(argv: string[]): void {
  const [command, tag = "", file = "CHANGELOG.md"] = argv;
  const changelog = readFileSync(file, "utf8");
  if (command === "notes") process.stdout.write(releaseNotes(changelog, tag));
  else if (command === "prepare") writeFileSync(file, prepareRelease(changelog, tag, new Date()));
  else throw new ChangelogError("usage: changelog.ts notes|prepare <version> [CHANGELOG.md]");
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    main(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof ChangelogError)) throw error;
    console.error(`changelog: ${error.message}`);
    process.exit(1);
  }
}
