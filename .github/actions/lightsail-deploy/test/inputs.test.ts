import { describe, expect, test } from "vitest";
import { parseInputs } from "../src/inputs/inputs.js";
import { rawInputs, rawInputsFromArgv } from "../src/inputs/sources.js";
import { parseDuration, SSM_PATH } from "../src/inputs/values.js";
import { DeployError } from "../src/platform/errors.js";

const base = { "service-name": "demo", repository: "app" };
const parse = (raw: Record<string, string>, env: Record<string, string> = {}) =>
  parseInputs({ ...base, ...raw }, env);

describe("valid inputs", () => {
  test("defaults", () => {
    const inputs = parse({});
    expect(inputs).toMatchObject({
      serviceName: "demo",
      region: "eu-west-1",
      repository: "app",
      source: { kind: "build", context: ".", dockerfile: "Dockerfile", buildArgs: {} },
      pollIntervalMs: 5_000,
      waitTimeoutMs: 20 * 60_000,
      probeCount: 20,
      maxErrorRate: 0.01,
      autoRollback: true,
      dryRun: false,
    });
  });

  test.each([
    [{ region: "" }, { AWS_REGION: "us-east-2" }, { region: "us-east-2" }],
    [{ region: "eu-central-1" }, { AWS_REGION: "us-east-2" }, { region: "eu-central-1" }],
    [{ "poll-interval": "1500ms" }, {}, { pollIntervalMs: 1500 }],
    [{ "poll-interval": "2s", "wait-timeout": "1h" }, {}, { pollIntervalMs: 2000, waitTimeoutMs: 3_600_000 }],
    [{ "wait-timeout": "90" }, {}, { waitTimeoutMs: 90_000 }],
    [{ "max-error-rate": "0.5%" }, {}, { maxErrorRate: 0.005 }],
    [{ "auto-rollback": "False", "dry-run": "TRUE" }, {}, { autoRollback: false, dryRun: true }],
    [{ environment: "A=1\n\n# comment\nB_2=x=y\n" }, {}, { environment: { A: "1", B_2: "x=y" } }],
    [
      { "build-args": "NODE_ENV=production" },
      {},
      { source: { kind: "build", buildArgs: { NODE_ENV: "production" } } },
    ],
    [{ image: "myapp:latest" }, {}, { source: { kind: "prebuilt", image: "myapp:latest" } }],
    [
      { image: "127.0.0.1:5000/team/app:v1" },
      {},
      { source: { kind: "prebuilt", image: "127.0.0.1:5000/team/app:v1" } },
    ],
    [
      { context: "./web", dockerfile: "web/Dockerfile.prod" },
      {},
      { source: { kind: "build", context: "./web", dockerfile: "web/Dockerfile.prod" } },
    ],
    [
      { "rollback-to": "previous", repository: "" },
      {},
      { source: { kind: "rollback", target: { kind: "previous" } } },
    ],
    [{ "rollback-to": "12" }, {}, { source: { kind: "rollback", target: { kind: "version", version: 12 } } }],
    [
      { "rollback-to": "abc1234" },
      {},
      { source: { kind: "rollback", target: { kind: "tag", tag: "abc1234" } } },
    ],
    [{ "success-codes": "200-299,304" }, {}, { healthCheck: { successCodes: "200-299,304" } }],
    [
      { "health-check-interval": "5", "health-check-timeout": "60" },
      {},
      { healthCheck: { intervalSeconds: 5, timeoutSeconds: 60 } },
    ],
    [
      { "container-port": "8080", "container-name": "web" },
      {},
      { containerPort: 8080, containerName: "web" },
    ],
    [{ repository: "team/app-x_y" }, {}, { repository: "team/app-x_y" }],
    [{ repository: "ab" }, {}, { repository: "ab" }],
    [{ repository: "a".repeat(256) }, {}, { repository: "a".repeat(256) }],
    [{ "ssm-path": "/myapp/dev/" }, {}, { ssmPath: "/myapp/dev/" }],
    [{}, { GITHUB_SHA: "ABCDEF0123456789" }, { gitSha: "ABCDEF0123456789" }],
  ])("%j with env %j", (raw, env, expected) => {
    expect(parse(raw, env)).toMatchObject(expected);
  });
});

