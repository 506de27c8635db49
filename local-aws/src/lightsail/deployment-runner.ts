import { stopGraceSeconds } from "../config/config.js";
import { stopAndRemove } from "../docker/graceful.js";
import { checkPullGrant } from "../ecr/policy.js";
import type { ContainerSpec } from "../model/container.js";
import {
  currentDeployment,
  type DeploymentRecord,
  type ServiceRecord,
  type StateDetailCode,
} from "../state/state.js";
import { type LogArchive, nodeContainerName } from "./container-logs.js";
import type { LightsailDeps } from "./deps.js";
import { healthTiming, probeOnce, stoppedContainer } from "./health-check.js";
import { HealthMonitor } from "./health-monitor.js";
import {
  dropNodePorts,
  nodeCount,
  nodeIndexes,
  nodeLabel,
  portsOf,
  servingNodes,
  setNodeServing,
  siblingEnvironment,
} from "./nodes.js";

/** A reason a deployment FAILED, written to the container log. */
export class ActivationFailure extends Error {}
class Cancelled extends Error {}

const MAX_EVENTS_PER_SERVICE = 2000;

/**
 * Runs deployments in the background the way Lightsail does: pull, start, health-check, cut over with a
 * drain, or fail and keep the previous deployment serving. Every step is logged as `[deployment:N] ...`.
 */
export class DeploymentRunner {
  private readonly tasks = new Set<Promise<void>>();
  private stopping = false;
  private stopSignal!: () => void;
  private readonly stopped = new Promise<void>((resolve) => {
    this.stopSignal = resolve;
  });

  private readonly monitor: HealthMonitor;

  constructor(
    private readonly deps: LightsailDeps,
    private readonly archive: LogArchive,
  ) {
    this.monitor = new HealthMonitor(
      deps,
      {
        dockerName: (service, deployment, name, node) => this.containerName(service, deployment, name, node),
        replace: (service, deployment, name, node) => this.replaceNode(service, deployment, name, node),
        say: (service, deployment, message) =>
          this.event(
            service,
            Object.keys(deployment.containers),
            `[deployment:${deployment.version}] ${message}`,
          ),
      },
      (work) => this.track(work),
    );
  }

  /** Runs `work` in the background and remembers it so `idle()` and `stop()` can wait for it. */
  background(work: () => Promise<void>): void {
    void this.track(work);
  }

  private track(work: () => Promise<void>): Promise<void> {
    const task: Promise<void> = work()
      .catch((error: unknown) => {
        if (!(error instanceof Cancelled))
          this.deps.log(`local-aws: background task failed: ${String(error)}`);
      })
      .finally(() => this.tasks.delete(task));
    this.tasks.add(task);
    return task;
  }

  /** Keeps health-checking an ACTIVE deployment (see HealthMonitor). */
  watch(service: ServiceRecord, deployment: DeploymentRecord): void {
    this.monitor.watch(service, deployment);
  }

  /** Resolves when no background work is left (tests use it instead of sleeping). */
  async idle(): Promise<void> {
    while (this.tasks.size > 0) await Promise.allSettled([...this.tasks]);
  }

