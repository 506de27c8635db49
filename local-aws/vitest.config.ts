import { defineConfig } from "vitest/config";

// Docker-backed tests pull, run and probe real containers, so they get generous timeouts; files run one at a
// time because they share the one Docker engine.
export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 180_000,
    fileParallelism: false,
  },
});
