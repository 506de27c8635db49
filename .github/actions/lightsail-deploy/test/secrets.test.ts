import type { ContainerServiceDeployment } from "@aws-sdk/client-lightsail";
import { describe, expect, test } from "vitest";
import { run } from "../src/entry/run.js";
import { publishToTerminal, terminalLogger } from "../src/entry/terminal.js";
import { publishToActions, toolkitLogger } from "../src/entry/toolkit.js";
import { GetParametersByPathCommand } from "../src/platform/ssm-sdk.js";
import {
  CreateContainerServiceDeploymentCommand,
  GetContainerLogCommand,
  GetContainerServiceDeploymentsCommand,
  GetContainerServicesCommand,
} from "../src/targets/lightsail/lightsail-sdk.js";
import {
  deployment,
  deploysVersion4,
  ECR_PASSWORD,
  ECR_TOKEN,
  fakeDeps,
  fakeToolkit,
  OWN_ID,
  service,
} from "./fakes.js";

const SSM_SECRET = "db-pass-5a1e77";
const SUMMARY_ENV = { GITHUB_STEP_SUMMARY: "/summary" };

/**
 * What the runner shows: it consumes each add-mask command and hides that value in every later line (a
 * value printed before its add-mask stays visible, as on GitHub).
 */
const visible = (written: string[]) => {
  const masks: string[] = [];
  const shown: string[] = [];
  for (const line of written.join("").split("\n")) {
    if (line.startsWith("::add-mask::"))
      masks.push(
        line.slice("::add-mask::".length).replace(/%0A/g, "\n").replace(/%0D/g, "\r").replace(/%25/g, "%"),
      );
    else shown.push(masks.reduce((text, secret) => text.split(secret).join("***"), line));
  }
  return shown.join("\n");
};

async function deployWithSecrets(dryRun: boolean) {
  const runner = fakeToolkit();
  const log = toolkitLogger(runner.toolkit);
  const fake = fakeDeps({ log });
  fake.aws.mocks.ssm.on(GetParametersByPathCommand).resolves({
    Parameters: [
      { Name: "/myapp/dev/DB_PASSWORD", Value: SSM_SECRET, Type: "SecureString" },
      { Name: "/myapp/dev/LOG_LEVEL", Value: "debug", Type: "String" },
    ],
  });
  deploysVersion4(fake.aws, "ACTIVE");
  const result = await run(
    { "service-name": "demo", repository: "app", "ssm-path": "/myapp/dev/", "dry-run": String(dryRun) },
    fake.deps,
  );
  await publishToActions(result, runner.toolkit, log.mask, SUMMARY_ENV);
  return { ...fake, ...runner, result };
}

