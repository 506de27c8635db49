import { readFileSync, writeFileSync } from "node:fs";
import { readActionYaml, renderActionTables, replaceReadmeTables } from "./action-table.js";

// Rewrites the README's inputs/outputs tables from action.yml, so the two never drift.
const root = new URL("../..", import.meta.url).pathname;
const readmePath = `${root}/README.md`;
const before = readFileSync(readmePath, "utf8");
const after = replaceReadmeTables(before, renderActionTables(readActionYaml(root)));
writeFileSync(readmePath, after);
console.log(
  before === after ? "README.md tables already up to date" : "README.md tables updated from action.yml",
);
