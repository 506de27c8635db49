import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { GetContainerLogCommand, UpdateContainerServiceCommand } from "@aws-sdk/client-lightsail";
import { summarizeCalls } from "../harness/counting-proxy.js";
import { buildImage } from "../harness/images.js";
import { repoRoot } from "../harness/paths.js";
import { type LocalPipeline, startLocalPipeline } from "../harness/pipeline.js";
import { feedbackTable, measureBuilds, measureRecovery } from "./bench-feedback.js";
import { type DeployMeasurement, deployFigures, figuresTable } from "./bench-figures.js";

// npm run bench: real deploys and rollbacks on the local stand-in (real registry, real containers, AWS
// health-check timing), by the bundled action and by the plain AWS CLI script people write by hand.
const execFileAsync = promisify(execFile);
// BENCH_SERVICE names the service (and its repository and image) so two benches on one engine never collide.
const SERVICE = process.env.BENCH_SERVICE ?? "bench";
const REPOSITORY = `${SERVICE}-app`;
const LOCAL_IMAGE = `${SERVICE}-app:local`;
const SOURING_IMAGE = `${SERVICE}-souring:local`;

function log(line: string): void {
  process.stderr.write(`[bench] ${line}\n`);
}

/** The new deployment's createdAt and the time the service logged it steady, read through the API. */
async function activation(pipeline: LocalPipeline): Promise<{ createdAt?: number; activeAt?: number }> {
  const newest = (await pipeline.deployments()).at(-1);
  if (newest?.state !== "ACTIVE") return {};
  const { logEvents } = await pipeline.lightsail.send(
    new GetContainerLogCommand({ serviceName: SERVICE, containerName: "app", filterPattern: "steady" }),
  );
  const steady = (logEvents ?? []).find((e) =>
    e.message?.startsWith(`[deployment:${newest.version}] Reached`),
  );
  return { createdAt: newest.createdAt, activeAt: steady?.createdAt?.getTime() };
}

async function measure(
  pipeline: LocalPipeline,
  label: string,
  deploy: () => Promise<void>,
): Promise<DeployMeasurement> {
  pipeline.resetCalls();
  const startedAt = Date.now();
  await deploy();
  const finishedAt = Date.now();
  const apiCalls = summarizeCalls(pipeline.calls);
  log(`${label}: ${apiCalls.byOperation.map(([op, n]) => `${op}×${n}`).join(", ")}`);
  return {
    label,
    startedAt,
    finishedAt,
    firstCallAt: pipeline.firstCallAt(),
    apiCalls: apiCalls.total,
    ...(await activation(pipeline)),
  };
}

async function main(): Promise<void> {
  log("starting the local stand-in (AWS health-check timing: timeScale 1)");
  const pipeline = await startLocalPipeline({
    service: SERVICE,
    repository: REPOSITORY,
    ssmPath: `/${SERVICE}/dev/`,
    parameters: [
      { name: `/${SERVICE}/dev/AUTHORIZER_URL`, type: "SecureString", value: "http://127.0.0.1:9/authorize" },
    ],
    settings: { timeScale: 1, drainSeconds: 1 },
  });
  try {
    log(`building ${LOCAL_IMAGE}`);
    await buildImage(pipeline.baseImage, LOCAL_IMAGE, "Dockerfile", ".");
    const action = (sha: string, inputs: Record<string, string>) => async () => {
      const run = await pipeline.runAction(
        { "container-name": "app", ...inputs },
        { GITHUB_SHA: sha.padEnd(40, "0") },
      );
      if (run.exitCode !== 0) throw new Error(`the action failed:\n${run.log}`);
    };
    const firstDeploy = {
      image: LOCAL_IMAGE,
      "container-port": "3000",
      "health-check-path": "/health",
      // Lightsail's real health-check timing (its defaults, written out): interval 5 s, healthy threshold 2.
      "health-check-interval": "5",
      "healthy-threshold": "2",
      "ssm-path": `/${SERVICE}/dev/`,
    };
    log("warm-up: first deploy by the action");
    await action("1111111", firstDeploy)();
    const results: DeployMeasurement[] = [];
    results.push(await measure(pipeline, "action: deploy", action("2222222", { image: LOCAL_IMAGE })));
    results.push(
      await measure(pipeline, "action: rollback", action("2222222", { "rollback-to": "previous" })),
    );
    const hand = (tag: string, image?: string) => async () => {
      await execFileAsync(
        "bash",
        [
          "scripts/dev/hand-deploy.sh",
          pipeline.endpoint,
          SERVICE,
          REPOSITORY,
          tag,
          ...(image ? [image] : []),
        ],
        { cwd: repoRoot, env: { ...process.env, ...pipeline.awsEnv } },
      );
    };
    results.push(await measure(pipeline, "hand script: deploy", hand("3333333", LOCAL_IMAGE)));
    results.push(await measure(pipeline, "hand script: rollback", hand("2222222")));
    // The same deploy on 3 nodes: every node must pass the health check, and the probe covers each twice.
    log("scaling the service to 3 nodes");
    await pipeline.lightsail.send(new UpdateContainerServiceCommand({ serviceName: SERVICE, scale: 3 }));
    await pipeline.local.idle();
    results.push(
      await measure(pipeline, "action: deploy, 3 nodes", action("4444444", { image: LOCAL_IMAGE })),
    );
    const figures = results.map(deployFigures);
    const table = figuresTable(figures);
    process.stdout.write(
      `\n${table}\n\nAction: poll interval 5 s (jittered), probe-count 20. Hand script: AWS CLI ${
        (await execFileAsync("/usr/bin/aws", ["--version"])).stdout.trim().split(" ")[0]
      }, fixed 10 s sleep, polls the service state (it cannot tell a FAILED deployment from a good one).\n`,
    );
    log("cold and cached builds of a one-line change (docker 20.10, BuildKit inline cache)");
    const builds = await measureBuilds(pipeline, async (inputs, env) => {
      const run = await pipeline.runAction({ "container-name": "app", ...inputs }, env);
      if (run.exitCode !== 0) throw new Error(`the action failed:\n${run.log}`);
      return run;
    });
    log("recovery: a release that sours inside a 60 s bake window");
    await execFileAsync(
      "docker",
      [
        "build",
        "-q",
        "-t",
        SOURING_IMAGE,
        "--build-arg",
        `BUN_IMAGE=${pipeline.baseImage}`,
        "-f",
        "e2e/fixtures/souring.Dockerfile",
        "e2e/fixtures",
      ],
      { cwd: repoRoot, env: { ...process.env, DOCKER_BUILDKIT: "0" } },
    );
    const recovery = await measureRecovery(pipeline, (onLine) =>
      pipeline.runAction(
        { "container-name": "app", image: SOURING_IMAGE, tag: "5041ed0", "bake-time": "60s" },
        { GITHUB_SHA: "5041ed0".padEnd(40, "0") },
        { onLine },
      ),
    );
    process.stdout.write(
      `\n${feedbackTable(builds, recovery, { probeIntervalSeconds: 1, activationSeconds: figures[0]?.activationSeconds })}\n\nBake window: one request a second; activation target from the action's deploy above (health check every 5 s, healthy threshold 2). The recovering step took ${recovery.stepSeconds} s.\n`,
    );
  } finally {
    await pipeline.close();
    await execFileAsync("docker", ["rmi", "-f", LOCAL_IMAGE, SOURING_IMAGE]).catch(() => {});
  }
}

main().catch((error: unknown) => {
  console.error(`bench failed: ${(error as Error).message}`);
  process.exit(1);
});
