import { defineConfig } from "vitest/config";

// Repository-level tests: workflows, README contract, dist freshness, and end-to-end deploys.
export default defineConfig({
  test: {
    include: ["test/**/*.test.ts", "e2e/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 600_000,
    fileParallelism: false,
  },
});
