import { createHash } from "node:crypto";
import { createServer, type Server } from "node:http";
import type {
  ContainerRunSpec,
  ContainerRuntime,
  ContainerStatus,
} from "../../src/docker/container-runtime.js";
import { MANIFEST_MEDIA_TYPES, type Manifest, type RegistryBackend } from "../../src/ecr/registry.js";

/** Virtual time: `sleep` advances the clock and returns at once, so tests never wait for real. */
export class VirtualClock {
  constructor(public ms = Date.UTC(2026, 10, 21, 12, 0, 0)) {}
  readonly now = () => this.ms;
  readonly sleep = async (ms: number) => {
    this.ms += ms;
    await new Promise((resolve) => setImmediate(resolve));
  };
}

/**
 * A hand-stepped wait: every `sleep` waits until the test calls `tick()`, so background loops (the health
 * monitor) run exactly as many beats as the test asks for, and never on their own.
 */
export class ManualTicker {
  private waiting: (() => void)[] = [];
  readonly sleep = (_ms: number) =>
    new Promise<void>((resolve) => {
      this.waiting.push(resolve);
    });

  /** Wakes every sleeper once; after it resolves, each woken beat has begun (so `idle()` covers it). */
  async tick(): Promise<void> {
    const woken = this.waiting;
    this.waiting = [];
    for (const wake of woken) wake();
    await new Promise((resolve) => setImmediate(resolve));
  }

  get sleepers(): number {
    return this.waiting.length;
  }
}

/** In-memory registry: images are "pushed" by `put`, digests are real sha256 of the manifest. */
export class FakeRegistry implements RegistryBackend {
  readonly username = "AWS";
  readonly password = "fake-registry-password";
  readonly host: string;
  readonly endpoint: string;
  private readonly manifests = new Map<string, Map<string, Manifest>>();

  constructor(port: number) {
    this.host = `127.0.0.1:${port}`;
    this.endpoint = `http://${this.host}`;
  }

  put(repository: string, tag: string, layerSizes: number[] = [100, 200]): Manifest {
    const body = JSON.stringify({
      schemaVersion: 2,
      mediaType: MANIFEST_MEDIA_TYPES[0],
      config: {
        mediaType: "application/vnd.docker.container.image.v1+json",
        size: 50,
        digest: `sha256:${"c".repeat(64)}`,
      },
      layers: layerSizes.map((size, i) => ({
        mediaType: "application/vnd.docker.image.rootfs.diff.tar.gzip",
        size,
        digest: `sha256:${String(i).repeat(64)}`,
      })),
      tag,
    });
    const manifest = {
      body,
      mediaType: MANIFEST_MEDIA_TYPES[0],
      digest: `sha256:${createHash("sha256").update(body).digest("hex")}`,
    };
    const repo = this.manifests.get(repository) ?? new Map<string, Manifest>();
    repo.set(tag, manifest);
    repo.set(manifest.digest, manifest);
    this.manifests.set(repository, repo);
    return manifest;
  }

  async catalog() {
    return [...this.manifests.keys()];
  }
  async listTags(repository: string) {
    return [...(this.manifests.get(repository)?.keys() ?? [])].filter((key) => !key.startsWith("sha256:"));
  }
  async getManifest(repository: string, reference: string) {
    return this.manifests.get(repository)?.get(reference);
  }
  async putManifest(repository: string, tag: string, body: string, mediaType: string) {
    const repo = this.manifests.get(repository);
    const digest = `sha256:${createHash("sha256").update(body).digest("hex")}`;
    // The fake holds blobs only through the manifests put() stored: a manifest must be one of them.
    if (!repo?.has(digest)) throw new Error("missing-blobs");
    repo.set(tag, { body, mediaType, digest });
    return digest;
  }
  async pushedAt() {
    return 1_790_000_000;
  }
  async stop() {}
}

interface FakeContainer {
  spec: ContainerRunSpec;
  status: ContainerStatus;
  log: string[];
  server?: Server;
}

/**
 * A container engine without Docker: `run` starts a real HTTP server on the container's PORT, so probes and
 * the service proxy are exercised for real. The image name picks the behaviour: `...crash...` exits with
 * code 3, `...unhealthy...` answers 500 on /health, `...errors...` answers 500 everywhere but /health. An
 * `EXIT_CODE` variable makes it a one-off job that exits with that code at once (RunTask).
 */
