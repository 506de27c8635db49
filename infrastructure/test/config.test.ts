import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { ConfigError, parseStackConfig } from "../src/config.js";
import { outputValue } from "./harness.js";

const SECRET_URL = "https://authorizer.example.test/verify?key=top-secret-123";

const validConfig: Record<string, string> = {
  "vidos:owner": "platform-team",
  "vidos:githubRepository": "example-org/lightsail-deploy-pipeline",
  "vidos:createOidcProvider": "true",
  "vidos:authorizerUrl": SECRET_URL,
};

function parse(overrides: Record<string, string | undefined> = {}, stack = "dev") {
  const values: Record<string, string | undefined> = { ...validConfig, ...overrides };
  return parseStackConfig({ project: "vidos", stack, read: (key) => values[key] });
}

describe("parseStackConfig", () => {
  it("fills defaults: eu-west-1, micro × 1, names from project and stack, per-stack SSM path", () => {
    const config = parse({}, "prod");
    expect(config).toMatchObject({
      region: "eu-west-1",
      servicePower: "micro",
      serviceScale: 1,
      monthlyBudgetUsd: 60,
      serviceName: "vidos-prod",
      repositoryName: "vidos-prod",
      ssmPath: "/vidos/prod/",
      forceDelete: false,
      createOidcProvider: true,
    });
    expect(config.apiKey).toBeUndefined();
  });

  it("reads explicit values", () => {
    const config = parse({
      "aws:region": "us-east-2",
      "vidos:servicePower": "small",
      "vidos:serviceScale": "2",
      "vidos:monthlyBudgetUsd": "42.50",
      "vidos:serviceName": "my-svc",
      "vidos:repositoryName": "team/app",
      "vidos:forceDelete": "true",
      "vidos:createOidcProvider": "false",
    });
    expect(config).toMatchObject({
      region: "us-east-2",
      servicePower: "small",
      serviceScale: 2,
      monthlyBudgetUsd: 42.5,
      serviceName: "my-svc",
      repositoryName: "team/app",
      forceDelete: true,
      createOidcProvider: false,
    });
  });

  it("keeps both app secrets as secret Outputs with their values", async () => {
    const config = parse({ "vidos:apiKey": "k-123" });
    expect(await pulumi.isSecret(config.authorizerUrl)).toBe(true);
    expect(await outputValue(config.authorizerUrl)).toBe(SECRET_URL);
    if (config.apiKey === undefined) throw new Error("apiKey should be set");
    expect(await pulumi.isSecret(config.apiKey)).toBe(true);
    expect(await outputValue(config.apiKey)).toBe("k-123");
  });

  it.each([
    ["vidos:owner", undefined, /Missing required configuration `vidos:owner`/],
    ["vidos:githubRepository", undefined, /Missing required configuration `vidos:githubRepository`/],
    [
      "vidos:githubRepository",
      "just-a-repo",
      /`vidos:githubRepository` must be OWNER\/REPO; got "just-a-repo"/,
    ],
    ["vidos:createOidcProvider", undefined, /Missing required configuration `vidos:createOidcProvider`/],
    ["vidos:createOidcProvider", "yes", /`vidos:createOidcProvider` must be true or false; got "yes"/],
    ["vidos:forceDelete", "1", /`vidos:forceDelete` must be true or false; got "1"/],
    [
      "vidos:servicePower",
      "huge",
      /`vidos:servicePower` must be one of nano, micro, small, medium, large, xlarge; got "huge"/,
    ],
    ["vidos:serviceScale", "0", /`vidos:serviceScale` must be a whole number from 1 to 20; got "0"/],
    ["vidos:serviceScale", "1.5", /`vidos:serviceScale` must be a whole number from 1 to 20; got "1.5"/],
    [
      "vidos:monthlyBudgetUsd",
      "0",
      /`vidos:monthlyBudgetUsd` must be an amount of US dollars above 0.*; got "0"/,
    ],
    ["vidos:monthlyBudgetUsd", "$60", /`vidos:monthlyBudgetUsd` must be an amount .*; got "\$60"/],
    ["vidos:monthlyBudgetUsd", "1e3", /`vidos:monthlyBudgetUsd` must be an amount .*; got "1e3"/],
    ["vidos:paused", "yes", /`vidos:paused` must be true or false; got "yes"/],
    ["vidos:serviceName", "Bad_Name", /`vidos:serviceName` must be .*; got "Bad_Name"/],
    ["vidos:serviceName", "-edge", /`vidos:serviceName` must be .*; got "-edge"/],
    ["vidos:repositoryName", "UPPER", /`vidos:repositoryName` must be .*; got "UPPER"/],
    ["aws:region", "europe", /`aws:region` must be an AWS region such as eu-west-1; got "europe"/],
    ["vidos:authorizerUrl", undefined, /Missing required secret `vidos:authorizerUrl`.*--secret/],
  ])("rejects %s = %s, naming the key and the value", (key, value, message) => {
    expect(() => parse({ [key]: value })).toThrow(ConfigError);
    expect(() => parse({ [key]: value })).toThrow(message);
  });

  it.each([
    ["not a url at all top-secret-456", /`vidos:authorizerUrl` must be an absolute https URL/],
    ["http://authorizer.example.test/top-secret-456", /`vidos:authorizerUrl` must use https.*"http:"/],
  ])("rejects a bad authorizer URL without echoing the secret", (value, message) => {
    let error: unknown;
    try {
      parse({ "vidos:authorizerUrl": value });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect(String(error)).toMatch(message);
    expect(String(error)).not.toContain("top-secret-456");
  });
});
