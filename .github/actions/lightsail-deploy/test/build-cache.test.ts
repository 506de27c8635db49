import { describe, expect, test } from "vitest";
import { buildCommand, chooseCacheBuilder } from "../src/image/build-cache.js";
import { publishImage } from "../src/image/image.js";
import { parseInputs } from "../src/inputs/inputs.js";
import type { ExecResult } from "../src/platform/deps.js";
import { type ExecCall, fakeDeps } from "./fakes.js";

const REPO = "127.0.0.1:5000/app";
const ok = (stdout = ""): ExecResult => ({ exitCode: 0, stdout, stderr: "" });
const missing: ExecResult = { exitCode: 1, stdout: "", stderr: "docker: 'buildx' is not a docker command." };

/** A docker client: its version, whether buildx is installed, and the engine's networks. */
function dockerClient(version: string, buildx: boolean, networks = "bridge\nhost\nnone\n") {
  return (call: ExecCall): ExecResult => {
    if (call.command !== "docker") return ok();
    if (call.args[0] === "buildx" && call.args[1] === "version") return buildx ? ok("v0.17.1") : missing;
    if (call.args[0] === "version") return ok(`${version}\n`);
    if (call.args[0] === "network") return ok(networks.includes("bridge") ? "bridge\n" : "");
    if (call.args[0] === "image" && call.args[1] === "inspect") return ok("linux/amd64\n");
    return ok();
  };
}

describe("chooseCacheBuilder: what the docker client can do, found out", () => {
  test.each([
    ["buildx installed", "28.2.2", true, { kind: "buildx", ref: `${REPO}:buildcache`, network: undefined }],
    [
      "a 20.10 client (BuildKit built in)",
      "20.10.24+dfsg1",
      false,
      { kind: "inline", ref: `${REPO}:buildcache`, network: undefined },
    ],
    [
      "a 28 client without buildx",
      "28.2.2",
      false,
      {
        kind: "off",
        why: "no BuildKit: this docker client (28.2.2) needs the buildx plugin, which is not installed",
      },
    ],
  ])("%s", async (_, version, buildx, expected) => {
    const { deps } = fakeDeps({ execResult: dockerClient(version, buildx) });
    expect(await chooseCacheBuilder({ kind: "on", ref: undefined }, REPO, deps)).toEqual(expected);
  });

  test("an engine without a bridge network gives RUN steps the host network", async () => {
    const { deps } = fakeDeps({ execResult: dockerClient("20.10.24", false, "host\nnone\n") });
    expect(await chooseCacheBuilder({ kind: "on", ref: "r.example/x:cache" }, REPO, deps)).toEqual({
      kind: "inline",
      ref: "r.example/x:cache",
      network: "host",
    });
  });

  test("`build-cache: off` asks docker nothing", async () => {
    const { deps, execCalls } = fakeDeps();
    expect(await chooseCacheBuilder({ kind: "off" }, REPO, deps)).toEqual({
      kind: "off",
      why: "`build-cache` is off",
    });
    expect(execCalls).toEqual([]);
  });
});

describe("buildCommand", () => {
  const options = ["--file", "Dockerfile", "--tag", `${REPO}:abc`];
  test("inline: BuildKit on, the cache read from the registry, the context after --", () => {
    expect(
      buildCommand({ kind: "inline", ref: `${REPO}:buildcache`, network: "host" }, options, "."),
    ).toEqual({
      args: [
        "build",
        "--build-arg",
        "BUILDKIT_INLINE_CACHE=1",
        "--cache-from",
        `${REPO}:buildcache`,
        "--network",
        "host",
        ...options,
        "--",
        ".",
      ],
      env: { DOCKER_BUILDKIT: "1" },
    });
  });
  test("buildx: the registry cache read, an inline cache written (the default driver can), loaded locally", () => {
    const { args } = buildCommand(
      { kind: "buildx", ref: `${REPO}:buildcache`, network: undefined },
      options,
      ".",
    );
    expect(args.slice(0, 7)).toEqual([
      "buildx",
      "build",
      "--load",
      "--cache-from",
      `type=registry,ref=${REPO}:buildcache`,
      "--cache-to",
      "type=inline",
    ]);
  });
});

