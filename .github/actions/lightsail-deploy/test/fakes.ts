import type {
  ContainerService,
  ContainerServiceDeployment,
  CreateContainerServiceDeploymentRequest,
} from "@aws-sdk/client-lightsail";
import { mockClient } from "aws-sdk-client-mock";
import type { Toolkit } from "../src/entry/toolkit.js";
import {
  BatchGetImageCommand,
  DescribeImagesCommand,
  DescribeRepositoriesCommand,
  ECRClient,
  GetAuthorizationTokenCommand,
  GetRepositoryPolicyCommand,
} from "../src/platform/aws-sdk.js";
import type { ExecOptions, ExecResult, Logger } from "../src/platform/deps.js";
import type { CommitStatusApi, GitHubAccess } from "../src/platform/github-access.js";
import type { RunContext } from "../src/platform/run-context.js";
import {
  DeleteParametersCommand,
  GetParameterCommand,
  GetParametersByPathCommand,
  PutParameterCommand,
  SSMClient,
} from "../src/platform/ssm-sdk.js";
import { entryName, type ReleaseEntry } from "../src/release/record/release-record.js";
import type { LightsailDeps as Deps } from "../src/targets/lightsail/clients.js";
import {
  CreateContainerServiceDeploymentCommand,
  GetContainerLogCommand,
  GetContainerServiceDeploymentsCommand,
  GetContainerServicePowersCommand,
  GetContainerServicesCommand,
  LightsailClient,
} from "../src/targets/lightsail/lightsail-sdk.js";
import { verdictEntry } from "../src/targets/lightsail/release/record-view.js";

export const REPOSITORY_URI = "127.0.0.1:5000/app";
export const PRINCIPAL =
  "arn:aws:iam::111111111111:role/amazon/lightsail/eu-west-1/containers/demo/private-repo-access/x";
export const ECR_PASSWORD = "ecr-password-7f3a9c";
export const ECR_TOKEN = Buffer.from(`AWS:${ECR_PASSWORD}`).toString("base64");

/** The id a run's first Create stamps, with the fake clock's random() = 0.5 and no GITHUB_RUN_ID. */
export const OWN_ID = "local-88888888-1";

export function deployment(
  version: number,
  state: string,
  tag = `v${version}`,
  createdAt = 1_700_000_000,
  id?: string,
): ContainerServiceDeployment {
  const environment: Record<string, string> = { MODE: "prod" };
  if (id) environment.LIGHTSAIL_DEPLOY_ID = id;
  return {
    version,
    state: state as ContainerServiceDeployment["state"],
    createdAt: new Date(createdAt * 1000),
    containers: {
      app: { image: `${REPOSITORY_URI}:${tag}`, environment, ports: { "8080": "HTTP" } },
    },
    publicEndpoint: {
      containerName: "app",
      containerPort: 8080,
      healthCheck: { path: "/health", intervalSeconds: 10, successCodes: "200-299" },
    },
  };
}

export function service(overrides: Partial<ContainerService> = {}): ContainerService {
  return {
    containerServiceName: "demo",
    state: "RUNNING",
    power: "nano",
    scale: 2,
    isDisabled: false,
    url: "http://127.0.0.1:8081/",
    // Before every verdict the fakes write: only verdicts given since the service was created count.
    createdAt: new Date(1_699_000_000_000),
    currentDeployment: deployment(3, "ACTIVE"),
    privateRegistryAccess: { ecrImagePullerRole: { isActive: true, principalArn: PRINCIPAL } },
    ...overrides,
  };
}

export const PULL_POLICY = JSON.stringify({
  Version: "2008-10-17",
  Statement: [
    {
      Effect: "Allow",
      Principal: { AWS: PRINCIPAL },
      Action: ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
    },
  ],
});

export function awsError(name: string, message = name): Error {
  const error = new Error(message);
  error.name = name;
  return error;
}

