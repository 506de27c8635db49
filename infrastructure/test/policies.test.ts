import { describe, expect, it } from "vitest";
import {
  deployPolicy,
  githubEnvironmentSubject,
  keepLatestImagesPolicy,
  releaseRecordName,
  ssmPathArns,
} from "../src/policies.js";

describe("policy builders", () => {
  it.each([0, -1, 2.5])("refuses to keep %s images", (count) => {
    expect(() => keepLatestImagesPolicy(count)).toThrow(
      `image count must be a positive integer; got ${count}`,
    );
  });

  it.each([
    ["/vidos/dev/", "arn:aws:ssm:eu-west-1:111:parameter/vidos/dev"],
    ["/vidos/dev", "arn:aws:ssm:eu-west-1:111:parameter/vidos/dev"],
    ["/a/b/c/", "arn:aws:ssm:eu-west-1:111:parameter/a/b/c"],
  ])("scopes SSM path %s to its own ARN and the ARNs below it", (ssmPath, expected) => {
    expect(ssmPathArns({ partition: "aws", region: "eu-west-1", accountId: "111", ssmPath })).toEqual({
      path: expected,
      below: `${expected}/*`,
    });
  });

  it("names the release record like the deploy action's `release-record` default, outside any app path", () => {
    expect(releaseRecordName("vidos-prod")).toBe("/lightsail-deploy/vidos-prod/releases");
  });

  it("builds the environment subject GitHub puts in the token", () => {
    expect(githubEnvironmentSubject("acme/shop", "prod")).toBe("repo:acme/shop:environment:prod");
  });

  it("uses the partition and region it is given (no hard-coded aws or eu-west-1)", () => {
    const text = JSON.stringify(
      deployPolicy({
        partition: "aws-cn",
        dnsSuffix: "amazonaws.com.cn",
        region: "cn-north-1",
        accountId: "222",
        repositoryArn: "arn:aws-cn:ecr:cn-north-1:222:repository/app",
        serviceArn: "arn:aws-cn:lightsail:cn-north-1:222:ContainerService/x",
        serviceName: "app-prod",
        ssmPath: "/app/prod/",
        buildsImages: false,
      }),
    );
    expect(text).toContain("arn:aws-cn:ssm:cn-north-1:222:parameter/app/prod/*");
    expect(text).toContain('"arn:aws-cn:ssm:cn-north-1:222:parameter/lightsail-deploy/app-prod/releases"');
    expect(text).toContain("arn:aws-cn:kms:cn-north-1:222:key/*");
    expect(text).toContain('"ssm.cn-north-1.amazonaws.com.cn"');
    expect(text).not.toContain("eu-west-1");
  });
});
