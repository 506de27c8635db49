import { expect, test } from "vitest";
import { selectRollbackTarget } from "../src/rollback.js";
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
  [{ kind: "previous" } as const, { kind: "redeploy", version: 3 }],
  [{ kind: "version", version: 2 } as const, { kind: "redeploy", version: 2 }],
  [{ kind: "version", version: 4 } as const, { kind: "already-active", version: 4 }],
  [{ kind: "tag", tag: "one" } as const, { kind: "redeploy", version: 1 }],
  [{ kind: "tag", tag: "four" } as const, { kind: "already-active", version: 4 }],
])("%j → %j", (target, expected) => {
  const choice = selectRollbackTarget(history, target);
  expect({
    kind: choice.kind,
    version: "deployment" in choice ? choice.deployment.version : undefined,
  }).toEqual(expected);
});

test("a tag no deployment used keeps the current configuration with that image", () => {
  expect(selectRollbackTarget(history, { kind: "tag", tag: "older" })).toEqual({
    kind: "image",
    tag: "older",
  });
});

test("a tag only a FAILED deployment used is deployed as an image, not as that configuration", () => {
  expect(selectRollbackTarget(history, { kind: "tag", tag: "bad" })).toEqual({ kind: "image", tag: "bad" });
});

test.each([
  [[deployment(1, "ACTIVE")], { kind: "previous" } as const, /no earlier deployment has served/],
  [
    [deployment(2, "FAILED"), deployment(1, "ACTIVE")],
    { kind: "previous" } as const,
    /no earlier deployment/,
  ],
  [history, { kind: "version", version: 9 } as const, /no such deployment version \(kept: 1 \(INACTIVE\), 2/],
  [history, { kind: "version", version: 5 } as const, /a deployment that FAILED/],
])("rejects impossible targets", (deployments, target, message) => {
  expect(() => selectRollbackTarget(deployments, target)).toThrow(message);
});
