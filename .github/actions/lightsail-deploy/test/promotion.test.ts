import { describe, expect, test } from "vitest";
import { run } from "../src/entry/run.js";
import { parseInputs } from "../src/inputs/inputs.js";
import { DescribeImagesCommand } from "../src/platform/aws-sdk.js";
import { GetParametersByPathCommand } from "../src/platform/ssm-sdk.js";
import { evictions, RECORD_LIMIT, type ReleaseRecord } from "../src/release/record/release-record.js";
import { outputsOf, renderSummary } from "../src/report/report.js";
import { CreateContainerServiceDeploymentCommand } from "../src/targets/lightsail/lightsail-sdk.js";
import { withVerdict } from "../src/targets/lightsail/release/record-view.js";
import {
  awsError,
  deployment,
  fakeDeps,
  fakeRecordParameter,
  REPOSITORY_URI,
  statefulLightsail,
} from "./fakes.js";

const DIGEST = `sha256:${"a".repeat(64)}`;
const promote = { "service-name": "demo", repository: "app", "promote-from": "dev" };

/** ECR holding one image, DIGEST, under tag `abc1234`; DescribeImages answers for either id. */
function ecrWithImage(aws: ReturnType<typeof fakeDeps>["aws"]) {
  aws.mocks.ecr.on(DescribeImagesCommand).callsFake(async (input) => {
    const id = input.imageIds?.[0] ?? {};
    if (id.imageDigest === DIGEST || id.imageTag === "abc1234")
      return { imageDetails: [{ imageDigest: DIGEST, imageTags: ["abc1234"] }] };
    throw awsError("ImageNotFoundException", "The image requested does not exist");
  });
}

describe("promote: an image already in ECR, deployed by digest with this environment's configuration", () => {
  test.each([
    ["its digest", DIGEST],
    ["a tag, resolved to its digest", "abc1234"],
  ])(
    "by %s: no docker at all, the request pins the digest, outputs and summary show it",
    async (_, value) => {
      const { deps, aws, execCalls } = fakeDeps();
      ecrWithImage(aws);
      statefulLightsail(aws);
      const record = fakeRecordParameter(aws);
      aws.mocks.ssm.on(GetParametersByPathCommand).resolves({
        Parameters: [{ Name: "/myapp/staging/LOG_LEVEL", Value: "warn", Type: "String" }],
      });
      const result = await run(
        {
          ...promote,
          promote: value,
          "ssm-path": "/myapp/staging/",
          environment: "STAGE=staging",
          "container-port": "9090",
          "health-check-path": "/ready",
        },
        deps,
      );
      expect(result.error).toBeUndefined();
      expect(execCalls.filter((c) => c.command === "docker")).toEqual([]);
      const sent = aws.mocks.lightsail.commandCalls(CreateContainerServiceDeploymentCommand)[0]?.args[0]
        .input;
      const app = sent?.containers?.app;
      expect(app?.image).toBe(`${REPOSITORY_URI}@${DIGEST}`);
      expect(app?.environment).toMatchObject({ LOG_LEVEL: "warn", STAGE: "staging" });
      expect(app?.ports).toEqual({ "9090": "HTTP" });
      expect(sent?.publicEndpoint).toMatchObject({ containerPort: 9090, healthCheck: { path: "/ready" } });
      expect(outputsOf(result)).toMatchObject({
        status: "deployed",
        "image-uri": `${REPOSITORY_URI}@${DIGEST}`,
        "image-digest": DIGEST,
        "deployment-version": "4",
      });
      const summary = renderSummary(result);
      expect(summary).toContain(`| Image digest | ${DIGEST} |`);
      expect(summary).toContain("| Promoted from | dev |");
      const entries = record.entries();
      expect(entries.at(-1)).toMatchObject({ version: 4, verdict: "good", digest: DIGEST, from: "dev" });
    },
  );

  test("an image that is not in ECR fails in pre-flight, naming `promote`, and changes nothing", async () => {
    const { deps, aws, execCalls } = fakeDeps();
    ecrWithImage(aws);
    const lightsail = statefulLightsail(aws);
    const missing = `sha256:${"b".repeat(64)}`;
    const result = await run({ ...promote, promote: missing }, deps);
    expect(result.status).toBe("failed");
    expect(result.error).toContain(`\`promote\` ${missing} is not an image in ECR repository \`app\``);
    expect(result.error).toContain("nothing was changed");
    expect(aws.mocks.lightsail.commandCalls(CreateContainerServiceDeploymentCommand)).toHaveLength(0);
    expect(execCalls.filter((c) => c.command === "docker")).toEqual([]);
    expect(lightsail.servingImage()).toBe(`${REPOSITORY_URI}:v3`);
    expect(outputsOf(result)["image-digest"]).toBe("");
  });

  test("a promotion's `images` are checked like a deploy's: a container not in the deployment changes nothing", async () => {
    const { deps, aws } = fakeDeps();
    ecrWithImage(aws);
    const lightsail = statefulLightsail(aws);
    const result = await run({ ...promote, promote: DIGEST, images: `queue=${REPOSITORY_URI}:q1` }, deps);
    expect(result.status).toBe("failed");
    expect(result.error).toContain(
      "`images` names container `queue`, which is not in the current deployment",
    );
    expect(aws.mocks.lightsail.commandCalls(CreateContainerServiceDeploymentCommand)).toHaveLength(0);
    expect(lightsail.servingImage()).toBe(`${REPOSITORY_URI}:v3`);
  });

  test("a promotion that fails its probe is rolled back; the digest output stays empty", async () => {
    const { deps, aws } = fakeDeps();
    ecrWithImage(aws);
    const lightsail = statefulLightsail(aws);
    // The promoted image answers 500; the release it replaced answers 200.
    deps.httpGet = async () => ({ status: lightsail.servingImage()?.includes(DIGEST) ? 500 : 200 });
    const record = fakeRecordParameter(aws);
    const result = await run({ ...promote, promote: DIGEST, "probe-count": "3" }, deps);
    expect(result.status).toBe("rolled-back");
    expect(outputsOf(result)["image-digest"]).toBe("");
    expect(renderSummary(result)).not.toContain("Promoted from");
    const rejected = record.entries().find((e) => e.version === 4);
    expect(rejected).toMatchObject({ verdict: "rejected", digest: DIGEST, from: "dev" });
  });
});

