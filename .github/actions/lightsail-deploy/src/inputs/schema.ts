// The inputs' schema: names and defaults as in action.yml, and the typed Inputs the action runs on.
/** `build-cache`: on (the default reference next to the images), off, or an explicit cache reference. */
export type BuildCacheSetting = { kind: "off" } | { kind: "on"; ref: string | undefined };

/** Input names exactly as in action.yml, with the defaults action.yml declares (also applied in a terminal). */
export const INPUT_DEFAULTS = {
  "service-name": undefined,
  region: undefined,
  repository: undefined,
  "container-name": undefined,
  image: undefined,
  images: undefined,
  context: ".",
  dockerfile: "Dockerfile",
  "build-args": undefined,
  "build-cache": "on",
  tag: undefined,
  "container-port": undefined,
  "health-check-path": undefined,
  "health-check-interval": undefined,
  "health-check-timeout": undefined,
  "healthy-threshold": undefined,
  "unhealthy-threshold": undefined,
  "success-codes": undefined,
  environment: undefined,
  "ssm-path": undefined,
  "poll-interval": "5s",
  "wait-timeout": "20m",
  "probe-path": undefined,
  "probe-count": "20",
  "max-error-rate": "1%",
  "bake-time": undefined,
  "auto-rollback": "true",
  "rollback-to": undefined,
  promote: undefined,
  "promote-from": undefined,
  "dry-run": "false",
  "release-record": undefined,
  "github-token": undefined,
} as const satisfies Record<string, string | undefined>;

export type InputName = keyof typeof INPUT_DEFAULTS;

export const INPUT_NAMES = Object.keys(INPUT_DEFAULTS) as InputName[];

/** Input values as text, keyed by input name; from INPUT_* variables or command-line flags. */
export type RawInputs = Readonly<Record<string, string | undefined>>;

export const DEFAULT_REGION = "eu-west-1";

export type RollbackTarget =
  | { kind: "previous" }
  | { kind: "version"; version: number }
  | { kind: "tag"; tag: string };

export type ImageSource =
  | { kind: "build"; context: string; dockerfile: string; buildArgs: Record<string, string> }
  | { kind: "prebuilt"; image: string }
  | { kind: "rollback"; target: RollbackTarget }
  | { kind: "promote"; image: PromotedImage; from: string | undefined };

/** An image already in ECR, named by its manifest digest or by a tag (resolved to its digest in pre-flight). */
export type PromotedImage = { digest: string } | { tag: string };

export interface HealthCheckOverrides {
  path?: string;
  intervalSeconds?: number;
  timeoutSeconds?: number;
  healthyThreshold?: number;
  unhealthyThreshold?: number;
  successCodes?: string;
}

export interface Inputs {
  serviceName: string;
  region: string;
  repository: string | undefined;
  containerName: string | undefined;
  source: ImageSource;
  /** A registry cache for the build (see build-cache.ts). */
  buildCache: BuildCacheSetting;
  /** Explicit tag; undefined means the short git SHA, else a UTC timestamp. */
  tag: string | undefined;
  gitSha: string | undefined;
  containerPort: number | undefined;
  healthCheck: HealthCheckOverrides;
  environment: Record<string, string>;
  /** `images`: container name → full image reference, replaced next to the deployed image. */
  images: Record<string, string>;
  ssmPath: string | undefined;
  pollIntervalMs: number;
  waitTimeoutMs: number;
  /** Undefined means the health-check path of the deployment. */
  probePath: string | undefined;
  probeCount: number;
  /** A fraction: 0.01 for `1%`. */
  maxErrorRate: number;
  /** How long to keep probing after the probe passed (0: no bake window). */
  bakeMs: number;
  autoRollback: boolean;
  dryRun: boolean;
  /** SSM parameter holding the verdicts on earlier releases (see release-record.ts). */
  releaseRecord: string;
  /** With it, the outcome is posted as a commit status (see commit-status.ts). A secret. */
  githubToken: string | undefined;
}

/** `KEY=VALUE` line lists; their values may be secrets. */
export const LINE_LISTS = new Set<string>(["environment", "build-args", "images"]);

/** Inputs that are true or false, the only ones a flag may set without a value. */
export const BOOLEAN_INPUTS = new Set<string>(["dry-run", "auto-rollback"] satisfies InputName[]);
