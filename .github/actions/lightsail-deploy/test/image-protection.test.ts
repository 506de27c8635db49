import { describe, expect, test } from "vitest";
import { PROTECTED_TAG_PREFIX as LIFECYCLE_PREFIX } from "../../../../infrastructure/src/policies.js";
import { BatchGetImageCommand, DescribeImagesCommand, PutImageCommand } from "../src/aws-sdk.js";
import { neededImages, PROTECTED_TAG_PREFIX, protectionTags } from "../src/image-protection.js";
import { run } from "../src/run.js";
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
    expect(needed).toEqual({ serving: `${REPOSITORY_URI}:v1`, previous: undefined });
  });
});
