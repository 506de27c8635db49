import { expect, test } from "vitest";
import { missingImages } from "../src/image/ecr-images.js";
import { BatchGetImageCommand } from "../src/platform/aws-sdk.js";
import { fakeAws, REPOSITORY_URI } from "./fakes.js";

const DIGEST = `sha256:${"cd".repeat(32)}`;
const repository = { repositoryName: "app", repositoryUri: REPOSITORY_URI };

test.each([
  [`${REPOSITORY_URI}:v2`, { imageTag: "v2" }],
  [`${REPOSITORY_URI}@${DIGEST}`, { imageDigest: DIGEST }],
  [`${REPOSITORY_URI}:v2@${DIGEST}`, { imageDigest: DIGEST }],
  [REPOSITORY_URI, { imageTag: "latest" }],
])("%s is looked up in ECR as %j", async (image, imageId) => {
  const aws = fakeAws();
  aws.mocks.ecr.on(BatchGetImageCommand).resolves({ images: [], failures: [{ imageId }] });
  expect(await missingImages(aws.clients, repository, [image])).toEqual([image]);
  expect(aws.mocks.ecr.commandCalls(BatchGetImageCommand)[0]?.args[0].input).toEqual({
    repositoryName: "app",
    imageIds: [imageId],
  });
});

test.each([
  ["nginx:latest"],
  ["127.0.0.1:5000/app-other:v1"],
  ["127.0.0.1:5000/team/app:v1"],
  ["127.0.0.1:5001/app:v1"],
])("%s is not in the repository, so it is not looked up", async (image) => {
  const aws = fakeAws();
  expect(await missingImages(aws.clients, repository, [image])).toEqual([]);
  expect(aws.mocks.ecr.commandCalls(BatchGetImageCommand)).toHaveLength(0);
});
