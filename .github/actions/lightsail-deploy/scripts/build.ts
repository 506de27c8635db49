/*
 * npm run build: src → lib (tsc) → one ES-module bundle (ncc, minified) and its two entry points → licences.
 * tsc compiles first because ncc's built-in TypeScript loader rejects TypeScript 6 configurations.
 * Usage: tsx scripts/build.ts [outDir]   (default dist; test/dist.test.ts builds into a temp dir)
 */
import { execFileSync } from "node:child_process";
import { copyFileSync, renameSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { writeLicenses } from "./write-licenses.js";

const packageDir = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const outDir = resolve(process.cwd(), process.argv[2] ?? join(packageDir, "dist"));
const require = createRequire(import.meta.url);
const node = (script: string, args: string[]) =>
  execFileSync(process.execPath, [script, ...args], {
    cwd: packageDir,
    stdio: ["ignore", "inherit", "inherit"],
  });

// ncc neither empties its output directory nor cares about stale tsc output, so start clean.
rmSync(join(packageDir, "lib"), { recursive: true, force: true });
rmSync(outDir, { recursive: true, force: true });
// TypeScript 7 exports no `bin/tsc` subpath, so find its bin from package.json (works for 6 too).
node(join(dirname(require.resolve("typescript/package.json")), "bin/tsc"), ["-p", "tsconfig.build.json"]);
// lib/ stays at a fixed place: webpack's module ids hash paths, so moving it would change dist/.
node(require.resolve("@vercel/ncc/dist/ncc/cli.js"), [
  "build",
  "lib/bundle.js",
  "--out",
  outDir,
  "--minify",
  "--target",
  "es2022",
  "--stats-out",
  "lib/ncc-stats.json",
  "--quiet",
]);
// ncc names its output index.js; the entry points are tsc's own output, each a line importing the bundle:
// index.js (the action, or a terminal run) and post.js (the post step).
renameSync(join(outDir, "index.js"), join(outDir, "bundle.js"));
copyFileSync(join(packageDir, "lib/index.js"), join(outDir, "index.js"));
copyFileSync(join(packageDir, "lib/post-step.js"), join(outDir, "post.js"));
const licences = writeLicenses(
  join(packageDir, "lib/ncc-stats.json"),
  join(outDir, "licenses.txt"),
  packageDir,
);
process.stdout.write(`built ${outDir} (${licences})\n`);
