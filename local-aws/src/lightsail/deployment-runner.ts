import {
  currentDeployment,
  type DeploymentRecord,
  type ServiceRecord,
  type StateDetailCode,
} from "../state/state.js";
import { ActivationFailure } from "./activation-failure.js";
import { applyUpdate, replaceNode, type UpdateParts } from "./active-changes.js";
import { BackgroundWork, Cancelled } from "./background-work.js";
import type { LogArchive } from "./container-logs.js";
import type { LightsailDeps } from "./deps.js";
import { HealthMonitor } from "./health-monitor.js";
import { NodeContainers } from "./node-containers.js";
import { nodeCount, nodeIndexes } from "./nodes.js";
import { checkRegistryAccess } from "./registry-check.js";
import { deleteService, setRegistryAccess, trimVersions } from "./service-records.js";
import type { DeploymentRequest, UpdateRequest } from "./validate.js";
import { waitHealthy } from "./wait-healthy.js";

const MAX_EVENTS_PER_SERVICE = 2000;

/**
 * The one writer of a service's and its deployments' state: runs deployments in the background the way
 * Lightsail does (pull, start, health-check, cut over with a drain, or fail and keep the previous deployment
 * serving) and applies service updates; the API handlers validate and then ask it. Every step is logged as
 * `[deployment:N] ...`.
 */
export class DeploymentRunner {
  private readonly work: BackgroundWork;
  private readonly containers: NodeContainers;
  private readonly monitor: HealthMonitor;

  constructor(
    private readonly deps: LightsailDeps,
    private readonly archive: LogArchive,
  ) {
    this.work = new BackgroundWork(deps.sleep, deps.log);
    this.containers = new NodeContainers(deps, archive);
    this.monitor = new HealthMonitor(
      deps,
      {
        dockerName: (service, deployment, name, node) => this.containerName(service, deployment, name, node),
        replace: (service, deployment, name, node) =>
          replaceNode(this.updateParts(), service, deployment, name, node),
        say: (service, deployment, message) => this.say(service, deployment)(message),
      },
      (work) => this.work.track(work),
    );
  }

  /** Keeps health-checking an ACTIVE deployment (see HealthMonitor). */
  private watch(service: ServiceRecord, deployment: DeploymentRecord): void {
    this.monitor.watch(service, deployment);
  }

  /** Resolves when no background work is left (tests use it instead of sleeping). */
  idle(): Promise<void> {
    return this.work.idle();
  }

  /** Interrupts waits and lets running steps finish; interrupted deployments are resumed on the next start. */
  async stop(): Promise<void> {
    this.work.interrupt();
    await this.monitor.stop();
    await this.work.idle();
  }

  /**
   * CreateContainerServiceDeployment, once validated: the next version, ACTIVATING, the service DEPLOYING;
   * activation goes on in the background.
   */
  createDeployment(service: ServiceRecord, request: DeploymentRequest): DeploymentRecord {
    const version = Math.max(0, ...service.deployments.map((d) => d.version)) + 1;
    const deployment: DeploymentRecord = {
      version,
      state: "ACTIVATING",
      createdAt: Math.floor(this.deps.now() / 1000),
      containers: request.containers,
      ...(request.publicEndpoint ? { publicEndpoint: request.publicEndpoint } : {}),
      hostPorts: {},
      nodeCount: service.scale,
    };
    service.deployments.push(deployment);
    trimVersions(service, this.archive);
    service.state = "DEPLOYING";
    service.stateDetail = { code: "CREATING_DEPLOYMENT", message: "Creating the deployment's containers" };
    this.save();
    void this.work.track(() => this.activate(service, deployment));
    return deployment;
  }

  /** CreateContainerService, once validated and built: the new service record. */
  addService(service: ServiceRecord): void {
    this.deps.store.state.services[service.name] = service;
    this.save();
  }

  /** DeleteContainerService: its deployments INACTIVE, the active one's containers stopped, the record gone. */
  async deleteService(service: ServiceRecord): Promise<void> {
    await deleteService(this.deps, this.containers, this.archive, service);
  }

