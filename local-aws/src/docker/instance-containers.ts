import { defaultSettings, stopGraceSeconds } from "../config/config.js";
import type { PersistedState } from "../state/state.js";
import type { ContainerRuntime } from "./container-runtime.js";
import { stopAndRemove } from "./graceful.js";

/**
 * Removes every container created for this state dir (label `local-aws.instance=<id>`) and the images it
 * pulled into the engine (the registry keeps them).
 */
export async function removeInstanceContainers(
  runtime: ContainerRuntime,
  state: Pick<PersistedState, "instanceId" | "pulledImages" | "stopGraceSeconds">,
): Promise<{ containers: string[]; images: string[] }> {
  const containers = await runtime.listByLabel("local-aws.instance", state.instanceId);
  const grace = state.stopGraceSeconds ?? stopGraceSeconds(defaultSettings);
  await Promise.all(containers.map((name) => stopAndRemove(runtime, name, grace)));
  const images = state.pulledImages ?? [];
  for (const image of images) await runtime.removeImage(image);
  state.pulledImages = [];
  return { containers, images };
}
