import { execFile } from "node:child_process";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { promisify } from "node:util";
import {
  CreateContainerServiceDeploymentCommand,
  type EndpointRequest,
  GetContainerServiceDeploymentsCommand,
} from "@aws-sdk/client-lightsail";
import { buildImage, removeImages } from "../harness/images.js";
import { repoRoot } from "../harness/paths.js";
import { startLocalPipeline } from "../harness/pipeline.js";
import { ensureRedisImage, pushToLocalRegistry } from "../harness/push-image.js";

// npm run bench:authorize: requests per second and p99 latency of POST /authorize at the service URL of the
// local stack (stand-in, real containers), without the Redis sidecar and then with it, measured by autocannon
// on loopback, bounded in time. The authorizer is a loopback stub that answers after AUTHORIZER_DELAY_MS,
// standing in for a remote one.
const execFileAsync = promisify(execFile);
const SERVICE = process.env.LOAD_SERVICE ?? "authorize-load";
const REPOSITORY = `${SERVICE}-app`;
const LOCAL_IMAGE = `${SERVICE}-app:local`;
const SECONDS = Number(process.env.LOAD_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.LOAD_CONNECTIONS ?? 10);
const AUTHORIZER_DELAY_MS = Number(process.env.AUTHORIZER_DELAY_MS ?? 20);
const BODY = '{"token":"load-test-token"}';
const autocannonBin = join(repoRoot, "node_modules/.bin/autocannon");

function log(line: string): void {
  process.stderr.write(`[bench:authorize] ${line}\n`);
}

async function startAuthorizerStub() {
  let calls = 0;
  const server = createServer((request, response) => {
    calls += 1;
    request.resume();
    request.on("end", () => {
      setTimeout(() => {
        response.writeHead(200, { "content-type": "application/json" });
        response.end('{"allowed":true}');
      }, AUTHORIZER_DELAY_MS);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/authorize`,
    calls: () => calls,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

interface LoadFigures {
  label: string;
  requestsPerSecond: number;
  p99Ms: number;
  non2xx: number;
  errors: number;
  authorizerCalls: number;
}

async function load(url: string, label: string, calls: () => number): Promise<LoadFigures> {
  const before = calls();
  log(`${label}: autocannon -c ${CONNECTIONS} -d ${SECONDS} -m POST ${url}`);
  // A process of its own: the stand-in's proxy and the stub share this one's event loop.
  const { stdout } = await execFileAsync(
    autocannonBin,
    [
      "--json",
      "--connections",
      String(CONNECTIONS),
      "--duration",
      String(SECONDS),
      "--method",
      "POST",
      "--headers",
      "content-type=application/json",
      "--body",
      BODY,
      url,
    ],
    { maxBuffer: 1 << 24 },
  );
  const result = JSON.parse(stdout) as {
    requests: { average: number };
    latency: { p99: number };
    non2xx: number;
    errors: number;
    timeouts: number;
  };
  return {
    label,
    requestsPerSecond: Math.round(result.requests.average),
    p99Ms: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
    authorizerCalls: calls() - before,
  };
}

async function main(): Promise<void> {
  const authorizer = await startAuthorizerStub();
  const ssmPath = `/${SERVICE}/dev/`;
  const pipeline = await startLocalPipeline({
    service: SERVICE,
    repository: REPOSITORY,
    ssmPath,
    parameters: [{ name: `${ssmPath}AUTHORIZER_URL`, type: "SecureString", value: authorizer.url }],
    settings: { timeScale: 0.2, drainSeconds: 1 },
  });
  try {
    log(`building ${LOCAL_IMAGE}`);
    await buildImage(pipeline.baseImage, LOCAL_IMAGE, "Dockerfile", ".");
    const run = await pipeline.runAction(
      {
        image: LOCAL_IMAGE,
        tag: "load1",
        "container-name": "app",
        "container-port": "3000",
        "health-check-path": "/health",
        "ssm-path": ssmPath,
        "poll-interval": "1s",
        "probe-count": "5",
      },
      {},
    );
    if (run.exitCode !== 0) throw new Error(`the action failed:\n${run.log}`);
    const url = new URL("authorize", pipeline.serviceUrl).toString();
    const rows = [await load(url, "without cache", authorizer.calls)];

    log("adding the Redis sidecar to the deployment");
    const redis = await ensureRedisImage(repoRoot);
    const cacheImage = await pushToLocalRegistry(
      pipeline.ecr,
      pipeline.local.registryEndpoint,
      redis,
      REPOSITORY,
      `redis-${redis.split(":")[1]}`,
    );
    const { deployments } = await pipeline.lightsail.send(
      new GetContainerServiceDeploymentsCommand({ serviceName: SERVICE }),
    );
    const active = deployments?.find((d) => d.state === "ACTIVE");
    const app = active?.containers?.app;
    await pipeline.lightsail.send(
      new CreateContainerServiceDeploymentCommand({
        serviceName: SERVICE,
        containers: {
          app: { ...app, environment: { ...app?.environment, REDIS_URL: "redis://localhost:6379" } },
          cache: { image: cacheImage, ports: { "6379": "TCP" } },
        },
        publicEndpoint: active?.publicEndpoint as EndpointRequest,
      }),
    );
    await pipeline.local.idle();
    const check = await fetch(url, {
      method: "POST",
      body: BODY,
      headers: { "content-type": "application/json" },
    });
    await check.text();
    if (!check.ok) throw new Error(`the sidecar deployment answers /authorize with ${check.status}`);
    rows.push(await load(url, "with Redis cache", authorizer.calls));

    process.stdout.write(
      [
        "",
        `POST /authorize at the service URL, ${CONNECTIONS} connections, ${SECONDS} s each, authorizer stub answering after ${AUTHORIZER_DELAY_MS} ms, 1 node:`,
        "",
        "| run | requests/s | p99 latency | authorizer calls | non-2xx | errors |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
        ...rows.map(
          (r) =>
            `| ${r.label} | ${r.requestsPerSecond} | ${r.p99Ms} ms | ${r.authorizerCalls} | ${r.non2xx} | ${r.errors} |`,
        ),
        "",
      ].join("\n"),
    );
  } finally {
    await pipeline.close();
    await authorizer.close();
    await removeImages(LOCAL_IMAGE);
  }
}

main().catch((error: unknown) => {
  console.error(`bench:authorize failed: ${(error as Error).message}`);
  process.exit(1);
});
