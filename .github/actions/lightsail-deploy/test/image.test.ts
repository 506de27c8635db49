import { describe, expect, test } from "vitest";
import { decodeAuthorizationToken, publishImage, registryHost } from "../src/image/image.js";
import { checkImagePlatform, parseImagePlatform } from "../src/image/image-platform.js";
import { resolveTag, timestampTag } from "../src/image/image-tag.js";
import { imageTagOf, parseImageReference } from "../src/inputs/image-reference.js";
import { imageLabels } from "../src/platform/run-context.js";
import { fakeDeps, RUN_CONTEXT } from "./fakes.js";

test.each([
  ["https://123456789012.dkr.ecr.eu-west-1.amazonaws.com", "123456789012.dkr.ecr.eu-west-1.amazonaws.com"],
  ["http://127.0.0.1:5000", "127.0.0.1:5000"],
  ["http://127.0.0.1:5000/", "127.0.0.1:5000"],
])("docker logs in to %s as %s", (proxyEndpoint, host) => {
  expect(registryHost(proxyEndpoint)).toBe(host);
});

test("the ECR token decodes to user and password; a password may contain colons", () => {
  expect(decodeAuthorizationToken(Buffer.from("AWS:pa:ss").toString("base64"))).toEqual({
    username: "AWS",
    password: "pa:ss",
  });
  expect(() => decodeAuthorizationToken(Buffer.from("nocolon").toString("base64"))).toThrow(/at image/);
});

const DIGEST = `sha256:${"ab".repeat(32)}`;
const ECR = "123456789012.dkr.ecr.eu-west-1.amazonaws.com";

test.each([
  ["127.0.0.1:5000/app:abc1234", { registry: "127.0.0.1:5000", repository: "app", tag: "abc1234" }],
  ["127.0.0.1:5000/app", { registry: "127.0.0.1:5000", repository: "app" }],
  [`${ECR}/team/app:v1`, { registry: ECR, repository: "team/app", tag: "v1" }],
  [`${ECR}/team/app@${DIGEST}`, { registry: ECR, repository: "team/app", digest: DIGEST }],
  [`${ECR}/app:v1@${DIGEST}`, { registry: ECR, repository: "app", tag: "v1", digest: DIGEST }],
  ["localhost/app:1", { registry: "localhost", repository: "app", tag: "1" }],
  ["localhost:5000/a/b/c", { registry: "localhost:5000", repository: "a/b/c" }],
  ["[::1]:5000/app:x", { registry: "[::1]:5000", repository: "app", tag: "x" }],
  ["nginx:latest", { repository: "nginx", tag: "latest" }],
  ["nginx", { repository: "nginx" }],
  ["team/app:v1", { repository: "team/app", tag: "v1" }],
  ["my-team/app__x.y", { repository: "my-team/app__x.y" }],
  ["Registry/app", { registry: "Registry", repository: "app" }],
  ["myapp:V1.0_rc-1", { repository: "myapp", tag: "V1.0_rc-1" }],
])("%s parses as %j", (ref, expected) => {
  expect(parseImageReference(ref)).toEqual(expected);
});

test.each([
  ["--help"],
  ["-app"],
  [""],
  ["MyApp:latest"],
  ["app:"],
  ["app:-x"],
  ["app:.x"],
  [`app:${"t".repeat(129)}`],
  ["app@sha256:abc"],
  [`app@sha256:${"ab".repeat(33)}`],
  ["app@:ffff"],
  ["127.0.0.1:5000/"],
  ["127.0.0.1:5000/App"],
  ["-registry.io/app"],
  ["app//x"],
  ["app x"],
  ["app:1:2"],
  [`${"a".repeat(256)}`],
])("%j is not an image reference", (ref) => {
  expect(parseImageReference(ref)).toBeUndefined();
});

test.each([
  ["127.0.0.1:5000/app:abc1234", "abc1234"],
  [`${ECR}/app@${DIGEST}`, undefined],
  [`${ECR}/app:v1@${DIGEST}`, "v1"],
  ["127.0.0.1:5000/app", undefined],
  ["not a reference", undefined],
])("imageTagOf(%s) = %s", (ref, tag) => {
  expect(imageTagOf(ref)).toBe(tag);
});

test("tag: explicit, else GITHUB_SHA, else git, else a UTC timestamp", async () => {
  const noGit = async () => ({ exitCode: 128, stdout: "", stderr: "not a git repository" });
  const git = async (_: string, args: string[]) => ({
    exitCode: 0,
    stdout: args[0] === "rev-parse" ? "9fceb02\n" : "",
    stderr: "",
  });
  const now = Date.UTC(2026, 10, 21, 23, 5, 9);
  expect(await resolveTag("v1.2", "abcdef0123", noGit, now)).toEqual({ tag: "v1.2", from: "input" });
  expect(await resolveTag(undefined, "ABCDEF0123", noGit, now)).toEqual({ tag: "abcdef0", from: "commit" });
  expect(await resolveTag(undefined, undefined, git, now)).toEqual({ tag: "9fceb02", from: "commit" });
  expect(await resolveTag(undefined, undefined, noGit, now)).toEqual({
    tag: "20261121-230509",
    from: "time",
  });
  expect(timestampTag(now)).toMatch(/^[A-Za-z0-9_][A-Za-z0-9_.-]*$/);
});

