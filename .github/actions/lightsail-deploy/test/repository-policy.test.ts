import { describe, expect, test } from "vitest";
import { checkPullGrant } from "../../../../local-aws/src/ecr/policy.js";
import { policyGrantsPull } from "../src/targets/lightsail/preflight/repository-policy.js";
import { PRINCIPAL } from "./fakes.js";

const OTHER = "arn:aws:iam::111111111111:role/other";
const PULL = ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"];
const allow = (extra: object) => ({ Effect: "Allow", Principal: { AWS: PRINCIPAL }, Action: PULL, ...extra });
const deny = (extra: object) => ({
  Effect: "Deny",
  Principal: { AWS: PRINCIPAL },
  Action: "ecr:*",
  ...extra,
});

/**
 * [case, statements, granted, part of the reason, whether the stand-in's evaluator (which knows no
 * NotAction, NotPrincipal, Condition or account principals) defines a verdict for it].
 */
const CASES: [string, object[], boolean, string, boolean][] = [
  ["both actions to the role", [allow({})], true, "", true],
  [
    "ecr:* to a list holding the role",
    [allow({ Principal: { AWS: [OTHER, PRINCIPAL] }, Action: "ecr:*" })],
    true,
    "",
    true,
  ],
  ["* to everyone", [{ Effect: "Allow", Principal: "*", Action: "*" }], true, "", true],
  ['{"AWS": "*"}', [allow({ Principal: { AWS: "*" } })], true, "", true],
  [
    "a wildcard in the action (ecr:BatchGet*)",
    [allow({ Action: ["ecr:BatchGet*", "ecr:GetDownloadUrlFor?ayer"] })],
    true,
    "",
    true,
  ],
  [
    "actions in another case",
    [allow({ Action: ["ECR:batchgetimage", "Ecr:GetDownloadURLForLayer"] })],
    true,
    "",
    true,
  ],
  [
    "split over two statements",
    [allow({ Action: "ecr:BatchGetImage" }), allow({ Action: "ecr:GetDownloadUrlForLayer" })],
    true,
    "",
    true,
  ],
  [
    "one action missing",
    [allow({ Action: "ecr:BatchGetImage" })],
    false,
    "no statement allows ecr:GetDownloadUrlForLayer",
    true,
  ],
  [
    "another principal",
    [allow({ Principal: { AWS: OTHER } })],
    false,
    "no statement allows ecr:BatchGetImage",
    true,
  ],
  [
    "a Deny on ecr:* beats an Allow",
    [allow({}), deny({ Sid: "NoPulls" })],
    false,
    'statement "NoPulls" denies ecr:BatchGetImage to the role',
    true,
  ],
  [
    "a Deny on * to everyone",
    [allow({}), { Effect: "Deny", Principal: "*", Action: "*" }],
    false,
    "statement #2 denies ecr:BatchGetImage",
    true,
  ],
  [
    "a Deny on one pull action",
    [allow({}), deny({ Action: "ecr:GetDownload*" })],
    false,
    "denies ecr:GetDownloadUrlForLayer",
    true,
  ],
  ["a Deny to another principal", [allow({}), deny({ Principal: { AWS: OTHER } })], true, "", true],
  ["a Deny of other actions", [allow({}), deny({ Action: "ecr:Put*" })], true, "", true],
  ["an empty statement list", [], false, "no statement allows", true],
  [
    "NotAction that leaves the pull actions",
    [allow({ Action: undefined, NotAction: "ecr:Delete*" })],
    true,
    "",
    false,
  ],
  [
    "NotAction that excludes one",
    [allow({ Action: undefined, NotAction: "ecr:GetDownload*" })],
    false,
    "no statement allows ecr:GetDownloadUrlForLayer",
    false,
  ],
  [
    "a Deny with NotAction that leaves the pull actions",
    [allow({}), deny({ Action: undefined, NotAction: "ecr:Put*" })],
    false,
    "denies ecr:BatchGetImage to the role",
    false,
  ],
  [
    "a Deny with NotAction that excludes them",
    [allow({}), deny({ Action: undefined, NotAction: PULL })],
    true,
    "",
    false,
  ],
  [
    "an Allow with NotPrincipal of another",
    [allow({ Principal: undefined, NotPrincipal: { AWS: OTHER } })],
    true,
    "",
    false,
  ],
  [
    "an Allow with NotPrincipal of the role",
    [allow({ Principal: undefined, NotPrincipal: { AWS: PRINCIPAL } })],
    false,
    "no statement allows",
    false,
  ],
  [
    "a Deny with NotPrincipal",
    [allow({}), deny({ Principal: undefined, NotPrincipal: { AWS: PRINCIPAL } })],
    false,
    "outside its NotPrincipal",
    false,
  ],
  [
    "an Allow under a Condition",
    [allow({ Condition: { StringEquals: { "aws:SourceAccount": "1" } } })],
    false,
    "allowed only under a Condition",
    false,
  ],
  [
    "a Deny under a Condition",
    [allow({}), deny({ Condition: { Bool: { "aws:SecureTransport": "false" } } })],
    false,
    "under a Condition, which this check cannot evaluate, so it is taken as denying",
    false,
  ],
  [
    "a Deny to the role's account",
    [allow({}), deny({ Principal: { AWS: "arn:aws:iam::111111111111:root" } })],
    false,
    "denies ecr:BatchGetImage",
    false,
  ],
  [
    "an Allow to the role's account only",
    [allow({ Principal: { AWS: "111111111111" } })],
    false,
    "no statement allows",
    true,
  ],
];

describe("policyGrantsPull applies IAM's rules", () => {
  test.each(CASES)("%s", (_, statements, granted, reason) => {
    const verdict = policyGrantsPull(
      JSON.stringify({ Version: "2012-10-17", Statement: statements }),
      PRINCIPAL,
    );
    expect(verdict.granted).toBe(granted);
    if (!verdict.granted) expect(verdict.reason).toContain(reason);
  });

  test.each([
    ["", "the repository has no policy"],
    ["{not json", "the repository policy is not valid JSON"],
  ])("%j: %s", (text, reason) => {
    expect(policyGrantsPull(text, PRINCIPAL)).toEqual({ granted: false, denied: false, reason });
  });

  test("a single statement object (not a list) counts", () => {
    expect(policyGrantsPull(JSON.stringify({ Statement: allow({}) }), PRINCIPAL).granted).toBe(true);
  });
});

// The stand-in evaluates the same rules with its own code; where both define a verdict, they agree.
describe("cross-check with the stand-in's evaluator", () => {
  test.each(CASES.filter((c) => c[4]))("%s", (_, statements, granted) => {
    const text = JSON.stringify({ Version: "2012-10-17", Statement: statements });
    expect(checkPullGrant(text, PRINCIPAL).ok).toBe(granted);
    expect(policyGrantsPull(text, PRINCIPAL).granted).toBe(granted);
  });
});
