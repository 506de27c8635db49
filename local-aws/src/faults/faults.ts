import { SERVICE_KEYS, type ServiceKey } from "../model/account.js";

/** Request-level faults, matched by API (`ecr`, `lightsail`, `ssm`, `ecs`, `elbv2`, `cloudwatch`) and operation name. */
interface RequestScope {
  apis?: ServiceKey[];
  operations?: string[];
  /** How many matching requests it hits before it expires; unlimited when absent. */
  count?: number;
}

/** Deployment-level faults, matched by container service name (all services when absent). */
interface ServiceScope {
  serviceNames?: string[];
}

export type FaultSpec =
  | ({ kind: "throttle" } & RequestScope)
  | ({
      kind: "error";
      /**
       * An error shape the operation's model lists (e.g. `AccessDeniedException`), answered instead of the
       * service's server fault; its status defaults to 400, the status AWS JSON services give client errors.
       */
      code?: string;
      status?: 400 | 500 | 502 | 503 | 504;
    } & RequestScope)
  | ({ kind: "drop" } & RequestScope)
  | ({ kind: "dropAnswer" } & RequestScope)
  | ({ kind: "slowActivation"; delayMs: number } & ServiceScope)
  | ({ kind: "neverSettle" } & ServiceScope)
  | ({
      kind: "flappingHealth";
      up?: number;
      down?: number;
      target?: "probe" | "proxy" | "both";
    } & ServiceScope)
  | ({
      kind: "nodeFault";
      /** 1-based node index. */
      node: number;
      /** Share of the node's health probes / proxied requests that fail, 0 < share ≤ 1; default 1. */
      share?: number;
      target?: "probe" | "proxy" | "both";
      /** Deployment versions it hits; all when absent. */
      versions?: number[];
    } & ServiceScope)
  | { kind: "notFoundQuirk" };

export type Fault = FaultSpec & { id: number; hits: number };

const KINDS = [
  "throttle",
  "error",
  "drop",
  "dropAnswer",
  "slowActivation",
  "neverSettle",
  "flappingHealth",
  "nodeFault",
  "notFoundQuirk",
];

/** The kinds that act on an API request rather than on a deployment. */
const REQUEST_KINDS = ["throttle", "error", "drop", "dropAnswer"] as const;
type RequestFault = Extract<Fault, { kind: (typeof REQUEST_KINDS)[number] }>;

function isRequestFault(fault: Fault): fault is RequestFault {
  return (REQUEST_KINDS as readonly string[]).includes(fault.kind);
}

export class FaultError extends Error {}

function bad(field: string, value: unknown, expected: string): never {
  throw new FaultError(`fault \`${field}\` is ${JSON.stringify(value)}; expected ${expected}`);
}

function stringList(raw: Record<string, unknown>, field: string): void {
  const value = raw[field];
  if (value === undefined) return;
  if (!Array.isArray(value) || value.some((v) => typeof v !== "string"))
    bad(field, value, "a list of strings");
}

/** A shape name as the models spell them: letters only (the conformance check holds it to the model). */
const SHAPE_NAME = /^[A-Z][A-Za-z]{0,99}$/;

function parseErrorFields(fault: Record<string, unknown>): void {
  const { code, status } = fault;
  if (code !== undefined && (typeof code !== "string" || !SHAPE_NAME.test(code)))
    bad("code", code, "an error shape name, e.g. AccessDeniedException");
  // 400 is a client error's status: only a coded error may have it, a server fault never does.
  const statuses = code === undefined ? [500, 502, 503, 504] : [400, 500, 502, 503, 504];
  if (status !== undefined && !statuses.includes(status as number))
    bad("status", status, statuses.join(", ").replace(/, (\d+)$/, " or $1"));
}

