import type { DeploymentRecord, ServiceRecord } from "../state/state.js";
import type { LightsailDeps } from "./deps.js";
import type { NodeContainers } from "./node-containers.js";
import { dropNodePorts, nodeCount, servingNodes, setNodeServing } from "./nodes.js";
import type { UpdateRequest } from "./validate.js";

// Changes to the ACTIVE deployment while it serves: an update's stop, rescale or restart, and the health
// monitor's replacement of a failed node. Only the DeploymentRunner calls these: it is the one writer of the
// service and deployment state, and these are its steps, in their own file.

/** The runner's parts these steps work with. */
export interface UpdateParts {
  deps: LightsailDeps;
  containers: NodeContainers;
  say(service: ServiceRecord, deployment: DeploymentRecord): (message: string) => void;
}

/** The active deployment after an update: stopped when disabled, rescaled, or restarted when enabled. */
export async function applyUpdate(
  parts: UpdateParts,
  service: ServiceRecord,
  active: DeploymentRecord,
  request: UpdateRequest,
  wasDisabled: boolean,
): Promise<void> {
  const say = parts.say(service, active);
  if (service.isDisabled && !wasDisabled) await parts.containers.archiveAndRemove(service, active);
  if (!service.isDisabled && !wasDisabled && request.scale !== undefined) {
    try {
      await rescale(parts, service, active, request.scale);
    } catch (error) {
      say(`Could not change the number of nodes: ${(error as Error).message}`);
    }
  }
  if (!service.isDisabled && wasDisabled) {
    // Enabling runs the current scale; the stopped nodes' ports are all given out afresh.
    active.nodeCount = service.scale;
    try {
      await parts.containers.startContainers(service, active, say);
    } catch (error) {
      say(`Could not restart the containers after enabling the service: ${(error as Error).message}`);
    }
  }
}

/**
 * UpdateContainerService's scale on the active deployment: scale-out starts the new nodes (the monitor puts
 * each in service after its first healthy probe); scale-in takes nodes out of service, then stops them.
 */
export async function rescale(
  parts: UpdateParts,
  service: ServiceRecord,
  deployment: DeploymentRecord,
  scale: number,
): Promise<void> {
  const before = nodeCount(deployment);
  const say = parts.say(service, deployment);
  if (scale > before) {
    const added = Array.from({ length: scale - before }, (_, i) => before + i);
    for (const node of added) setNodeServing(deployment, node, false);
    deployment.nodeCount = scale;
    parts.deps.store.save();
    await parts.containers.startContainers(service, deployment, say, added);
    say(`Scaled out from ${before} to ${scale} nodes`);
  } else if (scale < before) {
    const removed = Array.from({ length: before - scale }, (_, i) => scale + i);
    for (const node of removed) setNodeServing(deployment, node, false);
    await Promise.all(
      removed.map((node) => parts.containers.archiveAndRemoveNode(service, deployment, node)),
    );
    deployment.nodeCount = scale;
    dropNodePorts(deployment, scale);
    parts.deps.store.save();
    say(`Scaled in from ${before} to ${scale} nodes`);
  }
}

/**
 * The monitor's replacement of a node whose container `name` failed: keep the old runs' output, then run
 * the node's containers again on new ports (all of them, as its siblings know each other's ports).
 */
export async function replaceNode(
  parts: UpdateParts,
  service: ServiceRecord,
  deployment: DeploymentRecord,
  name: string,
  node: number,
) {
  if (!deployment.containers[name]) return;
  setNodeServing(deployment, node, false);
  await parts.containers.archiveAndRemoveNode(service, deployment, node);
  await parts.containers.startNode(service, deployment, node, parts.say(service, deployment));
  // The monitor puts it back after a healthy probe; with no other node in service it is tried at once.
  if (servingNodes(deployment).length === 0) setNodeServing(deployment, node, true);
}
