import { ensureLocalAwsServer, parseArgs } from "local-aws";
import { ensureBaseImage } from "../harness/base-image.js";
import { currentRevision } from "../harness/git-revision.js";
import { runAction } from "../harness/github-runner.js";
import { localAwsAccess } from "../harness/local-aws-access.js";
import { actionPath, defaultStateDir, demoStackConfig, repoRoot } from "../harness/paths.js";
import { grantServicePull } from "../harness/registry-access.js";

const SERVICE = "demo";
const REPOSITORY = "demo-app";
const SSM_PATH = "/lightsail-demo/dev/";

const USAGE = `usage: npm run deploy:local [-- --rollback-to previous|<version>|<tag>] [--state-dir DIR]
Deploys this checkout to the offline AWS stand-in (local ECR + Lightsail on Docker) with the bundled action.`;

function log(line: string): void {
  console.log(`[deploy:local] ${line}`);
}

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2), { values: ["rollback-to", "state-dir"], flags: ["help"] });
  if (args.help) {
    console.log(USAGE);
    return 0;
  }
  const stateDir = typeof args["state-dir"] === "string" ? args["state-dir"] : defaultStateDir;
  const rollbackTo = typeof args["rollback-to"] === "string" ? args["rollback-to"] : undefined;

  const server = await ensureLocalAwsServer({ stateDir, configFile: demoStackConfig, timeoutMs: 60_000 });
  log(
    `${server.started ? "started" : "reusing"} the local AWS stand-in (pid ${server.pid}) at ${server.endpoint}; ` +
      `its log: ${stateDir}/server.log`,
  );
  const access = localAwsAccess(server.endpoint);
  await grantServicePull(access, SERVICE, REPOSITORY);

  const revision = await currentRevision(repoRoot, new Date());
  const baseImage = rollbackTo ? undefined : await ensureBaseImage(log);
  if (revision.dirtyTag) log(`uncommitted changes: deploying them as tag ${revision.dirtyTag}`);
  log(rollbackTo ? `rolling back to ${rollbackTo}` : `deploying ${revision.sha ?? "this directory"}`);

  const run = await runAction({
    actionPath,
    cwd: repoRoot,
    echo: process.stdout,
    env: {
      ...(process.env as Record<string, string>),
      ...access.env,
      ...(revision.sha ? { GITHUB_SHA: revision.sha } : {}),
    },
    inputs: {
      "service-name": SERVICE,
      repository: REPOSITORY,
      "poll-interval": "1s",
      "wait-timeout": "5m",
      // A rollback redeploys an earlier configuration as it was; the action refuses overrides next to it.
      ...(rollbackTo
        ? { "rollback-to": rollbackTo }
        : {
            "container-name": "app",
            "container-port": "3000",
            "health-check-path": "/health",
            "ssm-path": SSM_PATH,
            context: repoRoot,
            dockerfile: "Dockerfile",
            "build-args": [`BUN_IMAGE=${baseImage}`, `GIT_SHA=${revision.sha ?? "unknown"}`].join("\n"),
            ...(revision.dirtyTag ? { tag: revision.dirtyTag } : {}),
          }),
    },
  });

  const url = run.outputs["service-url"] || server.services[SERVICE];
  console.log(`\n${run.summary}`);
  log(`status: ${run.outputs.status ?? "unknown"}, version ${run.outputs["deployment-version"] ?? "?"}`);
  if (run.exitCode !== 0) {
    log(`the deploy failed (exit ${run.exitCode}); the step log above says why and which version is serving`);
    return run.exitCode;
  }
  const health = await fetch(new URL("health", url), { signal: AbortSignal.timeout(5000) });
  log(`${new URL("health", url)} answered ${health.status}: ${await health.text()}`);
  log(`the app is answering at ${url}  (stop everything with: npm run local:down)`);
  return health.ok ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`[deploy:local] failed: ${(error as Error).message}`);
    process.exit(1);
  },
);
