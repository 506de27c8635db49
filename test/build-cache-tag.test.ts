import { describe, expect, it } from "vitest";
import { CACHE_TAG } from "../.github/actions/lightsail-deploy/src/image/build-cache.js";
import { BUILD_CACHE_TAG, keepLatestImagesPolicy } from "../infrastructure/src/policies.js";

describe("the build cache and the ECR lifecycle policy", () => {
  it("the tag the action pushes its cache to is the tag the lifecycle policy keeps, in its first rule", () => {
    expect(CACHE_TAG).toBe(BUILD_CACHE_TAG);
    const [first] = keepLatestImagesPolicy(5).rules;
    expect(first?.selection).toMatchObject({ tagStatus: "tagged", tagPrefixList: [CACHE_TAG] });
  });
});
