import { rmSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { getExecOutput } from "@actions/exec";
import type { ECRClientConfig } from "@aws-sdk/client-ecr";
import type { LightsailClientConfig } from "@aws-sdk/client-lightsail";
import type { SSMClient, SSMClientConfig } from "@aws-sdk/client-ssm";
import { ECRClient } from "../platform/aws-sdk.js";
import { CONNECT_TO_VARIABLE, connectingHttpGet, parseConnectTo } from "../platform/connect-to.js";
import { AWS_MAX_ATTEMPTS, type Exec, type HttpGet, type Logger } from "../platform/deps.js";
import { lazyGitHub } from "../platform/github-access.js";
import type { AwsClients, LightsailDeps as Deps } from "../targets/lightsail/clients.js";
import { LightsailClient } from "../targets/lightsail/lightsail-sdk.js";

/** Client settings tests may replace (HTTP handler, retry timing); production passes none. */
export type ClientOverrides = Omit<LightsailClientConfig & ECRClientConfig & SSMClientConfig, "region">;

export function awsClients(region: string, overrides: ClientOverrides = {}): AwsClients {
  // Endpoints come from AWS_ENDPOINT_URL_<SERVICE> when set (the offline stand-in uses that).
  const config = { region, maxAttempts: AWS_MAX_ATTEMPTS, ...overrides };
  let ssm: Promise<SSMClient> | undefined;
  return {
    lightsail: new LightsailClient(config),
    ecr: new ECRClient(config),
    ssm: () => {
      ssm ??= import(/* webpackMode: "eager" */ "../platform/ssm-sdk.js").then(
        (sdk) => new sdk.SSMClient(config),
      );
      return ssm;
    },
  };
}

/** Temp dirs (the docker config holding the ECR password) not yet removed, for the signal handler. */
const liveTempDirs = new Set<string>();
const EXIT_CODES: Partial<Record<NodeJS.Signals, number>> = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 };

/**
 * Registers `path` for removal on SIGINT, SIGTERM or SIGHUP: synchronously, as the process ends right after
 * (the handler replaces Node's default exit, so it exits itself with the usual 128 + signal code).
 */
let handlersInstalled = false;

function removedOnSignal(path: string): void {
  if (!handlersInstalled) {
    handlersInstalled = true;
    for (const signal of Object.keys(EXIT_CODES) as NodeJS.Signals[]) {
      process.once(signal, () => {
        for (const dir of liveTempDirs) rmSync(dir, { recursive: true, force: true });
        process.exit(EXIT_CODES[signal]);
      });
    }
  }
  liveTempDirs.add(path);
}

const exec: Exec = async (command, args, options = {}) => {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) if (value !== undefined) env[key] = value;
  return getExecOutput(command, args, {
    ignoreReturnCode: true,
    silent: options.silent ?? false,
    env: { ...env, ...options.env },
    ...(options.input === undefined ? {} : { input: Buffer.from(options.input) }),
  });
};

const httpGet: HttpGet = async (url, timeoutMs) => {
  const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), redirect: "manual" });
  await response.body?.cancel();
  return { status: response.status };
};

export interface RealDepsOptions {
  /** Told of every temp dir created, before anything is written to it (the runner saves it for `post`). */
  tempDirCreated?(path: string): void;
}

export function realDeps(log: Logger, options: RealDepsOptions = {}): Deps {
  // A bad value stops the run here, before anything changed; a set one is said, as it changes where probes go.
  const routes = parseConnectTo(process.env[CONNECT_TO_VARIABLE]);
  for (const r of routes)
    log.info(`${CONNECT_TO_VARIABLE}: probes of ${r.host}:${r.port} connect to ${r.toHost}:${r.toPort}`);
  return {
    aws: (region) => awsClients(region),
    exec,
    now: () => Date.now(),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    random: Math.random,
    httpGet: connectingHttpGet(routes, httpGet),
    tempDirs: {
      // Under RUNNER_TEMP on a runner. A self-hosted runner may keep it between jobs, so a run killed before
      // its own cleanup leaves it to the post step (src/post.ts), which tempDirCreated tells. Ctrl-C or
      // SIGTERM (a terminal has no post step) removes them before the process ends.
      create: async (prefix) => {
        const path = await mkdtemp(join(process.env.RUNNER_TEMP || tmpdir(), prefix));
        removedOnSignal(path);
        options.tempDirCreated?.(path);
        return path;
      },
      remove: async (path) => {
        await rm(path, { recursive: true, force: true });
        liveTempDirs.delete(path);
      },
    },
    log,
    env: process.env,
    github: lazyGitHub(),
  };
}