export class FakeRuntime implements ContainerRuntime {
  readonly containers = new Map<string, FakeContainer>();
  readonly pulls: string[] = [];
  pullError: string | undefined;
  private pullGate: Promise<void> | undefined;

  /** Holds every pull until the returned function is called: a deployment stays ACTIVATING meanwhile. */
  holdPulls(): () => void {
    let release = () => {};
    this.pullGate = new Promise<void>((resolve) => {
      release = resolve;
    });
    return () => {
      this.pullGate = undefined;
      release();
    };
  }

  constructor(private readonly clock: () => number = Date.now) {}

  private line(container: FakeContainer, message: string) {
    container.log.push(`${new Date(this.clock()).toISOString()} ${message}`);
  }

  async pull(image: string, registry: { host: string; password: string }) {
    await this.pullGate;
    if (this.pullError) throw new Error(this.pullError);
    if (!image.startsWith(`${registry.host}/`)) throw new Error(`pull access denied for ${image}`);
    this.pulls.push(image);
  }

  async run(spec: ContainerRunSpec) {
    if (this.containers.has(spec.name))
      throw new Error(`Conflict. The container name "/${spec.name}" is already in use`);
    const instance = spec.labels["local-aws.instance"] ?? "";
    const container: FakeContainer = { spec, status: { running: true, exitCode: 0, instance }, log: [] };
    this.containers.set(spec.name, container);
    if (spec.image.includes("crash")) {
      this.line(container, "fatal: crashing on purpose");
      container.status = { running: false, exitCode: 3, instance };
      return;
    }
    if (spec.env.EXIT_CODE !== undefined) {
      this.line(container, `job ${spec.command?.join(" ") ?? ""} exits ${spec.env.EXIT_CODE}`);
      container.status = { running: false, exitCode: Number(spec.env.EXIT_CODE), instance };
      return;
    }
    const unhealthy = spec.image.includes("unhealthy");
    const errors = spec.image.includes("errors");
    const version = spec.env.APP_VERSION ?? "unknown";
    container.server = createServer((request, response) => {
      const failing = request.url === "/health" ? unhealthy : errors;
      const status = failing ? 500 : 200;
      this.line(container, `${request.method} ${request.url} -> ${status}`);
      response.writeHead(status, { "content-type": "text/plain" });
      response.end(`hello from version ${version}\n`);
    });
    await new Promise<void>((resolve) =>
      container.server?.listen(Number(spec.env.PORT), "127.0.0.1", resolve),
    );
    this.line(container, `listening on port ${spec.env.PORT}, version ${version}`);
  }

  async status(name: string) {
    const container = this.containers.get(name);
    return container ? { ...container.status } : undefined;
  }

  async logs(name: string) {
    return this.containers.get(name)?.log.join("\n") ?? "";
  }

  /** Graceful stops, in order: the fake app logs its drain on SIGTERM and exits 0. */
  readonly stops: { name: string; graceSeconds: number }[] = [];
  async stop(name: string, graceSeconds: number) {
    const container = this.containers.get(name);
    if (!container?.status.running) return;
    this.stops.push({ name, graceSeconds });
    this.line(container, "SIGTERM received, draining");
    await this.kill(name);
    container.status = { ...container.status, exitCode: 0 };
  }

  async remove(name: string) {
    const container = this.containers.get(name);
    if (!container) return;
    this.containers.delete(name);
    container.server?.closeAllConnections();
    await new Promise<void>((resolve) =>
      container.server ? container.server.close(() => resolve()) : resolve(),
    );
  }

  /** Simulates a container dying on its own (e.g. the engine restarted). */
  async kill(name: string) {
    const container = this.containers.get(name);
    if (!container) return;
    container.server?.closeAllConnections();
    await new Promise<void>((resolve) =>
      container.server ? container.server.close(() => resolve()) : resolve(),
    );
    delete container.server;
    container.status = { ...container.status, running: false, exitCode: 137 };
  }

  readonly removedImages: string[] = [];
  async removeImage(image: string) {
    this.removedImages.push(image);
  }

  async listByLabel(label: string, value: string) {
    return [...this.containers.values()]
      .filter((c) => c.spec.labels[label] === value)
      .map((c) => c.spec.name);
  }

  running(): string[] {
    return [...this.containers.values()].filter((c) => c.status.running).map((c) => c.spec.name);
  }
}
