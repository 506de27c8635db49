import { execFile } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { appendFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import type { ActionRun } from "../harness/github-runner.js";
import { repoRoot } from "../harness/paths.js";
import type { LocalPipeline } from "../harness/pipeline.js";

// The bench rows of "faster feedback": cold and cached builds, and recovery from a release that sours
// inside the bake window. Measured from outside the action (a request loop on the service URL, the step's
// live log) except the build time, which is the action's own timeline (its `build` bar).
const execFileAsync = promisify(execFile);

/** A phase's seconds from the job summary's Mermaid timeline (`    build 42.0 s :t3, …`). */
export function timelineSeconds(summary: string, phase: string): number | undefined {
  const match = new RegExp(`^ {4}${phase} (\\d+(?:\\.\\d+)?) s :t\\d+`, "m").exec(summary);
  return match ? Number(match[1]) : undefined;
}

/** Layers a `docker push` uploaded (not those the registry already had). */
export function pushedLayers(log: string): number {
  return log.split("\n").filter((line) => /: Pushed\s*$/.test(line)).length;
}

export interface BuildFigures {
  coldSeconds?: number;
  cachedSeconds?: number;
  coldLayers: number;
  cachedLayers: number;
}

/**
 * The app built by the action with Debian's docker 20.10 (BuildKit built in, inline cache): a first build
 * with nothing in the cache, then, with this bench's images removed from the local image store (a fresh
 * runner), the build of a one-line source change.
 */
export async function measureBuilds(
  pipeline: LocalPipeline,
  deploy: (inputs: Record<string, string>, env: Record<string, string>) => Promise<ActionRun>,
): Promise<BuildFigures> {
  const context = mkdtempSync(join(tmpdir(), "bench-build-context-"));
  const dockerDir = mkdtempSync(join(tmpdir(), "bench-docker-20-"));
  const images: string[] = [];
  try {
    for (const path of ["Dockerfile", ".dockerignore", "app/package.json", "app/src"])
      cpSync(join(repoRoot, path), join(context, path), { recursive: true });
    // A manifest no build on this machine has seen, so that the first build is cold here too.
    const manifest = JSON.parse(readFileSync(join(context, "app/package.json"), "utf8"));
    writeFileSync(join(context, "app/package.json"), JSON.stringify({ ...manifest, benchRun: Date.now() }));
    symlinkSync("/usr/bin/docker", join(dockerDir, "docker"));
    const build = async (sha: string) => {
      const run = await deploy(
        {
          context,
          dockerfile: join(context, "Dockerfile"),
          "build-args": `BUN_IMAGE=${pipeline.baseImage}\nGIT_SHA=${sha}`,
        },
        { GITHUB_SHA: sha.padEnd(40, "0"), PATH: `${dockerDir}:${process.env.PATH}` },
      );
      const uri = run.outputs["image-uri"] ?? "";
      images.push(uri, uri.replace(/:[^:/]+$/, ":buildcache"));
      return run;
    };
    const cold = await build("5555555");
    await execFileAsync("docker", ["rmi", "-f", ...images]).catch(() => {});
    await appendFile(join(context, "app/src/main.ts"), "// one-line change for the bench\n");
    const cached = await build("6666666");
    return {
      coldSeconds: timelineSeconds(cold.summary, "build"),
      cachedSeconds: timelineSeconds(cached.summary, "build"),
      coldLayers: pushedLayers(cold.log),
      cachedLayers: pushedLayers(cached.log),
    };
  } finally {
    await execFileAsync("docker", ["rmi", "-f", ...images]).catch(() => {});
    rmSync(context, { recursive: true, force: true });
    rmSync(dockerDir, { recursive: true, force: true });
  }
}

export interface RecoveryFigures {
  /** First failed answer of the service URL → the action starts the automatic rollback. */
  detectionSeconds?: number;
  /** That start → the previous version answering again (first good answer after the last failed one). */
  rollbackSeconds?: number;
  failedAnswers: number;
  stepSeconds: number;
}

/**
 * A release that passes the health check and the first probe, then answers 500 inside the bake window:
 * a request loop on the service URL sees its first bad answer and the previous version's return; the
 * step's live log says when the action decided.
 */
export async function measureRecovery(
  pipeline: LocalPipeline,
  deploy: (onLine: (line: string) => void) => Promise<ActionRun>,
): Promise<RecoveryFigures> {
  const url = new URL("health", pipeline.serviceUrl).toString();
  const answers: { at: number; ok: boolean }[] = [];
  let stop = false;
  const loop = (async () => {
    while (!stop) {
      const at = Date.now();
      const ok = await fetch(url, { signal: AbortSignal.timeout(5000) }).then(
        async (r) => {
          await r.arrayBuffer();
          return r.status === 200;
        },
        () => false,
      );
      answers.push({ at, ok });
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  })();
  let decidedAt: number | undefined;
  const startedAt = Date.now();
  const run = await deploy((line) => {
    if (decidedAt === undefined && line.includes("Automatic rollback")) decidedAt = Date.now();
  });
  const finishedAt = Date.now();
  await new Promise((resolve) => setTimeout(resolve, 1000));
  stop = true;
  await loop;
  const firstBad = answers.find((a) => !a.ok);
  const lastBad = answers.findLast((a) => !a.ok);
  const back = lastBad ? answers.find((a) => a.at > lastBad.at && a.ok) : undefined;
  const seconds = (ms: number) => Math.round(ms / 10) / 100;
  if (run.exitCode === 0) throw new Error(`the souring release was not caught:\n${run.log}`);
  return {
    detectionSeconds: firstBad && decidedAt ? seconds(decidedAt - firstBad.at) : undefined,
    rollbackSeconds: decidedAt && back ? seconds(back.at - decidedAt) : undefined,
    failedAnswers: answers.filter((a) => !a.ok).length,
    stepSeconds: seconds(finishedAt - startedAt),
  };
}

/** The rows, each next to its target; a benchmark reports, it never fails. */
export function feedbackTable(
  builds: BuildFigures,
  recovery: RecoveryFigures,
  targets: { probeIntervalSeconds: number; activationSeconds: number | undefined },
): string {
  const s = (value: number | undefined) => (value === undefined ? "–" : `${value} s`);
  const detectionTarget = targets.probeIntervalSeconds + 1;
  const recoveryTarget = targets.activationSeconds === undefined ? undefined : targets.activationSeconds + 5;
  const whole =
    recovery.detectionSeconds !== undefined && recovery.rollbackSeconds !== undefined
      ? Math.round((recovery.detectionSeconds + recovery.rollbackSeconds) * 100) / 100
      : undefined;
  const met = (value: number | undefined, target: number | undefined) =>
    value === undefined || target === undefined ? "" : value <= target ? " ✓" : " ✗ (over target)";
  return [
    "| figure | measured | target |",
    "| --- | --- | --- |",
    `| build, cold (empty cache, fresh local image cache) | ${s(builds.coldSeconds)}, ${builds.coldLayers} layers pushed | – |`,
    `| build, cached (one-line source change, fresh local image cache) | ${s(builds.cachedSeconds)}, ${builds.cachedLayers} layers pushed | fewer layers pushed than cold |`,
    `| recovery: first bad answer → rollback starts (detection) | ${s(recovery.detectionSeconds)}${met(recovery.detectionSeconds, detectionTarget)} | ≤ ${detectionTarget} s (probe interval + 1 s) |`,
    `| recovery: rollback starts → previous version serving | ${s(recovery.rollbackSeconds)} | – |`,
    `| recovery: first bad answer → previous version serving | ${s(whole)}${met(whole, recoveryTarget)} | ≤ ${s(recoveryTarget)} (one activation + 5 s) |`,
    `| failed answers seen during the recovery (20 ms request loop) | ${recovery.failedAnswers} | – |`,
  ].join("\n");
}