  /**
   * UpdateContainerService, once validated: the new settings at once and the service UPDATING; after the
   * update time, registry access, and the active deployment stopped, rescaled or restarted as asked.
   */
  updateService(service: ServiceRecord, request: UpdateRequest): void {
    if (request.power) service.power = request.power;
    if (request.scale !== undefined) service.scale = request.scale;
    if (request.publicDomainNames) service.publicDomainNames = request.publicDomainNames;
    const wasDisabled = service.isDisabled;
    if (request.isDisabled !== undefined) service.isDisabled = request.isDisabled;
    service.state = "UPDATING";
    // The model has no update-specific code; PROVISIONING_SERVICE is the closest of its enum.
    service.stateDetail = { code: "PROVISIONING_SERVICE", message: "Updating the container service" };
    this.save();
    void this.work.track(async () => {
      await this.deps.sleep(this.deps.settings.updateSeconds * 1000 * this.deps.settings.timeScale);
      if (request.registryAccessActive !== undefined)
        setRegistryAccess(this.deps, service, request.registryAccessActive);
      const active = currentDeployment(service);
      if (active) await applyUpdate(this.updateParts(), service, active, request, wasDisabled);
      this.settle(service);
      if (active && !service.isDisabled) this.watch(service, active);
    });
  }

  private updateParts(): UpdateParts {
    return {
      deps: this.deps,
      containers: this.containers,
      say: (service, deployment) => this.say(service, deployment),
    };
  }

  /** The service's resting state once nothing is in progress. */
  private settle(service: ServiceRecord): void {
    service.state = service.isDisabled ? "DISABLED" : currentDeployment(service) ? "RUNNING" : "READY";
    delete service.stateDetail;
    this.save();
  }

  private sleep(ms: number): Promise<void> {
    return this.work.sleep(ms);
  }

  private containerName(service: ServiceRecord, deployment: DeploymentRecord, container: string, node = 0) {
    return this.containers.containerName(service, deployment, container, node);
  }

  /** `say` for one deployment: an event on each of its containers, prefixed `[deployment:N]`. */
  private say(service: ServiceRecord, deployment: DeploymentRecord): (message: string) => void {
    return (message) =>
      this.event(
        service,
        Object.keys(deployment.containers),
        `[deployment:${deployment.version}] ${message}`,
      );
  }

  private scaledMs(seconds: number): number {
    return seconds * 1000 * this.deps.settings.timeScale;
  }

  private save(): void {
    this.deps.store.save();
  }

  private event(service: ServiceRecord, containers: string[], message: string): void {
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

  private async activate(service: ServiceRecord, deployment: DeploymentRecord): Promise<void> {
    const names = Object.keys(deployment.containers);
    const say = (message: string) =>
      this.event(service, names, `[deployment:${deployment.version}] ${message}`);
    try {
      this.detail(service, "CREATING_DEPLOYMENT", "Creating the deployment's containers");
      say("Creating your deployment");
      const delay = this.deps.faults.activationDelayMs(service.name);
      if (delay > 0) await this.sleep(delay);
      checkRegistryAccess(this.deps, service, deployment);
      await this.containers.startContainers(service, deployment, say);
      const nodes = nodeCount(deployment);
      say(`Started ${nodes} new node${nodes === 1 ? "" : "s"}`);
      this.detail(service, "EVALUATING_HEALTH_CHECK", "Evaluating the health check of the new deployment");
      await waitHealthy(
        {
          deps: this.deps,
          sleep: (ms) => this.sleep(ms),
          containerName: (...args) => this.containerName(...args),
        },
        service,
        deployment,
        say,
      );
      this.detail(service, "ACTIVATING_DEPLOYMENT", "Switching traffic to the new deployment");
      await this.cutOver(service, deployment, say);
    } catch (error) {
      if (error instanceof Cancelled) throw error;
      const reason = error instanceof ActivationFailure ? error.message : `Internal error: ${String(error)}`;
      await this.fail(service, deployment, reason, say);
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
        await this.containers.archiveAndRemove(service, previous);
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
    await this.containers.archiveAndRemove(service, deployment);
    deployment.state = "FAILED";
    service.state = currentDeployment(service) ? "RUNNING" : "READY";
    delete service.stateDetail;
    this.save();
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
      if (deployment !== active || service.isDisabled)
        await this.containers.archiveAndRemove(service, deployment);
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
          await this.containers.startContainers(service, active, say);
          say("Re-ran the containers after a restart of the stand-in");
        } catch (error) {
          say(`Could not re-run the containers after a restart: ${(error as Error).message}`);
        }
      }
      this.watch(service, active);
    }
    this.settle(service);
  }
}
