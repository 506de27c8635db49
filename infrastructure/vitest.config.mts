import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Pulumi mocks hang instead of failing when an output never resolves: fail fast instead.
    testTimeout: 20_000,
    hookTimeout: 20_000,
  },
});
