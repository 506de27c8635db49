import type { ECRClient } from "@aws-sdk/client-ecr";
import type { SSMClient } from "@aws-sdk/client-ssm";
import type { GitHubAccess } from "./github-access.js";
import type { Timeline } from "./timeline.js";

/** Attempts every AWS call gets (the SDK's default is 3): enough to ride out a throttling burst. */
export const AWS_MAX_ATTEMPTS = 6;

/** Where the action writes what a person reads: the GitHub step log, or a terminal. */
export interface Logger {
  info(message: string): void;
  warning(message: string): void;
  debug(message: string): void;
  /** Masks the value in everything written afterwards. Call it before the value could reach a log. */
  setSecret(value: string): void;
  /** The text with every secret registered so far replaced by ***: for what the runner does not mask. */
  mask(text: string): string;
  group<T>(name: string, body: () => Promise<T>): Promise<T>;
}

export interface ExecOptions {
  /** Written to the command's stdin (how passwords reach `docker login`). */
  input?: string;
  /** Added to the inherited environment. */
  env?: Record<string, string>;
  /** Do not echo the command's output to the log. */
  silent?: boolean;
}

export interface ExecResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** Runs a command with an argument array, never a shell string. Rejects only when it cannot start. */
export type Exec = (command: string, args: string[], options?: ExecOptions) => Promise<ExecResult>;

/** The AWS clients every target uses: ECR for images, SSM for the release record. A target adds its own. */
export interface AwsClients {
  ecr: ECRClient;
  /**
   * Created on first use. Every run that gets past pre-flight uses it (the release record is an SSM
   * parameter), so this only keeps SSM off the path to the first AWS request and out of runs that fail
   * earlier (bad inputs, pre-flight).
   */
  ssm(): Promise<SSMClient>;
}

export interface ProbeResponse {
  status: number;
}

export type HttpGet = (url: string, timeoutMs: number) => Promise<ProbeResponse>;

export interface TempDirs {
  create(prefix: string): Promise<string>;
  remove(path: string): Promise<void>;
}

/**
 * Every side effect the action has. Tests pass fakes, so nothing sleeps or reaches the network. `Clients`:
 * the AWS clients of the deploy target (its own client beside ECR and SSM).
 */
export interface Deps<Clients extends AwsClients = AwsClients> {
  aws(region: string): Clients;
  exec: Exec;
  now(): number;
  sleep(ms: number): Promise<void>;
  /** In [0, 1); spreads polls (jitter). */
  random(): number;
  httpGet: HttpGet;
  tempDirs: TempDirs;
  log: Logger;
  /** Environment the inputs module may read (GITHUB_SHA, AWS_REGION); nothing else reads it. */
  env: Readonly<Record<string, string | undefined>>;
  /** @actions/github: the run's context, and commit statuses with `github-token`. */
  github: GitHubAccess;
  /** The run's timeline (run() adds it); phases time themselves on it with timed(). */
  timeline?: Timeline;
}

export type Clock = Pick<Deps, "now" | "sleep" | "random">;
