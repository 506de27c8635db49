import { describe, expect, test } from "vitest";
import { PROTECTED_TAG_PREFIX as LIFECYCLE_PREFIX } from "../../../../infrastructure/src/policies.js";
import { run } from "../src/entry/run.js";
import { BatchGetImageCommand, DescribeImagesCommand, PutImageCommand } from "../src/platform/aws-sdk.js";
import {
  neededImages,
  PROTECTED_TAG_PREFIX,
  protectionTags,
} from "../src/targets/lightsail/rollback/image-protection.js";
import {
  awsError,
  deployment,
  fakeDeps,
  fakeRecordParameter,
  REPOSITORY_URI,
  statefulLightsail,
} from "./fakes.js";

const DIGEST = `sha256:${"a".repeat(64)}`;
const MANIFEST = '{"schemaVersion":2}';

/** ECR holding DIGEST (tag abc1234) and the earlier releases' tags; BatchGetImage answers with a manifest. */
function ecr(aws: ReturnType<typeof fakeDeps>["aws"]) {
  aws.mocks.ecr.on(DescribeImagesCommand).callsFake(async (input) => {
    const id = input.imageIds?.[0] ?? {};
    if (id.imageDigest === DIGEST || id.imageTag === "abc1234")
      return { imageDetails: [{ imageDigest: DIGEST, imageTags: ["abc1234"] }] };
    throw awsError("ImageNotFoundException");
  });
  aws.mocks.ecr.on(BatchGetImageCommand).callsFake(async (input) => {
    const id = input.imageIds?.[0] ?? {};
    const digest = id.imageDigest ?? `sha256:${String(id.imageTag).padStart(64, "0").slice(-64)}`;
    return {
      images: [
        {
          imageId: { imageDigest: digest },
          imageManifest: MANIFEST,
          imageManifestMediaType: "application/vnd.oci.image.manifest.v1+json",
        },
      ],
      failures: [],
    };
  });
}

const putTags = (aws: ReturnType<typeof fakeDeps>["aws"]) =>
  aws.mocks.ecr
    .commandCalls(PutImageCommand)
    .map((c) => [c.args[0].input.imageTag, c.args[0].input.imageDigest]);

