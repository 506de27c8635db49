import type { PORT_PROTOCOLS } from "./limits.js";

/** A container as a deployment asks for it, shared by the request checks, the state and the runner. */
export type PortProtocol = (typeof PORT_PROTOCOLS)[number];

export interface ContainerSpec {
  image: string;
  command?: string[];
  environment?: Record<string, string>;
  ports?: Record<string, PortProtocol>;
}
