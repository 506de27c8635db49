import { resolve } from "node:path";

/** Where things are, from the repository root; one place so scripts and tests agree. */
export const repoRoot = resolve(new URL("../..", import.meta.url).pathname);
export const actionPath = resolve(repoRoot, ".github/actions/lightsail-deploy");
export const demoStackConfig = resolve(repoRoot, "scripts/dev/demo-stack.json");
export const defaultStateDir = resolve(repoRoot, ".local-aws");
export const baseImageScript = resolve(repoRoot, "scripts/build-bun-base-image.sh");
