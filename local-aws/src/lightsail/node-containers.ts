import { stopGraceSeconds } from "../config/config.js";
import { stopAndRemove } from "../docker/graceful.js";
import type { ContainerSpec } from "../model/container.js";
import type { DeploymentRecord, ServiceRecord } from "../state/state.js";
import { ActivationFailure } from "./activation-failure.js";
import { type LogArchive, nodeContainerName } from "./container-logs.js";
import type { LightsailDeps } from "./deps.js";
import { nodeIndexes, nodeLabel, portsOf, siblingEnvironment } from "./nodes.js";

/**
 * The containers of a deployment's nodes, for the runner: pulled from the local registry, run on the host
 * network with a fresh port each, and stopped with their output kept in the log archive.
 */
export class NodeContainers {
  constructor(
    private readonly deps: LightsailDeps,
    private readonly archive: LogArchive,
  ) {}

  containerName(service: ServiceRecord, deployment: DeploymentRecord, container: string, node = 0): string {
    return nodeContainerName(
      this.deps.settings.containerPrefix,
      service.name,
      deployment.version,
      container,
      node,
    );
  }

  /** Pulls and starts every container on each of the nodes, each told its own host port through PORT. */
  async startContainers(
    service: ServiceRecord,
    deployment: DeploymentRecord,
    say: (m: string) => void,
    nodes: number[] = nodeIndexes(deployment),
  ): Promise<void> {
    const pulled = new Set<string>();
    for (const spec of Object.values(deployment.containers)) {
      if (!pulled.has(spec.image)) await this.pull(spec.image);
      pulled.add(spec.image);
    }
    for (const node of nodes) await this.startNode(service, deployment, node, say);
  }

  /** Gives every container of the node a fresh host port first, so siblings can be pointed at each other. */
  async startNode(
    service: ServiceRecord,
    deployment: DeploymentRecord,
    node: number,
    say: (m: string) => void,
  ): Promise<void> {
    const ports = portsOf(deployment, node);
    for (const name of Object.keys(deployment.containers)) ports[name] = await this.deps.freePort();
    this.deps.store.save();
    for (const [name, spec] of Object.entries(deployment.containers)) {
      await this.runContainer(service, deployment, name, spec, say, node);
    }
  }

  private async pull(image: string): Promise<void> {
    const { registry, runtime } = this.deps;
    try {
      await runtime.pull(image, {
        host: registry.host,
        username: registry.username,
        password: registry.password,
      });
    } catch (error) {
      throw new ActivationFailure(`Failed to pull image "${image}": ${(error as Error).message}`);
    }
    const images = this.deps.store.state.pulledImages ?? [];
    if (!images.includes(image)) this.deps.store.state.pulledImages = [...images, image];
  }

  private async runContainer(
    service: ServiceRecord,
    deployment: DeploymentRecord,
    name: string,
    spec: ContainerSpec,
    say: (m: string) => void,
    node: number,
  ): Promise<void> {
    const { runtime } = this.deps;
    const ports = portsOf(deployment, node);
    const port = ports[name] as number;
    const where = nodeLabel(deployment, node);
    if (spec.environment?.PORT !== undefined && spec.environment.PORT !== String(port)) {
      say(
        `Container "${name}"${where} gets PORT=${port} instead of ${spec.environment.PORT}: containers share the host network here`,
      );
    }
    const sibling = siblingEnvironment(spec.environment, deployment.containers, ports);
    if (sibling.rewritten.length > 0) {
      say(
        `Container "${name}"${where}: ${sibling.rewritten.join(", ")} now point${sibling.rewritten.length === 1 ? "s" : ""} localhost at the host ports of this node's containers (host network here)`,
      );
    }
    const dockerName = this.containerName(service, deployment, name, node);
    const existing = await runtime.status(dockerName);
    if (existing && existing.instance !== this.deps.store.state.instanceId) {
      throw new ActivationFailure(
        `Cannot start container "${name}": the Docker name ${dockerName} belongs to another local-aws state dir or to someone else; give this one its own settings.containerPrefix`,
      );
    }
    if (existing) await stopAndRemove(runtime, dockerName, stopGraceSeconds(this.deps.settings));
    try {
      await runtime.run({
        name: dockerName,
        image: spec.image,
        ...(spec.command ? { command: spec.command } : {}),
        env: { ...sibling.environment, PORT: String(port) },
        labels: {
          "local-aws": "1",
          "local-aws.instance": this.deps.store.state.instanceId,
          "local-aws.service": service.name,
          "local-aws.version": String(deployment.version),
          "local-aws.node": String(node + 1),
        },
      });
    } catch (error) {
      throw new ActivationFailure(`Failed to start container "${name}": ${(error as Error).message}`);
    }
    say(`Started container "${name}"${where} (image ${spec.image}, PORT=${port})`);
  }

  /**
   * Stops the deployment's containers with a grace period (together, so the graces overlap), keeps their
   * output (`docker logs --timestamps`, drain lines included) in the archive, then removes them.
   */
  async archiveAndRemove(service: ServiceRecord, deployment: DeploymentRecord): Promise<void> {
    await Promise.all(
      nodeIndexes(deployment).map((node) => this.archiveAndRemoveNode(service, deployment, node)),
    );
  }

  async archiveAndRemoveNode(service: ServiceRecord, deployment: DeploymentRecord, node: number) {
    await Promise.all(
      Object.keys(deployment.containers).map((name) =>
        this.archiveAndRemoveOne(service, deployment, name, node),
      ),
    );
  }

  private async archiveAndRemoveOne(
    service: ServiceRecord,
    deployment: DeploymentRecord,
    name: string,
    node: number,
  ) {
    const dockerName = this.containerName(service, deployment, name, node);
    // Never touch a same-named container that another state dir (or someone else) owns.
    const status = await this.deps.runtime.status(dockerName);
    if (status?.instance !== this.deps.store.state.instanceId) return;
    await stopAndRemove(this.deps.runtime, dockerName, stopGraceSeconds(this.deps.settings), async () => {
      this.archive.append(service.name, name, deployment.version, await this.deps.runtime.logs(dockerName));
    });
  }
}