describe("secrets never reach the log", () => {
  test("the ECR password is masked first and goes to docker on stdin, never in argv", async () => {
    const { written, execCalls, result } = await deployWithSecrets(false);
    const login = execCalls.find((c) => c.args[0] === "login");
    expect(login?.args).toEqual(["login", "--username", "AWS", "--password-stdin", "127.0.0.1:5000"]);
    expect(login?.options?.input).toBe(ECR_PASSWORD);
    for (const call of execCalls) expect(call.args.join(" ")).not.toContain(ECR_PASSWORD);
    const all = written.join("");
    expect(all).toContain(`::add-mask::${ECR_PASSWORD}`);
    expect(all.indexOf(`::add-mask::${ECR_PASSWORD}`)).toBeLessThan(all.indexOf("Pushed"));
    expect(visible(written)).not.toContain(ECR_PASSWORD);
    expect(visible(written)).not.toContain(ECR_TOKEN);
    expect(result.status).toBe("deployed");
  });

  test("Parameter Store values are masked, sent to Lightsail, and absent from log, summary and outputs", async () => {
    const { written, files, aws } = await deployWithSecrets(false);
    const sent = aws.mocks.lightsail.commandCalls(CreateContainerServiceDeploymentCommand)[0]?.args[0].input;
    expect(sent?.containers?.app?.environment).toEqual({
      MODE: "prod",
      DB_PASSWORD: SSM_SECRET,
      LOG_LEVEL: "debug",
      LIGHTSAIL_DEPLOY_ID: OWN_ID,
    });
    expect(written.join("")).toContain(`::add-mask::${SSM_SECRET}`);
    expect(visible(written)).not.toContain(SSM_SECRET);
    expect(Object.values(files).join("")).not.toContain(SSM_SECRET);
    const configRead = aws.mocks.ssm
      .commandCalls(GetParametersByPathCommand)
      .find((c) => c.args[0].input.Path === "/myapp/dev/");
    expect(configRead?.args[0].input).toMatchObject({
      Path: "/myapp/dev/",
      WithDecryption: true,
    });
  });

  test("the dry run's printed request shows *** for Parameter Store values", async () => {
    const { written, files, result } = await deployWithSecrets(true);
    expect(result.request).toContain('"DB_PASSWORD": "***"');
    expect(result.request).toContain('"LOG_LEVEL": "***"');
    expect(visible(written)).not.toContain(SSM_SECRET);
    expect(files["/summary"]).toContain('"DB_PASSWORD": "***"');
  });

  test("in a terminal the logger masks secrets itself", async () => {
    const out: string[] = [];
    const io = { out: (t: string) => out.push(t), err: (t: string) => out.push(t), debug: true };
    const log = terminalLogger(io);
    const fake = fakeDeps({ log });
    fake.aws.mocks.ssm
      .on(GetParametersByPathCommand)
      .resolves({ Parameters: [{ Name: "/myapp/dev/DB_PASSWORD", Value: SSM_SECRET }] });
    const result = await run(
      { "service-name": "demo", repository: "app", "ssm-path": "/myapp/dev" },
      fake.deps,
    );
    fake.deps.log.info(`echo ${SSM_SECRET} and ${ECR_PASSWORD}`);
    publishToTerminal({ ...result, notes: [`the report holds ${SSM_SECRET}`] }, io, log.mask);
    const text = out.join("");
    expect(text).toContain("echo *** and ***");
    expect(text).not.toContain(SSM_SECRET);
    expect(text).not.toContain(ECR_PASSWORD);
  });
});

describe("every environment value of every deployment read or written is masked", () => {
  const CONSOLE_SECRET = "set-in-the-console-91c2";

  /** The serving release and an older one both hold a secret this run never read from Parameter Store. */
  function withToken(d: ContainerServiceDeployment): ContainerServiceDeployment {
    const app = d.containers?.app;
    if (app) app.environment = { ...app.environment, TOKEN: CONSOLE_SECRET };
    return d;
  }

  function withSecretInHistory(fake: ReturnType<typeof fakeDeps>) {
    fake.aws.mocks.lightsail.on(GetContainerServicesCommand).resolves({ containerServices: [service()] });
    fake.aws.mocks.lightsail
      .on(GetContainerServiceDeploymentsCommand)
      .resolves({ deployments: [deployment(3, "ACTIVE"), withToken(deployment(2, "INACTIVE"))] });
  }

  test("a manual rollback to a release that prints its environment shows *** in log, summary and outputs", async () => {
    const runner = fakeToolkit();
    const log = toolkitLogger(runner.toolkit);
    const fake = fakeDeps({ log });
    withSecretInHistory(fake);
    fake.aws.mocks.lightsail
      .on(CreateContainerServiceDeploymentCommand)
      .resolves({ containerService: service({ nextDeployment: deployment(4, "ACTIVATING") }) });
    // The restored release prints its environment and fails, so its logs are read.
    fake.aws.mocks.lightsail
      .on(GetContainerServiceDeploymentsCommand)
      .resolvesOnce({ deployments: [deployment(3, "ACTIVE"), withToken(deployment(2, "INACTIVE"))] })
      .resolves({
        deployments: [
          deployment(3, "ACTIVE"),
          withToken(deployment(2, "INACTIVE")),
          withToken(deployment(4, "FAILED", "v2", undefined, OWN_ID)),
        ],
      });
    fake.aws.mocks.lightsail
      .on(GetContainerLogCommand)
      .resolves({ logEvents: [{ createdAt: new Date(0), message: `env TOKEN=${CONSOLE_SECRET}` }] });
    const result = await run(
      { "service-name": "demo", "rollback-to": "2", "wait-timeout": "10s", "poll-interval": "5s" },
      fake.deps,
    );
    await publishToActions(result, runner.toolkit, log.mask, SUMMARY_ENV);
    expect(result.status).toBe("failed");
    expect(runner.written.join("")).toContain(`::add-mask::${CONSOLE_SECRET}`);
    expect(visible(runner.written)).not.toContain(CONSOLE_SECRET);
    expect(runner.files["/summary"]).toContain("env TOKEN=***");
    expect(Object.values(runner.files).join("")).not.toContain(CONSOLE_SECRET);
  });

  test("container log lines in a terminal report are masked too", async () => {
    const out: string[] = [];
    const io = { out: (t: string) => out.push(t), err: (t: string) => out.push(t), debug: false };
    const log = terminalLogger(io);
    const fake = fakeDeps({ log });
    withSecretInHistory(fake);
    const result = await run({ "service-name": "demo", "rollback-to": "2", "dry-run": "true" }, fake.deps);
    publishToTerminal({ ...result, logs: [`app | TOKEN=${CONSOLE_SECRET}`] }, io, log.mask);
    expect(out.join("")).toContain("TOKEN=***");
    expect(out.join("")).not.toContain(CONSOLE_SECRET);
  });
});

