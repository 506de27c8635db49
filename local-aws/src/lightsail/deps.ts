import type { Settings } from "../config/config.js";
import type { ContainerRuntime } from "../docker/container-runtime.js";
import type { RegistryBackend } from "../ecr/registry.js";
import type { FaultController } from "../faults/faults.js";
import type { HttpProbe } from "../http/health-probe.js";
import type { StateStore } from "../state/state-store.js";

/** Everything the Lightsail emulation touches outside its own memory, passed in so tests can fake it. */
export interface LightsailDeps {
  store: StateStore;
  region: string;
  settings: Settings;
  registry: RegistryBackend;
  runtime: ContainerRuntime;
  faults: FaultController;
  probe: HttpProbe;
  freePort: () => Promise<number>;
  now: () => number;
  sleep: (ms: number) => Promise<void>;
  /** The wait between health checks of ACTIVE deployments; tests step it by hand. */
  monitorSleep: (ms: number) => Promise<void>;
  /** Where captured container logs are kept. */
  logDir: string;
  log: (line: string) => void;
}

export const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
