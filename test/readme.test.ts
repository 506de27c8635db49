import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { LIGHTSAIL_POWER_MONTHLY_USD } from "../infrastructure/policy/prices.js";
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

describe("README for a user", () => {
  it("shows the examples/ workflow, as the tests lint and run it, as its minimal example", () => {
    // The file's leading comment block is for someone who copied the file; the README says the same in prose.
    const example = readFileSync(`${root}/examples/lightsail-deploy.yml`, "utf8");
    const body = example.slice(example.indexOf("\nname: ") + 1);
    const blocks = [...readme.matchAll(/```yaml\n([\s\S]*?)```/g)].map((match) => match[1]);
    expect(blocks[0]).toBe(body);
  });

  it("gives the monthly cost of one and of three environments as the stacks and the price table say", () => {
    const stacks = ["dev", "staging", "prod"].map((stack) => {
      const { config } = parse(readFileSync(`${root}/infrastructure/Pulumi.${stack}.yaml`, "utf8")) as {
        config: Record<string, string>;
      };
      const power = config["vidos:servicePower"] as keyof typeof LIGHTSAIL_POWER_MONTHLY_USD;
      return { power, usd: LIGHTSAIL_POWER_MONTHLY_USD[power] * Number(config["vidos:serviceScale"]) };
    });
    const [dev] = stacks;
    const three = stacks.reduce((sum, stack) => sum + stack.usd, 0);
    const costs = /## What it costs\n([\s\S]*?)\n## /.exec(readme)?.[1] ?? "";
    expect(costs).toContain(`| one (\`production\`) | \`${dev?.power}\` × 1 | about USD ${dev?.usd} |`);
    expect(costs).toContain(`about USD ${three} |`);
    expect(costs).toContain(`\`nano\` costs USD ${LIGHTSAIL_POWER_MONTHLY_USD.nano} a node`);
  });

  it("states the three promises", () => {
    const promises = /## Three promises, and how they are tested\n([\s\S]*?)\n## /.exec(readme)?.[1] ?? "";
    expect(promises).toMatch(/1\. \*\*A failure never leaves the service without its last good version/);
    expect(promises).toMatch(/2\. \*\*Status and messages are true/);
    expect(promises).toMatch(/3\. \*\*No secret, in any form, reaches a log, a summary, an output or a file/);
  });

  const pages = ["README.md", ...readdirSync(`${root}/docs`).map((name) => `docs/${name}`)];
  it.each(pages)("%s links only to files that exist", (page) => {
    const text = readFileSync(`${root}/${page}`, "utf8");
    const targets = [...text.matchAll(/\]\(([^)#\s]+)(#[^)]*)?\)/g)]
      .map((match) => match[1] ?? "")
      .filter((target) => !/^[a-z]+:/.test(target));
    const missing = targets.filter((target) => !existsSync(join(root, dirname(page), target)));
    expect(missing).toEqual([]);
  });

  it("keeps the repository's own material out of the README: it links to docs/ instead", () => {
    for (const doc of ["how-it-works", "pipeline", "troubleshooting", "development", "maintaining"])
      expect(readme).toContain(`](docs/${doc}.md)`);
    expect(readme.split("\n").length).toBeLessThan(250);
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
