import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

// `npm ci` refuses a lock file that lacks an entry for any dependency, optional platform packages included.
// A registry mirror without some platforms' packages makes `npm install` drop them silently, and `npm ci`
// on a fresh clone (CI) then fails; this catches that before CI does.
const root = new URL("..", import.meta.url).pathname;
const lock = JSON.parse(readFileSync(`${root}/package-lock.json`, "utf8")) as {
  packages: Record<string, { optionalDependencies?: Record<string, string> }>;
};

describe("package-lock.json", () => {
  it("has an entry for every optional dependency, so `npm ci` accepts it on a fresh clone", () => {
    const missing: string[] = [];
    for (const [path, entry] of Object.entries(lock.packages)) {
      for (const name of Object.keys(entry.optionalDependencies ?? {})) {
        const nested = `${path ? `${path}/` : ""}node_modules/${name}`;
        if (!lock.packages[nested] && !lock.packages[`node_modules/${name}`])
          missing.push(`${name} (for ${path})`);
      }
    }
    expect(missing).toEqual([]);
  });
});
