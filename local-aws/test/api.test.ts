import {
  BatchGetImageCommand,
  DeleteRepositoryPolicyCommand,
  DescribeImagesCommand,
  DescribeRepositoriesCommand,
  GetAuthorizationTokenCommand,
  GetRepositoryPolicyCommand,
  ImageAlreadyExistsException,
  ImageDigestDoesNotMatchException,
  ImageNotFoundException,
  InvalidParameterException,
  LayersNotFoundException,
  PutImageCommand,
  RepositoryNotFoundException,
  RepositoryPolicyNotFoundException,
  SetRepositoryPolicyCommand,
} from "@aws-sdk/client-ecr";
import {
  AccessDeniedException,
  CreateContainerServiceDeploymentCommand,
  GetContainerServiceDeploymentsCommand,
  GetContainerServicePowersCommand,
  GetContainerServicesCommand,
  InvalidInputException,
  LightsailServiceException,
  NotFoundException,
  ServiceException,
} from "@aws-sdk/client-lightsail";
import { GetParametersByPathCommand, ValidationException } from "@aws-sdk/client-ssm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { parseFaultSpec } from "../src/faults/faults.js";
import { type Harness, startHarness } from "./support/harness.js";

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
});

afterAll(async () => {
  await h.close();
});

beforeEach(() => {
  h.local.faults.clear();
});

