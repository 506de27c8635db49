import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // The dist test runs a full build (tsc + ncc).
    testTimeout: 20_000,
  },
});