/** A run on github.com, as runContextOf makes it from @actions/github's context. */
export const RUN_CONTEXT: RunContext = {
  sha: "0123456789abcdef0123456789abcdef01234567",
  ref: "refs/heads/main",
  actor: "octocat",
  repository: "acme/shop",
  repositoryUrl: "https://github.com/acme/shop",
  commitUrl: "https://github.com/acme/shop/commit/0123456789abcdef0123456789abcdef01234567",
  runUrl: "https://github.com/acme/shop/actions/runs/42/attempts/1",
};

/** @actions/github with the context above and an Octokit whose commit statuses are recorded (or fail). */
export function fakeGitHub(options: { failWith?: Error } = {}) {
  const statuses: Parameters<CommitStatusApi["createCommitStatus"]>[0][] = [];
  const tokens: string[] = [];
  const github: GitHubAccess = {
    context: async () => RUN_CONTEXT,
    statuses: async (token) => {
      tokens.push(token);
      return {
        createCommitStatus: async (params) => {
          if (options.failWith) throw options.failWith;
          statuses.push(params);
          return { status: 201 };
        },
      };
    },
  };
  return { github, statuses, tokens };
}

/**
 * @actions/core as the runner sees it: `written` is the step's stdout in the runner's protocol (add-mask,
 * group, warning, error commands), `files` what it reads from GITHUB_OUTPUT and GITHUB_STEP_SUMMARY.
 */
export function fakeToolkit(inputs: Record<string, string> = {}) {
  const written: string[] = [];
  const files: Record<string, string> = {};
  const outputs: Record<string, string> = {};
  let buffer = "";
  const toolkit: Toolkit = {
    getInput: (name) => inputs[name] ?? "",
    setOutput: (name, value) => {
      outputs[name] = String(value);
      files["/output"] = `${files["/output"] ?? ""}${name}=${String(value)}\n`;
    },
    // Escaped as @actions/core escapes a command's data, so a multi-line value stays one command line.
    setSecret: (value) =>
      written.push(`::add-mask::${value.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A")}\n`),
    info: (message) => written.push(`${message}\n`),
    warning: (message) => written.push(`::warning::${String(message)}\n`),
    debug: (message) => written.push(`::debug::${message}\n`),
    setFailed: (message) => written.push(`::error::${String(message)}\n`),
    group: async (name, body) => {
      written.push(`::group::${name}\n`);
      try {
        return await body();
      } finally {
        written.push("::endgroup::\n");
      }
    },
    summary: {
      addRaw: (text) => {
        buffer += text;
      },
      write: async () => {
        files["/summary"] = `${files["/summary"] ?? ""}${buffer}`;
        buffer = "";
      },
    },
  };
  return { toolkit, written, files, outputs };
}

export interface CapturedLog extends Logger {
  lines: string[];
  secrets: string[];
  groups: string[];
}

export function captureLogger(): CapturedLog {
  const lines: string[] = [];
  const secrets: string[] = [];
  const groups: string[] = [];
  return {
    lines,
    secrets,
    groups,
    info: (m) => lines.push(m),
    warning: (m) => lines.push(`warning: ${m}`),
    debug: (m) => lines.push(`debug: ${m}`),
    setSecret: (v) => secrets.push(v),
    mask: (text) => secrets.reduce((out, secret) => out.split(secret).join("***"), text),
    group: async (name, body) => {
      groups.push(name);
      return body();
    },
  };
}

export interface ExecCall {
  command: string;
  args: string[];
  options: ExecOptions | undefined;
}

/** A clock whose sleep moves time forward instantly. */
export function fakeClock(start = 1_700_000_100_000) {
  let now = start;
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => now,
    sleep: async (ms: number) => {
      sleeps.push(ms);
      now += ms;
    },
    random: () => 0.5,
    advance: (ms: number) => {
      now += ms;
    },
  };
}

