import type { ContainerService, ContainerServiceDeployment } from "@aws-sdk/client-lightsail";
import { mockClient } from "aws-sdk-client-mock";
import {
  BatchGetImageCommand,
  CreateContainerServiceDeploymentCommand,
  DescribeImagesCommand,
  DescribeRepositoriesCommand,
  ECRClient,
  GetAuthorizationTokenCommand,
  GetContainerLogCommand,
  GetContainerServiceDeploymentsCommand,
  GetContainerServicePowersCommand,
  GetContainerServicesCommand,
  GetRepositoryPolicyCommand,
  LightsailClient,
} from "../src/aws-sdk.js";
import type { Deps, ExecOptions, ExecResult, Logger } from "../src/deps.js";
import { SSMClient } from "../src/ssm-sdk.js";

export const REPOSITORY_URI = "127.0.0.1:5000/app";
export const PRINCIPAL =
  "arn:aws:iam::111111111111:role/amazon/lightsail/eu-west-1/containers/demo/private-repo-access/x";
export const ECR_PASSWORD = "ecr-password-7f3a9c";
export const ECR_TOKEN = Buffer.from(`AWS:${ECR_PASSWORD}`).toString("base64");

export function deployment(
  version: number,
  state: string,
  tag = `v${version}`,
  createdAt = 1_700_000_000,
): ContainerServiceDeployment {
  return {
    version,
    state: state as ContainerServiceDeployment["state"],
    createdAt: new Date(createdAt * 1000),
    containers: {
      app: { image: `${REPOSITORY_URI}:${tag}`, environment: { MODE: "prod" }, ports: { "8080": "HTTP" } },
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
  mocks.ecr.on(GetAuthorizationTokenCommand).resolves({
    authorizationData: [{ authorizationToken: ECR_TOKEN, proxyEndpoint: "http://127.0.0.1:5000" }],
  });
  return { clients: { lightsail, ecr, ssm: async () => ssm }, mocks };
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
      return (
        execResult?.(call) ?? {
          exitCode: 0,
          stdout: command === "docker" && args[0] === "version" ? "27.0.0" : "",
          stderr: "",
        }
      );
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
    .resolvesOnce({ deployments: [deployment(4, "ACTIVATING", "0123456"), deployment(3, "ACTIVE")] })
    .resolves({ deployments: [deployment(4, finalState, "0123456"), deployment(3, "ACTIVE")] });
}
