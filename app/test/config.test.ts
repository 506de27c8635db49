import { describe, expect, test } from "bun:test";
import { ConfigError, parseConfig } from "../src/config.js";

const base = { AUTHORIZER_URL: "https://authorizer.example.com/authorize" };

function problemsFor(env: Record<string, string | undefined>): string[] {
  try {
    parseConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error("expected a ConfigError");
}

describe("parseConfig", () => {
  test("applies defaults when only AUTHORIZER_URL is set", () => {
    const config = parseConfig(base);
    expect(config.authorizerUrl.href).toBe("https://authorizer.example.com/authorize");
    expect(config.apiKey).toBeUndefined();
    expect(config.port).toBe(3000);
    expect(config.host).toBe("0.0.0.0");
    expect(config.version).toBe("unknown");
    expect(config.authorizerTimeoutMs).toBe(5000);
    expect(config.maxBodyBytes).toBe(64 * 1024);
    expect(config.shutdownTimeoutMs).toBeLessThan(10_000);
  });

  test("reads every variable", () => {
    const config = parseConfig({
      ...base,
      API_KEY: "k-123",
      PORT: "8080",
      HOST: "127.0.0.1",
      APP_VERSION: "abc1234",
      AUTHORIZER_TIMEOUT_MS: "250",
      SHUTDOWN_TIMEOUT_MS: "3000",
    });
    expect(config).toMatchObject({
      apiKey: "k-123",
      port: 8080,
      host: "127.0.0.1",
      version: "abc1234",
      authorizerTimeoutMs: 250,
      shutdownTimeoutMs: 3000,
    });
  });

  test.each([
    ["http://127.0.0.1:8080/authorize"],
    ["http://localhost/authorize"],
    ["http://[::1]:9000/"],
    ["https://10.1.2.3/authorize"],
  ])("accepts AUTHORIZER_URL %s", (url) => {
    expect(parseConfig({ AUTHORIZER_URL: url }).authorizerUrl.href).toBe(new URL(url).href);
  });

  test.each([
    [{}, "`AUTHORIZER_URL` is required"],
    [{ AUTHORIZER_URL: "  " }, "`AUTHORIZER_URL` is required"],
    [{ AUTHORIZER_URL: "not a url" }, '`AUTHORIZER_URL` is not a URL: "not a url"'],
    [{ AUTHORIZER_URL: "http://authorizer.example.com" }, '"http://authorizer.example.com"'],
    [{ AUTHORIZER_URL: "http://10.0.0.5/authorize" }, "http is allowed only for loopback hosts"],
    [{ AUTHORIZER_URL: "ftp://authorizer.example.com" }, '`AUTHORIZER_URL` must be an https URL: "ftp://'],
    [{ ...base, PORT: "abc" }, '`PORT` must be a whole number from 0 to 65535: "abc"'],
    [{ ...base, PORT: "65536" }, '`PORT` must be from 0 to 65535: "65536"'],
    [{ ...base, PORT: "-1" }, '`PORT` must be a whole number from 0 to 65535: "-1"'],
    [{ ...base, PORT: "80.5" }, '"80.5"'],
    [{ ...base, AUTHORIZER_TIMEOUT_MS: "0" }, '`AUTHORIZER_TIMEOUT_MS` must be from 1 to 60000: "0"'],
    [{ ...base, SHUTDOWN_TIMEOUT_MS: "20000" }, '`SHUTDOWN_TIMEOUT_MS` must be from 0 to 9500: "20000"'],
  ])("rejects %p with a message naming the variable and value", (env, expected) => {
    const problems = problemsFor(env);
    expect(problems.join("\n")).toContain(expected);
  });

  test("reports every bad variable at once", () => {
    const problems = problemsFor({ AUTHORIZER_URL: "ftp://x", PORT: "99999", AUTHORIZER_TIMEOUT_MS: "soon" });
    expect(problems).toHaveLength(3);
  });

  test.each([
    [" secret-with-space", "leading or trailing whitespace"],
    ["line\nbreak-secret", "line break"],
  ])("rejects a malformed API_KEY without showing it", (apiKey, expected) => {
    const error = (() => {
      try {
        parseConfig({ ...base, API_KEY: apiKey });
      } catch (caught) {
        return caught as Error;
      }
      throw new Error("expected a ConfigError");
    })();
    expect(error.message).toContain(expected);
    expect(error.message).not.toContain("secret");
  });

  test("rejects credentials in AUTHORIZER_URL without echoing them", () => {
    const problems = problemsFor({ AUTHORIZER_URL: "https://user:hunter2@authorizer.example.com/" });
    expect(problems.join("\n")).toContain("must not contain credentials");
    expect(problems.join("\n")).not.toContain("hunter2");
  });
});
