import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { GetContainerLogCommand, GetContainerServiceDeploymentsCommand } from "@aws-sdk/client-lightsail";
import { summarizeCalls } from "../harness/counting-proxy.js";
import { buildImage, removeImages } from "../harness/images.js";
import { repoRoot } from "../harness/paths.js";
import { type LocalPipeline, startLocalPipeline } from "../harness/pipeline.js";
import { type DeployMeasurement, deployFigures, figuresTable } from "./bench-figures.js";

// npm run bench:promotion: what a promotion (no build, no push, pinned by digest) costs on top of the
// deployment's own activation, on the stand-in with AWS health-check timing (timeScale 1); a deploy of a
// prebuilt image (tag and push) into dev is measured alongside for comparison.
const execFileAsync = promisify(execFile);
const DEV = "bench-promotion-dev";
const STAGING = "bench-promotion-staging";
const REPOSITORY = "bench-promotion-app";
const LOCAL_IMAGE = "bench-promotion-app:local";
const ssmPath = (env: string) => `/bench-promotion/${env}/`;

function log(line: string): void {
  process.stderr.write(`[bench:promotion] ${line}\n`);
}

/** The service's newest deployment's createdAt and the time the service logged it steady. */
async function activation(pipeline: LocalPipeline, service: string) {
  const { deployments } = await pipeline.lightsail.send(
    new GetContainerServiceDeploymentsCommand({ serviceName: service }),
  );
  const newest = [...(deployments ?? [])].sort((a, b) => (b.version ?? 0) - (a.version ?? 0))[0];
  if (newest?.state !== "ACTIVE") return {};
  const { logEvents } = await pipeline.lightsail.send(
    new GetContainerLogCommand({ serviceName: service, containerName: "app", filterPattern: "steady" }),
  );
  const steady = (logEvents ?? []).find((e) =>
    e.message?.startsWith(`[deployment:${newest.version}] Reached`),
  );
  return { createdAt: newest.createdAt?.getTime(), activeAt: steady?.createdAt?.getTime() };
}

async function main(): Promise<void> {
  log("starting the local stand-in with dev and staging (AWS health-check timing: timeScale 1)");
  const pipeline = await startLocalPipeline({
    service: DEV,
    moreServices: [STAGING],
    repository: REPOSITORY,
    ssmPath: ssmPath("dev"),
    parameters: ["dev", "staging"].map((env) => ({
      name: `${ssmPath(env)}AUTHORIZER_URL`,
      type: "SecureString" as const,
      value: "http://127.0.0.1:9/authorize",
    })),
    settings: { timeScale: 1, drainSeconds: 1 },
  });
  try {
    log(`building ${LOCAL_IMAGE}`);
    await buildImage(pipeline.baseImage, LOCAL_IMAGE, "Dockerfile", ".");
    const config = (env: string) => ({
      "container-name": "app",
      "container-port": "3000",
      "health-check-path": "/health",
      "ssm-path": ssmPath(env),
    });
    const measure = async (label: string, service: string, inputs: Record<string, string>, sha: string) => {
      pipeline.resetCalls();
      const startedAt = Date.now();
      const run = await pipeline.runAction(
        { "service-name": service, ...inputs },
        { GITHUB_SHA: sha.padEnd(40, "0") },
      );
      const finishedAt = Date.now();
      if (run.exitCode !== 0) throw new Error(`the action failed:\n${run.log}`);
      const calls = summarizeCalls(pipeline.calls);
      log(`${label}: ${calls.byOperation.map(([op, n]) => `${op}×${n}`).join(", ")}`);
      const measurement: DeployMeasurement = {
        label,
        startedAt,
        finishedAt,
        firstCallAt: pipeline.firstCallAt(),
        apiCalls: calls.total,
        ...(await activation(pipeline, service)),
      };
      return { measurement, digest: run.outputs["image-digest"] ?? "" };
    };
    log("warm-up: the first deploy of each service");
    const first = await measure(
      "warm-up dev",
      DEV,
      { image: LOCAL_IMAGE, tag: "1111111", ...config("dev") },
      "1111111",
    );
    await measure("warm-up staging", STAGING, { promote: first.digest, ...config("staging") }, "1111111");
    // A second release: a new image (a label makes its digest new), pushed to dev, then promoted.
    await execFileAsync(
      "docker",
      [
        "build",
        "-q",
        "-t",
        LOCAL_IMAGE,
        "--label",
        "bench=2",
        "--build-arg",
        `BUN_IMAGE=${pipeline.baseImage}`,
        ".",
      ],
      {
        cwd: repoRoot,
        env: { ...process.env, DOCKER_BUILDKIT: "0" },
      },
    );
    const dev = await measure(
      "dev: tag + push + deploy",
      DEV,
      { image: LOCAL_IMAGE, tag: "2222222", "poll-interval": "5s" },
      "2222222",
    );
    const staging = await measure(
      "staging: promote by digest",
      STAGING,
      { promote: dev.digest, "promote-from": "dev", "ssm-path": ssmPath("staging"), "poll-interval": "5s" },
      "2222222",
    );
    process.stdout.write(
      `\n${figuresTable([deployFigures(dev.measurement), deployFigures(staging.measurement)])}\n\nBoth: poll interval 5 s (jittered), probe-count 20; promoted ${dev.digest}.\n`,
    );
  } finally {
    await pipeline.close();
    await removeImages(LOCAL_IMAGE);
  }
}

main().catch((error: unknown) => {
  console.error(`bench:promotion failed: ${(error as Error).message}`);
  process.exit(1);
});
