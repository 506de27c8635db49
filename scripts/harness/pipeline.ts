import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ECRClient } from "@aws-sdk/client-ecr";
import { GetContainerServiceDeploymentsCommand, type LightsailClient } from "@aws-sdk/client-lightsail";
import { DeleteParametersCommand, paginateGetParametersByPath, type SSMClient } from "@aws-sdk/client-ssm";
import { checkConformance, type LocalAws, startLocalAws } from "local-aws";
import { ensureBaseImage } from "./base-image.js";
import { type CallCounts, startCountingProxy } from "./counting-proxy.js";
import { type ActionRun, type RunActionOptions, runAction } from "./github-runner.js";
import { localAwsAccess } from "./local-aws-access.js";
import { actionPath, repoRoot } from "./paths.js";
import { grantServicePull } from "./registry-access.js";

export interface PipelineOptions {
  service: string;
  repository: string;
  ssmPath: string;
  parameters: { name: string; type: "String" | "SecureString"; value: string }[];
  /**
   * More services in the same stand-in (e.g. staging and prod beside dev), each granted pull on the one
   * repository; `runAction` deploys to one of them when its inputs name it as `service-name`.
   */
  moreServices?: string[];
  /** Stand-in settings (health-check time scale, drain); see local-aws/README.md. */
  settings?: Record<string, number>;
  /** Resolvers the stand-in validates certificates against (a test's DNS zone, `127.0.0.1:<port>`). */
  dnsServers?: string[];
  /**
   * Custom domains the action reaches on the stand-in's TLS listener (LIGHTSAIL_DEPLOY_CONNECT_TO), trusting
   * its local authority (NODE_EXTRA_CA_CERTS): the client resolves them to loopback, and verifies for real.
   */
  customDomains?: string[];
  log?: (line: string) => void;
}

/** A deployment as the tests look at it: its public container's image and the action's LIGHTSAIL_DEPLOY_ID. */
export interface DeploymentView {
  version: number;
  state: string;
  image?: string;
  deployId?: string;
  createdAt?: number;
}

/** One verdict of the action's release record (a parameter under the `release-record` path). */
export interface ReleaseEntry {
  version: number;
  id?: string;
  verdict: "good" | "rejected";
  at: string;
  why: string;
  /** The image's manifest digest, and for a promotion the environment it came from. */
  digest?: string;
  from?: string;
}

/** A whole local pipeline: the stand-in in this process, pull access granted, the base image built. */
export interface LocalPipeline {
  local: LocalAws;
  /** The API endpoint the action talks to (a counting proxy in front of the stand-in). */
  endpoint: string;
  calls: CallCounts;
  /** `Date.now()` of the first API request since the last resetCalls(). */
  firstCallAt(): number | undefined;
  resetCalls(): void;
  lightsail: LightsailClient;
  ecr: ECRClient;
  ssm: SSMClient;
  baseImage: string;
  serviceUrl: string;
  /** The URL of any of the stand-in's services (the main one or `moreServices`). */
  urlOf(service: string): string;
  awsEnv: Record<string, string>;
  /** Runs the bundled action as GitHub would, with the stand-in's endpoints. */
  runAction(
    inputs: Record<string, string | undefined>,
    env?: Record<string, string>,
    options?: Pick<RunActionOptions, "onLine">,
  ): Promise<ActionRun>;
  deployments(): Promise<DeploymentView[]>;
  /** The release record the action keeps (its default `release-record`) for `service`, this pipeline's by default; oldest first. */
  releaseRecord(service?: string): Promise<ReleaseEntry[]>;
  deleteReleaseRecord(): Promise<number>;
  /**
   * Stops everything, then checks every answer the stand-in gave against AWS's published service models
   * (botocore's), and throws listing any that does not keep to them: a test is only worth the stand-in's
   * fidelity.
   */
  close(): Promise<{ answersChecked: number }>;
}

