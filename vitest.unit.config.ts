import { defineConfig } from "vitest/config";

// `npm run test:unit`: every unit suite of every workspace in one Vitest run (one pool, one start-up), without
// the Docker engine: the stand-in's docker.test.ts and the root e2e/ need it and run in `npm test` only.
// The app's suite runs on Bun (`npm run test:unit -w app`).
export default defineConfig({
  test: {
    projects: [
      {
        extends: ".github/actions/lightsail-deploy/vitest.config.ts",
        test: { name: "action", root: ".github/actions/lightsail-deploy" },
      },
      {
        extends: "local-aws/vitest.config.ts",
        test: {
          name: "local-aws",
          root: "local-aws",
          exclude: ["test/docker.test.ts"],
        },
      },
      {
        extends: "infrastructure/vitest.config.mts",
        test: { name: "infrastructure", root: "infrastructure" },
      },
      { test: { name: "repository", include: ["test/**/*.test.ts"], testTimeout: 60_000 } },
    ],
  },
});
