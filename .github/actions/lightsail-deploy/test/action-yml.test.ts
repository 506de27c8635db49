import { readFileSync } from "node:fs";
import { join } from "node:path";
import { expect, test } from "vitest";
import { parse } from "yaml";
import { INPUT_DEFAULTS, INPUT_NAMES } from "../src/inputs.js";
import { OUTPUT_NAMES } from "../src/report.js";

const dir = join(import.meta.dirname, "..");
interface ActionYml {
  name: string;
  description: string;
  branding: { icon: string; color: string };
  inputs: Record<string, { description: string; required?: boolean; default?: string }>;
  outputs: Record<string, { description: string }>;
  runs: { using: string; main: string };
}
const action = parse(readFileSync(join(dir, "action.yml"), "utf8")) as ActionYml;
const readme = readFileSync(join(dir, "README.md"), "utf8");

test("action.yml declares exactly the inputs and outputs the code reads and writes", () => {
  expect(Object.keys(action.inputs)).toEqual(INPUT_NAMES);
  expect(Object.keys(action.outputs)).toEqual([...OUTPUT_NAMES]);
  expect(action.runs).toEqual({ using: "node24", main: "dist/index.js" });
  expect(action.branding.icon).toBeTruthy();
  expect(action.branding.color).toBeTruthy();
});

test.each(INPUT_NAMES)("input %s: described, and its default is the one the code applies", (name) => {
  const input = action.inputs[name];
  expect(input?.description.length).toBeGreaterThan(10);
  expect(input?.default === undefined ? undefined : String(input.default)).toBe(INPUT_DEFAULTS[name]);
});

test("the README's tables match action.yml", () => {
  const rows = (header: string) =>
    readme
      .slice(readme.indexOf(header))
      .split("\n")
      .filter((line) => line.startsWith("| `"))
      .map((line) => line.split(" | ").map((cell) => cell.replace(/^\| /, "").replace(/ \|$/, "").trim()));
  const clean = (text: string) => text.replace(/\s+/g, " ").trim();
  const inputRows = rows("## Inputs").slice(0, INPUT_NAMES.length);
  expect(inputRows).toEqual(
    Object.entries(action.inputs).map(([name, input]) => [
      `\`${name}\``,
      input.required ? "yes" : "no",
      input.default === undefined ? "" : `\`${input.default}\``,
      clean(input.description),
    ]),
  );
  expect(rows("## Outputs")).toEqual(
    Object.entries(action.outputs).map(([name, o]) => [`\`${name}\``, clean(o.description)]),
  );
});
