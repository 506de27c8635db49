import { type LocalAwsConfig, stopGraceSeconds } from "./config/config.js";
import { EcsEmulation, NO_ECS } from "./ecs/ecs-emulation.js";
import type { LightsailDeps } from "./lightsail/deps.js";
import type { StateStore } from "./state/state-store.js";

/** The ECS side on the Lightsail side's engine, registry and probe, with its own clock scale. */
export function ecsEmulation(
  log: ((line: string) => void) | undefined,
  config: LocalAwsConfig,
  store: StateStore,
  deps: LightsailDeps,
): EcsEmulation {
  const ecs = config.ecs ?? NO_ECS;
  return new EcsEmulation(ecs, {
    ...deps,
    clock: { now: deps.now, scale: ecs.timeScale },
    instanceId: store.state.instanceId,
    containerPrefix: config.settings.containerPrefix,
    stopGraceSeconds: stopGraceSeconds(config.settings),
    resolveSecret: (valueFrom) => {
      const name = valueFrom.includes(":parameter")
        ? (valueFrom.split(":parameter").at(-1) ?? "")
        : valueFrom;
      return store.state.parameters?.[name]?.value;
    },
    notePulled: (image) => {
      const pulled = store.state.pulledImages ?? [];
      if (!pulled.includes(image)) store.state.pulledImages = [...pulled, image];
      store.save();
    },
    log: log ?? (() => {}),
  });
}
