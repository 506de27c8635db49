import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ghCommands, githubVariables, parseArgs } from "../scripts/github-variables.js";
import { runStack } from "./harness.js";

const SCRIPT = fileURLToPath(new URL("../scripts/github-variables.ts", import.meta.url));
const outputs = {
  region: "eu-west-1",
  deployRoleArn: "arn:aws:iam::123456789012:role/vidos-dev-deploy-role-1a2b3c",
  serviceName: "vidos-dev",
  repositoryName: "vidos-dev",
  repositoryUrl: "123456789012.dkr.ecr.eu-west-1.amazonaws.com/vidos-dev",
  ssmPath: "/vidos/dev/",
  serviceUrl: "https://vidos-dev.x1y2z3.eu-west-1.cs.amazonlightsail.com/",
};

describe("github-variables", () => {
  it("maps stack outputs to the deploy workflow's variable names", () => {
    expect(githubVariables(outputs)).toEqual([
      { name: "AWS_REGION", value: "eu-west-1" },
      { name: "AWS_DEPLOY_ROLE_ARN", value: outputs.deployRoleArn },
      { name: "LIGHTSAIL_SERVICE_NAME", value: "vidos-dev" },
      { name: "ECR_REPOSITORY", value: "vidos-dev" },
      { name: "SSM_PATH", value: "/vidos/dev/" },
      { name: "SERVICE_URL", value: outputs.serviceUrl },
    ]);
  });

  it("names the missing output", () => {
    const { ssmPath: _dropped, ...incomplete } = outputs;
    expect(() => githubVariables(incomplete)).toThrow(
      "stack output `ssmPath` (for SSM_PATH) is missing or not a string",
    );
    expect(() => githubVariables([])).toThrow("stack outputs must be a JSON object; got []");
  });

  it("prints one gh command per variable, quoting anything a shell would touch", () => {
    expect(ghCommands([{ name: "SSM_PATH", value: "/vidos/dev/" }], "dev")).toEqual([
      "gh variable set SSM_PATH --env dev --body /vidos/dev/",
    ]);
    expect(ghCommands([{ name: "X", value: "a b'$(c)" }], "prod")).toEqual([
      `gh variable set X --env prod --body 'a b'\\''$(c)'`,
    ]);
  });

  it.each([
    [["--stack", "dev"], { stack: "dev", file: undefined }],
    [["--stack=prod", "out.json"], { stack: "prod", file: "out.json" }],
    [["-", "--stack", "dev"], { stack: "dev", file: "-" }],
  ])("parses %j", (argv, expected) => {
    expect(parseArgs(argv)).toEqual(expected);
  });

  it.each([
    [[], /`--stack` must name the stack/],
    [["--stack", "a b"], /got "a b"/],
    [["--stack", "dev", "--bogus"], /unexpected argument "--bogus"/],
  ])("rejects %j", (argv, message) => {
    expect(() => parseArgs(argv)).toThrow(message);
  });

  describe("run as a command", () => {
    let dir: string;
    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), "gh-vars-"));
    });
    afterAll(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    it("turns the mocked program's real outputs into the six gh commands", async () => {
      const run = await runStack("prod");
      const file = join(dir, "prod.json");
      await writeFile(file, JSON.stringify(run.outputs));
      const { stdout } = await promisify(execFile)(process.execPath, [
        "--import",
        "tsx",
        SCRIPT,
        "--stack",
        "prod",
        file,
      ]);
      const lines = stdout.trim().split("\n");
      expect(lines).toHaveLength(6);
      expect(lines).toContain("gh variable set AWS_REGION --env prod --body eu-west-1");
      expect(lines).toContain("gh variable set SSM_PATH --env prod --body /vidos/prod/");
      expect(lines).toContain(
        `gh variable set AWS_DEPLOY_ROLE_ARN --env prod --body ${run.outputs.deployRoleArn}`,
      );
      expect(lines).toContain("gh variable set LIGHTSAIL_SERVICE_NAME --env prod --body vidos-prod");
    });

    it("exits non-zero with a message naming the missing output", async () => {
      const file = join(dir, "broken.json");
      await writeFile(file, JSON.stringify({ region: "eu-west-1" }));
      const result = await promisify(execFile)(process.execPath, [
        "--import",
        "tsx",
        SCRIPT,
        "--stack",
        "dev",
        file,
      ]).then(
        () => undefined,
        (error: { code: number; stderr: string }) => error,
      );
      expect(result?.code).toBe(1);
      expect(result?.stderr).toContain("github-variables failed: stack output `deployRoleArn`");
    });
  });
});
