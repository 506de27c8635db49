import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ChangelogError, prepareRelease, releaseNotes, versionOf } from "../scripts/release/changelog.js";

const root = new URL("..", import.meta.url).pathname;
const changelog = [
  "# Changelog",
  "",
  "## Unreleased",
  "",
  "### Fixed",
  "",
  "- a fix",
  "",
  "## [1.1.0] - 2026-10-01",
  "",
  "### Added",
  "",
  "- a feature",
  "",
  "## [1.0.0] - 2026-09-01",
  "",
  "",
].join("\n");

describe("CHANGELOG.md releases (scripts/release/changelog.ts)", () => {
  it.each([
    ["v1.2.3", "1.2.3"],
    ["1.2.3", "1.2.3"],
  ])("reads the version of tag %s", (tag, version) => {
    expect(versionOf(tag)).toBe(version);
  });

  it.each(["v1", "v1.2", "v1.2.3-rc.1", "release-1.2.3", ""])("refuses %j as a release tag", (tag) => {
    expect(() => versionOf(tag)).toThrow(ChangelogError);
  });

  it("gives one version's section as the release notes, without the next section", () => {
    expect(releaseNotes(changelog, "v1.1.0")).toBe("### Added\n\n- a feature\n");
  });

  it("refuses a version without a section, and one whose section is empty", () => {
    expect(() => releaseNotes(changelog, "v1.2.0")).toThrow(
      /no "## \[1\.2\.0\]" section: run .*prepare 1\.2\.0/,
    );
    expect(() => releaseNotes(changelog, "v1.0.0")).toThrow(/section is empty/);
  });

  it("prepares a release: Unreleased moves under the version and date, a new empty Unreleased stays on top", () => {
    const prepared = prepareRelease(changelog, "v1.2.0", new Date("2026-11-30T12:00:00Z"));
    expect(prepared).toContain(
      "## Unreleased\n\n## [1.2.0] - 2026-11-30\n\n### Fixed\n\n- a fix\n\n## [1.1.0]",
    );
    expect(releaseNotes(prepared, "v1.2.0")).toBe("### Fixed\n\n- a fix\n");
    expect(releaseNotes(prepared, "v1.1.0")).toBe(releaseNotes(changelog, "v1.1.0"));
    expect(() => prepareRelease(prepared, "v1.3.0", new Date())).toThrow(/Unreleased" is empty/);
    expect(() => prepareRelease(changelog, "v1.1.0", new Date())).toThrow(/already has/);
  });

  it("the repository's CHANGELOG.md holds what 1.0.0 will release under Unreleased, ready for `prepare 1.0.0`", () => {
    // 1.0.0 is prepared once the input renames of issue #20 have landed: inputs are fixed before v1.
    const text = readFileSync(`${root}/CHANGELOG.md`, "utf8");
    expect(text).not.toContain("\n## [1.0.0]");
    const prepared = prepareRelease(text, "v1.0.0", new Date("2027-01-01T00:00:00Z"));
    expect(releaseNotes(prepared, "v1.0.0")).toMatch(/^### Added\n\n- /);
  });
});
