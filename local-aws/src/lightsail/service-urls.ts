import type { FaultController } from "../faults/faults.js";
import { currentDeployment, type PersistedState } from "../state/state.js";
import { portsOf, roundRobin } from "./nodes.js";
import { type ProxyTarget, ServiceProxy } from "./service-proxy.js";

/**
 * Where a service's URL sends the next request: a node of the active deployment in turn, or a reason to answer
 * 503 (disabled, nothing active, no node in service, an injected fault).
 */
export function serviceTarget(
  state: PersistedState,
  name: string,
  faults: FaultController,
): () => ProxyTarget {
  const nextNode = roundRobin();
  return () => {
    // Looked up per request: DeleteContainerService and CreateContainerService replace the record.
    const service = state.services[name];
    if (!service) return { unavailable: `the container service "${name}" does not exist` };
    if (service.isDisabled) return { unavailable: `the container service "${service.name}" is disabled` };
    const active = currentDeployment(service);
    const endpoint = active?.publicEndpoint;
    if (!active || !endpoint)
      return {
        unavailable: `the container service "${service.name}" has no active deployment with a public endpoint`,
      };
    if (faults.flapsDown(service.name, "proxy")) return { unavailable: "injected flapping-health fault" };
    const node = nextNode(active);
    if (node === undefined)
      return { unavailable: "no node of the active deployment passes its health check" };
    if (faults.nodeFails(service.name, active.version, node, "proxy"))
      return { unavailable: `injected node fault on node ${node + 1}` };
    const port = portsOf(active, node)[endpoint.containerName];
    return port ? { port } : { unavailable: "the public container has no port yet" };
  };
}

/** Serves every service's URL on its public port; `proxies` collects them as they start (for cleanup). */
export async function startServiceUrls(
  state: PersistedState,
  faults: FaultController,
  proxies: ServiceProxy[],
): Promise<void> {
  for (const { name, publicPort } of Object.values(state.services)) {
    proxies.push(
      await ServiceProxy.start(publicPort, serviceTarget(state, name, faults)).catch((error: Error) => {
        throw new Error(
          `local-aws: cannot serve the URL of service "${name}" on 127.0.0.1:${publicPort} (${error.message}); change services[].publicPort in the config`,
        );
      }),
    );
  }
}
