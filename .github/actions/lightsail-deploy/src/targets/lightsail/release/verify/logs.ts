import type { ContainerServiceDeployment } from "@aws-sdk/client-lightsail";
import type { AwsClients } from "../../clients.js";
import { GetContainerLogCommand } from "../../lightsail-sdk.js";

export const LOG_LINES = 100;
// GetContainerLog has no page size; this bounds the calls for a very chatty container.
const MAX_PAGES = 20;

/**
 * The last lines each container of the deployment logged since the deployment was created. Lightsail
 * logs are per container name across versions, so the window starts at the deployment's createdAt.
 */
export async function fetchDeploymentLogs(
  aws: AwsClients,
  serviceName: string,
  deployment: ContainerServiceDeployment,
  endTime: Date,
  maxLines = LOG_LINES,
): Promise<string[]> {
  const lines: string[] = [];
  for (const containerName of Object.keys(deployment.containers ?? {})) {
    const events: string[] = [];
    let pageToken: string | undefined;
    let pages = 0;
    do {
      const out = await aws.lightsail.send(
        new GetContainerLogCommand({
          serviceName,
          containerName,
          startTime: deployment.createdAt,
          endTime,
          pageToken,
        }),
      );
      for (const event of out.logEvents ?? []) {
        events.push(`${containerName} | ${event.createdAt?.toISOString() ?? "?"} ${event.message ?? ""}`);
      }
      pageToken = out.nextPageToken;
    } while (pageToken && ++pages < MAX_PAGES);
    if (events.length === 0) events.push(`${containerName} | (no log lines since the deployment started)`);
    lines.push(...events.slice(-maxLines));
  }
  return lines;
}