async function raw(target: string, body: unknown, path = "/") {
  const response = await fetch(`${h.local.endpoint}${path}`, {
    method: "POST",
    headers: { "content-type": "application/x-amz-json-1.1", "x-amz-target": target },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  return {
    status: response.status,
    headers: response.headers,
    body: (await response.json()) as Record<string, unknown>,
  };
}

describe("wire format", () => {
  it("routes on X-Amz-Target whatever the path, with a request id and epoch-second timestamps", async () => {
    for (const path of ["/", "/x/", "/some/prefix"]) {
      const answer = await raw("Lightsail_20161128.GetContainerServices", {}, path);
      expect(answer.status).toBe(200);
      expect(answer.headers.get("x-amzn-requestid")).toMatch(/^[0-9a-f-]{36}$/);
      const services = answer.body.containerServices as {
        createdAt: unknown;
        containerServiceName: string;
      }[];
      expect(services.map((s) => s.containerServiceName)).toEqual(["demo", "locked"]);
      expect(typeof services[0]?.createdAt).toBe("number");
    }
  });

  it("answers errors as status + x-amzn-ErrorType + {__type, message}", async () => {
    const missing = await raw("Lightsail_20161128.GetContainerServices", { serviceName: "nope" });
    expect(missing.status).toBe(400);
    expect(missing.headers.get("x-amzn-errortype")).toBe("NotFoundException");
    expect(missing.body).toEqual({ __type: "NotFoundException", message: expect.stringContaining('"nope"') });

    const unknown = await raw("Lightsail_20161128.DeleteContainerImage", {});
    expect(unknown.status).toBe(400);
    expect(unknown.body.__type).toBe("UnknownOperationException");

    const badJson = await raw("AmazonEC2ContainerRegistry_V20150921.DescribeRepositories", "{not json");
    expect(badJson.body.__type).toBe("SerializationException");
  });

  it("maps errors to the SDK's modeled exception classes", async () => {
    await expect(
      h.lightsail.send(new GetContainerServicesCommand({ serviceName: "nope" })),
    ).rejects.toBeInstanceOf(NotFoundException);
    await expect(
      h.lightsail.send(new CreateContainerServiceDeploymentCommand({ serviceName: "demo", containers: {} })),
    ).rejects.toBeInstanceOf(InvalidInputException);
    await expect(
      h.ecr.send(new DescribeRepositoriesCommand({ repositoryNames: ["missing"] })),
    ).rejects.toBeInstanceOf(RepositoryNotFoundException);
    await expect(
      h.ecr.send(new GetRepositoryPolicyCommand({ repositoryName: "bare" })),
    ).rejects.toBeInstanceOf(RepositoryPolicyNotFoundException);
    await expect(
      h.ecr.send(new DescribeRepositoriesCommand({ repositoryNames: ["Bad_Name"] })),
    ).rejects.toBeInstanceOf(InvalidParameterException);
    await expect(h.ssm.send(new GetParametersByPathCommand({ Path: "no-slash" }))).rejects.toBeInstanceOf(
      ValidationException,
    );
  });
});

describe("faults", () => {
  it("retries a throttling burst in the SDK: 2 ThrottlingException 400s then success in 3 attempts", async () => {
    h.local.faults.add({ kind: "throttle", count: 2, operations: ["GetContainerServices"] });
    const answer = await h.lightsail.send(new GetContainerServicesCommand({}));
    expect(answer.$metadata.attempts).toBe(3);
    expect(answer.containerServices).toHaveLength(2);
  });

  it("surfaces ThrottlingException (unmodeled, base class) once retries are exhausted", async () => {
    h.local.faults.add({ kind: "throttle", apis: ["lightsail"] });
    const error = await h.lightsail.send(new GetContainerServicesCommand({})).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LightsailServiceException);
    expect((error as Error).name).toBe("ThrottlingException");
    expect((error as LightsailServiceException).$metadata.attempts).toBe(3);
    expect(h.local.faults.list()[0]?.hits).toBe(3);
  });

  it("answers injected 5xx as the service's modeled fault and the SDK retries it", async () => {
    h.local.faults.add({ kind: "error", apis: ["lightsail"], operations: ["GetContainerServicePowers"] });
    const error = await h.lightsail.send(new GetContainerServicePowersCommand({})).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServiceException);
    expect((error as ServiceException).$metadata.httpStatusCode).toBe(500);
    h.local.faults.clear();
    h.local.faults.add({ kind: "error", status: 503, count: 1 });
    const recovered = await h.ecr.send(new DescribeRepositoriesCommand({}));
    expect(recovered.$metadata.attempts).toBe(2);
  });

  it.each([
    ["AmazonEC2ContainerRegistry_V20150921.DescribeRepositories", 503, "ServerException", "message"],
    ["Lightsail_20161128.GetContainerServicePowers", 502, "ServiceException", "message"],
    ["AmazonSSM.GetParametersByPath", 504, "InternalServerError", "Message"],
  ])("answers an injected %s %d with the modeled fault %s (%s)", async (target, status, shape, key) => {
    h.local.faults.add({ kind: "error", status: status as 502 | 503 | 504, count: 1 });
    const answer = await raw(target, { Path: "/" });
    expect(answer.status).toBe(status);
    expect(answer.headers.get("x-amzn-errortype")).toBe(shape);
    expect(answer.body).toEqual({
      __type: shape,
      [key]: `Injected fault: ${target.split(".")[1]} answered ${status}`,
    });
  });

  it("answers an injected AccessDeniedException on one operation only, as IAM words it, without retrying", async () => {
    h.local.faults.add({
      kind: "error",
      code: "AccessDeniedException",
      apis: ["lightsail"],
      operations: ["GetContainerServiceDeployments"],
    });
    const error = await h.lightsail
      .send(new GetContainerServiceDeploymentsCommand({ serviceName: "demo" }))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AccessDeniedException);
    expect((error as AccessDeniedException).$metadata).toMatchObject({ httpStatusCode: 400, attempts: 1 });
    expect((error as Error).message).toContain(
      "is not authorized to perform: lightsail:GetContainerServiceDeployments",
    );
    // Other operations are untouched.
    expect((await h.lightsail.send(new GetContainerServicesCommand({}))).containerServices).toHaveLength(2);
  });

  it.each([
    [{ kind: "error", code: "access denied" }, "code"],
    [{ kind: "error", status: 400 }, "status"],
    [{ kind: "error", code: "AccessDeniedException", status: 403 }, "status"],
  ])("refuses the error fault %j, naming `%s`", (spec, field) => {
    expect(() => parseFaultSpec(spec)).toThrow(new RegExp(`fault \`${field}\``));
  });

  it("drops connections and the SDK retries the network error", async () => {
    h.local.faults.add({ kind: "drop", count: 1, operations: ["DescribeRepositories"] });
    const answer = await h.ecr.send(new DescribeRepositoriesCommand({}));
    expect(answer.$metadata.attempts).toBe(2);
    expect(answer.repositories?.map((r) => r.repositoryName)).toEqual(["app", "bare"]);
  });

  it("loses the answer after a Create ran: the SDK retries and the retry is refused as DEPLOYING", async () => {
    h.registry.put("app", "v1");
    const release = h.runtime.holdPulls();
    h.local.faults.add({
      kind: "dropAnswer",
      count: 1,
      operations: ["CreateContainerServiceDeployment"],
    });
    const create = new CreateContainerServiceDeploymentCommand({
      serviceName: "demo",
      containers: { web: { image: `${h.registry.host}/app:v1`, ports: { "8080": "HTTP" } } },
      publicEndpoint: { containerName: "web", containerPort: 8080 },
    });
    const error = await h.lightsail.send(create).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidInputException);
    expect((error as Error).message).toContain("DEPLOYING");
    expect((error as InvalidInputException).$metadata.attempts).toBe(2);
    const deployments = await h.lightsail.send(
      new GetContainerServiceDeploymentsCommand({ serviceName: "demo" }),
    );
    expect(deployments.deployments?.map((d) => [d.version, d.state])).toEqual([[1, "ACTIVATING"]]);
    release();
    await h.local.idle();
  });

  it("counts AWS requests per operation, throttled retries included (GET/DELETE /_local/stats)", async () => {
    const url = `${h.local.endpoint}/_local/stats`;
    await fetch(url, { method: "DELETE" });
    h.local.faults.add({ kind: "throttle", count: 1, operations: ["GetContainerServices"] });
    await h.lightsail.send(new GetContainerServicesCommand({}));
    await h.ecr.send(new DescribeRepositoriesCommand({}));
    expect(await (await fetch(url)).json()).toEqual({
      total: 3,
      byOperation: { "ecr:DescribeRepositories": 1, "lightsail:GetContainerServices": 2 },
    });
    expect(h.local.stats.snapshot().total).toBe(3);
  });

  it("adds code DoesNotExist to Lightsail not-found bodies in quirk mode", async () => {
    h.local.faults.add({ kind: "notFoundQuirk" });
    const answer = await raw("Lightsail_20161128.GetContainerServices", { serviceName: "nope" });
    expect(answer.body).toMatchObject({ __type: "NotFoundException", code: "DoesNotExist" });
    expect(answer.headers.get("x-amzn-errortype")).toBe("NotFoundException");
  });

  it("is switched over HTTP: POST adds, GET lists with hits, DELETE clears, bad specs get a 400", async () => {
    const url = `${h.local.endpoint}/_local/faults`;
    const added = await fetch(url, {
      method: "POST",
      body: JSON.stringify({ kind: "throttle", count: 1, apis: ["ssm"] }),
    });
    expect(added.status).toBe(201);
    await h.ssm.send(new GetParametersByPathCommand({ Path: "/myapp/dev" }));
    const listed = (await (await fetch(url)).json()) as { faults: unknown[] };
    expect(listed.faults).toEqual([]);
    const bad = await fetch(url, { method: "POST", body: JSON.stringify({ kind: "explode" }) });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { message: string }).message).toContain('"explode"');
    await fetch(url, { method: "POST", body: JSON.stringify([{ kind: "neverSettle" }, { kind: "drop" }]) });
    expect(((await (await fetch(url)).json()) as { faults: unknown[] }).faults).toHaveLength(2);
    expect(((await (await fetch(url, { method: "DELETE" })).json()) as { removed: number }).removed).toBe(2);
    const health = (await (await fetch(`${h.local.endpoint}/_local/health`)).json()) as { ok: boolean };
    expect(health.ok).toBe(true);
  });
});

