// Builds the production image with the local Docker engine, runs it on the host network, checks /health and
// /authorize, then stops it with SIGTERM. Skipped (with the reason) where Docker is missing, except under CI=true.
import { afterAll, describe, expect, test } from "bun:test";
import {
  buildAppImage,
  buildBaseImage,
  dockerAvailability,
  freePort,
  removeContainer,
  removeImage,
  run,
  runContainer,
  runOrThrow,
  waitFor200,
} from "./support/docker.js";
import { startFakeAuthorizer } from "./support/fake-authorizer.js";

const availability = await dockerAvailability();
const required = process.env.CI === "true";
if (!availability.ok && !required) {
  console.warn(`docker image test skipped: ${availability.missing}`);
}

const unique = `${process.pid}-${Date.now().toString(36)}`;
const image = `apptest-app:${unique}`;
const container = `apptest-app-${unique}`;
const gitSha = `apptest${unique.replace(/[^a-z0-9]/g, "")}`;
const API_KEY = "k-docker-test-91c4";
// Docker sends SIGKILL after this long; exit code 0 proves the app left on its own before that.
const STOP_GRACE_SECONDS = 10;

afterAll(async () => {
  if (!availability.ok) return;
  await removeContainer(container);
  await removeImage(image);
});

describe.skipIf(!availability.ok && !required)("production image", () => {
  test("builds, answers /health with its version, forwards /authorize, and stops cleanly on SIGTERM", async () => {
    if (!availability.ok) throw new Error(`CI=true but Docker is unusable: ${availability.missing}`);
    const authorizer = startFakeAuthorizer(() => Response.json({ allowed: true }));
    try {
      const base = await buildBaseImage();
      await buildAppImage(image, base, gitSha);

      const inspected = JSON.parse(
        await runOrThrow(["docker", "image", "inspect", "--format", "{{json .Config}}", image]),
      ) as { User: string; Labels: Record<string, string> };
      expect(inspected.User).not.toMatch(/^(|0|root)(:|$)/);
      expect(inspected.Labels["org.opencontainers.image.revision"]).toBe(gitSha);

      const port = await freePort();
      await runContainer(container, image, {
        PORT: String(port),
        AUTHORIZER_URL: authorizer.url,
        API_KEY,
      });
      const health = await waitFor200(`http://127.0.0.1:${port}/health`, 30_000);
      expect(await health.json()).toMatchObject({
        status: "ok",
        version: gitSha,
        config: { authorizerUrl: true, apiKey: true },
      });

      const authorized = await fetch(`http://127.0.0.1:${port}/authorize`, {
        method: "POST",
        body: JSON.stringify({ credential: "from-test" }),
      });
      expect(authorized.status).toBe(200);
      expect(authorizer.received[0]?.headers.get("authorization")).toBe(`Bearer ${API_KEY}`);

      const stopStarted = performance.now();
      await runOrThrow(["docker", "stop", "--time", String(STOP_GRACE_SECONDS), container]);
      const stopMs = Math.round(performance.now() - stopStarted);
      const exitCode = (
        await runOrThrow(["docker", "inspect", "--format", "{{.State.ExitCode}}", container])
      ).trim();
      console.info(`docker stop took ${stopMs} ms, exit code ${exitCode}`);
      expect(exitCode).toBe("0");

      const logs = await run(["docker", "logs", container]);
      expect(logs.stdout).toContain('"msg":"stopped"');
      expect(logs.stdout + logs.stderr).not.toContain(API_KEY);
    } finally {
      await authorizer.stop();
    }
  }, 300_000);
});