describe("H3: every form of a secret is masked, in the terminal and on the runner", () => {
  const PEM = [
    "-----BEGIN PRIVATE KEY-----",
    "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7VJTUt9Us8cKj",
    "MzEfYyjiWA4R4/M2bS1GB4t7NXp98C3SC6dVMvDuictGeurT8jNbvJZHtCSuYEvu",
    "-----END PRIVATE KEY-----",
  ].join("\n");
  const PASSWORD = "hunter2-secret-pw";
  const b64 = (text: string) => Buffer.from(text).toString("base64");
  /** What an app logs: each line of the key alone, base64 forms, escapes. */
  const appLogs = [
    `key line ${PEM.split("\n")[1]}`,
    `key line ${PEM.split("\n")[2]}`,
    `auth ${b64(PASSWORD)}`,
    `basic ${b64(`user:${PASSWORD}`)}`,
    `basic ${b64(`us:${PASSWORD}`)}`,
    `basic ${b64(`u:${PASSWORD}`)}`,
    `json ${JSON.stringify({ key: PEM })}`,
    `url https://x/?p=${encodeURIComponent(`${PASSWORD}/+ &`)}`,
  ];
  const forms = [
    PEM.split("\n")[1] as string,
    PEM.split("\n")[2] as string,
    PASSWORD,
    b64(PASSWORD).slice(0, 20),
    b64(`user:${PASSWORD}`).slice(8, 24),
    JSON.stringify(PEM).slice(1, 40),
    encodeURIComponent(`${PASSWORD}/+ &`),
  ];

  async function deployPrinting(log: ReturnType<typeof terminalLogger>) {
    const fake = fakeDeps({ log });
    fake.aws.mocks.ssm.on(GetParametersByPathCommand).resolves({
      Parameters: [
        { Name: "/myapp/dev/TLS_KEY", Value: PEM, Type: "SecureString" },
        { Name: "/myapp/dev/PASSWORD", Value: `${PASSWORD}/+ &`, Type: "SecureString" },
        { Name: "/myapp/dev/PW", Value: PASSWORD, Type: "SecureString" },
      ],
    });
    deploysVersion4(fake.aws, "FAILED");
    fake.aws.mocks.lightsail.on(GetContainerLogCommand).resolves({
      logEvents: appLogs.map((message) => ({ createdAt: new Date(1_700_000_000_000), message })),
    });
    const result = await run(
      { "service-name": "demo", repository: "app", "ssm-path": "/myapp/dev/" },
      fake.deps,
    );
    return { result, fake };
  }

  test("terminal: no line of a PEM key, no base64 form (alone or in user:secret), no escape, in any byte", async () => {
    const out: string[] = [];
    const io = { out: (t: string) => out.push(t), err: (t: string) => out.push(t), debug: true };
    const log = terminalLogger(io);
    const { result } = await deployPrinting(log);
    expect(result.logs.length).toBeGreaterThan(0);
    publishToTerminal(result, io, log.mask);
    const text = out.join("");
    expect(text).toContain("key line ***");
    for (const form of forms) expect(text).not.toContain(form);
  });

  test("runner: every form is announced with add-mask, so the runner hides it too", async () => {
    const runner = fakeToolkit();
    const log = toolkitLogger(runner.toolkit);
    const { result } = await deployPrinting(log);
    await publishToActions(result, runner.toolkit, log.mask, SUMMARY_ENV);
    const shown = visible(runner.written) + Object.values(runner.files).join("");
    expect(shown).toContain("key line ***");
    for (const form of forms) expect(shown).not.toContain(form);
  });
});
