import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { RegistryProcess } from "../src/ecr/registry-process.js";
import { freePort } from "../src/ports.js";

const REGISTRY = "/usr/bin/docker-registry";
const available = existsSync(REGISTRY);
if (!available) {
  if (process.env.CI === "true")
    throw new Error(`${REGISTRY} is missing; CI=true requires the registry tests to run`);
  console.warn(`SKIPPED: registry tests need ${REGISTRY} (apt-get install docker-registry)`);
}

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function stateDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "local-aws-registry-"));
  dirs.push(dir);
  return dir;
}

describe.skipIf(!available)("the registry process", () => {
  it("requires the generated password (bcrypt from bcryptjs) and keeps it across restarts", async () => {
    const dir = stateDir();
    const registry = await RegistryProcess.start({ stateDir: dir, port: await freePort() });
    try {
      expect((await fetch(`${registry.endpoint}/v2/`)).status).toBe(401);
      const auth = `Basic ${Buffer.from(`AWS:${registry.password}`).toString("base64")}`;
      expect((await fetch(`${registry.endpoint}/v2/`, { headers: { Authorization: auth } })).status).toBe(
        200,
      );
      expect(await registry.catalog()).toEqual([]);
      expect(await registry.listTags("app")).toEqual([]);
    } finally {
      await registry.stop();
    }
    const again = await RegistryProcess.start({ stateDir: dir, port: await freePort() });
    expect(again.password).toBe(registry.password);
    await again.stop();
  });

  it("names the missing binary", async () => {
    await expect(
      RegistryProcess.start({
        stateDir: stateDir(),
        port: await freePort(),
        binary: "/nonexistent/docker-registry",
      }),
    ).rejects.toThrow(/cannot run the registry binary: spawn \/nonexistent\/docker-registry ENOENT/);
  });
});