/** AWS clients mocked at the client boundary, with a healthy service and repository by default. */
export function fakeAws() {
  const lightsail = new LightsailClient({ region: "eu-west-1" });
  const ecr = new ECRClient({ region: "eu-west-1" });
  const ssm = new SSMClient({ region: "eu-west-1" });
  const mocks = { lightsail: mockClient(lightsail), ecr: mockClient(ecr), ssm: mockClient(ssm) };
  mocks.lightsail.on(GetContainerServicesCommand).resolves({ containerServices: [service()] });
  mocks.lightsail
    .on(GetContainerServicePowersCommand)
    .resolves({ powers: [{ name: "nano", powerId: "nano-1", price: 7 }] });
  mocks.lightsail.on(GetContainerLogCommand).resolves({ logEvents: [] });
  mocks.lightsail
    .on(GetContainerServiceDeploymentsCommand)
    .resolves({ deployments: [deployment(3, "ACTIVE"), deployment(2, "INACTIVE")] });
  mocks.ecr.on(DescribeRepositoriesCommand).resolves({
    repositories: [
      {
        repositoryName: "app",
        repositoryUri: REPOSITORY_URI,
        repositoryArn: "arn:aws:ecr:eu-west-1:000000000000:repository/app",
      },
    ],
  });
  mocks.ecr.on(GetRepositoryPolicyCommand).resolves({ policyText: PULL_POLICY });
  mocks.ecr.on(DescribeImagesCommand).rejects(awsError("ImageNotFoundException"));
  mocks.ecr.on(BatchGetImageCommand).resolves({ images: [{ imageId: { imageTag: "x" } }], failures: [] });
  mocks.ssm.on(GetParameterCommand).rejects(awsError("ParameterNotFound"));
  mocks.ssm.on(GetParametersByPathCommand).resolves({ Parameters: [] });
  mocks.ssm.on(PutParameterCommand).resolves({ Version: 1 });
  mocks.ssm.on(DeleteParametersCommand).resolves({ DeletedParameters: [] });
  mocks.ecr.on(GetAuthorizationTokenCommand).resolves({
    authorizationData: [{ authorizationToken: ECR_TOKEN, proxyEndpoint: "http://127.0.0.1:5000" }],
  });
  return { clients: { lightsail, ecr, ssm: async () => ssm }, mocks };
}

/**
 * What the fake `exec` answers unless a test says otherwise: a docker 27 client without the buildx plugin (so
 * `build-cache` finds no BuildKit) whose images are built for linux/amd64 (the platform Lightsail runs).
 */
export function defaultExecResult({ command, args }: ExecCall): ExecResult {
  if (command !== "docker") return { exitCode: 0, stdout: "", stderr: "" };
  if (args[0] === "buildx")
    return { exitCode: 1, stdout: "", stderr: "docker: 'buildx' is not a docker command." };
  if (args[0] === "version") return { exitCode: 0, stdout: "27.0.0", stderr: "" };
  if (args.includes("{{.Os}}/{{.Architecture}}")) return { exitCode: 0, stdout: "linux/amd64\n", stderr: "" };
  return { exitCode: 0, stdout: "", stderr: "" };
}

export function fakeDeps(overrides: Partial<Deps> & { execResult?: (call: ExecCall) => ExecResult } = {}) {
  const aws = fakeAws();
  const clock = fakeClock();
  const log = captureLogger();
  const execCalls: ExecCall[] = [];
  const probes: string[] = [];
  const { execResult, ...rest } = overrides;
  const deps: Deps = {
    aws: () => aws.clients,
    exec: async (command, args, options) => {
      const call = { command, args, options };
      execCalls.push(call);
      return execResult?.(call) ?? defaultExecResult(call);
    },
    now: clock.now,
    sleep: clock.sleep,
    random: clock.random,
    httpGet: async (url) => {
      probes.push(url);
      return { status: 200 };
    },
    tempDirs: { create: async (prefix) => `/tmp/${prefix}fake`, remove: async () => undefined },
    log,
    env: { GITHUB_SHA: "0123456789abcdef0123456789abcdef01234567" },
    github: fakeGitHub().github,
    ...rest,
  };
  return { deps, aws, clock, log, execCalls, probes };
}

