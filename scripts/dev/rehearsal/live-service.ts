import { GetContainerServicesCommand, type LightsailClient } from "@aws-sdk/client-lightsail";
import { GetParametersByPathCommand, type SSMClient } from "@aws-sdk/client-ssm";

/** A container of a deployment as the rehearsal sees it: environment variable NAMES only, never values. */
export interface ContainerShape {
  image: string;
  command: string[];
  ports: Record<string, string>;
  envNames: string[];
}

export interface HealthCheckShape {
  path?: string;
  intervalSeconds?: number;
  timeoutSeconds?: number;
  healthyThreshold?: number;
  unhealthyThreshold?: number;
  successCodes?: string;
}

/** The shape of a deployment: what the rehearsal recreates and compares. */
export interface DeploymentShape {
  containers: Record<string, ContainerShape>;
  publicEndpoint?: { containerName: string; containerPort: number; healthCheck: HealthCheckShape };
}

export interface LiveService {
  name: string;
  power: string;
  scale: number;
  url?: string;
  deployment: DeploymentShape;
}

type RawDeployment = {
  containers?: Record<
    string,
    {
      image?: string;
      command?: string[];
      ports?: Record<string, string>;
      environment?: Record<string, string>;
    }
  >;
  publicEndpoint?: { containerName?: string; containerPort?: number; healthCheck?: HealthCheckShape };
};

/** Drops every environment value at once: only names leave this function. */
export function deploymentShape(raw: RawDeployment | undefined): DeploymentShape {
  const containers: Record<string, ContainerShape> = {};
  for (const [name, c] of Object.entries(raw?.containers ?? {})) {
    containers[name] = {
      image: c.image ?? "",
      command: c.command ?? [],
      ports: { ...(c.ports ?? {}) },
      envNames: Object.keys(c.environment ?? {}).sort(),
    };
  }
  const endpoint = raw?.publicEndpoint;
  return {
    containers,
    ...(endpoint?.containerName && endpoint.containerPort
      ? {
          publicEndpoint: {
            containerName: endpoint.containerName,
            containerPort: endpoint.containerPort,
            healthCheck: { ...(endpoint.healthCheck ?? {}) },
          },
        }
      : {}),
  };
}

/** Reads the live service with one read call (GetContainerServices); fails when it has no deployment. */
export async function readLiveService(lightsail: LightsailClient, serviceName: string): Promise<LiveService> {
  const { containerServices } = await lightsail.send(new GetContainerServicesCommand({ serviceName }));
  const service = containerServices?.[0];
  if (!service) throw new Error(`\`service-name\` "${serviceName}": no such container service`);
  const current = service.currentDeployment;
  if (!current?.publicEndpoint?.containerName)
    throw new Error(
      `\`service-name\` "${serviceName}" has no current deployment with a public endpoint to rehearse against`,
    );
  return {
    name: serviceName,
    power: service.power ?? "micro",
    scale: service.scale ?? 1,
    ...(service.url ? { url: service.url } : {}),
    deployment: deploymentShape(current as RawDeployment),
  };
}

/** The rehearsal values under `path` (read with decryption; the last path segment names the variable). */
export async function readRehearsalValues(ssm: SSMClient, path: string): Promise<Record<string, string>> {
  const values: Record<string, string> = {};
  let NextToken: string | undefined;
  do {
    const page = await ssm.send(
      new GetParametersByPathCommand({ Path: path, Recursive: false, WithDecryption: true, NextToken }),
    );
    for (const p of page.Parameters ?? []) {
      const name = p.Name?.slice(p.Name.lastIndexOf("/") + 1);
      if (name && p.Value !== undefined) values[name] = p.Value;
    }
    NextToken = page.NextToken;
  } while (NextToken);
  return values;
}
