/** Names of services, containers and image labels; the anchors bind the whole alternation (see reference §5). */
export const LIGHTSAIL_NAME = /^(?:[a-z0-9]{1,2}|[a-z0-9][a-z0-9-]+[a-z0-9])$/;
export const REPOSITORY_NAME =
  /^[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*)*$/;
export const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export const POWER_NAMES = ["nano", "micro", "small", "medium", "large", "xlarge"] as const;
export type PowerName = (typeof POWER_NAMES)[number];

export const POWERS: { name: PowerName; cpuCount: number; ramSizeInGb: number; price: number }[] = [
  { name: "nano", cpuCount: 0.25, ramSizeInGb: 0.5, price: 7 },
  { name: "micro", cpuCount: 0.25, ramSizeInGb: 1, price: 10 },
  { name: "small", cpuCount: 0.5, ramSizeInGb: 1, price: 15 },
  { name: "medium", cpuCount: 1, ramSizeInGb: 2, price: 40 },
  { name: "large", cpuCount: 2, ramSizeInGb: 4, price: 80 },
  { name: "xlarge", cpuCount: 4, ramSizeInGb: 8, price: 160 },
];

export const MAX_CONTAINERS = 10;
export const MAX_SCALE = 20;
export const KEPT_VERSIONS = 50;
export const LOG_RETENTION_SECONDS = 3 * 24 * 3600;
export const PORT_PROTOCOLS = ["HTTP", "HTTPS", "TCP", "UDP"] as const;

export interface HealthCheck {
  healthyThreshold: number;
  unhealthyThreshold: number;
  timeoutSeconds: number;
  intervalSeconds: number;
  path: string;
  successCodes: string;
}

export const DEFAULT_HEALTH_CHECK: HealthCheck = {
  healthyThreshold: 2,
  unhealthyThreshold: 2,
  timeoutSeconds: 2,
  intervalSeconds: 5,
  path: "/",
  successCodes: "200-499",
};
