/*
 * Time from starting `node dist/index.js` to its first AWS request, the action's start-up cost.
 * A loopback HTTP server stands in for AWS and notes when the first request arrives; it answers
 * NotFoundException so the run ends at once. Prints the median of several runs and a bare `node`
 * start for comparison. Usage: npm run bench -w .github/actions/lightsail-deploy [-- other/index.js ...]
 * (several bundles are measured interleaved, so that they share the machine's load).
 */
import { spawn } from "node:child_process";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { dirname, join } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { fakeAwsEnv } from "../scripts/fake-aws-env.js";

const RUNS = 15;
const given = process.argv.slice(2);
const entries =
  given.length > 0 ? given : [join(dirname(fileURLToPath(import.meta.url)), "..", "dist", "index.js")];

let firstRequestAt: number | undefined;
const server = createServer((request, response) => {
  firstRequestAt ??= performance.now();
  request.resume();
  response.writeHead(400, {
    "content-type": "application/x-amz-json-1.1",
    "x-amzn-errortype": "NotFoundException",
  });
  response.end(JSON.stringify({ __type: "NotFoundException", message: "benchmark" }));
});
await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

function start(args: string[], env: NodeJS.ProcessEnv): Promise<{ startedAt: number; exitedAt: number }> {
  return new Promise((resolve, reject) => {
    const startedAt = performance.now();
    const child = spawn(process.execPath, args, { env, stdio: "ignore" });
    child.on("error", reject);
    child.on("exit", () => resolve({ startedAt, exitedAt: performance.now() }));
  });
}

const env = {
  PATH: process.env.PATH,
  HOME: process.env.HOME,
  ...fakeAwsEnv(endpoint),
  "INPUT_SERVICE-NAME": "bench",
  INPUT_REPOSITORY: "app",
};

const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;
const toFirstRequest = new Map<string, number[]>(entries.map((entry) => [entry, []]));
const bareNode: number[] = [];
for (let i = 0; i < RUNS; i++) {
  for (const entry of entries) {
    firstRequestAt = undefined;
    const { startedAt } = await start([entry], env);
    if (firstRequestAt === undefined) throw new Error(`${entry} made no request; is it built?`);
    toFirstRequest.get(entry)?.push(firstRequestAt - startedAt);
  }
  const bare = await start(["-e", ""], env);
  bareNode.push(bare.exitedAt - bare.startedAt);
}
server.close();
const ms = (v: number) => `${v.toFixed(0)} ms`;
for (const [entry, times] of toFirstRequest) {
  const name = given.length > 0 ? entry : "dist/index.js";
  process.stdout.write(
    `node ${name} → first AWS request: median ${ms(median(times))} ` +
      `(min ${ms(Math.min(...times))}, max ${ms(Math.max(...times))}, ${RUNS} runs, node ${process.version})\n`,
  );
}
process.stdout.write(`bare node start and exit: median ${ms(median(bareNode))}\n`);
