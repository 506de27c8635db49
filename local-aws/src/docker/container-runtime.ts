/** What the Lightsail emulation needs from a container engine; Docker in production, a fake in unit tests. */
export interface ContainerRunSpec {
  name: string;
  image: string;
  command?: string[];
  env: Record<string, string>;
  labels: Record<string, string>;
}

export interface ContainerStatus {
  running: boolean;
  exitCode: number;
  /** The `local-aws.instance` label: which state dir created it (empty for containers made by others). */
  instance: string;
}

export interface ContainerRuntime {
  /** Logs in to the registry (password on stdin) and pulls the image; throws with the engine's message. */
  pull(image: string, registry: { host: string; username: string; password: string }): Promise<void>;
  run(spec: ContainerRunSpec): Promise<void>;
  /** Undefined when no such container exists. */
  status(name: string): Promise<ContainerStatus | undefined>;
  /** `docker logs --timestamps` output (stdout and stderr merged). */
  logs(name: string): Promise<string>;
  /** SIGTERM, then SIGKILL after `graceSeconds` if it is still running; no error when it is gone. */
  stop(name: string, graceSeconds: number): Promise<void>;
  /** Removes the container, killing it if it still runs; no error when it is already gone. */
  remove(name: string): Promise<void>;
  /** Removes a pulled image reference; no error when it is gone or still used. */
  removeImage(image: string): Promise<void>;
  /** Names of the containers carrying this label value. */
  listByLabel(label: string, value: string): Promise<string[]>;
}
