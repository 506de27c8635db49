import { UnknownValueError } from "@pulumi/policy";
import {
  ALB_HOURLY_USD,
  FARGATE_HOURLY_USD,
  FREE_TYPES,
  HOURS_PER_MONTH,
  LIGHTSAIL_POWER_MONTHLY_USD,
  PUBLIC_IPV4_HOURLY_USD,
  RDS_INSTANCE_HOURLY_USD,
  RDS_STORAGE_GB_MONTHLY_USD,
  UNPRICED_COST_TYPES,
} from "./prices.js";

/** A resource as the budget rule sees it: its type, its name and its input properties. */
export interface PricedResource {
  type: string;
  name: string;
  props: Record<string, unknown>;
}

/** One resource's monthly list price in USD and how it was reached, or why it has none. */
export type MonthlyPrice = { usd: number; basis: string } | { unpriced: string };

export const LIGHTSAIL_SERVICE_TYPE = "aws:lightsail/containerService:ContainerService";
export const ECS_SERVICE_TYPE = "aws:ecs/service:Service";
export const TASK_DEFINITION_TYPE = "aws:ecs/taskDefinition:TaskDefinition";
export const LOAD_BALANCER_TYPES: readonly string[] = [
  "aws:lb/loadBalancer:LoadBalancer",
  "aws:alb/loadBalancer:LoadBalancer",
];
export const RDS_INSTANCE_TYPE = "aws:rds/instance:Instance";
export const ELASTIC_IP_TYPE = "aws:ec2/eip:Eip";

/** `$70` for whole dollars, `$9.01` otherwise: the messages read like the README's table. */
export const usd = (amount: number): string =>
  Number.isInteger(amount) ? `$${amount}` : `$${amount.toFixed(2)}`;
const cents = (amount: number): number => Math.round(amount * 100) / 100;
const monthly = (hourly: number): number => cents(hourly * HOURS_PER_MONTH);
const IPV4_MONTHLY = monthly(PUBLIC_IPV4_HOURLY_USD);

/** A property during preview may be unknown (computed by AWS); reading it then gives undefined. */
function read(props: unknown, ...path: string[]): unknown {
  try {
    return path.reduce<unknown>((value, key) => (value as Record<string, unknown> | undefined)?.[key], props);
  } catch (error) {
    if (error instanceof UnknownValueError) return undefined;
    throw error;
  }
}

function lightsailService(props: Record<string, unknown>): MonthlyPrice {
  const power = read(props, "power");
  const scale = read(props, "scale");
  const perNode = LIGHTSAIL_POWER_MONTHLY_USD[power as keyof typeof LIGHTSAIL_POWER_MONTHLY_USD];
  if (perNode === undefined || typeof scale !== "number" || !Number.isInteger(scale) || scale < 1)
    return { unpriced: `power "${String(power)}" × scale ${String(scale)} is not in the price table` };
  return { usd: perNode * scale, basis: `${power} ${usd(perNode)} × ${scale}` };
}

/** A task size in vCPU or GB: ECS takes units (`"256"` CPU units, `"512"` MiB) or `"0.25 vCPU"`, `"1 GB"`. */
export function taskSize(value: unknown, unit: "vcpu" | "gb"): number | undefined {
  const text = String(value ?? "")
    .trim()
    .toLowerCase();
  const plain = /^\d+(\.\d+)?$/.test(text) ? Number(text) / 1024 : undefined;
  const withUnit = new RegExp(`^(\\d+(\\.\\d+)?)\\s*${unit}$`).exec(text);
  const size = withUnit ? Number(withUnit[1]) : plain;
  return size !== undefined && size > 0 ? size : undefined;
}

/** The family a service's `taskDefinition` names: an ARN (`…:task-definition/web:3`), `web:3` or `web`. */
export function familyOf(reference: unknown): string | undefined {
  if (typeof reference !== "string" || reference === "") return undefined;
  return (reference.split("task-definition/").at(-1) ?? "").split(":")[0] || undefined;
}

/** The task definition a service runs: by family, or the stack's only one while the reference is unknown. */
function taskDefinitionOf(
  service: Record<string, unknown>,
  stack: readonly PricedResource[],
): PricedResource | undefined {
  const definitions = stack.filter((r) => r.type === TASK_DEFINITION_TYPE);
  const family = familyOf(read(service, "taskDefinition"));
  if (family === undefined) return definitions.length === 1 ? definitions[0] : undefined;
  return definitions.find((d) => read(d.props, "family") === family);
}

