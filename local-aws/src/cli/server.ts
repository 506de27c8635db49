import { resolve } from "node:path";
import { startLocalAws } from "../local-aws.js";
import { parseArgs, portOption } from "./args.js";
import { removeServerInfo, writeServerInfo } from "./server-info.js";

const USAGE = `usage: npm start -w local-aws -- --config <file> [--state-dir <dir>] [--api-port N] [--registry-port N]
                                  [--record-answers <file.jsonl>] [--remove-containers] [--quiet]
Runs the ECR/Lightsail/SSM stand-in in the foreground until SIGTERM or SIGINT.
--record-answers (or LOCAL_AWS_RECORD_ANSWERS) appends every AWS answer to a JSONL file for the conformance check.`;

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2), {
    values: ["config", "state-dir", "api-port", "registry-port", "record-answers"],
    flags: ["remove-containers", "quiet", "help"],
  });
  if (args.help) {
    console.log(USAGE);
    return;
  }
  if (typeof args.config !== "string") throw new Error(`--config is required\n${USAGE}`);
  const stateDir = resolve(typeof args["state-dir"] === "string" ? args["state-dir"] : ".local-aws");
  const record =
    typeof args["record-answers"] === "string"
      ? args["record-answers"]
      : process.env.LOCAL_AWS_RECORD_ANSWERS;
  const local = await startLocalAws({
    stateDir,
    configFile: resolve(args.config),
    apiPort: portOption(args["api-port"], "api-port"),
    registryPort: portOption(args["registry-port"], "registry-port"),
    log: args.quiet ? () => {} : (line) => console.log(line),
    ...(record ? { recordAnswers: resolve(record) } : {}),
  });
  const services = Object.fromEntries(local.config.services.map((s) => [s.name, local.serviceUrl(s.name)]));
  const ecsServices = local.config.ecs?.services ?? [];
  const loadBalancers = Object.fromEntries(
    ecsServices.map((s) => [s.name, local.ecs.loadBalancerUrl(s.name)]),
  );
  writeServerInfo(stateDir, {
    pid: process.pid,
    endpoint: local.endpoint,
    registryEndpoint: local.registryEndpoint,
    https: local.https,
    apiPort: local.apiPort,
    registryPort: local.registryPort,
    instanceId: local.instanceId,
    services,
    ...(ecsServices.length > 0 ? { loadBalancers } : {}),
  });
  console.log(
    `local-aws ready: endpoint ${local.endpoint} registry ${local.registryEndpoint} state ${stateDir}`,
  );
  for (const [name, url] of Object.entries(services)) console.log(`  service ${name}: ${url}`);
  for (const [name, url] of Object.entries(loadBalancers)) console.log(`  ECS service ${name}: ${url}`);

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`local-aws: ${signal}, stopping`);
    try {
      await local.stop({ removeContainers: args["remove-containers"] === true });
      removeServerInfo(stateDir);
      process.exit(0);
    } catch (error) {
      console.error(`local-aws: stopping failed: ${(error as Error).message}`);
      process.exit(1);
    }
  };
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  process.on("SIGINT", () => void shutdown("SIGINT"));
}

main().catch((error: unknown) => {
  console.error(`local-aws failed to start: ${(error as Error).message}`);
  process.exit(1);
});