/** Validates one fault from JSON (the admin endpoint) into a FaultSpec. */
export function parseFaultSpec(raw: unknown): FaultSpec {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) bad("(fault)", raw, "an object");
  const fault = raw as Record<string, unknown>;
  if (typeof fault.kind !== "string" || !KINDS.includes(fault.kind))
    bad("kind", fault.kind, KINDS.join(" | "));
  stringList(fault, "operations");
  stringList(fault, "serviceNames");
  stringList(fault, "apis");
  const apis = fault.apis as string[] | undefined;
  if (apis?.some((api) => !(SERVICE_KEYS as readonly string[]).includes(api)))
    bad("apis", apis, SERVICE_KEYS.join(" | "));
  if (fault.count !== undefined && (!Number.isInteger(fault.count) || (fault.count as number) < 1)) {
    bad("count", fault.count, "a positive integer");
  }
  if (fault.kind === "error") parseErrorFields(fault);
  if (fault.kind === "slowActivation" && (typeof fault.delayMs !== "number" || fault.delayMs < 0)) {
    bad("delayMs", fault.delayMs, "a number of milliseconds");
  }
  if (fault.kind === "flappingHealth") {
    for (const field of ["up", "down"]) {
      const value = fault[field];
      if (value !== undefined && (!Number.isInteger(value) || (value as number) < 1))
        bad(field, value, "a positive integer");
    }
    if (fault.target !== undefined && !["probe", "proxy", "both"].includes(fault.target as string)) {
      bad("target", fault.target, "probe | proxy | both");
    }
  }
  if (fault.kind === "nodeFault") {
    if (!Number.isInteger(fault.node) || (fault.node as number) < 1 || (fault.node as number) > 20)
      bad("node", fault.node, "a node number from 1 to 20");
    const share = fault.share;
    if (share !== undefined && (typeof share !== "number" || !(share > 0 && share <= 1)))
      bad("share", share, "a number above 0 and at most 1");
    if (fault.target !== undefined && !["probe", "proxy", "both"].includes(fault.target as string)) {
      bad("target", fault.target, "probe | proxy | both");
    }
    const versions = fault.versions;
    if (versions !== undefined && (!Array.isArray(versions) || versions.some((v) => !Number.isInteger(v))))
      bad("versions", versions, "a list of deployment versions");
  }
  return fault as unknown as FaultSpec;
}

/** Holds the active faults; the server, the deployment runner and the proxy ask it before acting. */
export class FaultController {
  private faults: Fault[] = [];
  private nextId = 1;

  add(spec: FaultSpec): Fault {
    const fault: Fault = { ...spec, id: this.nextId++, hits: 0 };
    this.faults.push(fault);
    return fault;
  }

  list(): Fault[] {
    return this.faults.map((f) => ({ ...f }));
  }

  remove(id: number): boolean {
    const before = this.faults.length;
    this.faults = this.faults.filter((f) => f.id !== id);
    return this.faults.length < before;
  }

  clear(): void {
    this.faults = [];
  }

  /** Real Lightsail sometimes answers not-found with body `code: "DoesNotExist"` (reference §1). */
  notFoundQuirk(): boolean {
    return this.faults.some((f) => f.kind === "notFoundQuirk");
  }

  /** The request fault to apply to this call, if any; counts it and expires exhausted faults. */
  takeRequestFault(api: ServiceKey, operation: string): Fault | undefined {
    for (const fault of this.faults) {
      if (!isRequestFault(fault)) continue;
      if (fault.apis && !fault.apis.includes(api)) continue;
      if (fault.operations && !fault.operations.includes(operation)) continue;
      fault.hits += 1;
      if (fault.count !== undefined && fault.hits >= fault.count) {
        this.faults = this.faults.filter((f) => f !== fault);
      }
      return { ...fault };
    }
    return undefined;
  }

  private forService<K extends Fault["kind"]>(kind: K, serviceName: string): Extract<Fault, { kind: K }>[] {
    return this.faults.filter(
      (f): f is Extract<Fault, { kind: K }> =>
        f.kind === kind &&
        (!("serviceNames" in f) || !f.serviceNames || f.serviceNames.includes(serviceName)),
    );
  }

  activationDelayMs(serviceName: string): number {
    return this.forService("slowActivation", serviceName).reduce((total, fault) => {
      fault.hits += 1;
      return total + fault.delayMs;
    }, 0);
  }

  neverSettles(serviceName: string): boolean {
    const faults = this.forService("neverSettle", serviceName);
    for (const fault of faults) fault.hits += 1;
    return faults.length > 0;
  }

  /**
   * True when a node fault makes this probe of, or request to, the node (0-based) fail. A share s fails
   * requests evenly: the n-th hit fails when floor(n·s) grows, so 0.5 fails every second one.
   */
  nodeFails(serviceName: string, version: number, node: number, where: "probe" | "proxy"): boolean {
    let fails = false;
    for (const fault of this.forService("nodeFault", serviceName)) {
      if (fault.node !== node + 1) continue;
      if (fault.versions && !fault.versions.includes(version)) continue;
      const target = fault.target ?? "both";
      if (target !== "both" && target !== where) continue;
      const share = fault.share ?? 1;
      fault.hits += 1;
      if (Math.floor(fault.hits * share) > Math.floor((fault.hits - 1) * share)) fails = true;
    }
    return fails;
  }

  /** True when a flapping-health fault makes this health probe or proxied request fail. */
  flapsDown(serviceName: string, where: "probe" | "proxy"): boolean {
    let down = false;
    for (const fault of this.forService("flappingHealth", serviceName)) {
      const target = fault.target ?? "both";
      if (target !== "both" && target !== where) continue;
      const up = fault.up ?? 1;
      const cycle = up + (fault.down ?? 1);
      // Each fault counts its own hits, so the cycle is up×ok then down×fail, repeated.
      if (fault.hits % cycle >= up) down = true;
      fault.hits += 1;
    }
    return down;
  }
}
