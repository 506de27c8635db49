import { describe, expect, test } from "vitest";
import { buildResult, type RunOutcomes } from "../src/pipeline/result.js";
import { DeployError } from "../src/platform/errors.js";
import type { ReleaseOutcome, StepOutcome } from "../src/targets/deploy-target.js";

const IMAGE = "127.0.0.1:5000/app:abc";
const DIGEST = `sha256:${"a".repeat(64)}`;

const base: RunOutcomes = { phases: [{ phase: "Inputs", ms: 3 }], timeline: [], context: undefined };
const started: RunOutcomes = {
  ...base,
  inputs: { dryRun: false, serviceName: "demo", region: "eu-west-1", source: "build" },
  service: { url: "https://app.example.com/", servingVersion: 3, warnings: ["certificate expires soon"] },
};

function released(outcome: Partial<ReleaseOutcome>, extra: Partial<StepOutcome> = {}): StepOutcome {
  const full: ReleaseOutcome = {
    status: "deployed",
    version: 4,
    image: IMAGE,
    serving: { version: 4 },
    logs: [],
    notes: [],
    ...outcome,
  };
  return { kind: "released", outcome: full, ...extra } as StepOutcome;
}

describe("buildResult: the result is a function of the phases' outcomes", () => {
  test.each<[string, RunOutcomes, Record<string, unknown>]>([
    [
      "bad inputs: failed, with the message, and nothing else known",
      { ...base, error: "lightsail-deploy failed: `region` is required" },
      { status: "failed", dryRun: false, error: "lightsail-deploy failed: `region` is required", notes: [] },
    ],
    [
      "pre-flight failed: the inputs are reported, no service facts",
      { ...base, inputs: started.inputs, error: "no such service" },
      { status: "failed", serviceName: "demo", region: "eu-west-1", source: "build", phases: base.phases },
    ],
    [
      "a verified deploy: the version serves, the warnings are notes before the step's",
      { ...started, step: released({ notes: ["built and pushed"] }) },
      {
        status: "deployed",
        deploymentVersion: 4,
        servingVersion: 4,
        previousVersion: 3,
        serviceUrl: "https://app.example.com/",
        imageUri: IMAGE,
        imageTag: "abc",
        notes: ["certificate expires soon", "built and pushed"],
      },
    ],
    [
      "serving could not be read: unknown, never none",
      {
        ...started,
        step: released({
          status: "failed",
          serving: { unknown: "throttled" },
          error: new DeployError("version 4 FAILED", "verify", "fix"),
        }),
      },
      {
        status: "failed",
        servingUnknown: "throttled",
        error: "lightsail-deploy failed: version 4 FAILED, at verify; fix",
      },
    ],
    [
      "a dry run: no status, the request and its note",
      {
        ...started,
        inputs: { dryRun: true, serviceName: "demo", region: "eu-west-1", source: "build" },
        step: { kind: "unchanged", image: IMAGE, version: undefined, request: "{}", note: "already in ECR" },
      },
      {
        status: undefined,
        dryRun: true,
        request: "{}",
        imageTag: "abc",
        notes: ["certificate expires soon", "already in ECR"],
      },
    ],
    [
      "a rollback to the version already serving: rolled back, that version serves",
      {
        ...started,
        inputs: { dryRun: false, serviceName: "demo", region: "eu-west-1", source: "rollback" },
        step: { kind: "unchanged", image: IMAGE, version: 3, note: "already active" },
      },
      { status: "rolled-back", deploymentVersion: 3, servingVersion: 3 },
    ],
    [
      "an error after pre-flight fails the run even with a step's verdict",
      { ...started, step: released({}), error: "boom" },
      { status: "failed", error: "boom", deploymentVersion: 4 },
    ],
  ])("%s", (_name, outcomes, expected) => {
    const result = buildResult(outcomes);
    expect(result).toMatchObject(expected);
    // Facts a phase did not reach are absent, never guessed: no URL without pre-flight, no serving
    // version when it could not be read.
    if (!outcomes.service) expect(result).not.toHaveProperty("serviceUrl");
    if (result.servingUnknown) expect(result).not.toHaveProperty("servingVersion");
  });

  test("the digest and origin are the deployed image's only while that image is the one left deployed", () => {
    const deployed = { uri: IMAGE, digest: DIGEST, from: "staging" };
    const kept = buildResult({ ...started, step: released({}, { deployed }) });
    expect(kept).toMatchObject({ imageDigest: DIGEST, promotedFrom: "staging" });
    const restored = buildResult({
      ...started,
      step: released({ status: "rolled-back", image: "127.0.0.1:5000/app:old", version: 5 }, { deployed }),
    });
    expect(restored.imageDigest).toBeUndefined();
    expect(restored.imageUri).toBe("127.0.0.1:5000/app:old");
  });

  test("cost appears once pre-flight passed, even when the prices could not be read", () => {
    expect("cost" in buildResult(base)).toBe(false);
    expect(buildResult({ ...started, cost: { value: undefined } })).toHaveProperty("cost", undefined);
    const cost = { power: "nano", scale: 2, pricePerNode: 7, total: 14 };
    expect(buildResult({ ...started, cost: { value: cost } }).cost).toEqual(cost);
  });

  test("the bake window and the containers come from the step; logs only from a release", () => {
    const bake = {
      url: "u",
      plannedMs: 1,
      ranMs: 1,
      requests: 1,
      errors: 0,
      errorRate: 0,
      failed: false,
      perMinute: [],
      samples: [],
    };
    const containers = [{ name: "app", image: IMAGE }];
    const result = buildResult({ ...started, step: released({ bake, logs: ["app | up"] }, { containers }) });
    expect(result).toMatchObject({ bake, containers, logs: ["app | up"] });
  });

  test("the same outcomes give an equal result, and the outcomes are not changed", () => {
    const outcomes: RunOutcomes = { ...started, step: released({ notes: ["n"] }) };
    const before = structuredClone(outcomes);
    expect(buildResult(outcomes)).toEqual(buildResult(outcomes));
    expect(buildResult(outcomes).notes).not.toBe(buildResult(outcomes).notes);
    expect(outcomes).toEqual(before);
  });
});