  /** Interrupts waits and lets running steps finish; interrupted deployments are resumed on the next start. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.stopSignal();
    await this.monitor.stop();
    await this.idle();
  }

  private async sleep(ms: number): Promise<void> {
    if (this.stopping) throw new Cancelled();
    if (ms > 0) await Promise.race([this.deps.sleep(ms), this.stopped]);
    if (this.stopping) throw new Cancelled();
  }

  private scaledMs(seconds: number): number {
    return seconds * 1000 * this.deps.settings.timeScale;
  }

  private save(): void {
    this.deps.store.save();
  }

  containerName(service: ServiceRecord, deployment: DeploymentRecord, container: string, node = 0): string {
    return nodeContainerName(
      this.deps.settings.containerPrefix,
      service.name,
      deployment.version,
      container,
      node,
    );
  }

  event(service: ServiceRecord, containers: string[], message: string): void {
    const createdAt = this.deps.now() / 1000;
    for (const name of containers) service.events.push({ containerName: name, createdAt, message });
    if (service.events.length > MAX_EVENTS_PER_SERVICE) {
      service.events.splice(0, service.events.length - MAX_EVENTS_PER_SERVICE);
    }
    this.deps.log(`local-aws: ${service.name}: ${message}`);
  }

  private detail(service: ServiceRecord, code: StateDetailCode, message: string): void {
    service.stateDetail = { code, message };
    this.save();
  }

  async activate(service: ServiceRecord, deployment: DeploymentRecord): Promise<void> {
    const names = Object.keys(deployment.containers);
    const say = (message: string) =>
      this.event(service, names, `[deployment:${deployment.version}] ${message}`);
    try {
      this.detail(service, "CREATING_DEPLOYMENT", "Creating the deployment's containers");
      say("Creating your deployment");
      const delay = this.deps.faults.activationDelayMs(service.name);
      if (delay > 0) await this.sleep(delay);
      this.checkRegistryAccess(service, deployment);
      await this.startContainers(service, deployment, say);
      const nodes = nodeCount(deployment);
      say(`Started ${nodes} new node${nodes === 1 ? "" : "s"}`);
      this.detail(service, "EVALUATING_HEALTH_CHECK", "Evaluating the health check of the new deployment");
      await this.waitHealthy(service, deployment, say);
      this.detail(service, "ACTIVATING_DEPLOYMENT", "Switching traffic to the new deployment");
      await this.cutOver(service, deployment, say);
    } catch (error) {
      if (error instanceof Cancelled) throw error;
      const reason = error instanceof ActivationFailure ? error.message : `Internal error: ${String(error)}`;
      await this.fail(service, deployment, reason, say);
    }
  }

  /** The pull check Lightsail makes: puller role active and granted both pull actions by the repo policy. */
  private checkRegistryAccess(service: ServiceRecord, deployment: DeploymentRecord): void {
    const host = this.deps.registry.host;
    for (const [name, spec] of Object.entries(deployment.containers)) {
      const match = spec.image.startsWith(`${host}/`)
        ? /^([^:@]+)(?::[^@]+)?(?:@.+)?$/.exec(spec.image.slice(host.length + 1))
        : null;
      if (!match) {
        throw new ActivationFailure(
          `Cannot pull image "${spec.image}" for container "${name}": only images in the local registry ${host} can be pulled (there is no internet here).`,
        );
      }
      const repository = match[1] as string;
      if (!service.registryAccess.isActive) {
        throw new ActivationFailure(
          `Cannot pull image "${spec.image}": the service's private registry access (ecrImagePullerRole) is not active. Activate it with UpdateContainerService and grant its principalArn pull access in the repository policy.`,
        );
      }
      const record = this.deps.store.state.repositories[repository];
      if (!record) {
        throw new ActivationFailure(
          `Cannot pull image "${spec.image}": the repository "${repository}" does not exist.`,
        );
      }
      const grant = checkPullGrant(record.policyText, service.registryAccess.principalArn);
      if (!grant.ok) {
        throw new ActivationFailure(
          `Cannot pull image "${spec.image}": access denied, ${grant.reason} (repository "${repository}"). Add a statement allowing ecr:BatchGetImage and ecr:GetDownloadUrlForLayer to the service's ecrImagePullerRole principalArn.`,
        );
      }
    }
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
  private async startNode(
    service: ServiceRecord,
    deployment: DeploymentRecord,
    node: number,
    say: (m: string) => void,
  ): Promise<void> {
    const ports = portsOf(deployment, node);
    for (const name of Object.keys(deployment.containers)) ports[name] = await this.deps.freePort();
    this.save();
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
   * The monitor's replacement of a node whose container `name` failed: keep the old runs' output, then run
   * the node's containers again on new ports (all of them, as its siblings know each other's ports).
   */
  private async replaceNode(
    service: ServiceRecord,
    deployment: DeploymentRecord,
    name: string,
    node: number,
  ) {
    if (!deployment.containers[name]) return;
    setNodeServing(deployment, node, false);
    await this.archiveAndRemoveNode(service, deployment, node);
    await this.startNode(service, deployment, node, (m) =>
      this.event(service, Object.keys(deployment.containers), `[deployment:${deployment.version}] ${m}`),
    );
    // The monitor puts it back after a healthy probe; with no other node in service it is tried at once.
    if (servingNodes(deployment).length === 0) setNodeServing(deployment, node, true);
  }

  /**
   * UpdateContainerService's scale on the active deployment: scale-out starts the new nodes (the monitor puts
   * each in service after its first healthy probe); scale-in takes nodes out of service, then stops them.
   */
  async rescale(service: ServiceRecord, deployment: DeploymentRecord, scale: number): Promise<void> {
    const before = nodeCount(deployment);
    const say = (m: string) =>
      this.event(service, Object.keys(deployment.containers), `[deployment:${deployment.version}] ${m}`);
    if (scale > before) {
      const added = Array.from({ length: scale - before }, (_, i) => before + i);
      for (const node of added) setNodeServing(deployment, node, false);
      deployment.nodeCount = scale;
      this.save();
      await this.startContainers(service, deployment, say, added);
      say(`Scaled out from ${before} to ${scale} nodes`);
    } else if (scale < before) {
      const removed = Array.from({ length: before - scale }, (_, i) => scale + i);
      for (const node of removed) setNodeServing(deployment, node, false);
      await Promise.all(removed.map((node) => this.archiveAndRemoveNode(service, deployment, node)));
      deployment.nodeCount = scale;
      dropNodePorts(deployment, scale);
      this.save();
      say(`Scaled in from ${before} to ${scale} nodes`);
    }
  }

  /**
   * Probes every node as configured until each has passed the healthy threshold in a row (ACTIVE needs all of
   * them), or one of them fails the unhealthy threshold in a row (the deployment fails).
   */
  private async waitHealthy(
    service: ServiceRecord,
    deployment: DeploymentRecord,
    say: (m: string) => void,
  ): Promise<void> {
    const { faults, settings } = this.deps;
    const check = deployment.publicEndpoint?.healthCheck;
    const timing = healthTiming(deployment, settings.timeScale);
    const deadline = this.deps.now() + settings.activationTimeoutSeconds * 1000;
    const nodes = nodeIndexes(deployment);
    const successes = nodes.map(() => 0);
    const failures = nodes.map(() => 0);
    for (;;) {
      await this.sleep(timing.intervalMs);
      const stopped = await stoppedContainer(this.deps, deployment, (name, node) =>
        this.containerName(service, deployment, name, node),
      );
      if (stopped) {
        throw new ActivationFailure(
          `Container "${stopped.name}"${nodeLabel(deployment, stopped.node)} ${stopped.what} before the deployment became healthy`,
        );
      }
      if (this.deps.now() > deadline) {
        throw new ActivationFailure(
          `Took too long: not healthy after ${settings.activationTimeoutSeconds} s`,
        );
      }
      if (faults.neverSettles(service.name)) continue;
      for (const node of nodes) {
        if ((successes[node] as number) >= timing.healthyThreshold) continue;
        const where = nodeLabel(deployment, node);
        const { healthy, outcome } = await probeOnce(this.deps, service, deployment, node);
        if (healthy) {
          successes[node] = (successes[node] as number) + 1;
          failures[node] = 0;
          continue;
        }
        failures[node] = (failures[node] as number) + 1;
        successes[node] = 0;
        say(
          `Health check failed for container "${deployment.publicEndpoint?.containerName}"${where} on ${check?.path}: ${outcome}`,
        );
        if ((failures[node] as number) >= timing.unhealthyThreshold) {
          throw new ActivationFailure(
            `Health check of container "${deployment.publicEndpoint?.containerName}"${where} on path ${check?.path} failed ${failures[node]} times in a row (last: ${outcome}; success codes ${check?.successCodes})`,
          );
        }
      }
      if (successes.every((count) => count >= timing.healthyThreshold)) return;
    }
  }

  /** Switches the service URL to the new deployment, lets the old one drain, then stops it. */
  private async cutOver(
    service: ServiceRecord,
    deployment: DeploymentRecord,
    say: (m: string) => void,
  ): Promise<void> {
    const previous = currentDeployment(service);
    deployment.state = "ACTIVE";
    if (previous) previous.state = "INACTIVE";
    this.save();
    say("Reached a steady state: the service URL now serves this deployment");
    this.watch(service, deployment);
    if (previous) {
      try {
        await this.sleep(this.scaledMs(this.deps.settings.drainSeconds));
      } finally {
        await this.archiveAndRemove(service, previous);
      }
    }
    service.state = "RUNNING";
    delete service.stateDetail;
    this.save();
  }

  private async fail(
    service: ServiceRecord,
    deployment: DeploymentRecord,
    reason: string,
    say: (m: string) => void,
  ) {
    say(reason);
    say("The deployment failed; the previous deployment, if any, keeps serving");
    await this.archiveAndRemove(service, deployment);
    deployment.state = "FAILED";
    service.state = currentDeployment(service) ? "RUNNING" : "READY";
    delete service.stateDetail;
    this.save();
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

  private async archiveAndRemoveNode(service: ServiceRecord, deployment: DeploymentRecord, node: number) {
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

  /** Makes a restarted stand-in match its state: re-adopts or re-runs the active containers. */
  async resume(service: ServiceRecord): Promise<void> {
    for (const deployment of service.deployments.filter((d) => d.state === "ACTIVATING")) {
      const names = Object.keys(deployment.containers);
      await this.fail(
        service,
        deployment,
        "The stand-in was restarted while this deployment was activating",
        (m) => this.event(service, names, `[deployment:${deployment.version}] ${m}`),
      );
    }
    const active = currentDeployment(service);
    for (const deployment of service.deployments) {
      if (deployment !== active || service.isDisabled) await this.archiveAndRemove(service, deployment);
    }
    if (active && !service.isDisabled) {
      const say = (m: string) =>
        this.event(service, Object.keys(active.containers), `[deployment:${active.version}] ${m}`);
      const statuses = await Promise.all(
        nodeIndexes(active).flatMap((node) =>
          Object.keys(active.containers).map((name) =>
            this.deps.runtime.status(this.containerName(service, active, name, node)),
          ),
        ),
      );
      const ours = this.deps.store.state.instanceId;
      if (statuses.every((status) => status?.running && status.instance === ours)) {
        say("Re-adopted the running containers after a restart of the stand-in");
      } else {
        try {
          await this.startContainers(service, active, say);
          say("Re-ran the containers after a restart of the stand-in");
        } catch (error) {
          say(`Could not re-run the containers after a restart: ${(error as Error).message}`);
        }
      }
      this.watch(service, active);
    }
    service.state = service.isDisabled ? "DISABLED" : active ? "RUNNING" : "READY";
    delete service.stateDetail;
    this.save();
  }
}
