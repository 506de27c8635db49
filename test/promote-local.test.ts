import { readFileSync } from "node:fs";
import { describe, expect, test } from "vitest";
import { ENVIRONMENTS, pinnedDigest, promotionStep } from "../scripts/dev/environments.js";

const DIGEST = `sha256:${"e".repeat(64)}`;

describe("npm run promote:local", () => {
  test("--to staging takes dev's image, --to prod takes staging's", () => {
    expect(promotionStep("staging")).toMatchObject({
      from: { name: "dev" },
      to: { service: "demo-staging" },
    });
    expect(promotionStep("prod")).toMatchObject({ from: { name: "staging" }, to: { service: "demo-prod" } });
  });

  test.each([["dev"], ["qa"], [undefined]])("--to %s is refused, naming --to", (to) => {
    expect(() => promotionStep(to)).toThrow(/^--to .*: promote into one of staging, prod/);
  });

  test("a pinned image names its digest; a tag-only one does not", () => {
    expect(pinnedDigest(`127.0.0.1:5000/demo-app@${DIGEST}`)).toBe(DIGEST);
    expect(pinnedDigest("127.0.0.1:5000/demo-app:abc1234")).toBeUndefined();
  });

  test("the demo stack has every environment's service and its own SSM path; deploy:local stays on dev", () => {
    const stack = JSON.parse(readFileSync("scripts/dev/demo-stack.json", "utf8")) as {
      services: { name: string }[];
      parameters: { name: string }[];
    };
    for (const env of ENVIRONMENTS) {
      expect(stack.services.map((s) => s.name)).toContain(env.service);
      expect(stack.parameters.map((p) => p.name)).toContain(`${env.ssmPath}AUTHORIZER_URL`);
    }
    const deployLocal = readFileSync("scripts/dev/deploy-local.ts", "utf8");
    expect(deployLocal).toContain('const SERVICE = "demo";');
    const scripts = (JSON.parse(readFileSync("package.json", "utf8")) as { scripts: Record<string, string> })
      .scripts;
    expect(scripts["promote:local"]).toBe("bash scripts/promote-local.sh");
  });
});
