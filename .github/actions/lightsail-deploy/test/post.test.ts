import { type ChildProcess, execFile, spawn } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, test } from "vitest";
import { filesUnder, parseGithubOutput } from "../../../../scripts/harness/github-runner.js";
import { fakeAwsEnv } from "../scripts/fake-aws-env.js";
import { removableTempDirs } from "../src/platform/temp-dirs.js";

describe("which recorded directories the post step removes", () => {
  const temp = "/runner/_temp";
  test.each([
    ["the docker config", [`${temp}/lightsail-deploy-docker-abc`], [`${temp}/lightsail-deploy-docker-abc`]],
    ["not under RUNNER_TEMP", ["/home/runner/lightsail-deploy-docker-abc"], []],
    ["deeper than RUNNER_TEMP", [`${temp}/x/lightsail-deploy-docker-abc`], []],
    ["not ours", [`${temp}/other`], []],
    ["climbing out", [`${temp}/../lightsail-deploy-x`, `${temp}/lightsail-deploy-a/..`], []],
    ["RUNNER_TEMP itself", [temp], []],
  ])("%s", (_, listed, removed) => {
    expect(removableTempDirs(JSON.stringify(listed), temp)).toEqual(removed);
  });

  test.each([
    ["", temp],
    ["not json", temp],
    ['{"a":1}', temp],
    ['["/runner/_temp/lightsail-deploy-a"]', undefined],
  ])("nothing for state %j with RUNNER_TEMP %s", (state, runnerTemp) => {
    expect(removableTempDirs(state, runnerTemp)).toEqual([]);
  });
});

// The runner's side: dist/index.js killed mid-push, then dist/post.js run with the state the main step saved.
const dist = join(import.meta.dirname, "..", "dist");
const PASSWORD = "ecr-password-post-step-5e1f";
const TOKEN = Buffer.from(`AWS:${PASSWORD}`).toString("base64");
const REGISTRY = "127.0.0.1:5999";
const PRINCIPAL =
  "arn:aws:iam::111111111111:role/amazon/lightsail/eu-west-1/containers/demo/private-repo-access/x";
const work = mkdtempSync(join(tmpdir(), "lightsail-deploy-post-test-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const current = {
  version: 1,
  state: "ACTIVE",
  createdAt: 1_700_000_000,
  containers: { app: { image: `${REGISTRY}/app:old`, ports: { "8080": "HTTP" } } },
  publicEndpoint: { containerName: "app", containerPort: 8080, healthCheck: { path: "/" } },
};

/** Just enough of Lightsail, ECR and SSM (awsJson1_1) to get a deploy to its push. */
const answers: Record<string, unknown> = {
  GetContainerServices: {
    containerServices: [
      {
        containerServiceName: "demo",
        state: "RUNNING",
        power: "nano",
        scale: 1,
        isDisabled: false,
        url: "http://127.0.0.1:9/",
        currentDeployment: current,
        privateRegistryAccess: { ecrImagePullerRole: { isActive: true, principalArn: PRINCIPAL } },
      },
    ],
  },
  GetContainerServiceDeployments: { deployments: [current] },
  DescribeRepositories: {
    repositories: [
      {
        repositoryName: "app",
        repositoryUri: `${REGISTRY}/app`,
        repositoryArn: "arn:aws:ecr:eu-west-1:111111111111:repository/app",
      },
    ],
  },
  GetRepositoryPolicy: {
    policyText: JSON.stringify({
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow",
          Principal: { AWS: PRINCIPAL },
          Action: ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
        },
      ],
    }),
  },
  PutParameter: { Version: 1 },
  GetParametersByPath: { Parameters: [] },
  GetAuthorizationToken: {
    authorizationData: [
      { authorizationToken: TOKEN, proxyEndpoint: `http://${REGISTRY}`, expiresAt: 1_900_000_000 },
    ],
  },
};
const errors: Record<string, string> = {
  DescribeImages: "ImageNotFoundException",
  GetParameter: "ParameterNotFound",
};
const unanswered: string[] = [];

function fakeAws(request: IncomingMessage, response: ServerResponse) {
  request.resume();
  const operation =
    String(request.headers["x-amz-target"] ?? "")
      .split(".")
      .pop() ?? "";
  const error = errors[operation] ?? (operation in answers ? undefined : "UnknownOperationException");
  if (error === "UnknownOperationException") unanswered.push(operation);
  response.writeHead(error ? 400 : 200, { "content-type": "application/x-amz-json-1.1" });
  response.end(JSON.stringify(error ? { __type: error, message: operation } : answers[operation]));
}

/** docker as far as this test needs: login stores the password as docker does; push blocks until killed. */
const FAKE_DOCKER = `#!/bin/sh
case "$1" in
  version) echo 27.0.0 ;;
  image) echo linux/amd64 ;;
  login) password=$(cat); mkdir -p "$DOCKER_CONFIG"
    printf '{"auths":{"%s":{"auth":"%s"}}}' "$6" "$(printf 'AWS:%s' "$password" | base64 -w0)" > "$DOCKER_CONFIG/config.json" ;;
  push) : > "$PUSH_STARTED"; exec sleep 600 ;;
esac
`;