/** Lightsail answering a CreateContainerServiceDeployment with version 4, which then reaches `finalState`. */
export function deploysVersion4(aws: ReturnType<typeof fakeAws>, finalState: string) {
  aws.mocks.lightsail
    .on(CreateContainerServiceDeploymentCommand)
    .resolves({ containerService: service({ nextDeployment: deployment(4, "ACTIVATING") }) });
  aws.mocks.lightsail
    .on(GetContainerServiceDeploymentsCommand)
    // Pre-flight's read, before the Create.
    .resolvesOnce({ deployments: [deployment(3, "ACTIVE"), deployment(2, "INACTIVE")] })
    .resolvesOnce({
      deployments: [deployment(4, "ACTIVATING", "0123456", undefined, OWN_ID), deployment(3, "ACTIVE")],
    })
    .resolves({
      deployments: [
        deployment(4, finalState, "0123456", undefined, OWN_ID),
        deployment(3, finalState === "ACTIVE" ? "INACTIVE" : "ACTIVE"),
      ],
    });
}

type Settle = "ACTIVE" | "FAILED" | "ACTIVATING";

/**
 * Lightsail as a small state machine behind the mocked client: Create adds an ACTIVATING version with the
 * request's containers (this run's id included), and the next listing settles it as `settle` says (ACTIVE
 * makes the previous ACTIVE one INACTIVE). GetContainerServices shows the current ACTIVE deployment, in the
 * states `serviceStates` lists first (then RUNNING). The probe sees whatever image is serving.
 */
export function statefulLightsail(
  aws: ReturnType<typeof fakeAws>,
  options: {
    deployments?: ContainerServiceDeployment[];
    settle?: (image: string | undefined, version: number) => Settle;
    serviceStates?: string[];
    /**
     * What the first Creates answer although they created the deployment: the SDK's retry after a lost
     * answer, refused because the service is now deploying.
     */
    lostAnswers?: Error[];
    /** When the service was created (a re-created service is younger than its record). */
    serviceCreatedAt?: Date;
  } = {},
) {
  const lostAnswers = [...(options.lostAnswers ?? [])];
  const deployments: ContainerServiceDeployment[] = (
    options.deployments ?? [deployment(2, "INACTIVE"), deployment(3, "ACTIVE")]
  ).map((d) => structuredClone(d));
  const serviceStates = [...(options.serviceStates ?? [])];
  const seen = new Set<number>();
  const imageOf = (d: ContainerServiceDeployment | undefined) =>
    d?.containers?.[d.publicEndpoint?.containerName ?? "app"]?.image;
  const active = () => deployments.find((d) => d.state === "ACTIVE");
  const settleAll = () => {
    for (const d of deployments) {
      if (d.state !== "ACTIVATING" || d.version === undefined) continue;
      if (!seen.has(d.version)) {
        seen.add(d.version);
        continue;
      }
      const state = options.settle?.(imageOf(d), d.version) ?? "ACTIVE";
      if (state === "ACTIVE") {
        const previous = active();
        if (previous) previous.state = "INACTIVE";
      }
      d.state = state;
    }
  };
  const create = async (input: CreateContainerServiceDeploymentRequest) => {
    const version = Math.max(0, ...deployments.map((d) => d.version ?? 0)) + 1;
    const created: ContainerServiceDeployment = {
      version,
      state: "ACTIVATING",
      createdAt: new Date(1_700_000_000_000 + version * 1000),
      containers: structuredClone(input.containers),
      publicEndpoint: structuredClone(input.publicEndpoint),
    };
    deployments.push(created);
    const lost = lostAnswers.shift();
    if (lost) throw lost;
    return { containerService: service({ nextDeployment: created, currentDeployment: active() }) };
  };
  aws.mocks.lightsail.on(CreateContainerServiceDeploymentCommand).callsFake(create);
  aws.mocks.lightsail.on(GetContainerServiceDeploymentsCommand).callsFake(async () => {
    settleAll();
    return { deployments: structuredClone(deployments) };
  });
  aws.mocks.lightsail.on(GetContainerServicesCommand).callsFake(async () => ({
    containerServices: [
      service({
        state: (serviceStates.shift() ?? "RUNNING") as ContainerService["state"],
        currentDeployment: active(),
        ...(options.serviceCreatedAt ? { createdAt: options.serviceCreatedAt } : {}),
      }),
    ],
  }));
  return {
    deployments,
    /** Lightsail's Create, for a test that puts a fault in front of it. */
    create,
    serving: () => active(),
    servingImage: () => imageOf(active()),
  };
}

