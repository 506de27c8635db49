import { DescribeImagesCommand } from "@aws-sdk/client-ecr";
import { GetContainerServicesCommand } from "@aws-sdk/client-lightsail";
import { ensureLocalAwsServer, parseArgs } from "local-aws";
import { runAction } from "../harness/github-runner.js";
import { localAwsAccess } from "../harness/local-aws-access.js";
import { actionPath, defaultStateDir, demoStackConfig, repoRoot } from "../harness/paths.js";
import { grantServicePull } from "../harness/registry-access.js";
import { pinnedDigest, promotionStep } from "./environments.js";

const REPOSITORY = "demo-app";

const USAGE = `usage: npm run promote:local -- --to staging|prod [--digest sha256:…|--tag <tag>] [--state-dir DIR]
Promotes the image serving in the environment before (dev → staging → prod) on the offline stand-in:
nothing is built or pushed; the target runs the same digest with its own configuration.`;

function log(line: string): void {
  console.log(`[promote:local] ${line}`);
}

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2), {
    values: ["to", "digest", "tag", "state-dir"],
    flags: ["help"],
  });
  if (args.help) {
    console.log(USAGE);
    return 0;
  }
  const { from, to } = promotionStep(typeof args.to === "string" ? args.to : undefined);
  const stateDir = typeof args["state-dir"] === "string" ? args["state-dir"] : defaultStateDir;
  const server = await ensureLocalAwsServer({ stateDir, configFile: demoStackConfig, timeoutMs: 60_000 });
  log(
    `${server.started ? "started" : "reusing"} the local AWS stand-in (pid ${server.pid}) at ${server.endpoint}`,
  );
  const access = localAwsAccess(server.endpoint);
  await grantServicePull(access, to.service, REPOSITORY);

  // Without --digest or --tag: exactly what the environment before is serving, as the workflow does.
  let image =
    typeof args.digest === "string" ? args.digest : typeof args.tag === "string" ? args.tag : undefined;
  if (!image) {
    const { containerServices } = await access.lightsail.send(
      new GetContainerServicesCommand({ serviceName: from.service }),
    );
    const current = containerServices?.[0]?.currentDeployment;
    const serving = current?.containers?.[current.publicEndpoint?.containerName ?? "app"]?.image;
    if (!serving)
      throw new Error(`${from.name} (${from.service}) serves nothing yet: run deploy:local first`);
    image = pinnedDigest(serving);
    if (!image) {
      const tag = serving.slice(serving.lastIndexOf(":") + 1);
      const { imageDetails } = await access.ecr.send(
        new DescribeImagesCommand({ repositoryName: REPOSITORY, imageIds: [{ imageTag: tag }] }),
      );
      image = imageDetails?.[0]?.imageDigest ?? tag;
    }
    log(`${from.name} serves ${serving} (${image})`);
  }
  log(`promoting ${image} from ${from.name} to ${to.name}`);
  const run = await runAction({
    actionPath,
    cwd: repoRoot,
    echo: process.stdout,
    env: { ...(process.env as Record<string, string>), ...access.env },
    inputs: {
      "service-name": to.service,
      repository: REPOSITORY,
      promote: image,
      "promote-from": from.name,
      "container-name": "app",
      "container-port": "3000",
      "health-check-path": "/health",
      "ssm-path": to.ssmPath,
      "poll-interval": "1s",
      "wait-timeout": "5m",
    },
  });
  console.log(`\n${run.summary}`);
  log(`status: ${run.outputs.status ?? "unknown"}, digest ${run.outputs["image-digest"] || "—"}`);
  if (run.exitCode !== 0) {
    log(
      `the promotion failed (exit ${run.exitCode}); the step log above says why and which version is serving`,
    );
    return run.exitCode;
  }
  log(`${to.name} is answering at ${run.outputs["service-url"] || server.services[to.service]}`);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`[promote:local] failed: ${(error as Error).message}`);
    process.exit(1);
  },
);
