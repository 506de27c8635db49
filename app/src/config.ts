// Reads and validates the app's configuration from the environment, in one place.

export interface AppConfig {
  /** Where POST /authorize is forwarded (AUTHORIZER_URL). */
  authorizerUrl: URL;
  /** Sent as `Authorization: Bearer <apiKey>` to the authorizer (API_KEY, secret, optional). */
  apiKey: string | undefined;
  /** Interface to listen on (HOST, default 0.0.0.0 so a container answers on the host network). */
  host: string;
  /** Port to listen on (PORT, default 3000; 0 picks a free port). */
  port: number;
  /** Reported by GET /health (APP_VERSION, set by the image from the git SHA; the deployment may override it). */
  version: string;
  /** How long one authorizer call may take before the client gets a 504 (AUTHORIZER_TIMEOUT_MS, default 5000). */
  authorizerTimeoutMs: number;
  /** Largest accepted POST /authorize body, in bytes. */
  maxBodyBytes: number;
  /** After SIGTERM/SIGINT, how long in-flight requests may take before the process gives up (SHUTDOWN_TIMEOUT_MS). */
  shutdownTimeoutMs: number;
  /** Redis keeping positive /authorize answers (REDIS_URL, redis:// or rediss://; may hold a password); none: no cache. */
  redisUrl: string | undefined;
  /** How long a positive answer is kept (AUTHORIZE_CACHE_TTL_SECONDS, default 30, 1 to 3600). */
  cacheTtlSeconds: number;
}

export type Env = Record<string, string | undefined>;

export const DEFAULT_PORT = 3000;
export const DEFAULT_AUTHORIZER_TIMEOUT_MS = 5000;
export const MAX_BODY_BYTES = 64 * 1024;
// Docker and Lightsail send SIGKILL 10 s after SIGTERM; leave room to exit on our own first.
export const DEFAULT_SHUTDOWN_TIMEOUT_MS = 8000;
// Short: an authorizer's "no" to a revoked key must win within half a minute.
export const DEFAULT_CACHE_TTL_SECONDS = 30;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

/** Builds the config from `env`, reporting every bad variable at once. Never echoes the API_KEY value. */
export function parseConfig(env: Env): AppConfig {
  const problems: string[] = [];
  const report = (problem: string): undefined => {
    problems.push(problem);
  };

  const authorizerUrl = parseAuthorizerUrl(env.AUTHORIZER_URL, report);
  const apiKey = parseApiKey(env.API_KEY, report);
  const host = nonEmpty(env.HOST) ?? "0.0.0.0";
  const port = parseInteger("PORT", env.PORT, DEFAULT_PORT, 0, 65535, report);
  const authorizerTimeoutMs = parseInteger(
    "AUTHORIZER_TIMEOUT_MS",
    env.AUTHORIZER_TIMEOUT_MS,
    DEFAULT_AUTHORIZER_TIMEOUT_MS,
    1,
    60_000,
    report,
  );
  const shutdownTimeoutMs = parseInteger(
    "SHUTDOWN_TIMEOUT_MS",
    env.SHUTDOWN_TIMEOUT_MS,
    DEFAULT_SHUTDOWN_TIMEOUT_MS,
    0,
    9_500,
    report,
  );
  const version = nonEmpty(env.APP_VERSION) ?? "unknown";
  const redisUrl = parseRedisUrl(env.REDIS_URL, report);
  const cacheTtlSeconds = parseInteger(
    "AUTHORIZE_CACHE_TTL_SECONDS",
    env.AUTHORIZE_CACHE_TTL_SECONDS,
    DEFAULT_CACHE_TTL_SECONDS,
    1,
    3600,
    report,
  );

  if (
    problems.length > 0 ||
    authorizerUrl === undefined ||
    port === undefined ||
    authorizerTimeoutMs === undefined ||
    shutdownTimeoutMs === undefined ||
    cacheTtlSeconds === undefined
  ) {
    throw new ConfigError(problems);
  }
  return {
    authorizerUrl,
    apiKey,
    host,
    port,
    version,
    authorizerTimeoutMs,
    maxBodyBytes: MAX_BODY_BYTES,
    shutdownTimeoutMs,
    redisUrl,
    cacheTtlSeconds,
  };
}

/** Optional; the value may carry a password, so problems are described without it. */
function parseRedisUrl(raw: string | undefined, report: (problem: string) => undefined): string | undefined {
  const value = nonEmpty(raw);
  if (value === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return report("`REDIS_URL` is not a URL (value hidden)");
  }
  if (url.protocol !== "redis:" && url.protocol !== "rediss:")
    return report(`\`REDIS_URL\` must start with redis:// or rediss:// (it starts with ${url.protocol}//)`);
  return value;
}

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}

const LOOPBACK_HOSTS = new Set(["localhost", "[::1]"]);

export function isLoopbackHost(hostname: string): boolean {
  return LOOPBACK_HOSTS.has(hostname) || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname);
}

function parseAuthorizerUrl(
  raw: string | undefined,
  report: (problem: string) => undefined,
): URL | undefined {
  const value = nonEmpty(raw);
  if (value === undefined) {
    return report(
      "`AUTHORIZER_URL` is required (the authorizer endpoint, e.g. https://authorizer.example.com/authorize)",
    );
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return report(`\`AUTHORIZER_URL\` is not a URL: "${value}"`);
  }
  if (url.username || url.password) {
    // Credentials belong in API_KEY; the URL is logged and shown in errors.
    return report("`AUTHORIZER_URL` must not contain credentials; put the key in `API_KEY`");
  }
  if (url.protocol === "https:") return url;
  if (url.protocol === "http:") {
    if (isLoopbackHost(url.hostname)) return url;
    return report(`\`AUTHORIZER_URL\` must use https (http is allowed only for loopback hosts): "${value}"`);
  }
  return report(`\`AUTHORIZER_URL\` must be an https URL: "${value}"`);
}

function parseApiKey(raw: string | undefined, report: (problem: string) => undefined): string | undefined {
  if (raw === undefined || raw === "") return undefined;
  // The value is a secret: describe the problem, never show it.
  if (raw.trim() !== raw) return report("`API_KEY` has leading or trailing whitespace (value hidden)");
  if (/[\r\n]/.test(raw)) return report("`API_KEY` contains a line break (value hidden)");
  return raw;
}

function parseInteger(
  name: string,
  raw: string | undefined,
  fallback: number,
  min: number,
  max: number,
  report: (problem: string) => undefined,
): number | undefined {
  const value = nonEmpty(raw);
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value))
    return report(`\`${name}\` must be a whole number from ${min} to ${max}: "${value}"`);
  const parsed = Number(value);
  if (parsed < min || parsed > max) {
    return report(`\`${name}\` must be from ${min} to ${max}: "${value}"`);
  }
  return parsed;
}
