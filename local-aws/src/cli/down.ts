import { join, resolve } from "node:path";
import { DockerCli } from "../docker/docker-cli.js";
import { removeInstanceContainers } from "../docker/instance-containers.js";
import { StateStore } from "../state/state-store.js";
import { parseArgs } from "./args.js";
import { isAlive, readServerInfo, removeServerInfo } from "./server-info.js";

/** Stops the server recorded in the state dir and removes every container it created. */
export async function localAwsDown(
  stateDir: string,
  log: (line: string) => void = console.log,
): Promise<void> {
  const info = readServerInfo(stateDir);
  if (info && isAlive(info.pid)) {
    process.kill(info.pid, "SIGTERM");
    const deadline = Date.now() + 20_000;
    while (isAlive(info.pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    if (isAlive(info.pid)) throw new Error(`local-aws server pid ${info.pid} did not stop within 20 s`);
    log(`stopped local-aws server (pid ${info.pid})`);
  } else {
    log("no running local-aws server recorded in this state dir");
  }
  removeServerInfo(stateDir);
  const store = new StateStore(stateDir);
  const removed = await removeInstanceContainers(new DockerCli(join(stateDir, "docker-config")), store.state);
  store.save();
  log(
    removed.containers.length
      ? `removed containers: ${removed.containers.join(", ")}`
      : "no containers to remove",
  );
  if (removed.images.length) log(`removed pulled images: ${removed.images.join(", ")}`);
}

const isEntry = process.argv[1] && resolve(process.argv[1]).endsWith(join("cli", "down.ts"));
if (isEntry) {
  const args = parseArgs(process.argv.slice(2), { values: ["state-dir"], flags: [] });
  localAwsDown(resolve(typeof args["state-dir"] === "string" ? args["state-dir"] : ".local-aws")).catch(
    (error: unknown) => {
      console.error(`local-aws down failed: ${(error as Error).message}`);
      process.exit(1);
    },
  );
}
