import {
  CreateContainerServiceDeploymentCommand,
  GetContainerLogCommand,
  GetContainerServiceDeploymentsCommand,
  GetContainerServicesCommand,
} from "@aws-sdk/client-lightsail";
import type { Harness } from "./harness.js";

/** A one-container deployment of `app:<image>` from the harness registry, health-checked on /health. */
export function deploymentCommand(h: Harness, image: string, version = "v1", serviceName = "demo") {
  return new CreateContainerServiceDeploymentCommand({
    serviceName,
    containers: {
      web: {
        image: `${h.registry.host}/app:${image}`,
        environment: { APP_VERSION: version },
        ports: { "8080": "HTTP" },
      },
    },
    publicEndpoint: { containerName: "web", containerPort: 8080, healthCheck: { path: "/health" } },
  });
}

export async function serviceNamed(h: Harness, name = "demo") {
  const answer = await h.lightsail.send(new GetContainerServicesCommand({ serviceName: name }));
  const found = answer.containerServices?.[0];
  if (!found) throw new Error("no service in the answer");
  return found;
}

/** `version:STATE` of every deployment of "demo", newest first. */
export async function deploymentStates(h: Harness) {
  const answer = await h.lightsail.send(new GetContainerServiceDeploymentsCommand({ serviceName: "demo" }));
  return (answer.deployments ?? []).map((d) => `${d.version}:${d.state}`);
}

/** The GetContainerLog messages of demo/web, one a line. */
export async function containerLogText(h: Harness, filterPattern?: string) {
  const answer = await h.lightsail.send(
    new GetContainerLogCommand({
      serviceName: "demo",
      containerName: "web",
      ...(filterPattern ? { filterPattern } : {}),
    }),
  );
  return (answer.logEvents ?? []).map((e) => e.message).join("\n");
}
