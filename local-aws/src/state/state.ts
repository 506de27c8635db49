import type { ContainerSpec } from "../model/container.js";
import type { HealthCheck, PowerName } from "../model/limits.js";

export type CertificateStatus = "PENDING_VALIDATION" | "ISSUED" | "FAILED";

export interface ValidationRecord {
  domainName: string;
  /** The CNAME to create: `name` → `value` (both fully qualified, with the trailing dot, as AWS gives them). */
  name: string;
  value: string;
  validated: boolean;
}

export interface CertificateRecord {
  name: string;
  arn: string;
  domainName: string;
  subjectAlternativeNames: string[];
  status: CertificateStatus;
  createdAt: number;
  validation: ValidationRecord[];
  issued?: {
    at: number;
    serialNumber: string;
    notBefore: number;
    notAfter: number;
    certFile: string;
    keyFile: string;
  };
}

export type DeploymentState = "ACTIVATING" | "ACTIVE" | "INACTIVE" | "FAILED";
export type ServiceState =
  | "PENDING"
  | "READY"
  | "DEPLOYING"
  | "RUNNING"
  | "UPDATING"
  | "DELETING"
  | "DISABLED";

/** Lightsail's ContainerServiceStateDetailCode enum (botocore 1.43); no other code may be answered. */
export type StateDetailCode =
  | "CREATING_SYSTEM_RESOURCES"
  | "CREATING_NETWORK_INFRASTRUCTURE"
  | "PROVISIONING_CERTIFICATE"
  | "PROVISIONING_SERVICE"
  | "CREATING_DEPLOYMENT"
  | "EVALUATING_HEALTH_CHECK"
  | "ACTIVATING_DEPLOYMENT"
  | "CERTIFICATE_LIMIT_EXCEEDED"
  | "UNKNOWN_ERROR";

export interface DeploymentRecord {
  version: number;
  state: DeploymentState;
  createdAt: number;
  containers: Record<string, ContainerSpec>;
  publicEndpoint?: { containerName: string; containerPort: number; healthCheck: HealthCheck };
  /** Host port assigned to each container (told to it as PORT) on node 1. */
  hostPorts: Record<string, number>;
  /** Nodes this deployment runs (the service's scale); absent means 1. */
  nodeCount?: number;
  /** Host ports of nodes 2…N, like `hostPorts`. */
  nodePorts?: Record<string, number>[];
}

export interface LogEventRecord {
  containerName: string;
  createdAt: number;
  message: string;
}

export interface ServiceRecord {
  name: string;
  arn: string;
  createdAt: number;
  power: PowerName;
  scale: number;
  isDisabled: boolean;
  state: ServiceState;
  stateDetail?: { code: StateDetailCode; message: string };
  registryAccess: { isActive: boolean; principalArn: string };
  publicPort: number;
  publicDomainNames: Record<string, string[]>;
  deployments: DeploymentRecord[];
  /** Lightsail-style `[deployment:N] ...` lines, shown in GetContainerLog next to container output. */
  events: LogEventRecord[];
  /** Created through CreateContainerService (after a DeleteContainerService) rather than from the config. */
  createdByApi?: boolean;
}

export interface RepositoryRecord {
  name: string;
  createdAt: number;
  policyText?: string;
  /** True when created through CreateRepository rather than declared in the config. */
  createdByApi?: boolean;
}

export interface ParameterRecord {
  name: string;
  type: "String" | "StringList" | "SecureString";
  value: string;
  version: number;
  /** Epoch seconds. */
  lastModifiedDate: number;
  /** Seeded from the config, or written by PutParameter (then the config no longer overrides it). */
  source: "config" | "api";
}

export interface PersistedState {
  formatVersion: 1;
  /** Identifies this state dir's containers (label `local-aws.instance`). */
  instanceId: string;
  ports: { api?: number; registry?: number };
  services: Record<string, ServiceRecord>;
  repositories: Record<string, RepositoryRecord>;
  /** The grace the server stops containers with, so `down` (which has no config) uses the same. */
  stopGraceSeconds?: number;
  /** SSM parameters by name (absent in state files written before PutParameter existed). */
  parameters?: Record<string, ParameterRecord>;
  /** Lightsail certificates by name (absent in state files written before CreateCertificate existed). */
  certificates?: Record<string, CertificateRecord>;
  /** Image references this state dir pulled into the engine, removed again by `down`. */
  pulledImages?: string[];
}

export function currentDeployment(service: ServiceRecord): DeploymentRecord | undefined {
  return service.deployments.find((d) => d.state === "ACTIVE");
}

export function nextDeployment(service: ServiceRecord): DeploymentRecord | undefined {
  return service.deployments.find((d) => d.state === "ACTIVATING");
}
