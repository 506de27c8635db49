import { execFile } from "node:child_process";
import { cpSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { appendFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ActionRun } from "../scripts/harness/github-runner.js";
import { repoRoot } from "../scripts/harness/paths.js";
import { endToEndEnabled } from "./support/prerequisites.js";
import { expectOutcome, removeImages, type Stage, startStage } from "./support/stage.js";

// `build-cache` on the real stand-in registry. Debian's docker 20.10 client (/usr/bin/docker) runs BuildKit
// itself and exports an inline cache; the client first on PATH (28.x) needs buildx, which is not installed,
// so it shows the uncached path.
const enabled = await endToEndEnabled();

const SERVICE = "h12-build-cache";
const SSM_PATH = `/${SERVICE}/dev/`;
const SHA_COLD = "c01dc01dc01dc01dc01dc01dc01dc01dc01dc01d";
const SHA_CACHED = "cac4edcac4edcac4edcac4edcac4edcac4edcac4";
const SHA_UNCACHED = "0ca4e0ca4e0ca4e0ca4e0ca4e0ca4e0ca4e0ca4e";

/** Layers a `docker push` uploaded (not those the registry already had). */
const pushedLayers = (run: ActionRun) =>
  run.log.split("\n").filter((line) => /: Pushed\s*$/.test(line)).length;

describe.skipIf(!enabled)("the build cache in the ECR repository", () => {
  let stage: Stage | undefined;
  const context = mkdtempSync(join(tmpdir(), "h12-cache-context-"));
  const docker2010 = mkdtempSync(join(tmpdir(), "h12-docker-20-"));
  const built: string[] = [];

  beforeAll(async () => {
    // The two clients this file compares; say so plainly if the machine has others.
    const version = (docker: string) =>
      promisify(execFile)(docker, ["version", "--format", "{{.Client.Version}}"]).then(
        (r) => r.stdout.trim(),
        () => "absent",
      );
    const buildx = await promisify(execFile)("docker", ["buildx", "version"]).then(
      () => true,
      () => false,
    );
    const debian = await version("/usr/bin/docker");
    if (buildx || !(Number(debian.split(".")[0]) < 23))
      throw new Error(
        `needs a docker on PATH without buildx (has buildx: ${buildx}) and Debian's docker.io client at /usr/bin/docker older than 23 (found ${debian})`,
      );
    stage = await startStage({ service: SERVICE, repository: `${SERVICE}-app`, ssmPath: SSM_PATH });
    // A copy of the app to change one line of, as a commit would.
    for (const path of ["Dockerfile", ".dockerignore", "app/package.json", "app/src"])
      cpSync(join(repoRoot, path), join(context, path), { recursive: true });
    symlinkSync("/usr/bin/docker", join(docker2010, "docker"));
  }, 300_000);
  afterAll(async () => {
    await removeImages(...built);
    await stage?.close();
    rmSync(context, { recursive: true, force: true });
    rmSync(docker2010, { recursive: true, force: true });
  });

  const deploy = async (sha: string, withDocker2010: boolean) => {
    if (!stage) throw new Error("no stage");
    const run = await stage.pipeline.runAction(
      {
        context,
        dockerfile: join(context, "Dockerfile"),
        "build-args": `BUN_IMAGE=${stage.pipeline.baseImage}\nGIT_SHA=${sha}`,
        "container-name": "app",
        "container-port": "3000",
        "health-check-path": "/health",
        "ssm-path": SSM_PATH,
        "poll-interval": "1s",
        "wait-timeout": "3m",
        "probe-count": "5",
      },
      { GITHUB_SHA: sha, ...(withDocker2010 ? { PATH: `${docker2010}:${process.env.PATH}` } : {}) },
    );
    expectOutcome(run, "succeeds", "deployed");
    const uri = run.outputs["image-uri"] ?? "";
    built.push(uri, uri.replace(/:[^:/]+$/, ":buildcache"));
    return { run, uri, cache: uri.replace(/:[^:/]+$/, ":buildcache") };
  };

  it("on a fresh local image cache, the cached build of a one-line change pushes fewer layers than the first", async () => {
    const cold = await deploy(SHA_COLD, true);
    expect(cold.run.log).toContain(`Build cache: ${cold.cache} (BuildKit inline cache`);
    expect(cold.run.log).toContain(`Pushed the build cache ${cold.cache}`);
    // A fresh runner: none of this test's images is left in the local image store.
    await removeImages(cold.uri, cold.cache);
    await appendFile(join(context, "app/src/main.ts"), "// one-line change for the build-cache test\n");
    const cached = await deploy(SHA_CACHED, true);
    expect(cached.run.log).toContain(`importing cache manifest from ${cached.cache}`);
    const first = pushedLayers(cold.run);
    const second = pushedLayers(cached.run);
    console.log(`[build-cache] layers pushed: cold ${first}, cached ${second}`);
    expect(second).toBeGreaterThan(0); // the changed source is a new layer
    expect(second).toBeLessThan(first);
    expect(await stage?.healthVersion()).toBe(SHA_CACHED);
  }, 600_000);

  it("without BuildKit the build runs as before, and the log says the cache is off", async () => {
    const uncached = await deploy(SHA_UNCACHED, false);
    expect(uncached.run.log).toMatch(
      /Build cache: off \(no BuildKit: this docker client \(\S+\) needs the buildx plugin/,
    );
    expect(await stage?.healthVersion()).toBe(SHA_UNCACHED);
  }, 300_000);
});