describe("ECR", () => {
  it("hands out the registry's credentials as base64 AWS:<password>, valid 12 h, at the registry's endpoint", async () => {
    const answer = await h.ecr.send(new GetAuthorizationTokenCommand({}));
    const data = answer.authorizationData?.[0];
    expect(Buffer.from(data?.authorizationToken ?? "", "base64").toString()).toBe(
      `AWS:${h.registry.password}`,
    );
    expect(data?.proxyEndpoint).toBe(h.registry.endpoint);
    expect((data?.expiresAt?.getTime() ?? 0) - h.clock.ms).toBe(12 * 3600 * 1000);
  });

  it("describes repositories with the local repositoryUri", async () => {
    const answer = await h.ecr.send(new DescribeRepositoriesCommand({ repositoryNames: ["app"] }));
    expect(answer.repositories?.[0]).toMatchObject({
      repositoryName: "app",
      registryId: "000000000000",
      repositoryUri: `${h.registry.host}/app`,
      repositoryArn: "arn:aws:ecr:eu-west-1:000000000000:repository/app",
    });
  });

  it("describes pushed images (tags grouped by digest, size from layers) and reports missing ones", async () => {
    const manifest = h.registry.put("app", "v7", [1000, 2345]);
    h.registry.put("app", "latest-v7", [1000, 2345]);
    const answer = await h.ecr.send(
      new DescribeImagesCommand({ repositoryName: "app", imageIds: [{ imageTag: "v7" }] }),
    );
    expect(answer.imageDetails?.[0]).toMatchObject({
      imageDigest: manifest.digest,
      imageSizeInBytes: 50 + 1000 + 2345,
    });
    await expect(
      h.ecr.send(new DescribeImagesCommand({ repositoryName: "app", imageIds: [{ imageTag: "nope" }] })),
    ).rejects.toBeInstanceOf(ImageNotFoundException);
    const batch = await h.ecr.send(
      new BatchGetImageCommand({
        repositoryName: "app",
        imageIds: [{ imageTag: "v7" }, { imageTag: "nope" }],
      }),
    );
    expect(batch.images?.[0]?.imageId?.imageDigest).toBe(manifest.digest);
    expect(batch.images?.[0]?.imageManifest).toBe(manifest.body);
    expect(batch.failures).toEqual([
      { imageId: { imageTag: "nope" }, failureCode: "ImageNotFound", failureReason: expect.any(String) },
    ]);
  });

  it("PutImage tags a manifest already in the repository (no bytes), refuses a repeat, a wrong digest and unknown layers", async () => {
    const manifest = h.registry.put("app", "v8", [10]);
    const put = (input: Partial<ConstructorParameters<typeof PutImageCommand>[0]>) =>
      h.ecr.send(new PutImageCommand({ repositoryName: "app", imageManifest: manifest.body, ...input }));
    const answer = await put({ imageTag: "keep-demo-serving", imageDigest: manifest.digest });
    expect(answer.image).toMatchObject({
      imageId: { imageDigest: manifest.digest, imageTag: "keep-demo-serving" },
      imageManifestMediaType: manifest.mediaType,
    });
    const described = await h.ecr.send(
      new DescribeImagesCommand({ repositoryName: "app", imageIds: [{ imageDigest: manifest.digest }] }),
    );
    expect(described.imageDetails?.[0]?.imageTags?.sort()).toEqual(["keep-demo-serving", "v8"]);
    await expect(put({ imageTag: "keep-demo-serving" })).rejects.toBeInstanceOf(ImageAlreadyExistsException);
    await expect(put({ imageTag: "x", imageDigest: `sha256:${"0".repeat(64)}` })).rejects.toBeInstanceOf(
      ImageDigestDoesNotMatchException,
    );
    await expect(
      put({ imageTag: "new", imageManifest: JSON.stringify({ schemaVersion: 2, layers: [] }) }),
    ).rejects.toBeInstanceOf(LayersNotFoundException);
  });

  it("stores repository policies and rejects non-JSON ones", async () => {
    const policyText = JSON.stringify({ Version: "2008-10-17", Statement: [] });
    await h.ecr.send(new SetRepositoryPolicyCommand({ repositoryName: "bare", policyText }));
    expect((await h.ecr.send(new GetRepositoryPolicyCommand({ repositoryName: "bare" }))).policyText).toBe(
      policyText,
    );
    await expect(
      h.ecr.send(new SetRepositoryPolicyCommand({ repositoryName: "bare", policyText: "{" })),
    ).rejects.toThrow(/Invalid repository policy/);
    await h.ecr.send(new DeleteRepositoryPolicyCommand({ repositoryName: "bare" }));
    await expect(
      h.ecr.send(new GetRepositoryPolicyCommand({ repositoryName: "bare" })),
    ).rejects.toBeInstanceOf(RepositoryPolicyNotFoundException);
  });
});

