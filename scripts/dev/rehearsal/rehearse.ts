import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  GetContainerLogCommand,
  GetContainerServiceDeploymentsCommand,
  type LightsailClient,
} from "@aws-sdk/client-lightsail";
import type { SSMClient } from "@aws-sdk/client-ssm";
import { startLocalAws } from "local-aws";
import { runAction } from "../../harness/github-runner.js";
import { localAwsAccess } from "../../harness/local-aws-access.js";
import { actionPath, repoRoot } from "../../harness/paths.js";
import { grantServicePull } from "../../harness/registry-access.js";
import { deploymentShape, readLiveService, readRehearsalValues } from "./live-service.js";
import { maskText, registeredMasks, secretForms } from "./masking.js";
import { diffDeployments, planRehearsal } from "./plan.js";
import { type RehearsalReport, renderReport } from "./report.js";
import { verdictOf } from "./verdict.js";

export interface RehearsalOptions {
  serviceName: string;
  /** The pull request's image, built on the runner (a local Docker image). */
  image: string;
  /** Parameter Store path (in the live account) holding rehearsal values, one parameter per variable. */
  rehearsalPath?: string;
  placeholders: Record<string, string>;
  /** The action's probe and bake inputs, passed through unchanged. */
  actionInputs: Record<string, string>;
  /** Stand-in settings for the private service (e.g. timeScale). */
  settings?: Record<string, number>;
}

export interface RehearsalDeps {
  /** Clients of the LIVE account: used for reads only (GetContainerServices, GetParametersByPath). */
  live: { lightsail: LightsailClient; ssm: SSMClient };
  /** Secrets to register with the runner before anything prints (`::add-mask::` on GitHub). */
  mask: (value: string) => void;
  log: (line: string) => void;
}

export interface RehearsalResult {
  report: RehearsalReport;
  markdown: string;
}

const REPOSITORY = "rehearsal";
const SSM_PATH = "/rehearsal/";
const LOG_LINES = 100;

/** Reads the live service, recreates it on a private stand-in and deploys the image there with the action. */
export async function rehearse(options: RehearsalOptions, deps: RehearsalDeps): Promise<RehearsalResult> {
  const live = await readLiveService(deps.live.lightsail, options.serviceName);
  const rehearsalValues = options.rehearsalPath
    ? await readRehearsalValues(deps.live.ssm, options.rehearsalPath)
    : {};
  const plan = planRehearsal(live, rehearsalValues, options.placeholders);
  const forms = secretForms(Object.values(plan.values));
  for (const form of forms) deps.mask(form);
  deps.log(`rehearsing ${live.name} (${live.power} × ${live.scale}) on a private stand-in`);

  const stateDir = mkdtempSync(join(tmpdir(), "rehearsal-"));
  const local = await startLocalAws({
    stateDir,
    apiPort: 0,
    registryPort: 0,
    config: {
      region: "eu-west-1",
      services: [{ name: live.name, power: live.power, scale: live.scale, privateRegistryAccess: true }],
      repositories: [{ name: REPOSITORY }],
      parameters: Object.entries(plan.values).map(([name, value]) => ({
        name: `${SSM_PATH}${name}`,
        type: "SecureString",
        value,
      })),
      settings: {
        ...options.settings,
        containerPrefix: `rehearsal-${process.pid}-${randomBytes(3).toString("hex")}`,
      },
    },
  });
  try {
    const access = localAwsAccess(local.endpoint);
    await grantServicePull(access, live.name, REPOSITORY);
    const run = await runAction({
      actionPath,
      cwd: repoRoot,
      env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: process.env.HOME ?? tmpdir(), ...access.env },
      inputs: {
        "service-name": live.name,
        repository: REPOSITORY,
        image: options.image,
        tag: "rehearsal",
        "build-cache": "off",
        ...(Object.keys(plan.values).length ? { "ssm-path": SSM_PATH } : {}),
        ...plan.inputs,
        ...options.actionInputs,
      },
    });
    const allForms = [...forms, ...secretForms(registeredMasks(run.rawLog))];
    const { deployments } = await access.lightsail.send(
      new GetContainerServiceDeploymentsCommand({ serviceName: live.name }),
    );
    const newest = [...(deployments ?? [])].sort((a, b) => (b.version ?? 0) - (a.version ?? 0))[0];
    const logEvents = await access.lightsail
      .send(new GetContainerLogCommand({ serviceName: live.name, containerName: plan.containerName }))
      .then((r) => r.logEvents ?? [])
      .catch(() => []);
    const containerLog = maskText(
      logEvents
        .slice(-LOG_LINES)
        .map((e) => e.message ?? "")
        .join("\n"),
      allForms,
    );
    const verdict = verdictOf({
      actionExitCode: run.exitCode,
      actionLog: run.log,
      containerLog,
      containerName: plan.containerName,
      port: plan.inputs["container-port"] ?? "",
      healthPath: plan.inputs["health-check-path"] ?? "/",
      missing: plan.missing,
    });
    const report: RehearsalReport = {
      service: live.name,
      image: options.image,
      verdict,
      plan,
      probe: maskText(run.log, allForms)
        .split("\n")
        .filter((line) => /\b(probe|bake)\b/i.test(line)),
      diff: diffDeployments(live.deployment, deploymentShape(newest)),
      containerLog,
    };
    return { report, markdown: renderReport(report) };
  } finally {
    await local.stop({ removeContainers: true });
    rmSync(stateDir, { recursive: true, force: true });
  }
}
