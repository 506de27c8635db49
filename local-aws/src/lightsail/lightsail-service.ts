import { AwsError, invalidInput } from "../protocol/errors.js";
import { Fields } from "../protocol/fields.js";
import {
  currentDeployment,
  type DeploymentRecord,
  nextDeployment,
  type ServiceRecord,
} from "../state/state.js";
import { collectContainerLog, type LogArchive } from "./container-logs.js";
import type { DeploymentRunner } from "./deployment-runner.js";
import type { LightsailDeps } from "./deps.js";
import { KEPT_VERSIONS, LOG_RETENTION_SECONDS, POWERS } from "./limits.js";
import { compileFilterPattern } from "./log-filter.js";
import { deploymentView, pullerRoleArn, serviceArn, serviceView } from "./service-view.js";
import {
  readServiceName,
  validateCreateServiceRequest,
  validateDeploymentRequest,
  validateLogRequest,
  validateUpdateRequest,
} from "./validate.js";

const LOG_PAGE_SIZE = 1000;
const TRANSITION_STATES = ["PENDING", "DEPLOYING", "UPDATING", "DELETING"];

/** Lightsail container-service operations over the records in the state store. */
export class LightsailService {
  /**
   * The URL ports of services deleted through the API. A service's URL is a listener the stand-in opens at
   * start for each service its config declares, so only those names can be created again (see README.md).
   */
  private readonly releasedPorts = new Map<string, number>();

  constructor(
    private readonly deps: LightsailDeps,
    private readonly runner: DeploymentRunner,
    private readonly archive: LogArchive,
  ) {}

  private service(name: string): ServiceRecord {
    const service = this.deps.store.state.services[name];
    if (!service) {
      throw new AwsError(
        "NotFoundException",
        `The container service "${name}" does not exist in ${this.deps.region}.`,
      );
    }
    return service;
  }

  private view(service: ServiceRecord) {
    return serviceView(service, this.deps.region);
  }

  private rejectInTransition(service: ServiceRecord, action: string): void {
    if (TRANSITION_STATES.includes(service.state) || nextDeployment(service)) {
      throw invalidInput(
        `Cannot ${action}: the container service "${service.name}" is in a transition state ("${service.state}"). Wait until it is READY or RUNNING, then try again.`,
      );
    }
  }

