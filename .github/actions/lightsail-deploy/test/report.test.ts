import { describe, expect, test } from "vitest";
import { type RunResult, renderSummary } from "../src/report/report.js";
import { monthlyCost } from "../src/targets/lightsail/cost.js";
import { RUN_CONTEXT } from "./fakes.js";

test.each([
  ["nano", 1, 7],
  ["micro", 3, 30],
  ["medium-1", 2, 80],
])("monthly cost of %s × %d is $%d", (power, scale, total) => {
  const powers = [
    { name: "nano", powerId: "nano-1", price: 7 },
    { name: "micro", powerId: "micro-1", price: 10 },
    { name: "medium", powerId: "medium-1", price: 40 },
  ];
  expect(monthlyCost(powers, power, scale)?.total).toBe(total);
});

test("unknown power gives no cost rather than a wrong one", () => {
  expect(monthlyCost([{ name: "nano", price: 7 }], "xlarge", 1)).toBeUndefined();
});

test("summary table: service, region, version, image, URL, phase durations", () => {
  const text = renderSummary({
    status: "deployed",
    dryRun: false,
    serviceName: "demo",
    region: "eu-west-1",
    deploymentVersion: 4,
    imageUri: "r/app:abc",
    serviceUrl: "http://127.0.0.1:8081/",
    phases: [
      { phase: "Image", ms: 83_000 },
      { phase: "Verify version 4", ms: 2_500 },
    ],
    notes: [],
    logs: [],
  });
  expect(text).toContain("## lightsail-deploy: ✅ Deployed");
  for (const row of [
    "| Service | demo |",
    "| Region | eu-west-1 |",
    "| Version | 4 |",
    "| Image | r/app:abc |",
    "| URL | http://127.0.0.1:8081/ |",
    "| Phase: Image | 1 min 23 s |",
    "| Phase: Verify version 4 | 2.5 s |",
  ]) {
    expect(text).toContain(row);
  }
});

describe("the summary links the commit and the run", () => {
  const base: RunResult = { status: "deployed", dryRun: false, phases: [], notes: [], logs: [] };

  test("on GitHub: the short SHA links the commit, with the branch; the run links the run", () => {
    const text = renderSummary({ ...base, context: RUN_CONTEXT });
    expect(text).toContain(`| Commit | [0123456](${RUN_CONTEXT.commitUrl}) (main) |`);
    expect(text).toContain(`| Run | [run by octocat](${RUN_CONTEXT.runUrl}) |`);
  });

  test("in a terminal, without a context, there are no such rows", () => {
    const text = renderSummary({ ...base, context: {} });
    expect(text).not.toContain("| Commit |");
    expect(text).not.toContain("| Run |");
  });
});
