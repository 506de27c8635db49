import { basename, dirname, resolve } from "node:path";

/** The state entry (GITHUB_STATE → STATE_temp-dirs in the post step) listing the private temp dirs. */
export const TEMP_DIRS_STATE = "temp-dirs";
/** Every private temp dir's name starts with this (image.ts's docker config). */
export const TEMP_DIR_PREFIX = "lightsail-deploy-";

/**
 * The directories the post step may remove: those the main step recorded that are directly under
 * RUNNER_TEMP and carry the action's prefix. Anything else in the state is ignored, never removed.
 */
export function removableTempDirs(state: string, runnerTemp: string | undefined): string[] {
  if (!state || !runnerTemp) return [];
  let listed: unknown;
  try {
    listed = JSON.parse(state);
  } catch {
    return [];
  }
  if (!Array.isArray(listed)) return [];
  const root = resolve(runnerTemp);
  return listed.filter(
    (path): path is string =>
      typeof path === "string" &&
      dirname(resolve(path)) === root &&
      basename(path).startsWith(TEMP_DIR_PREFIX) &&
      resolve(path) === path,
  );
}
