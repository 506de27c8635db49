import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { getExecOutput } from "@actions/exec";
import { ECRClient, LightsailClient, SSMClient } from "./aws-sdk.js";
import type { AwsClients, Deps, Exec, HttpGet, Logger } from "./deps.js";

// Polling through a throttling burst: more attempts than the SDK's default 3, same backoff.
const MAX_ATTEMPTS = 6;

export function awsClients(region: string): AwsClients {
  // Endpoints come from AWS_ENDPOINT_URL_<SERVICE> when set (the offline stand-in uses that).
  return {
    lightsail: new LightsailClient({ region, maxAttempts: MAX_ATTEMPTS }),
    ecr: new ECRClient({ region, maxAttempts: MAX_ATTEMPTS }),
    ssm: new SSMClient({ region, maxAttempts: MAX_ATTEMPTS }),
  };
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

export function realDeps(log: Logger): Deps {
  return {
    aws: awsClients,
    exec,
    now: () => Date.now(),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    random: Math.random,
    httpGet,
    tempDirs: {
      create: (prefix) => mkdtemp(join(tmpdir(), prefix)),
      remove: (path) => rm(path, { recursive: true, force: true }),
    },
    log,
    env: process.env,
  };
}
