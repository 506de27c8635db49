import { expect, test } from "vitest";
import { decodeAuthorizationToken, registryHost } from "../src/image.js";
import { imageIdOf, repositoryNameOf, resolveTag, timestampTag } from "../src/image-tag.js";

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

test.each([
  ["127.0.0.1:5000/app:abc1234", "app", { imageTag: "abc1234" }],
  ["123.dkr.ecr.eu-west-1.amazonaws.com/team/app:v1", "team/app", { imageTag: "v1" }],
  ["123.dkr.ecr.eu-west-1.amazonaws.com/app@sha256:ff00", "app", { imageDigest: "sha256:ff00" }],
  ["127.0.0.1:5000/app", "app", undefined],
  ["nginx:latest", undefined, { imageTag: "latest" }],
])("%s: repository %s, image id %j", (image, repository, id) => {
  expect(repositoryNameOf(image)).toBe(repository);
  expect(imageIdOf(image)).toEqual(id);
});

test("tag: explicit, else GITHUB_SHA, else git, else a UTC timestamp", async () => {
  const noGit = async () => ({ exitCode: 128, stdout: "", stderr: "not a git repository" });
  const git = async () => ({ exitCode: 0, stdout: "9fceb02\n", stderr: "" });
  const now = Date.UTC(2026, 10, 21, 23, 5, 9);
  expect(await resolveTag("v1.2", "abcdef0123", noGit, now)).toBe("v1.2");
  expect(await resolveTag(undefined, "ABCDEF0123", noGit, now)).toBe("abcdef0");
  expect(await resolveTag(undefined, undefined, git, now)).toBe("9fceb02");
  expect(await resolveTag(undefined, undefined, noGit, now)).toBe("20261121-230509");
  expect(timestampTag(now)).toMatch(/^[A-Za-z0-9_][A-Za-z0-9_.-]*$/);
});
