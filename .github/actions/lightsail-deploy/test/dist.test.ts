import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, test } from "vitest";

const packageDir = join(import.meta.dirname, "..");
const fresh = mkdtempSync(join(tmpdir(), "lightsail-deploy-dist-"));
afterAll(() => rmSync(fresh, { recursive: true, force: true }));

test("dist/ is exactly what `npm run build` makes from src/", { timeout: 180_000 }, () => {
  const tsx = createRequire(import.meta.url).resolve("tsx/cli");
  execFileSync(process.execPath, [tsx, "scripts/build.ts", fresh], {
    cwd: packageDir,
    stdio: "pipe",
  });
  const committed = join(packageDir, "dist");
  const files = readdirSync(fresh).sort();
  expect(
    readdirSync(committed).sort(),
    "dist/ has other files than a build makes: run npm run build",
  ).toEqual(files);
  for (const file of files) {
    const same = readFileSync(join(fresh, file)).equals(readFileSync(join(committed, file)));
    expect(same, `dist/${file} differs from a fresh build of src/: run npm run build and commit dist/`).toBe(
      true,
    );
  }
});
