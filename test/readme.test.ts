import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  READMES_WITH_ACTION_TABLES,
  readActionYaml,
  readmeTables,
  renderActionTables,
  replaceReadmeTables,
  TABLE_END,
  TABLE_START,
} from "../scripts/docs/action-table.js";

const root = new URL("..", import.meta.url).pathname;
const readme = readFileSync(`${root}/README.md`, "utf8");
const actionYaml = readActionYaml(root);

describe("README", () => {
  it.each(READMES_WITH_ACTION_TABLES)(
    "%s documents every action input and output exactly as action.yml does (run `npm run docs` to refresh)",
    (path) => {
      expect(readmeTables(readFileSync(`${root}/${path}`, "utf8"))).toBe(renderActionTables(actionYaml));
    },
  );

  it("has a quick start of exactly two commands: the local deploy and the tests", () => {
    const quickStart = /## Quick start\n([\s\S]*?)\n## /.exec(readme)?.[1] ?? "";
    const block = /```sh\n([\s\S]*?)```/.exec(quickStart)?.[1] ?? "";
    const commands = block
      .split("\n")
      .map((line) => line.replace(/#.*$/, "").trim())
      .filter(Boolean);
    expect(commands).toEqual(["npm run deploy:local", "npm test"]);
    const scripts = JSON.parse(readFileSync(`${root}/package.json`, "utf8")).scripts as Record<
      string,
      string
    >;
    expect(scripts["deploy:local"]).toBeDefined();
    expect(scripts.test).toBeDefined();
  });

  it(".ci/run installs the README's prerequisites and then runs the README's test command", () => {
    const ciRun = readFileSync(`${root}/.ci/run`, "utf8");
    expect(ciRun).toContain("scripts/install-prerequisites.sh");
    expect(ciRun).toMatch(/^npm test( |$)/m);
    expect(readme).toContain("scripts/install-prerequisites.sh");
  });
});

describe("action table rendering", () => {
  const yaml = `
inputs:
  service-name:
    description: The Lightsail | container service.
    required: true
  region:
    description: Region.
    default: eu-west-1
outputs:
  status:
    description: deployed, rolled-back or failed.
`;

  it("renders required inputs, defaults and escaped pipes", () => {
    const tables = renderActionTables(yaml);
    expect(tables).toContain("| `service-name` | required | The Lightsail \\| container service. |");
    expect(tables).toContain("| `region` | `eu-west-1` | Region. |");
    expect(tables).toContain("| `status` | deployed, rolled-back or failed. |");
  });

  it("detects a README whose table differs from action.yml", () => {
    const stale = `${TABLE_START}\n| input | default | description |\n${TABLE_END}`;
    expect(readmeTables(stale)).not.toBe(renderActionTables(yaml));
    expect(readmeTables(replaceReadmeTables(stale, renderActionTables(yaml)))).toBe(renderActionTables(yaml));
  });
});
