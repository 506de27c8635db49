import { readFileSync } from "node:fs";
import { join } from "node:path";
import { expect, test } from "vitest";
import { parse } from "yaml";
import { INPUT_DEFAULTS, INPUT_NAMES } from "../src/inputs/schema.js";
import { OUTPUT_NAMES } from "../src/report/report.js";

const dir = join(import.meta.dirname, "..");
interface ActionYml {
  name: string;
  description: string;
  branding: { icon: string; color: string };
  inputs: Record<string, { description: string; required?: boolean; default?: string }>;
  outputs: Record<string, { description: string }>;
  runs: { using: string; main: string; post: string };
}
const action = parse(readFileSync(join(dir, "action.yml"), "utf8")) as ActionYml;

test("action.yml declares exactly the inputs and outputs the code reads and writes", () => {
  expect(Object.keys(action.inputs)).toEqual(INPUT_NAMES);
  expect(Object.keys(action.outputs)).toEqual([...OUTPUT_NAMES]);
  expect(action.runs).toEqual({ using: "node24", main: "dist/index.js", post: "dist/post.js" });
  expect(action.branding.icon).toBeTruthy();
  expect(action.branding.color).toBeTruthy();
});

test.each(INPUT_NAMES)("input %s: described, and its default is the one the code applies", (name) => {
  const input = action.inputs[name];
  expect(input?.description.length).toBeGreaterThan(10);
  expect(input?.default === undefined ? undefined : String(input.default)).toBe(INPUT_DEFAULTS[name]);
});