describe("invalid inputs name the input and show the value", () => {
  test.each([
    ["service-name", "Demo_App"],
    ["service-name", "-demo"],
    ["service-name", "a".repeat(64)],
    ["container-name", "web-"],
    ["region", "eu-west-9"],
    ["repository", "App"],
    ["repository", "app//x"],
    ["repository", "a"],
    ["repository", `a/${"b".repeat(255)}`],
    ["tag", ".hidden"],
    ["tag", "has space"],
    ["container-port", "0"],
    ["container-port", "70000"],
    ["container-port", "80a"],
    ["health-check-interval", "4"],
    ["health-check-interval", "301"],
    ["health-check-timeout", "1"],
    ["health-check-timeout", "61"],
    ["healthy-threshold", "1"],
    ["unhealthy-threshold", "11"],
    ["success-codes", "199"],
    ["success-codes", "300-200"],
    ["success-codes", "500"],
    ["health-check-path", "health"],
    ["probe-path", "no-slash"],
    ["probe-path", "//evil.example/x"],
    ["probe-path", "/\\evil.example/x"],
    ["health-check-path", "//evil.example/health"],
    ["poll-interval", "5 minutes"],
    ["poll-interval", "100ms"],
    ["wait-timeout", "7h"],
    ["probe-count", "-1"],
    ["max-error-rate", "1"],
    ["max-error-rate", "150%"],
    ["auto-rollback", "maybe"],
    ["dry-run", "1"],
    ["rollback-to", "not a tag!"],
    ["rollback-to", "0"],
    ["rollback-to", "000"],
    ["ssm-path", "myapp/dev"],
    ["environment", "1BAD=x"],
    ["build-args", "BAD-NAME=1"],
    ["image", "--help"],
    ["image", "-q"],
    ["image", "My App:latest"],
    ["image", "app@sha256:short"],
    ["context", "--no-cache"],
    ["dockerfile", "-"],
    ["dockerfile", "--help"],
  ])("%s = %j", (name, value) => {
    const error = (() => {
      try {
        parse({ [name]: value });
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(DeployError);
    const message = (error as DeployError).message;
    expect(message).toMatch(/^lightsail-deploy failed: .*, at inputs; /);
    expect(message).toContain(`\`${name}\``);
    // KEY=VALUE errors show the line number only (the line may be a secret); others show the value.
    if (name === "environment" || name === "build-args") expect(message).toContain("line 1");
    else expect(message).toContain(JSON.stringify(value));
  });

  test("L3: a malformed environment line never echoes its text, not even before `=`; it names the line", () => {
    const message = errorOf({ environment: "A=1\nPASSWORD:hunter2-long-secret=x" });
    expect(message).toContain("`environment` line 2: the text before `=` is not a variable name");
    expect(message).not.toContain("hunter2");
    expect(message).not.toContain("PASSWORD");
  });

  test("L2: the ssm-path pattern has no quantified group, so a long bad segment is refused in linear time", () => {
    expect(SSM_PATH.source).not.toMatch(/\)[*+?{]/);
    expect(errorOf({ "ssm-path": `/myapp/${"a".repeat(50_000)}!/` })).toContain("`ssm-path`");
    expect(errorOf({ "ssm-path": "/myapp//dev/" })).toContain("empty segment");
    expect(parse({ "ssm-path": "/myapp/dev" })).toMatchObject({ ssmPath: "/myapp/dev" });
  });

  const SECRET = "s3cret-Value";
  const errorOf = (raw: Record<string, string>) => {
    try {
      parse(raw);
    } catch (error) {
      return (error as DeployError).message;
    }
    throw new Error("parse did not fail");
  };

  test.each([
    [
      {
        "rollback-to": "previous",
        environment: `API_KEY=${SECRET}\n# note\nDB_URL=postgres://u:${SECRET}@h`,
      },
      '`rollback-to` ("previous") conflicts with `environment` (keys API_KEY, DB_URL)',
    ],
    [
      { image: "x:1", "build-args": `NPM_TOKEN=${SECRET}` },
      '`image` ("x:1") conflicts with `build-args` (keys NPM_TOKEN)',
    ],
    [{ "rollback-to": "previous", "build-args": SECRET }, "conflicts with `build-args` (keys ?)"],
    [{ enviroment: `API_KEY=${SECRET}` }, "unknown input `enviroment`"],
    [{ environment: `A=1\n${SECRET}` }, "`environment` line 2 is not a KEY=VALUE line"],
  ])("%j: the error shows keys, never values", (raw, expected) => {
    const message = errorOf(raw);
    expect(message).toContain(expected);
    expect(message).not.toContain(SECRET);
  });

  test.each([
    [{ "service-name": "" }, "`service-name` is required"],
    [{ repository: "" }, "`repository` is required"],
    [{ "rollback-to": "previous", image: "x:1" }, "`rollback-to`"],
    [{ "rollback-to": "previous", environment: "A=1" }, "`environment`"],
    [{ "rollback-to": "7", tag: "abc" }, "`tag`"],
    [{ image: "x:1", "build-args": "A=1" }, "`build-args`"],
    [{ image: "x:1", dockerfile: "other.Dockerfile" }, "`dockerfile`"],
    [{ "no-such-input": "1" }, "unknown input `no-such-input`"],
    [{ "rollback-to": "0", repository: "" }, "(versions start at 1), at inputs"],
  ])("conflicts and missing inputs: %j", (raw, expected) => {
    expect(() => parse(raw)).toThrow(expected);
  });

  test("the default context and dockerfile do not count as a conflict (GitHub always passes defaults)", () => {
    expect(parse({ image: "x:1", context: ".", dockerfile: "Dockerfile" }).source).toEqual({
      kind: "prebuilt",
      image: "x:1",
    });
  });
});

describe("reading raw inputs", () => {
  test("every input is asked for by its action.yml name; empty means unset", () => {
    const given: Record<string, string> = { "service-name": "demo", repository: "app", tag: "", OTHER: "x" };
    expect(rawInputs((name) => given[name] ?? "")).toEqual({
      "service-name": "demo",
      repository: "app",
    });
  });

  test("flags: spaced, =, bare booleans and repeated line lists", () => {
    expect(
      rawInputsFromArgv([
        "--service-name",
        "demo",
        "--tag=abc",
        "--dry-run",
        "--environment",
        "A=1",
        "--environment",
        "B=2",
      ]),
    ).toEqual({ "service-name": "demo", tag: "abc", "dry-run": "true", environment: "A=1\nB=2" });
  });

  test.each([
    [["--service-name"], "`--service-name` needs a value"],
    [["--service-name", "--dry-run"], "`--service-name` needs a value"],
    [["--dry-run", "--tag"], "`--tag` needs a value"],
    [["--repository", "app", "--environment"], "`--environment` needs a value"],
  ])("a flag that needs a value has none: %j", (argv, message) => {
    expect(() => rawInputsFromArgv(argv)).toThrow(message);
  });

  test("only boolean inputs may be bare flags", () => {
    expect(rawInputsFromArgv(["--auto-rollback", "--dry-run"])).toEqual({
      "auto-rollback": "true",
      "dry-run": "true",
    });
    expect(rawInputsFromArgv(["--auto-rollback", "false", "--tag=x"])).toEqual({
      "auto-rollback": "false",
      tag: "x",
    });
  });

  test.each([
    [["demo"], 'unexpected argument "demo"'],
    [["--service-name", "demo", "-x"], 'unexpected argument "-x"'],
    [["--service-name", "demo", "--", "--tag", "v1"], 'unexpected argument "--"'],
    [["--=demo"], 'unexpected argument "--=demo"'],
  ])("an argument that is not --name value is refused: %j", (argv, message) => {
    expect(() => rawInputsFromArgv(argv)).toThrow(message);
  });

  test("a value may start with a single dash; a flag's value never starts with --", () => {
    expect(rawInputsFromArgv(["--tag", "-x", "--service-name=--y"])).toEqual({
      tag: "-x",
      "service-name": "--y",
    });
  });

  test("an unknown flag is named by parseInputs", () => {
    expect(() => parse(rawInputsFromArgv(["--servce-name", "demo"]))).toThrow("unknown input `servce-name`");
  });

  test.each([
    ["5s", 5000],
    ["20m", 1_200_000],
    ["1.5h", 5_400_000],
    ["250ms", 250],
    ["7", 7000],
    ["x", undefined],
  ])("duration %s", (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });
});
