import { existsSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execCommand } from "../src/docker/exec.js";
import { type Harness, startHarness } from "./support/harness.js";

const AWS = "/usr/bin/aws";
const available = existsSync(AWS);
if (!available) {
  if (process.env.CI === "true")
    throw new Error(`${AWS} (Debian awscli) is missing; CI=true requires this test to run`);
  console.warn(`SKIPPED: the AWS CLI test needs ${AWS} (apt-get install awscli)`);
}

let h: Harness;

/** Runs the Debian AWS CLI as an independent client against the stand-in. */
async function aws(...args: string[]) {
  const result = await execCommand(AWS, [...args, "--endpoint-url", h.local.endpoint, "--output", "json"], {
    env: {
      PATH: process.env.PATH,
      HOME: h.stateDir,
      AWS_ACCESS_KEY_ID: "test",
      AWS_SECRET_ACCESS_KEY: "test",
      AWS_DEFAULT_REGION: "eu-west-1",
      AWS_MAX_ATTEMPTS: "1",
      AWS_PAGER: "",
    },
    timeoutMs: 60_000,
  });
  const text = result.stdout.trim();
  return { ...result, json: result.code === 0 && text.startsWith("{") ? JSON.parse(text) : undefined };
}

describe.skipIf(!available)("the Debian AWS CLI as a client", () => {
  beforeAll(async () => {
    h = await startHarness();
    h.registry.put("app", "v1");
  });
  afterAll(async () => {
    await h?.close();
  });

  it("lists container services and powers", async () => {
    const services = await aws("lightsail", "get-container-services");
    expect(services.code).toBe(0);
    expect(
      services.json.containerServices.map((s: { containerServiceName: string }) => s.containerServiceName),
    ).toEqual(["demo", "locked"]);
    const powers = await aws("lightsail", "get-container-service-powers");
    expect(powers.json.powers.map((p: { name: string }) => p.name)).toContain("nano");
  });

  it("shows modeled error codes from __type", async () => {
    const missing = await aws("lightsail", "get-container-services", "--service-name", "nope");
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain("(NotFoundException)");
    const invalid = await aws(
      "lightsail",
      "create-container-service-deployment",
      "--service-name",
      "demo",
      "--containers",
      JSON.stringify({ web: { image: "x", ports: { "80": "HTTP" } } }),
      "--public-endpoint",
      JSON.stringify({ containerName: "web", containerPort: 81 }),
    );
    expect(invalid.stderr).toContain("(InvalidInputException)");
    expect(invalid.stderr).toContain("containerPort 81");
  });

  it("deploys and reads the deployment back", async () => {
    const created = await aws(
      "lightsail",
      "create-container-service-deployment",
      "--service-name",
      "demo",
      "--containers",
      JSON.stringify({ web: { image: `${h.registry.host}/app:v1`, ports: { "80": "HTTP" } } }),
      "--public-endpoint",
      JSON.stringify({ containerName: "web", containerPort: 80 }),
    );
    expect(created.code).toBe(0);
    expect(created.json.containerService.nextDeployment.state).toBe("ACTIVATING");
    await h.local.idle();
    const deployments = await aws("lightsail", "get-container-service-deployments", "--service-name", "demo");
    expect(deployments.json.deployments[0]).toMatchObject({ version: 1, state: "ACTIVE" });
  });

  it("gets the ECR login password and repositories", async () => {
    const password = await aws("ecr", "get-login-password");
    expect(password.stdout.trim()).toBe(h.registry.password);
    const repositories = await aws("ecr", "describe-repositories");
    expect(repositories.json.repositories[0].repositoryUri).toBe(`${h.registry.host}/app`);
    const images = await aws("ecr", "describe-images", "--repository-name", "app");
    expect(images.json.imageDetails[0].imageTags).toEqual(["v1"]);
    const missing = await aws(
      "ecr",
      "describe-images",
      "--repository-name",
      "app",
      "--image-ids",
      "imageTag=nope",
    );
    expect(missing.stderr).toContain("(ImageNotFoundException)");
  });
});
