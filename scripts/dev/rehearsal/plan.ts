import type { DeploymentShape, LiveService } from "./live-service.js";

/** Environment variables the action adds to every deployment itself: not the service's own configuration. */
const ACTION_VARIABLES = /^LIGHTSAIL_DEPLOY_/;

export interface RehearsalPlan {
  containerName: string;
  /** The action's inputs that recreate the live public endpoint on the private stand-in. */
  inputs: Record<string, string>;
  /** Variable → value for the private stand-in's Parameter Store (the rehearsal path's values, placeholders). */
  values: Record<string, string>;
  /** The live public container's variables that got no value. */
  missing: string[];
  /** Live containers other than the public one: not recreated (their images stay in AWS). */
  notRehearsed: string[];
}

/**
 * What to recreate: the public container's port and health check, and a value for each of its live
 * variables from the rehearsal path or the caller's placeholders (a placeholder wins).
 */
export function planRehearsal(
  live: LiveService,
  rehearsalValues: Record<string, string>,
  placeholders: Record<string, string>,
): RehearsalPlan {
  const endpoint = live.deployment.publicEndpoint;
  if (!endpoint) throw new Error(`the live service "${live.name}" has no public endpoint`);
  const container = live.deployment.containers[endpoint.containerName];
  const names = (container?.envNames ?? []).filter((name) => !ACTION_VARIABLES.test(name));
  const values: Record<string, string> = {};
  const missing: string[] = [];
  for (const name of names) {
    const value = placeholders[name] ?? rehearsalValues[name];
    if (value === undefined) missing.push(name);
    else values[name] = value;
  }
  const check = endpoint.healthCheck;
  const optional: [string, string | number | undefined][] = [
    ["health-check-path", check.path],
    ["health-check-interval", check.intervalSeconds],
    ["health-check-timeout", check.timeoutSeconds],
    ["healthy-threshold", check.healthyThreshold],
    ["unhealthy-threshold", check.unhealthyThreshold],
    ["success-codes", check.successCodes],
  ];
  return {
    containerName: endpoint.containerName,
    inputs: {
      "container-name": endpoint.containerName,
      "container-port": String(endpoint.containerPort),
      ...Object.fromEntries(optional.flatMap(([k, v]) => (v === undefined ? [] : [[k, String(v)]]))),
    },
    values,
    missing,
    notRehearsed: Object.keys(live.deployment.containers).filter((name) => name !== endpoint.containerName),
  };
}

/** Line by line, what the rehearsed request changes from the live deployment (names only, never values). */
export function diffDeployments(live: DeploymentShape, rehearsed: DeploymentShape): string[] {
  const lines: string[] = [];
  const show = (v: unknown) => JSON.stringify(v);
  const liveEndpoint = live.publicEndpoint;
  const newEndpoint = rehearsed.publicEndpoint;
  if (liveEndpoint?.containerName !== newEndpoint?.containerName)
    lines.push(`public container: ${liveEndpoint?.containerName} → ${newEndpoint?.containerName}`);
  if (liveEndpoint?.containerPort !== newEndpoint?.containerPort)
    lines.push(`public port: ${liveEndpoint?.containerPort} → ${newEndpoint?.containerPort}`);
  const checkKeys = new Set([
    ...Object.keys(liveEndpoint?.healthCheck ?? {}),
    ...Object.keys(newEndpoint?.healthCheck ?? {}),
  ]);
  for (const key of [...checkKeys].sort()) {
    const a = (liveEndpoint?.healthCheck as Record<string, unknown> | undefined)?.[key];
    const b = (newEndpoint?.healthCheck as Record<string, unknown> | undefined)?.[key];
    if (show(a) !== show(b)) lines.push(`health check ${key}: ${show(a)} → ${show(b)}`);
  }
  for (const name of Object.keys(live.containers).sort()) {
    const a = live.containers[name] as DeploymentShape["containers"][string];
    const b = rehearsed.containers[name];
    if (!b) {
      lines.push(`container ${name}: live only (not in the rehearsed request)`);
      continue;
    }
    if (a.image !== b.image) lines.push(`container ${name} image: ${a.image} → ${b.image}`);
    if (show(a.command) !== show(b.command))
      lines.push(`container ${name} command: ${show(a.command)} → ${show(b.command)}`);
    if (show(a.ports) !== show(b.ports))
      lines.push(`container ${name} ports: ${show(a.ports)} → ${show(b.ports)}`);
    const own = (names: string[]) => names.filter((n) => !ACTION_VARIABLES.test(n));
    const removed = own(a.envNames).filter((n) => !b.envNames.includes(n));
    const added = own(b.envNames).filter((n) => !a.envNames.includes(n));
    if (removed.length) lines.push(`container ${name} variables only live: ${removed.join(", ")}`);
    if (added.length) lines.push(`container ${name} variables only rehearsed: ${added.join(", ")}`);
  }
  for (const name of Object.keys(rehearsed.containers).sort())
    if (!live.containers[name]) lines.push(`container ${name}: rehearsed only (not live)`);
  return lines;
}
