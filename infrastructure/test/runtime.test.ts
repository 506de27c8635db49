import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { STACK_OUTPUT_NAMES } from "./harness.js";

const root = (path: string) => fileURLToPath(new URL(`../${path}`, import.meta.url));

describe("how the Pulumi CLI runs this ESM TypeScript program", () => {
  it("Pulumi.yaml switches off the built-in ts-node and loads the program through tsx", () => {
    const project = parse(readFileSync(root("Pulumi.yaml"), "utf8")) as { runtime: unknown };
    expect(project.runtime).toEqual({
      name: "nodejs",
      options: { typescript: false, nodeargs: "--import tsx" },
    });
    const pkg = JSON.parse(readFileSync(root("package.json"), "utf8")) as { type: string; main: string };
    expect(pkg).toMatchObject({ type: "module", main: "index.ts" });
  });

  it("index.ts loads and resolves every output under plain `node --import tsx` (no Vite)", async () => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ["--import", "tsx", root("test/fixtures/load-under-tsx.ts")],
      {
        cwd: root("."),
      },
    );
    const outputs = JSON.parse(stdout) as Record<string, unknown>;
    expect(Object.keys(outputs).sort()).toEqual(STACK_OUTPUT_NAMES);
    expect(outputs.ssmPath).toBe("/vidos/dev/");
  });
});