describe("publishImage with the cache", () => {
  const source = { kind: "build", context: ".", dockerfile: "Dockerfile", buildArgs: {} } as const;
  const target = { repositoryUri: REPO, tag: "abc1234", exists: false };
  const steps = (calls: ExecCall[]) =>
    calls
      .filter((c) => !["version", "network"].includes(c.args[0] ?? "") && c.args[1] !== "version")
      .map((c) => c.args.slice(0, 2).join(" "));

  test("inline: logs in first, builds with the login and BuildKit, pushes the image and then the cache", async () => {
    const { deps, aws, execCalls, log } = fakeDeps({ execResult: dockerClient("20.10.24", false) });
    await publishImage(source, target, aws.clients, deps, { kind: "on", ref: undefined });
    expect(steps(execCalls)).toEqual([
      "login --username",
      "build --build-arg",
      "image inspect",
      `push ${REPO}:abc1234`,
      `tag --`,
      `push ${REPO}:buildcache`,
      "logout 127.0.0.1:5000",
    ]);
    const build = execCalls.find((c) => c.args[0] === "build");
    expect(build?.options?.env).toEqual({
      DOCKER_BUILDKIT: "1",
      DOCKER_CONFIG: "/tmp/lightsail-deploy-docker-fake",
    });
    expect(log.lines.join("\n")).toContain(`Build cache: ${REPO}:buildcache (BuildKit inline cache`);
  });

  test("without BuildKit it builds as before, and the log says the cache is off", async () => {
    const { deps, aws, execCalls, log } = fakeDeps({ execResult: dockerClient("28.2.2", false) });
    await publishImage(source, target, aws.clients, deps, { kind: "on", ref: undefined });
    expect(steps(execCalls)).toEqual([
      "build --file",
      "image inspect",
      "login --username",
      `push ${REPO}:abc1234`,
      "logout 127.0.0.1:5000",
    ]);
    expect(execCalls.find((c) => c.args[0] === "build")?.options?.env).toBeUndefined();
    expect(log.lines.join("\n")).toContain(
      "Build cache: off (no BuildKit: this docker client (28.2.2) needs the buildx plugin",
    );
  });

  test("a cached build that fails is built again without the cache, and the deploy goes on", async () => {
    const client = dockerClient("20.10.24", false);
    const { deps, aws, execCalls, log } = fakeDeps({
      execResult: (call) =>
        call.args[0] === "build" && call.args.includes("--cache-from")
          ? { exitCode: 1, stdout: "", stderr: "failed to solve: pull access denied for private/base" }
          : client(call),
    });
    const image = await publishImage(source, target, aws.clients, deps, { kind: "on", ref: undefined });
    expect(image.pushed).toBe(true);
    expect(steps(execCalls)).toContain("build --file");
    expect(log.lines.join("\n")).toContain(
      "The build with the cache failed (failed to solve: pull access denied for private/base); building again without the cache",
    );
  });
});

describe("`build-cache`", () => {
  const base = { "service-name": "demo", repository: "app" };
  test.each([
    [undefined, { kind: "on", ref: undefined }],
    ["off", { kind: "off" }],
    [
      "123.dkr.ecr.eu-west-1.amazonaws.com/app:cache",
      { kind: "on", ref: "123.dkr.ecr.eu-west-1.amazonaws.com/app:cache" },
    ],
  ])("%s", (value, expected) => {
    expect(parseInputs({ ...base, "build-cache": value }, {}).buildCache).toEqual(expected);
  });
  test.each(["app", "-x:1", "maybe later"])("%s is refused, naming the input", (value) => {
    expect(() => parseInputs({ ...base, "build-cache": value }, {})).toThrow("`build-cache` is");
  });
});