describe("promote inputs", () => {
  const env = {};
  const parse = (raw: Record<string, string>) => () =>
    parseInputs({ "service-name": "demo", repository: "app", ...raw }, env);

  test("a digest or a tag", () => {
    expect(parse({ promote: DIGEST })().source).toEqual({
      kind: "promote",
      image: { digest: DIGEST },
      from: undefined,
    });
    expect(parse({ promote: "abc1234", "promote-from": "staging" })().source).toEqual({
      kind: "promote",
      image: { tag: "abc1234" },
      from: "staging",
    });
  });

  test.each([
    [{ promote: "sha256:1234" }, '`promote` is "sha256:1234", which is not an image digest'],
    [{ promote: "-rf" }, '`promote` is "-rf", which is not an image digest (sha256:…) or an image tag'],
    [{ promote: DIGEST, tag: "x" }, "`promote`"],
    [{ promote: DIGEST, image: "app:1" }, "a promotion deploys an image already in ECR"],
    [{ promote: DIGEST, "rollback-to": "previous" }, "conflicts with `promote`"],
    [{ "promote-from": "dev" }, "`promote-from` is set without `promote`"],
    [{ promote: DIGEST, "promote-from": "dev env" }, '`promote-from` is "dev env"'],
  ])("%j is refused, naming the input", (raw, message) => {
    expect(parse(raw)).toThrow(message);
  });

  test("`repository` is required: a promotion names the image in it", () => {
    expect(() => parseInputs({ "service-name": "demo", promote: DIGEST }, env)).toThrow(
      "`repository` is required",
    );
  });
});

describe("the release record with digests", () => {
  test("eviction keeps the newest verified releases, however many digests and rejections were written (M2)", () => {
    let record = { entries: [] as ReleaseRecord["entries"] };
    const at = (n: number) => new Date(n * 1000);
    record = withVerdict(record, deployment(1, "INACTIVE"), "good", "probe passed", at(1), {
      digest: `sha256:${"1".repeat(64)}`,
      from: "staging",
    });
    for (let version = 2; version <= RECORD_LIMIT + 30; version++) {
      const d = { ...deployment(version, "ACTIVE"), containers: {} };
      record = withVerdict(record, d, "rejected", "failed the probe", at(version), {
        digest: `sha256:${String(version).padStart(64, "0")}`,
      });
    }
    const evicted = evictions(record);
    expect(evicted).toHaveLength(record.entries.length - RECORD_LIMIT);
    expect(evicted.every((e) => e.verdict === "rejected")).toBe(true);
    const left = record.entries.filter((e) => !evicted.includes(e));
    expect(left.find((e) => e.verdict === "good")?.version).toBe(1);
  });
});
