import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { LIGHTSAIL_POWER_MONTHLY_USD } from "../policy/prices.js";
import { SERVICE_POWERS } from "../src/config.js";

const readme = readFileSync(fileURLToPath(new URL("../README.md", import.meta.url)), "utf8");

/** The README's "Power × scale" table: power → (scale → USD). */
function readmeTable(): Map<string, Map<number, number>> {
  const lines = readme.split("\n");
  const header = lines.findIndex((line) => /^\| power \(vCPU, RAM\)/.test(line));
  if (header < 0) throw new Error("README.md has no power × scale table");
  const scales = (lines[header] ?? "")
    .split("|")
    .slice(2, -1)
    .map((cell) => Number(cell.replace("×", "").trim()));
  const table = new Map<string, Map<number, number>>();
  for (const line of lines.slice(header + 2)) {
    if (!line.startsWith("|")) break;
    const [, powerCell = "", ...cells] = line.split("|");
    const power = /`(\w+)`/.exec(powerCell)?.[1] ?? powerCell.trim();
    table.set(power, new Map(scales.map((scale, i) => [scale, Number(cells[i]?.trim())])));
  }
  return table;
}

describe("the price table (policy/prices.ts) is the one the README shows", () => {
  it("prices every power the stack config accepts", () => {
    expect(Object.keys(LIGHTSAIL_POWER_MONTHLY_USD).sort()).toEqual([...SERVICE_POWERS].sort());
  });

  it("every cell of the README's power × scale table is price × scale", () => {
    const table = readmeTable();
    expect([...table.keys()].sort()).toEqual(Object.keys(LIGHTSAIL_POWER_MONTHLY_USD).sort());
    for (const [power, row] of table) {
      expect(row.size, power).toBeGreaterThan(3);
      for (const [scale, usd] of row)
        expect(usd, `${power} × ${scale}`).toBe(
          LIGHTSAIL_POWER_MONTHLY_USD[power as keyof typeof LIGHTSAIL_POWER_MONTHLY_USD] * scale,
        );
    }
  });
});