async function until(condition: () => boolean, what: string, child: ChildProcess) {
  const deadline = Date.now() + 30_000;
  while (!condition()) {
    if (child.exitCode !== null) throw new Error(`the action ended (exit ${child.exitCode}) before ${what}`);
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

test("a run killed mid-push leaves the ECR password under RUNNER_TEMP; the post step removes it", async () => {
  const server = createServer(fakeAws);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const bin = join(work, "bin");
  const runnerTemp = join(work, "_temp");
  const stateFile = join(work, "state");
  const pushStarted = join(work, "push-started");
  mkdirSync(bin);
  mkdirSync(runnerTemp);
  writeFileSync(join(bin, "docker"), FAKE_DOCKER);
  chmodSync(join(bin, "docker"), 0o755);
  for (const file of [stateFile, join(work, "output"), join(work, "summary")]) writeFileSync(file, "");
  const env = {
    PATH: `${bin}:${process.env.PATH}`,
    RUNNER_TEMP: runnerTemp,
    ...fakeAwsEnv(endpoint),
  };
  try {
    // Its own process group, so that killing it takes the blocked docker push along, as a runner does.
    const main = spawn(process.execPath, [join(dist, "index.js")], {
      detached: true,
      stdio: "ignore",
      env: {
        ...env,
        PUSH_STARTED: pushStarted,
        GITHUB_ACTIONS: "true",
        GITHUB_STATE: stateFile,
        GITHUB_OUTPUT: join(work, "output"),
        GITHUB_STEP_SUMMARY: join(work, "summary"),
        GITHUB_SHA: "0123456789abcdef0123456789abcdef01234567",
        "INPUT_SERVICE-NAME": "demo",
        INPUT_REPOSITORY: "app",
        INPUT_IMAGE: "local/app:1",
      },
    });
    const exited = new Promise((resolve) => main.on("exit", resolve));
    await until(() => existsSync(pushStarted), "docker push started", main);
    process.kill(-(main.pid as number), "SIGKILL");
    await exited;
    expect(unanswered).toEqual([]);

    const left = () => JSON.stringify(filesUnder(runnerTemp));
    expect(left(), "the test is void: the password was not under RUNNER_TEMP").toContain(TOKEN);

    // The runner turns each GITHUB_STATE entry into a STATE_<name> variable of the post step.
    const state = parseGithubOutput(readFileSync(stateFile, "utf8"));
    expect(Object.keys(state)).toEqual(["temp-dirs"]);
    const stateEnv = Object.fromEntries(
      Object.entries(state).map(([name, value]) => [`STATE_${name}`, value]),
    );
    const post = await promisify(execFile)(process.execPath, [join(dist, "post.js")], {
      env: { ...env, ...stateEnv },
    });
    expect(post.stdout).toContain("Removed 1 private temp dir(s)");
    expect(left()).not.toContain(TOKEN);
    expect(left()).not.toContain(PASSWORD);
    expect(filesUnder(runnerTemp)).toEqual({});
  } finally {
    server.close();
  }
}, 60_000);

test.each(["SIGTERM", "SIGINT"] as const)(
  "M8: in a terminal, %s during the push removes the docker config holding the ECR password",
  async (signal) => {
    const server = createServer(fakeAws);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const own = mkdtempSync(join(work, `terminal-${signal}-`));
    const bin = join(own, "bin");
    const tmp = join(own, "tmp");
    const pushStarted = join(own, "push-started");
    mkdirSync(bin);
    mkdirSync(tmp);
    writeFileSync(join(bin, "docker"), FAKE_DOCKER);
    chmodSync(join(bin, "docker"), 0o755);
    const main = spawn(
      process.execPath,
      [join(dist, "index.js"), "--service-name", "demo", "--repository", "app", "--image", "local/app:1"],
      {
        detached: true,
        stdio: "ignore",
        env: {
          PATH: `${bin}:${process.env.PATH}`,
          TMPDIR: tmp,
          PUSH_STARTED: pushStarted,
          GITHUB_SHA: "0123456789abcdef0123456789abcdef01234567",
          ...fakeAwsEnv(endpoint),
        },
      },
    );
    try {
      const exited = new Promise<number | null>((resolve) => main.on("exit", (code) => resolve(code)));
      await until(() => existsSync(pushStarted), "docker push started", main);
      expect(JSON.stringify(filesUnder(tmp)), "the test is void: no password under TMPDIR").toContain(TOKEN);
      // Only the action's process, as a terminal's Ctrl-C or a `kill` would reach it.
      process.kill(main.pid as number, signal);
      expect(await exited).toBe(signal === "SIGINT" ? 130 : 143);
      expect(JSON.stringify(filesUnder(tmp))).not.toContain(TOKEN);
      expect(JSON.stringify(filesUnder(tmp))).not.toContain(PASSWORD);
    } finally {
      try {
        process.kill(-(main.pid as number), "SIGKILL");
      } catch {
        // already gone
      }
      server.close();
    }
  },
  60_000,
);
