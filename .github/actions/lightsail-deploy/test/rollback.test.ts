import { expect, test } from "vitest";
import { EMPTY_RECORD, type ReleaseRecord } from "../src/release/record/release-record.js";
import { withVerdict } from "../src/targets/lightsail/release/record-view.js";
import { selectRollbackTarget } from "../src/targets/lightsail/rollback/rollback.js";
import { deployment } from "./fakes.js";

// Shuffled on purpose: the API's order is not to be trusted.
const history = [
  deployment(5, "FAILED", "bad"),
  deployment(2, "INACTIVE", "two"),
  deployment(4, "ACTIVE", "four"),
  deployment(1, "INACTIVE", "one"),
  deployment(3, "INACTIVE", "three"),
  deployment(6, "ACTIVATING", "six"),
];

test.each([
  [{ kind: "version", version: 2 } as const, { kind: "redeploy", version: 2 }],
  [{ kind: "version", version: 4 } as const, { kind: "already-active", version: 4 }],
  [{ kind: "tag", tag: "one" } as const, { kind: "redeploy", version: 1 }],
  [{ kind: "tag", tag: "four" } as const, { kind: "already-active", version: 4 }],
])("%j → %j", (target, expected) => {
  const choice = selectRollbackTarget(history, target, EMPTY_RECORD);
  expect({
    kind: choice.kind,
    version: "deployment" in choice ? choice.deployment.version : undefined,
  }).toEqual(expected);
});

test("a tag no deployment used keeps the current configuration with that image", () => {
  expect(selectRollbackTarget(history, { kind: "tag", tag: "older" }, EMPTY_RECORD)).toEqual({
    kind: "image",
    tag: "older",
  });
});

test("a tag only a FAILED deployment used is deployed as an image, not as that configuration", () => {
  expect(selectRollbackTarget(history, { kind: "tag", tag: "bad" }, EMPTY_RECORD)).toEqual({
    kind: "image",
    tag: "bad",
  });
});

test.each([
  [[deployment(1, "ACTIVE")], { kind: "previous" } as const, /holds no verified-good release/],
  [[deployment(2, "FAILED"), deployment(1, "ACTIVE")], { kind: "previous" } as const, /no verified-good/],
  // H2: an empty record (deleted, or first use) never guesses: an INACTIVE release may be the one that failed.
  [
    history,
    { kind: "previous" } as const,
    /name the version to return to with `rollback-to` \(e\.g\. `rollback-to: 3`/,
  ],
  [history, { kind: "version", version: 9 } as const, /no such deployment version \(kept: 1 \(INACTIVE\), 2/],
  [history, { kind: "version", version: 5 } as const, /a deployment that FAILED/],
])("rejects impossible targets", (deployments, target, message) => {
  expect(() => selectRollbackTarget(deployments, target, EMPTY_RECORD)).toThrow(message);
});

/** A record with these verdicts, on the `history` deployments by version. */
function recordOf(
  verdicts: readonly (readonly [number, "good" | "rejected"])[],
  deployments = history,
): ReleaseRecord {
  return verdicts.reduce((record, [version, verdict]) => {
    const found = deployments.find((d) => d.version === version);
    if (!found) throw new Error(`no version ${version}`);
    return withVerdict(record, found, verdict, "test", new Date(0));
  }, EMPTY_RECORD);
}

test.each([
  [
    "the newest verified-good release other than the serving one",
    [
      [1, "good"],
      [2, "good"],
      [4, "good"],
    ],
    2,
  ],
  [
    "skipping a newer release the record rejected",
    [
      [1, "good"],
      [3, "rejected"],
      [4, "good"],
    ],
    1,
  ],
  [
    "skipping a newer release that was never verified",
    [
      [1, "good"],
      [4, "good"],
    ],
    1,
  ],
] as const)("previous is %s", (_, verdicts, expected) => {
  const choice = selectRollbackTarget(history, { kind: "previous" }, recordOf(verdicts));
  expect(choice).toMatchObject({ kind: "redeploy", deployment: { version: expected } });
});

test("previous after an automatic rollback is the release before the restored one, not the failed one", () => {
  // v1 good, v2 good, v3 failed its probe, v4 = v2's configuration restored and verified.
  const deployments = [
    deployment(1, "INACTIVE", "one"),
    deployment(2, "INACTIVE", "two"),
    deployment(3, "INACTIVE", "three"),
    deployment(4, "ACTIVE", "two"),
  ];
  const record = recordOf(
    [
      [1, "good"],
      [2, "good"],
      [3, "rejected"],
      [4, "good"],
    ],
    deployments,
  );
  expect(selectRollbackTarget(deployments, { kind: "previous" }, record)).toMatchObject({
    kind: "redeploy",
    deployment: { version: 1 },
  });
});

test("a tag whose only configuration was rejected is deployed as an image, not as that configuration", () => {
  const choice = selectRollbackTarget(history, { kind: "tag", tag: "three" }, recordOf([[3, "rejected"]]));
  expect(choice).toEqual({ kind: "image", tag: "three" });
});
