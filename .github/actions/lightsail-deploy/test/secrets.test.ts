import { describe, expect, test } from "vitest";
import { actionsLogger, publishToActions, type RunnerIO } from "../src/actions-runner.js";
import { CreateContainerServiceDeploymentCommand } from "../src/aws-sdk.js";
import { run } from "../src/run.js";
import { GetParametersByPathCommand } from "../src/ssm-sdk.js";
import { publishToTerminal, terminalLogger } from "../src/terminal.js";
import { deploysVersion4, ECR_PASSWORD, ECR_TOKEN, fakeDeps } from "./fakes.js";

const SSM_SECRET = "db-pass-5a1e77";

function capturedRunner() {
  const written: string[] = [];
  const files: Record<string, string> = {};
  const io: RunnerIO = {
    write: (text) => written.push(text),
    appendFile: async (path, text) => {
      files[path] = (files[path] ?? "") + text;
    },
    env: { GITHUB_OUTPUT: "/out", GITHUB_STEP_SUMMARY: "/summary" },
  };
  return { io, written, files };
}

/** Everything the runner would show, minus the add-mask commands that tell it what to hide. */
const visible = (written: string[]) =>
  written
    .join("")
    .split("\n")
    .filter((line) => !line.startsWith("::add-mask::"))
    .join("\n");

async function deployWithSecrets(dryRun: boolean) {
  const runner = capturedRunner();
  const fake = fakeDeps({ log: actionsLogger(runner.io) });
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
  await publishToActions(result, runner.io);
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
    });
    expect(written.join("")).toContain(`::add-mask::${SSM_SECRET}`);
    expect(visible(written)).not.toContain(SSM_SECRET);
    expect(Object.values(files).join("")).not.toContain(SSM_SECRET);
    expect(aws.mocks.ssm.commandCalls(GetParametersByPathCommand)[0]?.args[0].input).toMatchObject({
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
    const fake = fakeDeps({ log: terminalLogger(io) });
    fake.aws.mocks.ssm
      .on(GetParametersByPathCommand)
      .resolves({ Parameters: [{ Name: "/myapp/dev/DB_PASSWORD", Value: SSM_SECRET }] });
    const result = await run(
      { "service-name": "demo", repository: "app", "ssm-path": "/myapp/dev" },
      fake.deps,
    );
    fake.deps.log.info(`echo ${SSM_SECRET} and ${ECR_PASSWORD}`);
    publishToTerminal(result, io);
    const text = out.join("");
    expect(text).toContain("echo *** and ***");
    expect(text).not.toContain(SSM_SECRET);
    expect(text).not.toContain(ECR_PASSWORD);
  });
});
