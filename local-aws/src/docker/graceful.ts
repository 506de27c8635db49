import type { ContainerRuntime } from "./container-runtime.js";

/**
 * Stops a container with a grace period so the app's SIGTERM handler can drain, then removes it. `beforeRemove`
 * runs in between, while the stopped container's output (its drain lines included) can still be read.
 */
export async function stopAndRemove(
  runtime: ContainerRuntime,
  name: string,
  graceSeconds: number,
  beforeRemove: () => Promise<void> = async () => {},
): Promise<void> {
  await runtime.stop(name, graceSeconds);
  await beforeRemove();
  await runtime.remove(name);
}