/**
 * An SSM parameter store for the release record, kept in memory: `initial` is a legacy single-parameter
 * record at the default name; verdicts are parameters of their own (`parameters`), as Parameter Store
 * keeps them (PutParameter without Overwrite refuses an existing name; GetParametersByPath pages by 10).
 */
export function fakeRecordParameter(aws: ReturnType<typeof fakeAws>, initial?: string) {
  const legacyName = "/lightsail-deploy/demo/releases";
  const parameters = new Map<string, string>();
  if (initial !== undefined) parameters.set(legacyName, initial);
  const store = {
    parameters,
    writes: 0,
    get value() {
      return parameters.get(legacyName);
    },
    /** Puts a verdict in the record as the action writes it (for this service and region, or `scope`). */
    verdict(
      d: ContainerServiceDeployment,
      verdict: "good" | "rejected",
      scope = { service: "demo", region: "eu-west-1" },
    ) {
      const entry = verdictEntry(
        d,
        verdict,
        "test",
        new Date(1_700_000_000_000 + (d.version ?? 0) * 1000),
        {},
        scope,
      );
      parameters.set(entryName(legacyName, entry), JSON.stringify({ schema: 2, ...entry }));
    },
    /** The verdicts written (not the legacy record, not the writability marker), in name order. */
    entries(): ReleaseEntry[] {
      return [...parameters.entries()]
        .filter(([name]) => name.startsWith(`${legacyName}/`) && !name.endsWith("/writable"))
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([, value]) => JSON.parse(value) as ReleaseEntry);
    },
  };
  aws.mocks.ssm.on(GetParameterCommand).callsFake(async (input) => {
    const value = parameters.get(input.Name);
    if (value === undefined) throw awsError("ParameterNotFound");
    return { Parameter: { Name: input.Name, Value: value } };
  });
  aws.mocks.ssm.on(GetParametersByPathCommand).callsFake(async (input) => {
    const prefix = `${input.Path.replace(/\/$/, "")}/`;
    const names = [...parameters.keys()]
      .filter((n) => n.startsWith(prefix) && (input.Recursive || !n.slice(prefix.length).includes("/")))
      .sort();
    const start = Number(input.NextToken ?? 0);
    const page = names.slice(start, start + 10);
    return {
      Parameters: page.map((Name) => ({ Name, Value: parameters.get(Name) })),
      ...(start + 10 < names.length ? { NextToken: String(start + 10) } : {}),
    };
  });
  aws.mocks.ssm.on(PutParameterCommand).callsFake(async (input) => {
    if (parameters.has(input.Name) && !input.Overwrite) throw awsError("ParameterAlreadyExists");
    parameters.set(input.Name, input.Value);
    store.writes++;
    return { Version: 1 };
  });
  aws.mocks.ssm.on(DeleteParametersCommand).callsFake(async (input) => {
    const names: string[] = input.Names;
    for (const name of names) parameters.delete(name);
    return { DeletedParameters: names, InvalidParameters: [] };
  });
  return store;
}
