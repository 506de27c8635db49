import { readFileSync, writeFileSync } from "node:fs";
import {
  READMES_WITH_ACTION_TABLES,
  readActionYaml,
  renderActionTables,
  replaceReadmeTables,
} from "./action-table.js";

// Rewrites the inputs/outputs tables of every README that shows them from action.yml, so they never drift.
const root = new URL("../..", import.meta.url).pathname;
const tables = renderActionTables(readActionYaml(root));
for (const readme of READMES_WITH_ACTION_TABLES) {
  const path = `${root}/${readme}`;
  const before = readFileSync(path, "utf8");
  const after = replaceReadmeTables(before, tables);
  writeFileSync(path, after);
  console.log(
    `${readme}: ${before === after ? "tables already up to date" : "tables updated from action.yml"}`,
  );
}
