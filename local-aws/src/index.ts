export { parseArgs } from "./cli/args.js";
export { type EnsureServerOptions, ensureLocalAwsServer } from "./cli/background.js";
export { localAwsDown } from "./cli/down.js";
export { readServerInfo, type ServerInfo } from "./cli/server-info.js";
export type { LocalAwsConfig, ServiceConfig, Settings } from "./config/config.js";
export { parseConfig } from "./config/config.js";
export {
  type ConformanceOptions,
  type ConformanceResult,
  checkConformance,
} from "./conformance/check-conformance.js";
export { removeInstanceContainers } from "./docker/instance-containers.js";
export type { Fault, FaultSpec } from "./faults/faults.js";
export { type ForwardOptions, forwardRequest } from "./http/forward.js";
export { type LocalAws, type LocalAwsOptions, startLocalAws } from "./local-aws.js";