describe("SSM", () => {
  it("lists one level by default, all levels when Recursive, and hides SecureString values unless WithDecryption", async () => {
    const shallow = await h.ssm.send(new GetParametersByPathCommand({ Path: "/myapp/dev" }));
    expect(shallow.Parameters?.map((p) => p.Name)).toEqual([
      "/myapp/dev/DB_PASSWORD",
      "/myapp/dev/LOG_LEVEL",
    ]);
    const secret = shallow.Parameters?.find((p) => p.Type === "SecureString");
    expect(secret?.Value).not.toContain("s3cret-value");
    const deep = await h.ssm.send(
      new GetParametersByPathCommand({ Path: "/myapp/dev/", Recursive: true, WithDecryption: true }),
    );
    expect(deep.Parameters?.map((p) => [p.Name, p.Value])).toEqual([
      ["/myapp/dev/DB_PASSWORD", "s3cret-value"],
      ["/myapp/dev/LOG_LEVEL", "debug"],
      ["/myapp/dev/nested/FLAG", "on"],
    ]);
  });

  it("pages with MaxResults and NextToken", async () => {
    const first = await h.ssm.send(
      new GetParametersByPathCommand({ Path: "/", Recursive: true, MaxResults: 3 }),
    );
    expect(first.Parameters).toHaveLength(3);
    const second = await h.ssm.send(
      new GetParametersByPathCommand({
        Path: "/",
        Recursive: true,
        MaxResults: 3,
        NextToken: first.NextToken,
      }),
    );
    expect(second.Parameters?.map((p) => p.Name)).toEqual(["/other/KEY"]);
    expect(second.NextToken).toBeUndefined();
    await expect(h.ssm.send(new GetParametersByPathCommand({ Path: "/", MaxResults: 11 }))).rejects.toThrow(
      /less than or equal to 10/,
    );
  });
});