  readonly handlers: Record<string, (body: unknown) => Promise<unknown>> = {
    GetContainerServices: async (body) => {
      const name = readServiceName(Fields.of("lightsail", body), false);
      const services = name ? [this.service(name)] : Object.values(this.deps.store.state.services);
      return { containerServices: services.map((service) => this.view(service)) };
    },

    GetContainerServicePowers: async (body) => {
      Fields.of("lightsail", body);
      return {
        powers: POWERS.map((power) => ({
          powerId: `${power.name}-1`,
          price: power.price,
          cpuCount: power.cpuCount,
          ramSizeInGb: power.ramSizeInGb,
          name: power.name,
          isActive: true,
        })),
      };
    },

    GetContainerServiceDeployments: async (body) => {
      const service = this.service(readServiceName(Fields.of("lightsail", body)) as string);
      const deployments = [...service.deployments].sort((a, b) => b.version - a.version);
      return { deployments: deployments.map(deploymentView) };
    },

    CreateContainerServiceDeployment: async (body) => {
      const request = validateDeploymentRequest(body);
      const service = this.service(request.serviceName);
      if (service.isDisabled || service.state === "DISABLED") {
        throw invalidInput(
          `Cannot create a deployment: the container service "${service.name}" is disabled. Enable it with UpdateContainerService (isDisabled=false) first.`,
        );
      }
      this.rejectInTransition(service, "create a deployment");
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
      this.trimVersions(service);
      service.state = "DEPLOYING";
      service.stateDetail = { code: "CREATING_DEPLOYMENT", message: "Creating the deployment's containers" };
      this.deps.store.save();
      this.runner.background(() => this.runner.activate(service, deployment));
      return { containerService: this.view(service) };
    },

    UpdateContainerService: async (body) => {
      const request = validateUpdateRequest(body);
      const service = this.service(request.serviceName);
      this.rejectInTransition(service, "update the service");
      if (request.power) service.power = request.power;
      if (request.scale !== undefined) service.scale = request.scale;
      if (request.publicDomainNames) service.publicDomainNames = request.publicDomainNames;
      const wasDisabled = service.isDisabled;
      if (request.isDisabled !== undefined) service.isDisabled = request.isDisabled;
      service.state = "UPDATING";
      // The model has no update-specific code; PROVISIONING_SERVICE is the closest of its enum.
      service.stateDetail = { code: "PROVISIONING_SERVICE", message: "Updating the container service" };
      this.deps.store.save();
      const result = { containerService: this.view(service) };
      this.runner.background(async () => {
        await this.deps.sleep(this.deps.settings.updateSeconds * 1000 * this.deps.settings.timeScale);
        if (request.registryAccessActive !== undefined) {
          service.registryAccess = {
            isActive: request.registryAccessActive,
            principalArn: request.registryAccessActive
              ? pullerRoleArn(
                  this.deps.region,
                  service.name,
                  service.createdByApi ? service.createdAt : undefined,
                )
              : "",
          };
        }
        const active = currentDeployment(service);
        if (active && service.isDisabled && !wasDisabled) await this.runner.archiveAndRemove(service, active);
        if (active && !service.isDisabled && !wasDisabled && request.scale !== undefined) {
          try {
            await this.runner.rescale(service, active, request.scale);
          } catch (error) {
            this.runner.event(
              service,
              Object.keys(active.containers),
              `[deployment:${active.version}] Could not change the number of nodes: ${(error as Error).message}`,
            );
          }
        }
        if (active && !service.isDisabled && wasDisabled) {
          // Enabling runs the current scale; the stopped nodes' ports are all given out afresh.
          active.nodeCount = service.scale;
          const say = (m: string) =>
            this.runner.event(service, Object.keys(active.containers), `[deployment:${active.version}] ${m}`);
          try {
            await this.runner.startContainers(service, active, say);
          } catch (error) {
            say(`Could not restart the containers after enabling the service: ${(error as Error).message}`);
          }
        }
        service.state = service.isDisabled ? "DISABLED" : active ? "RUNNING" : "READY";
        delete service.stateDetail;
        this.deps.store.save();
        if (active && !service.isDisabled) this.runner.watch(service, active);
      });
      return result;
    },

    CreateContainerService: async (body) => {
      const request = validateCreateServiceRequest(body);
      const { services } = this.deps.store.state;
      if (services[request.serviceName])
        throw invalidInput(
          `The container service "${request.serviceName}" already exists in ${this.deps.region}.`,
        );
      const publicPort = this.releasedPorts.get(request.serviceName);
      if (publicPort === undefined)
        throw invalidInput(
          `The stand-in serves a URL only for the services its config declares; "${request.serviceName}" is not one it deleted. Declare it in services[] instead.`,
        );
      // A re-created service is a new resource: new ARN and image-puller principal, no deployments, and
      // (READY at once here; AWS passes through PENDING) no domains attached.
      const createdAt = Math.floor(this.deps.now() / 1000);
      const service: ServiceRecord = {
        name: request.serviceName,
        arn: serviceArn(this.deps.region, request.serviceName, createdAt),
        createdAt,
        power: request.power,
        scale: request.scale,
        isDisabled: false,
        state: "READY",
        registryAccess: {
          isActive: request.registryAccessActive,
          principalArn: request.registryAccessActive
            ? pullerRoleArn(this.deps.region, request.serviceName, createdAt)
            : "",
        },
        publicPort,
        publicDomainNames: {},
        deployments: [],
        events: [],
        createdByApi: true,
      };
      services[service.name] = service;
      this.releasedPorts.delete(service.name);
      this.deps.store.save();
      return { containerService: this.view(service) };
    },

    DeleteContainerService: async (body) => {
      const service = this.service(readServiceName(Fields.of("lightsail", body)) as string);
      this.rejectInTransition(service, "delete the service");
      // The service, its deployments and their containers go; images in ECR and parameters in SSM stay.
      const active = currentDeployment(service);
      for (const deployment of service.deployments) deployment.state = "INACTIVE";
      if (active) await this.runner.archiveAndRemove(service, active);
      for (const deployment of service.deployments) this.archive.forget(service.name, deployment);
      delete this.deps.store.state.services[service.name];
      this.releasedPorts.set(service.name, service.publicPort);
      this.deps.store.save();
      return {};
    },

    GetContainerLog: async (body) => {
      const request = validateLogRequest(body);
      const service = this.service(request.serviceName);
      const oldest = this.deps.now() / 1000 - LOG_RETENTION_SECONDS;
      const matches = compileFilterPattern(request.filterPattern);
      const events = (
        await collectContainerLog(
          service,
          request.containerName,
          this.deps.settings.containerPrefix,
          this.archive,
          this.deps.runtime,
        )
      ).filter(
        (event) =>
          event.createdAt >= oldest &&
          (request.startTime === undefined || event.createdAt >= request.startTime) &&
          (request.endTime === undefined || event.createdAt <= request.endTime) &&
          matches(event.message),
      );
      let offset = 0;
      if (request.pageToken !== undefined) {
        offset = Number(Buffer.from(request.pageToken, "base64url").toString("utf8"));
        if (!Number.isInteger(offset) || offset < 0) {
          throw invalidInput(`The pageToken ${JSON.stringify(request.pageToken)} is not valid.`);
        }
      }
      const page = events.slice(offset, offset + LOG_PAGE_SIZE);
      const end = offset + page.length;
      return {
        logEvents: page,
        ...(end < events.length ? { nextPageToken: Buffer.from(String(end)).toString("base64url") } : {}),
      };
    },
  };

  /** Keeps the newest 50 versions (and always the active one), forgetting the logs of dropped ones. */
  private trimVersions(service: ServiceRecord): void {
    const sorted = [...service.deployments].sort((a, b) => b.version - a.version);
    const dropped = sorted.slice(KEPT_VERSIONS).filter((d) => d.state !== "ACTIVE");
    if (dropped.length === 0) return;
    service.deployments = service.deployments.filter((d) => !dropped.includes(d));
    for (const deployment of dropped) this.archive.forget(service.name, deployment);
  }
}
