import type { ContainerSpec } from "../model/container.js";
import type { DeploymentRecord } from "../state/state.js";

/*
 * Nodes: with `scale` N a deployment runs N copies of its containers. Node indexes are 0-based here and
 * 1-based in every message. Node 1 keeps the container names and `hostPorts` of a one-node deployment, so state
 * dirs written before nodes existed read the same.
 */

/** How many nodes the deployment runs (the service's scale when it was created or last rescaled). */
export function nodeCount(deployment: DeploymentRecord): number {
  return deployment.nodeCount ?? 1;
}

export function nodeIndexes(deployment: DeploymentRecord): number[] {
  return Array.from({ length: nodeCount(deployment) }, (_, node) => node);
}

/** Host port of each container on that node (created empty on first use). */
export function portsOf(deployment: DeploymentRecord, node: number): Record<string, number> {
  if (node === 0) return deployment.hostPorts;
  deployment.nodePorts ??= [];
  while (deployment.nodePorts.length < node) deployment.nodePorts.push({});
  return deployment.nodePorts[node - 1] as Record<string, number>;
}

/** Forgets the ports of nodes at or above `from` (after a scale-in). */
export function dropNodePorts(deployment: DeploymentRecord, from: number): void {
  if (deployment.nodePorts) deployment.nodePorts = deployment.nodePorts.slice(0, Math.max(0, from - 1));
}

/** " on node 2 of 3" for messages, or "" for a one-node deployment (whose messages stay as they were). */
export function nodeLabel(deployment: DeploymentRecord, node: number): string {
  const count = nodeCount(deployment);
  return count > 1 ? ` on node ${node + 1} of ${count}` : "";
}

const LOOPBACK_PORT = /\b(localhost|127\.0\.0\.1):(\d{1,5})\b/g;

/**
 * On Lightsail the containers of one deployment share `localhost` on their node, so a sidecar is reached as
 * `localhost:<its declared port>`. Here every container runs on the host network with its own host port, so
 * an environment value naming `localhost:<port>` or `127.0.0.1:<port>` where `<port>` is a port a container of
 * the deployment declares is pointed at that container's host port on the same node. The deployment request
 * and what Get…Deployments answers stay as sent; only the running container's environment differs.
 */
export function siblingEnvironment(
  environment: Record<string, string> | undefined,
  containers: Record<string, ContainerSpec>,
  ports: Record<string, number>,
): { environment: Record<string, string>; rewritten: string[] } {
  const declared = new Map<number, number>();
  for (const [name, spec] of Object.entries(containers)) {
    const hostPort = ports[name];
    if (hostPort === undefined) continue;
    for (const port of Object.keys(spec.ports ?? {})) {
      if (!declared.has(Number(port))) declared.set(Number(port), hostPort);
    }
  }
  const result: Record<string, string> = {};
  const rewritten: string[] = [];
  for (const [key, value] of Object.entries(environment ?? {})) {
    const next = value.replace(LOOPBACK_PORT, (match, _host: string, port: string) => {
      const hostPort = declared.get(Number(port));
      return hostPort === undefined ? match : `127.0.0.1:${hostPort}`;
    });
    if (next !== value) rewritten.push(key);
    result[key] = next;
  }
  return { environment: result, rewritten };
}

// Which nodes the service URL's load balancer leaves out. In memory only: after a restart every node of the
// re-adopted deployment serves until the monitor finds otherwise.
const outOfService = new WeakMap<DeploymentRecord, Set<number>>();

export function setNodeServing(deployment: DeploymentRecord, node: number, serving: boolean): void {
  let down = outOfService.get(deployment);
  if (!down) {
    down = new Set();
    outOfService.set(deployment, down);
  }
  if (serving) down.delete(node);
  else down.add(node);
}

export function servingNodes(deployment: DeploymentRecord): number[] {
  const down = outOfService.get(deployment);
  return nodeIndexes(deployment).filter((node) => !down?.has(node));
}

/**
 * The service URL's load balancer: each call gives the next node in service, in turn, so consecutive requests
 * land on different nodes (undefined when none is in service).
 */
export function roundRobin(): (deployment: DeploymentRecord) => number | undefined {
  let turn = 0;
  return (deployment) => {
    const nodes = servingNodes(deployment);
    if (nodes.length === 0) return undefined;
    const node = nodes[turn % nodes.length];
    turn = (turn + 1) % 1_000_000;
    return node;
  };
}