function ecsService(props: Record<string, unknown>, stack: readonly PricedResource[]): MonthlyPrice {
  const launchType = read(props, "launchType");
  if (launchType !== undefined && launchType !== "FARGATE")
    return { unpriced: `launch type ${String(launchType)} is not priced (Fargate only)` };
  const definition = taskDefinitionOf(props, stack);
  if (definition === undefined)
    return { unpriced: "its task definition is not in the stack, so its task size is unknown" };
  const vcpu = taskSize(read(definition.props, "cpu"), "vcpu");
  const gb = taskSize(read(definition.props, "memory"), "gb");
  const architecture = (read(definition.props, "runtimePlatform", "cpuArchitecture") ??
    "X86_64") as keyof typeof FARGATE_HOURLY_USD;
  const rate = FARGATE_HOURLY_USD[architecture];
  if (vcpu === undefined || gb === undefined || rate === undefined)
    return { unpriced: `task definition ${definition.name} has no Fargate size or architecture we price` };
  // The provider's default desiredCount is 0.
  const desired = read(props, "desiredCount");
  const tasks = typeof desired === "number" ? desired : 0;
  const compute = monthly(vcpu * rate.vcpu + gb * rate.gb);
  const ip = read(props, "networkConfiguration", "assignPublicIp") === true ? IPV4_MONTHLY : 0;
  const each = `${vcpu} vCPU/${gb} GB ${architecture} ${usd(compute)}${ip ? ` + public IPv4 ${usd(ip)}` : ""}`;
  return { usd: cents(tasks * (compute + ip)), basis: `${tasks} task(s) × (${each})` };
}

function loadBalancer(props: Record<string, unknown>): MonthlyPrice {
  const kind = read(props, "loadBalancerType") ?? "application";
  if (kind !== "application") return { unpriced: `a ${String(kind)} load balancer is not priced` };
  const hours = monthly(ALB_HOURLY_USD);
  if (read(props, "internal") === true) return { usd: hours, basis: `internal ALB ${usd(hours)}` };
  // An internet-facing ALB holds a public IPv4 address in each of its subnets (at least two).
  const subnets = read(props, "subnets") ?? read(props, "subnetMappings");
  const count = Math.max(2, Array.isArray(subnets) ? subnets.length : 0);
  const ips = cents(count * IPV4_MONTHLY);
  return { usd: cents(hours + ips), basis: `ALB ${usd(hours)} + ${count} public IPv4 ${usd(ips)}` };
}

function rdsInstance(props: Record<string, unknown>): MonthlyPrice {
  const instanceClass = String(read(props, "instanceClass"));
  const hourly = RDS_INSTANCE_HOURLY_USD[instanceClass];
  const storageType = String(read(props, "storageType") ?? "gp2");
  const perGb = RDS_STORAGE_GB_MONTHLY_USD[storageType];
  const allocated = read(props, "allocatedStorage");
  if (hourly === undefined) return { unpriced: `instance class ${instanceClass} is not in the price table` };
  if (perGb === undefined) return { unpriced: `storage type ${storageType} is not in the price table` };
  if (typeof allocated !== "number") return { unpriced: "allocatedStorage is not a number of GB" };
  // Multi-AZ bills the standby's instance and storage as well.
  const copies = read(props, "multiAz") === true ? 2 : 1;
  const instance = monthly(hourly);
  const storage = cents(allocated * perGb);
  return {
    usd: cents(copies * (instance + storage)),
    basis: `${copies === 2 ? "Multi-AZ 2 × " : ""}(${instanceClass} ${usd(instance)} + ${allocated} GB ${storageType} ${usd(storage)})`,
  };
}

/** One resource's monthly list price; undefined for a type that bills nothing by itself (IAM, say). */
export function monthlyPriceOf(
  resource: PricedResource,
  stack: readonly PricedResource[],
): MonthlyPrice | undefined {
  const { type, props } = resource;
  if (type === LIGHTSAIL_SERVICE_TYPE) return lightsailService(props);
  if (type === ECS_SERVICE_TYPE) return ecsService(props, stack);
  if (LOAD_BALANCER_TYPES.includes(type)) return loadBalancer(props);
  if (type === RDS_INSTANCE_TYPE) return rdsInstance(props);
  if (type === ELASTIC_IP_TYPE) return { usd: IPV4_MONTHLY, basis: `public IPv4 ${usd(IPV4_MONTHLY)}` };
  if (FREE_TYPES.includes(type)) return { usd: 0, basis: "free" };
  if (UNPRICED_COST_TYPES.includes(type))
    return { unpriced: `${type} has no sourced price in policy/prices.ts yet` };
  return undefined;
}
