import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { LIGHTSAIL_POWER_MONTHLY_USD } from "../infrastructure/policy/prices.js";

// The README's saving table, held to the price table and to pause.yml's own crons.
const ROOT = fileURLToPath(new URL("..", import.meta.url));
const readme = readFileSync(`${ROOT}README.md`, "utf8");
const pause = parse(readFileSync(`${ROOT}.github/workflows/pause.yml`, "utf8")) as {
  on: { schedule: { cron: string }[] };
};

/** A weekly cron at a whole hour on a range of weekdays (`0 19 * * 1-5`): the hours of the week it fires. */
function firings(cron: string): number[] {
  const match = /^0 (\d+) \* \* (\d)-(\d)$/.exec(cron);
  if (!match) throw new Error(`pause.yml cron "${cron}" is not of the form "0 H * * D-D"`);
  const [hour, first, last] = match.slice(1).map(Number) as [number, number, number];
  return Array.from({ length: last - first + 1 }, (_, i) => (first + i) * 24 + hour);
}

/** Hours a week the services are down: from each pause to the next resume (Sunday = day 0). */
function pausedHoursPerWeek(): number {
  const [pauseCron, resumeCron] = pause.on.schedule.map((entry) => entry.cron);
  const pauses = new Set(firings(pauseCron ?? ""));
  const resumes = new Set(firings(resumeCron ?? ""));
  let paused = false;
  let hours = 0;
  // Twice round the week: the first settles the state Sunday starts in.
  for (let h = 0; h < 2 * 168; h++) {
    if (pauses.has(h % 168)) paused = true;
    if (resumes.has(h % 168)) paused = false;
    if (h >= 168 && paused) hours++;
  }
  return hours;
}

function savingTable(): { power: string; scale: number; cells: number[] }[] {
  const start = readme.indexOf("| service (power × scale)");
  if (start < 0) throw new Error('README.md has no saving table ("| service (power × scale)")');
  return readme
    .slice(start)
    .split("\n")
    .slice(2)
    .filter(
      (line, i, lines) =>
        line.trim().startsWith("|") && lines.slice(0, i).every((l) => l.trim().startsWith("|")),
    )
    .map((line) => {
      const [label = "", ...cells] = line.split("|").slice(1, -1);
      const [, power = "", scale = ""] = /`(\w+)` × (\d+)/.exec(label) ?? [];
      return { power, scale: Number(scale), cells: cells.map((c) => Number(c.trim().replace("$", ""))) };
    });
}

const round = (usd: number) => Math.round(usd * 100) / 100;

describe("the saving of pausing out of hours (README)", () => {
  it("the crons pause 108 of the 168 hours of a week (four nights of 12 hours, the weekend's 60)", () => {
    expect(pausedHoursPerWeek()).toBe(108);
  });

  it("every row is the price table's price × the share of the week running, and its saving", () => {
    const running = (168 - pausedHoursPerWeek()) / 168;
    const rows = savingTable();
    expect(rows.length).toBeGreaterThanOrEqual(3);
    for (const { power, scale, cells } of rows) {
      const price = LIGHTSAIL_POWER_MONTHLY_USD[power as keyof typeof LIGHTSAIL_POWER_MONTHLY_USD] * scale;
      const saving = price * (1 - running);
      expect(cells, `${power} × ${scale}`).toEqual([
        round(price),
        round(price * running),
        round(saving),
        round(2 * saving),
      ]);
    }
  });
});
