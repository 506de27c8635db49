// biome-ignore-all lint/suspicious/noTemplateCurlyInString: "${{ }}" here is GitHub expression syntax quoted from the example workflow.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { repoRoot } from "../scripts/local/paths.js";
import { endToEndEnabled } from "./support/prerequisites.js";
import { expectOutcome, expectVerifiedServing, useStage } from "./support/stage.js";

// examples/lightsail-deploy.yml, the workflow another repository copies, deploys this repository's app to a
// service that has never been deployed: its action step's inputs as written, on the stand-in.
const enabled = await endToEndEnabled();

const SERVICE = "h20-example";
const SHA = "e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0";

/** The example's action step: the one `uses:` of this repository's action. */
function exampleInputs(): Record<string, unknown> {
  const workflow = parse(readFileSync(join(repoRoot, "examples/lightsail-deploy.yml"), "utf8")) as {
    jobs: Record<string, { steps: { uses?: string; with?: Record<string, unknown> }[] }>;
  };
  const steps = Object.values(workflow.jobs).flatMap((job) => job.steps);
  const action = steps.find((step) => step.uses?.includes("/.github/actions/lightsail-deploy@"));
  if (!action?.with)
    throw new Error("examples/lightsail-deploy.yml has no lightsail-deploy step with inputs");
  return action.with;
}

describe.skipIf(!enabled)("the examples/ workflow on a new service", () => {
  const stage = useStage(SERVICE, []); // no release: the service has no deployment yet

  it("deploys and verifies the first release with the example's inputs", async () => {
    const given = exampleInputs();
    // The GitHub variables name the service and the repository, which the stand-in's pipeline gives.
    expect(given["service-name"]).toBe("${{ vars.LIGHTSAIL_SERVICE_NAME }}");
    expect(given.repository).toBe("${{ vars.ECR_REPOSITORY }}");
    const literal = Object.fromEntries(
      Object.entries(given)
        .filter(([name]) => name !== "service-name" && name !== "repository")
        .map(([name, value]) => [name, String(value)]),
    );
    const run = await stage.pipeline.runAction(
      {
        ...literal,
        // What only this machine and the demo app need: the locally built Bun base image (no Docker Hub),
        // the app's own settings in SSM, and shorter polls.
        "build-args": `BUN_IMAGE=${stage.pipeline.baseImage}\nGIT_SHA=${SHA}`,
        "ssm-path": `/${SERVICE}/dev/`,
        "poll-interval": "1s",
        "wait-timeout": "3m",
      },
      { GITHUB_SHA: SHA },
    );
    expectOutcome(run, "succeeds", "deployed");
    await expectVerifiedServing(stage, SHA);
  }, 600_000);
});