describe("a tree with uncommitted changes never reuses the commit's tag", () => {
  const now = Date.UTC(2026, 10, 21, 23, 5, 9);
  const calls: string[][] = [];
  const dirty = (status: string) => async (_: string, args: string[]) => {
    calls.push(args);
    return { exitCode: 0, stdout: args[0] === "rev-parse" ? "9fceb02\n" : status, stderr: "" };
  };

  test.each([
    ["GITHUB_SHA, an edited file", "ABCDEF0123", " M src/app.ts\n", "abcdef0-dirty-20261121-230509"],
    ["git rev-parse, an untracked file", undefined, "?? src/new.ts\n", "9fceb02-dirty-20261121-230509"],
  ])("%s", async (_, sha, status, tag) => {
    const resolved = await resolveTag(undefined, sha, dirty(status), now);
    expect(resolved).toEqual({ tag, from: "dirty" });
    expect(resolved.tag).toMatch(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/);
    expect(calls.at(-1)).toEqual(["status", "--porcelain"]);
  });

  test("an explicit tag is kept, and git is not asked", async () => {
    calls.length = 0;
    expect(await resolveTag("v1.2", undefined, dirty(" M x\n"), now)).toEqual({ tag: "v1.2", from: "input" });
    expect(calls).toEqual([]);
  });
});

describe("publishImage: what reaches docker", () => {
  const target = { repositoryUri: "127.0.0.1:5000/app", tag: "abc1234", exists: false };
  const uri = "127.0.0.1:5000/app:abc1234";

  test.each([
    [
      { kind: "build", context: "./web", dockerfile: "web/Dockerfile", buildArgs: { A: "1" } } as const,
      [
        "build",
        "--file",
        "web/Dockerfile",
        "--tag",
        uri,
        "--build-arg",
        "A=1",
        "--label",
        `org.opencontainers.image.revision=${RUN_CONTEXT.sha}`,
        "--label",
        "org.opencontainers.image.source=https://github.com/acme/shop",
        "--label",
        `com.github.actions.run-url=${RUN_CONTEXT.runUrl}`,
        "--",
        "./web",
      ],
    ],
    [{ kind: "prebuilt", image: "local/app:dev" } as const, ["tag", "--", "local/app:dev", uri]],
  ])("%j: paths and images come after --, so none is read as an option", async (source, args) => {
    const { deps, aws, execCalls } = fakeDeps();
    await publishImage(source, target, aws.clients, deps);
    expect(execCalls[0]?.args).toEqual(args);
  });
});

describe("image labels: where the image comes from", () => {
  test.each([
    ["outside GitHub: none", {}, []],
    [
      "a commit without a repository: the revision only",
      { sha: "abc" },
      ["--label", "org.opencontainers.image.revision=abc"],
    ],
    [
      "a value that looks like an option stays the value of its key",
      { sha: "--privileged", runUrl: "-x" },
      [
        "--label",
        "org.opencontainers.image.revision=--privileged",
        "--label",
        "com.github.actions.run-url=-x",
      ],
    ],
  ])("%s", (_, context, args) => {
    expect(imageLabels(context)).toEqual(args);
  });
});

test.each([
  ["linux/amd64\n", "linux/amd64"],
  ["linux/arm64", "linux/arm64"],
  ["windows/amd64", "windows/amd64"],
  ["", undefined],
  ["sha256:abc", undefined],
  ["<no value>/<no value>", undefined],
  ["linux/arm64\nlinux/amd64", undefined],
])("docker's platform %j reads as %s", (stdout, platform) => {
  expect(parseImagePlatform(stdout)).toBe(platform);
});

describe("checkImagePlatform: only what Lightsail runs (linux/amd64) is pushed", () => {
  const build = { kind: "build", context: ".", dockerfile: "Dockerfile", buildArgs: {} } as const;
  const answering = (result: { exitCode: number; stdout: string; stderr: string }) =>
    fakeDeps({ execResult: () => result });

  test("asks docker for the image's platform without letting the image name be read as an option", async () => {
    const { deps, execCalls, log } = fakeDeps();
    await checkImagePlatform("app:1", build, "image", deps);
    expect(execCalls.map((c) => [c.command, ...c.args])).toEqual([
      ["docker", "image", "inspect", "--format", "{{.Os}}/{{.Architecture}}", "--", "app:1"],
    ]);
    expect(log.lines.join("\n")).toContain("Image app:1 is for linux/amd64, the platform Lightsail runs");
  });

  test.each(["linux/arm64", "linux/arm", "windows/amd64"])(
    "refuses %s, naming the image and the fix",
    async (platform) => {
      const { deps } = answering({ exitCode: 0, stdout: `${platform}\n`, stderr: "" });
      await expect(checkImagePlatform("app:1", build, "image", deps)).rejects.toThrow(
        `image app:1 is built for ${platform}, but Lightsail runs linux/amd64 containers, at image; nothing was pushed or deployed; build for linux/amd64: run the job on an x86-64 runner (e.g. ubuntu-latest), or set \`DOCKER_DEFAULT_PLATFORM: linux/amd64\``,
      );
    },
  );

  test("fails, rather than pushing blind, when docker cannot say", async () => {
    const { deps } = answering({ exitCode: 1, stdout: "", stderr: "Error: No such image: app:1" });
    await expect(checkImagePlatform("app:1", build, "image", deps)).rejects.toThrow(
      "docker cannot say which platform image app:1 is for (Error: No such image: app:1), at image; nothing was pushed or deployed",
    );
  });
});
