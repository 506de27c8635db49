import type { ContainerRuntime } from "../docker/container-runtime.js";
import type { RegistryBackend } from "../ecr/registry.js";
import type { HttpProbe } from "../http/health-probe.js";
import type { ScaledClock } from "../model/clock.js";

/** Everything the ECS emulation touches outside its own memory, passed in so tests can fake it. */
export interface EcsDeps {
  clock: ScaledClock;
  region: string;
  runtime: ContainerRuntime;
  registry: Pick<RegistryBackend, "host" | "username" | "password">;
  probe: HttpProbe;
  freePort: () => Promise<number>;
  /** Label `local-aws.instance` of the state dir, so `down` and `stop` find the task containers. */
  instanceId: string;
  containerPrefix: string;
  /** Stop grace in real seconds (SIGTERM, then SIGKILL). */
  stopGraceSeconds: number;
  /** The value of a `secrets[].valueFrom` (an SSM parameter name or ARN); undefined when there is none. */
  resolveSecret: (valueFrom: string) => string | undefined;
  /** Records an image pulled into the engine, so `down` removes it. */
  notePulled: (image: string) => void;
  log: (line: string) => void;
}
