import { LOG_RETENTION_SECONDS, POWERS } from "../model/limits.js";
import { AwsError, invalidInput } from "../protocol/errors.js";
import { Fields } from "../protocol/fields.js";
import { nextDeployment, type ServiceRecord } from "../state/state.js";
import { collectContainerLog, type LogArchive } from "./container-logs.js";
import type { DeploymentRunner } from "./deployment-runner.js";
import type { LightsailDeps } from "./deps.js";
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
      this.runner.createDeployment(service, request);
      return { containerService: this.view(service) };
    },

    UpdateContainerService: async (body) => {
      const request = validateUpdateRequest(body);
      const service = this.service(request.serviceName);
      this.rejectInTransition(service, "update the service");
      this.runner.updateService(service, request);
      return { containerService: this.view(service) };
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
      this.runner.addService(service);
      this.releasedPorts.delete(service.name);
      return { containerService: this.view(service) };
    },

    DeleteContainerService: async (body) => {
      const service = this.service(readServiceName(Fields.of("lightsail", body)) as string);
      this.rejectInTransition(service, "delete the service");
      // The service, its deployments and their containers go; images in ECR and parameters in SSM stay.
      await this.runner.deleteService(service);
      this.releasedPorts.set(service.name, service.publicPort);
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
}