export async function startLocalPipeline(options: PipelineOptions): Promise<LocalPipeline> {
  const log = options.log ?? (() => {});
  const stateDir = mkdtempSync(join(tmpdir(), "local-pipeline-"));
  const answersFile = join(stateDir, "answers.jsonl");
  const local = await startLocalAws({
    stateDir,
    recordAnswers: answersFile,
    config: {
      region: "eu-west-1",
      services: [options.service, ...(options.moreServices ?? [])].map((name) => ({
        name,
        power: "micro",
        scale: 1,
        privateRegistryAccess: true,
      })),
      repositories: [{ name: options.repository }],
      parameters: options.parameters,
      ...(options.dnsServers ? { dnsServers: options.dnsServers } : {}),
      // A container prefix of this process's own: runs from several clones on one Docker engine never meet.
      settings: {
        containerPrefix: `e2e-${process.pid}`,
        timeScale: 0.2,
        drainSeconds: 1,
        ...options.settings,
      },
    },
    log,
  });
  const proxy = await startCountingProxy(local.endpoint);
  // Our own clients go straight to the stand-in; the action goes through the counting proxy.
  const { lightsail, ecr, ssm } = localAwsAccess(local.endpoint);
  for (const service of [options.service, ...(options.moreServices ?? [])])
    await grantServicePull({ ecr, lightsail }, service, options.repository);
  const baseImage = await ensureBaseImage(log);
  const actionEnv = localAwsAccess(proxy.endpoint).env;
  const baseEnv: Record<string, string> = {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    HOME: process.env.HOME ?? tmpdir(),
    ...actionEnv,
    ...(options.customDomains?.length
      ? {
          NODE_EXTRA_CA_CERTS: local.https.caFile,
          LIGHTSAIL_DEPLOY_CONNECT_TO: options.customDomains
            .map((domain) => `${domain}:443:127.0.0.1:${local.https.port}`)
            .join(","),
        }
      : {}),
  };
  return {
    local,
    endpoint: proxy.endpoint,
    calls: proxy.counts,
    firstCallAt: proxy.firstRequestAt,
    resetCalls: proxy.reset,
    lightsail,
    ecr,
    ssm,
    baseImage,
    serviceUrl: local.serviceUrl(options.service),
    urlOf: (service) => local.serviceUrl(service),
    awsEnv: actionEnv,
    runAction: (inputs, env = {}, runOptions = {}) =>
      runAction({
        actionPath,
        cwd: repoRoot,
        env: { ...baseEnv, ...env },
        inputs: { "service-name": options.service, repository: options.repository, ...inputs },
        ...runOptions,
      }),
    async deployments() {
      const { deployments } = await lightsail.send(
        new GetContainerServiceDeploymentsCommand({ serviceName: options.service }),
      );
      return (deployments ?? [])
        .map((d) => {
          const container = Object.values(d.containers ?? {})[0];
          return {
            version: d.version ?? 0,
            state: d.state ?? "",
            image: container?.image,
            deployId: container?.environment?.LIGHTSAIL_DEPLOY_ID,
            createdAt: d.createdAt?.getTime(),
          };
        })
        .sort((a, b) => a.version - b.version);
    },
    async releaseRecord(service = options.service) {
      // One parameter per verdict under the record's path (see the action's release-record.ts).
      const path = `/lightsail-deploy/${service}/releases/eu-west-1/${service}`;
      const entries: ReleaseEntry[] = [];
      for await (const page of paginateGetParametersByPath({ client: ssm }, { Path: path })) {
        for (const p of page.Parameters ?? []) {
          // Not every parameter there is a verdict (the action's writability marker is not).
          if (p.Name?.endsWith("/writable")) continue;
          const parsed = JSON.parse(p.Value ?? "{}") as Partial<ReleaseEntry>;
          if (typeof parsed.version === "number" && parsed.verdict) entries.push(parsed as ReleaseEntry);
        }
      }
      return entries.sort((a, b) => a.at.localeCompare(b.at) || a.version - b.version);
    },
    /** Deletes every verdict of the record (as a user following old advice, or a wiped account, would). */
    async deleteReleaseRecord() {
      const names: string[] = [];
      const path = `/lightsail-deploy/${options.service}/releases`;
      for await (const page of paginateGetParametersByPath({ client: ssm }, { Path: path, Recursive: true }))
        names.push(...(page.Parameters ?? []).flatMap((p) => (p.Name ? [p.Name] : [])));
      for (let i = 0; i < names.length; i += 10)
        await ssm.send(new DeleteParametersCommand({ Names: names.slice(i, i + 10) }));
      return names.length;
    },
    async close() {
      await proxy.close();
      await local.stop({ removeContainers: true });
      try {
        const { checked, violations } = await checkConformance(answersFile);
        if (violations.length > 0) {
          throw new Error(
            `${violations.length} of ${checked} stand-in answers do not keep to the AWS models:\n${violations.join("\n")}`,
          );
        }
        return { answersChecked: checked };
      } finally {
        rmSync(stateDir, { recursive: true, force: true });
      }
    },
  };
}