describe("the images a service needs are tagged so the lifecycle policy never expires them", () => {
  test("the same prefix as the repository's lifecycle rule (infrastructure/)", () => {
    expect(PROTECTED_TAG_PREFIX).toBe(LIFECYCLE_PREFIX);
    expect(protectionTags("demo")).toEqual({ serving: "keep-demo-serving", previous: "keep-demo-previous" });
  });

  test("after a verified promotion: the serving digest and the release `rollback-to: previous` would pick", async () => {
    const { deps, aws } = fakeDeps();
    ecr(aws);
    statefulLightsail(aws);
    fakeRecordParameter(aws);
    const result = await run({ "service-name": "demo", repository: "app", promote: DIGEST }, deps);
    expect(result.status).toBe("deployed");
    expect(putTags(aws)).toEqual([
      ["keep-demo-serving", DIGEST],
      ["keep-demo-previous", `sha256:${"v3".padStart(64, "0")}`],
    ]);
    const put = aws.mocks.ecr.commandCalls(PutImageCommand)[0]?.args[0].input;
    expect(put).toMatchObject({ repositoryName: "app", imageManifest: MANIFEST });
  });

  test("a tag already in place is fine; a refused tag is a warning and the release stands", async () => {
    const { deps, aws, log } = fakeDeps();
    ecr(aws);
    statefulLightsail(aws);
    fakeRecordParameter(aws);
    aws.mocks.ecr
      .on(PutImageCommand)
      .rejectsOnce(awsError("ImageAlreadyExistsException"))
      .rejects(awsError("AccessDeniedException", "not allowed"));
    const result = await run({ "service-name": "demo", repository: "app", promote: DIGEST }, deps);
    expect(result.status).toBe("deployed");
    const warnings = log.lines.filter((line) => line.startsWith("warning: ")).join("\n");
    expect(warnings).toContain("Could not tag 127.0.0.1:5000/app:v3 as keep-demo-previous");
    expect(warnings).toContain("not allowed");
    expect(warnings).not.toContain("keep-demo-serving");
  });

  test("a failed release that was rolled back moves nothing off the release that serves again", async () => {
    const { deps, aws } = fakeDeps();
    ecr(aws);
    const lightsail = statefulLightsail(aws);
    fakeRecordParameter(aws);
    deps.httpGet = async () => ({ status: lightsail.servingImage()?.includes(DIGEST) ? 500 : 200 });
    const result = await run(
      { "service-name": "demo", repository: "app", promote: DIGEST, "probe-count": "3" },
      deps,
    );
    expect(result.status).toBe("rolled-back");
    expect(putTags(aws).map(([tag]) => tag)).toContain("keep-demo-serving");
    expect(putTags(aws)).not.toContainEqual(["keep-demo-serving", DIGEST]);
  });

  test("no deployment verified yet: only the serving image is needed", () => {
    const needed = neededImages([deployment(1, "ACTIVE")], { entries: [] });
    expect(needed).toMatchObject({ serving: `${REPOSITORY_URI}:v1`, previous: undefined });
    expect(needed.containers.map((c) => c.which)).toEqual(["serving"]);
  });

  test("M4: every container's image of what serves and of the previous release is tagged, sidecars included", async () => {
    const { deps, aws } = fakeDeps();
    ecr(aws);
    const withWorker = (d: ReturnType<typeof deployment>, tag: string) => ({
      ...d,
      containers: { ...d.containers, worker: { image: `${REPOSITORY_URI}:worker-${tag}` } },
    });
    const [v2, v3] = [
      withWorker(deployment(2, "INACTIVE", "two", undefined, "1.1-aaaaaaaa-1"), "two"),
      withWorker(deployment(3, "ACTIVE", "three", undefined, "1.1-aaaaaaaa-2"), "three"),
    ];
    statefulLightsail(aws, { deployments: [v2, v3] });
    const record = fakeRecordParameter(aws);
    for (const d of [v2, v3]) record.verdict(d, "good");
    const result = await run({ "service-name": "demo", repository: "app" }, deps);
    expect(result.status).toBe("deployed");
    const tags = putTags(aws).map(([tag]) => tag);
    expect(tags).toEqual(
      expect.arrayContaining([
        "keep-demo-serving",
        "keep-demo-serving-worker",
        "keep-demo-previous",
        "keep-demo-previous-worker",
      ]),
    );
  });

  test("M4: the automatic rollback passes over a verified release whose image expired, to one it can restore", async () => {
    const { deps, aws, log } = fakeDeps();
    const [v2, v3] = [
      deployment(2, "INACTIVE", "two", undefined, "1.1-aaaaaaaa-1"),
      deployment(3, "ACTIVE", "three", undefined, "1.1-aaaaaaaa-2"),
    ];
    const lightsail = statefulLightsail(aws, { deployments: [v2, v3] });
    const record = fakeRecordParameter(aws);
    for (const d of [v2, v3]) record.verdict(d, "good");
    aws.mocks.ecr
      .on(BatchGetImageCommand, { imageIds: [{ imageTag: "three" }] })
      .resolves({ images: [], failures: [{ failureCode: "ImageNotFound" }] });
    deps.httpGet = async () => ({ status: lightsail.servingImage()?.endsWith(":0123456") ? 500 : 200 });
    const result = await run({ "service-name": "demo", repository: "app" }, deps);
    expect(result.status).toBe("rolled-back");
    expect(lightsail.servingImage()).toBe(`${REPOSITORY_URI}:two`);
    expect(log.lines.join("\n")).toContain(
      `Verified version 3 cannot be restored: ${REPOSITORY_URI}:three is no longer in ECR`,
    );
  });
});
