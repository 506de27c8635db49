// The real entry point as a child process: startup errors, signals, and what reaches stdout/stderr.
import { afterEach, describe, expect, test } from "bun:test";
import { fileURLToPath } from "node:url";
import { type FakeAuthorizer, gate, startFakeAuthorizer } from "./support/fake-authorizer.js";
import { collectLines } from "./support/lines.js";

const MAIN = fileURLToPath(new URL("../src/main.ts", import.meta.url));
const API_KEY = "k-subprocess-5d1e8b";
// Docker and Lightsail kill the container 10 s after SIGTERM.
const STOP_GRACE_MS = 10_000;

let cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  cleanups = [];
});

function spawnMain(env: Record<string, string>) {
  const child = Bun.spawn([process.execPath, MAIN], {
    env: { PATH: process.env.PATH ?? "", ...env },
    stdout: "pipe",
    stderr: "pipe",
  });
  cleanups.push(() => {
    if (child.exitCode === null) child.kill("SIGKILL");
  });
  return { child, stdout: collectLines(child.stdout), stderr: collectLines(child.stderr) };
}

async function exitWithin(child: Bun.Subprocess, ms: number): Promise<number | "still running"> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<"still running">((resolve) => {
    timer = setTimeout(() => resolve("still running"), ms);
  });
  try {
    return await Promise.race([child.exited, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

describe("main.ts", () => {
  test("refuses to start on bad configuration, naming each variable and value, never the API key", async () => {
    const { child, stderr, stdout } = spawnMain({
      AUTHORIZER_URL: "http://authorizer.example.com/authorize",
      PORT: "70000",
      API_KEY: ` ${API_KEY}`,
    });
    expect(await child.exited).toBe(1);
    await stderr.ended;
    await stdout.ended;
    const errors = stderr.lines.join("\n");
    expect(errors).toContain(
      '`AUTHORIZER_URL` must use https (http is allowed only for loopback hosts): "http://',
    );
    expect(errors).toContain('`PORT` must be from 0 to 65535: "70000"');
    expect(errors).toContain("`API_KEY` has leading or trailing whitespace");
    expect(errors + stdout.lines.join("\n")).not.toContain(API_KEY);
  });

  test.each(["SIGTERM", "SIGINT"] as const)(
    "on %s finishes the in-flight request, refuses new ones, and exits 0",
    async (signal) => {
      const held = gate();
      const authorizer: FakeAuthorizer = startFakeAuthorizer(async () => {
        await held.promise;
        return Response.json({ allowed: true });
      });
      cleanups.push(() => authorizer.stop());
      cleanups.push(() => held.open());

      const { child, stdout } = spawnMain({
        AUTHORIZER_URL: authorizer.url,
        API_KEY,
        HOST: "127.0.0.1",
        PORT: "0",
        APP_VERSION: "sha-under-test",
      });
      const listening = JSON.parse(await stdout.waitFor((line) => line.includes('"msg":"listening"'))) as {
        port: number;
      };
      const base = `http://127.0.0.1:${listening.port}`;

      const arrived = authorizer.nextRequest();
      const inFlight = fetch(`${base}/authorize`, { method: "POST", body: '{"credential":"c"}' });
      await arrived;

      child.kill(signal);
      await stdout.waitFor((line) => line.includes('"msg":"shutting down"'));
      await expect(fetch(`${base}/health`)).rejects.toThrow();
      expect(child.exitCode).toBeNull();

      held.open();
      const response = await inFlight;
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ allowed: true });

      expect(await exitWithin(child, STOP_GRACE_MS)).toBe(0);
      await stdout.ended;
      const entries = stdout.lines.map((line) => JSON.parse(line) as Record<string, unknown>);
      expect(entries).toContainEqual(
        expect.objectContaining({ msg: "request", method: "POST", path: "/authorize", status: 200 }),
      );
      expect(entries).toContainEqual(expect.objectContaining({ msg: "stopped", reason: signal }));
      expect(stdout.lines.join("\n")).not.toContain(API_KEY);
    },
    STOP_GRACE_MS + 5_000,
  );
});
