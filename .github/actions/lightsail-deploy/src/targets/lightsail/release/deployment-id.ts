import type {
  ContainerServiceDeployment,
  CreateContainerServiceDeploymentRequest,
} from "@aws-sdk/client-lightsail";

/**
 * Every deployment the action creates carries this variable in its public container, with a value no
 * other deployment has. Lightsail deployments have no tags or description, so the environment is the only
 * place a marker survives in GetContainerServiceDeployments. After a lost answer, a refused retry or a
 * restart, the action tells its own deployment from another's by it.
 */
export const DEPLOY_ID_VARIABLE = "LIGHTSAIL_DEPLOY_ID";

/** `<GitHub run id>.<attempt>-<8 hex>` on a runner, `local-<8 hex>` in a terminal: unique and traceable. */
export function newDeployId(env: Readonly<Record<string, string | undefined>>, random: () => number): string {
  const hex = Array.from({ length: 8 }, () => Math.floor(random() * 16).toString(16)).join("");
  const runId = env.GITHUB_RUN_ID?.trim();
  const prefix = runId && /^\d+$/.test(runId) ? `${runId}.${env.GITHUB_RUN_ATTEMPT?.trim() || "1"}` : "local";
  return `${prefix}-${hex}`;
}

function publicContainerName(containers: Record<string, unknown>, endpointName: string | undefined): string {
  return endpointName ?? Object.keys(containers)[0] ?? "";
}

/** The request with this run's id in the public container's environment (replacing a copied one). */
export function withDeployId(
  request: CreateContainerServiceDeploymentRequest,
  id: string,
): CreateContainerServiceDeploymentRequest {
  const containers = { ...request.containers };
  const name = publicContainerName(containers, request.publicEndpoint?.containerName);
  const container = containers[name];
  if (!container) return request;
  containers[name] = { ...container, environment: { ...container.environment, [DEPLOY_ID_VARIABLE]: id } };
  return { ...request, containers };
}

/** The id the action stamped on this deployment, if it created it. */
export function deployIdOf(deployment: ContainerServiceDeployment | undefined): string | undefined {
  const containers = deployment?.containers ?? {};
  const name = publicContainerName(containers, deployment?.publicEndpoint?.containerName);
  return containers[name]?.environment?.[DEPLOY_ID_VARIABLE];
}
