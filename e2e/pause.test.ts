import { readFileSync } from "node:fs";
import { join } from "node:path";
import { DescribeImagesCommand } from "@aws-sdk/client-ecr";
import {
  CreateContainerServiceCommand,
  DeleteContainerServiceCommand,
  GetContainerServicesCommand,
  NotFoundException,
} from "@aws-sdk/client-lightsail";
import { GetParametersByPathCommand } from "@aws-sdk/client-ssm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repoRoot } from "../scripts/harness/paths.js";
import { grantServicePull } from "../scripts/harness/registry-access.js";
import { lastVerifiedRelease } from "../scripts/pause/last-verified-release.js";
import { type Context, interpolate } from "../test/helpers/expressions.js";
import { parseWorkflow } from "../test/helpers/workflow-model.js";
import { endToEndEnabled } from "./support/prerequisites.js";
import { expectOutcome, SHA_V1, type Stage, startStage } from "./support/stage.js";

// A paused environment (pause.yml) on the stand-in: the teardown and re-create Pulumi makes for
// `vidos:paused` (DeleteContainerService, then CreateContainerService and the repository policy trusting the
// new image-puller), and the resume step of pause.yml run as written, with this environment's variables.
const enabled = await endToEndEnabled();

const SERVICE = "h21-pause-dev";
const REPOSITORY = "h21-pause-app";
const SSM_PATH = `/${SERVICE}/dev/`;
const TIMING = { "poll-interval": "1s", "wait-timeout": "3m", "probe-count": "10" };

/** pause.yml's resume step's inputs, evaluated with this environment's variables and the record's digest. */
function resumeInputs(digest: string): Record<string, string> {
  const text = readFileSync(join(repoRoot, ".github/workflows/pause.yml"), "utf8");
  const step = parseWorkflow(text, "pause.yml").jobs.resume?.steps?.find((s) => s.id === "deploy");
  if (!step?.with) throw new Error("pause.yml has no resume step with id deploy");
  const vars = {
    LIGHTSAIL_SERVICE_NAME: SERVICE,
    ECR_REPOSITORY: REPOSITORY,
    AWS_REGION: "eu-west-1",
    SSM_PATH,
  };
  return Object.fromEntries(
    Object.entries(step.with).map(([name, value]) => [
      name,
      interpolate(String(value), { vars, steps: { release: { outputs: { digest } } } } as unknown as Context),
    ]),
  );
}

describe.skipIf(!enabled)(
  "pause out of hours: teardown, re-create, and the last verified release back",
  () => {
    let stage: Stage;
    beforeAll(async () => {
      stage = await startStage({ service: SERVICE, repository: REPOSITORY, ssmPath: SSM_PATH });
    }, 300_000);
    afterAll(async () => {
      await stage?.close();
    });

    const servingTag = `keep-${SERVICE}-serving`;
    const taggedDigest = async () =>
      (
        await stage.pipeline.ecr.send(
          new DescribeImagesCommand({ repositoryName: REPOSITORY, imageIds: [{ imageTag: servingTag }] }),
        )
      ).imageDetails?.[0]?.imageDigest;
    const parameters = async () =>
      (
        await stage.pipeline.ssm.send(new GetParametersByPathCommand({ Path: SSM_PATH, Recursive: true }))
      ).Parameters?.map((p) => p.Name);
    const service = async () =>
      (await stage.pipeline.lightsail.send(new GetContainerServicesCommand({ serviceName: SERVICE })))
        .containerServices?.[0];

    it("stops by deleting the service, keeps the image, parameters and record, and starts it serving the same release", async () => {
      // Working hours: a release deployed and verified; the action tagged the image it serves.
      const deployed = await stage.deployApp(SHA_V1);
      expectOutcome(deployed, "succeeds", "deployed");
      const digest = deployed.outputs["image-digest"];
      expect(digest).toMatch(/^sha256:/);
      expect(await taggedDigest()).toBe(digest);
      const before = await service();
      const recordBefore = await stage.pipeline.releaseRecord();
      const parametersBefore = await parameters();

      // Stop (pulumi up with vidos:paused=true): the service is deleted.
      await stage.pipeline.lightsail.send(new DeleteContainerServiceCommand({ serviceName: SERVICE }));
      await expect(service()).rejects.toThrow(NotFoundException);
      expect((await fetch(stage.pipeline.serviceUrl)).status).toBe(503);
      expect(await taggedDigest()).toBe(digest);
      expect(await parameters()).toEqual(parametersBefore);
      expect(await stage.pipeline.releaseRecord()).toEqual(recordBefore);

      // Start (pulumi up with vidos:paused=false): a new service, and dev's repository policy trusting its
      // new image-puller.
      await stage.pipeline.lightsail.send(
        new CreateContainerServiceCommand({
          serviceName: SERVICE,
          power: "micro",
          scale: 1,
          privateRegistryAccess: { ecrImagePullerRole: { isActive: true } },
        }),
      );
      const recreated = await service();
      expect(recreated?.arn).not.toBe(before?.arn);
      expect(recreated?.currentDeployment).toBeUndefined();
      await grantServicePull(stage.pipeline, SERVICE, REPOSITORY);

      // Then pause.yml's resume, as written: the newest verified release in the record (what its release
      // step reads with get-parameters-by-path), promoted by digest.
      const record = await stage.pipeline.ssm.send(
        new GetParametersByPathCommand({
          Path: `/lightsail-deploy/${SERVICE}/releases/eu-west-1/${SERVICE}`,
          Recursive: true,
        }),
      );
      const release = lastVerifiedRelease(record.Parameters ?? [], { service: SERVICE, region: "eu-west-1" });
      expect(release.digest).toBe(digest);
      const inputs = resumeInputs(release.digest);
      expect(inputs.promote).toBe(digest);
      const resumed = await stage.pipeline.runAction({ ...inputs, "container-name": "app", ...TIMING });
      expectOutcome(resumed, "succeeds", "deployed");
      expect(resumed.outputs["image-digest"]).toBe(digest);
      expect(await stage.healthVersion()).toBe(SHA_V1);
      expect((await service())?.currentDeployment?.version).toBe(1);
      expect(await taggedDigest()).toBe(digest);
    }, 600_000);
  },
);
