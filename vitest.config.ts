import { defineConfig } from "vitest/config";

// Repository-level tests (workflows, README contract, dist freshness) and the end-to-end deploys. The e2e
// project builds the fixture images its files share once per run (e2e/support/fixture-images.ts); files run
// one at a time because they share the one Docker engine.
export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 600_000,
    fileParallelism: false,
    maxWorkers: 1,
    projects: [
      { extends: true, test: { name: "repository", include: ["test/**/*.test.ts"] } },
      {
        extends: true,
        test: { name: "e2e", include: ["e2e/**/*.test.ts"], globalSetup: ["e2e/support/fixture-images.ts"] },
      },
    ],
  },
});
