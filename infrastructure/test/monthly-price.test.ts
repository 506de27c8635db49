import { unknownCheckingProxy } from "@pulumi/policy";
import { describe, expect, it } from "vitest";
import { familyOf, monthlyPriceOf, type PricedResource, taskSize } from "../policy/monthly-price.js";
import { monthlyBudget } from "../policy/policies.js";
import { HOURS_PER_MONTH } from "../policy/prices.js";
import { type PolicyInput, stackViolations } from "./policy-harness.js";

// The ECS stack does not exist yet: these are the resources ecs-target.md §4 plans, priced from their
// properties (eu-west-1 list prices in policy/prices.ts). One environment: 1 task of 0.25 vCPU / 0.5 GB x86
// with a public IP ($9.01 + $3.65), an internet-facing ALB in 2 subnets ($18.40 + $7.30), db.t4g.micro
// with 20 GB gp3 ($13.14 + $2.54): $54.04, within $60; a second task ($12.66) breaks it.
const taskDefinition = (props: Record<string, unknown> = {}): PolicyInput => ({
  type: "aws:ecs/taskDefinition:TaskDefinition",
  name: "web-task",
  props: { family: "vidos-web", cpu: "256", memory: "512", requiresCompatibilities: ["FARGATE"], ...props },
});
const ecsService = (props: Record<string, unknown> = {}): PolicyInput => ({
  type: "aws:ecs/service:Service",
  name: "web",
  props: {
    launchType: "FARGATE",
    desiredCount: 1,
    taskDefinition: "arn:aws:ecs:eu-west-1:123456789012:task-definition/vidos-web:3",
    networkConfiguration: { assignPublicIp: true, subnets: ["a", "b"] },
    ...props,
  },
});
const alb = (props: Record<string, unknown> = {}): PolicyInput => ({
  type: "aws:lb/loadBalancer:LoadBalancer",
  name: "alb",
  props: { loadBalancerType: "application", subnets: ["a", "b"], ...props },
});
const database = (props: Record<string, unknown> = {}): PolicyInput => ({
  type: "aws:rds/instance:Instance",
  name: "db",
  props: { instanceClass: "db.t4g.micro", allocatedStorage: 20, storageType: "gp3", ...props },
});
const ecsStack = (overrides: { service?: Record<string, unknown> } = {}) => [
  taskDefinition(),
  ecsService(overrides.service),
  alb(),
  database(),
];

/** The engine's sentinel for a value unknown during preview (@pulumi/policy proxy.js, untyped there). */
const unknownStringValue = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

// Props behind the analyzer's proxy, as a preview passes them: reading an unknown value throws.
const proxied = (r: PolicyInput): PricedResource => ({
  ...r,
  props: unknownCheckingProxy(r.props) as Record<string, unknown>,
});
const priceOf = (resource: PolicyInput, stack: PolicyInput[] = [resource]) =>
  monthlyPriceOf(proxied(resource), stack.map(proxied));

describe("task sizes and families, as ECS writes them", () => {
  it.each([
    ["256", "vcpu", 0.25],
    ["1024", "vcpu", 1],
    ["0.5 vCPU", "vcpu", 0.5],
    ["512", "gb", 0.5],
    ["2 GB", "gb", 2],
    ["2GB", "gb", 2],
    ["", "gb", undefined],
    ["lots", "vcpu", undefined],
    ["0", "vcpu", undefined],
  ] as const)("%j %s → %s", (value, unit, expected) => {
    expect(taskSize(value, unit)).toBe(expected);
  });

  it.each([
    ["arn:aws:ecs:eu-west-1:123456789012:task-definition/vidos-web:3", "vidos-web"],
    ["vidos-web:3", "vidos-web"],
    ["vidos-web", "vidos-web"],
    ["", undefined],
    [undefined, undefined],
  ])("%j names family %s", (reference, family) => {
    expect(familyOf(reference)).toBe(family);
  });
});

describe("monthly prices from resource properties", () => {
  it("a Month is 730 hours", () => expect(HOURS_PER_MONTH).toBe(730));

  it("Lightsail: power × scale", () => {
    const service: PolicyInput = {
      type: "aws:lightsail/containerService:ContainerService",
      name: "svc",
      props: { power: "small", scale: 3 },
    };
    expect(priceOf(service)).toEqual({ usd: 45, basis: "small $15 × 3" });
  });

  it("a Fargate service: tasks × (task size × rate + its public IPv4)", () => {
    const stack = ecsStack();
    expect(priceOf(stack[1] as PolicyInput, stack)).toEqual({
      usd: 12.66,
      basis: "1 task(s) × (0.25 vCPU/0.5 GB X86_64 $9.01 + public IPv4 $3.65)",
    });
    const three = ecsService({ desiredCount: 3, networkConfiguration: { assignPublicIp: false } });
    expect(priceOf(three, [taskDefinition(), three])).toMatchObject({ usd: 27.03 });
    const arm = taskDefinition({
      cpu: "1024",
      memory: "2048",
      runtimePlatform: { cpuArchitecture: "ARM64" },
    });
    // 730 × (1 × 0.03238 + 2 × 0.00356) = 28.84; + 3.65.
    expect(priceOf(ecsService(), [arm, ecsService()])).toMatchObject({ usd: 32.49 });
  });

  it("a service without desiredCount runs the provider's default of 0 tasks", () => {
    const idle = ecsService({ desiredCount: undefined });
    expect(priceOf(idle, [taskDefinition(), idle])).toMatchObject({ usd: 0 });
  });

  it("finds the task definition by family; while the reference is unknown, the stack's only one", () => {
    const other = { ...taskDefinition({ family: "other", cpu: "4096", memory: "8192" }), name: "other" };
    const service = ecsService();
    expect(priceOf(service, [other, taskDefinition(), service])).toMatchObject({ usd: 12.66 });
    const previewed = ecsService({ taskDefinition: unknownStringValue });
    expect(priceOf(previewed, [taskDefinition(), previewed])).toMatchObject({ usd: 12.66 });
    expect(priceOf(previewed, [other, taskDefinition(), previewed])).toEqual({
      unpriced: "its task definition is not in the stack, so its task size is unknown",
    });
  });

  it("refuses what it cannot size: no task definition, the EC2 launch type, an unknown architecture", () => {
    expect(priceOf(ecsService())).toMatchObject({ unpriced: expect.stringContaining("not in the stack") });
    const ec2 = ecsService({ launchType: "EC2" });
    expect(priceOf(ec2, [taskDefinition(), ec2])).toEqual({
      unpriced: "launch type EC2 is not priced (Fargate only)",
    });
    const odd = taskDefinition({ runtimePlatform: { cpuArchitecture: "RISCV" } });
    expect(priceOf(ecsService(), [odd, ecsService()])).toMatchObject({
      unpriced: expect.stringContaining("no Fargate size or architecture"),
    });
  });

  it("an ALB: its hours, plus a public IPv4 per subnet when internet-facing (at least two)", () => {
    expect(priceOf(alb())).toEqual({ usd: 25.7, basis: "ALB $18.40 + 2 public IPv4 $7.30" });
    expect(priceOf(alb({ subnets: ["a", "b", "c"] }))).toMatchObject({ usd: 29.35 });
    expect(priceOf(alb({ subnets: undefined }))).toMatchObject({ usd: 25.7 });
    expect(priceOf(alb({ internal: true }))).toEqual({ usd: 18.4, basis: "internal ALB $18.40" });
    expect(priceOf(alb({ loadBalancerType: "network" }))).toEqual({
      unpriced: "a network load balancer is not priced",
    });
  });

  it("an RDS instance: instance hours and storage, twice for Multi-AZ", () => {
    expect(priceOf(database())).toEqual({
      usd: 15.68,
      basis: "(db.t4g.micro $13.14 + 20 GB gp3 $2.54)",
    });
    expect(priceOf(database({ multiAz: true }))).toMatchObject({ usd: 31.36 });
    expect(priceOf(database({ instanceClass: "db.t4g.small", allocatedStorage: 50 }))).toMatchObject({
      usd: 32.63,
    });
    expect(priceOf(database({ instanceClass: "db.r6g.large" }))).toEqual({
      unpriced: "instance class db.r6g.large is not in the price table",
    });
    expect(priceOf(database({ storageType: "io1" }))).toEqual({
      unpriced: "storage type io1 is not in the price table",
    });
  });

  it("an Elastic IP costs a public IPv4; certificates and records are free; IAM is not a cost", () => {
    expect(priceOf({ type: "aws:ec2/eip:Eip", name: "ip", props: {} })).toMatchObject({ usd: 3.65 });
    for (const type of ["aws:lightsail/certificate:Certificate", "aws:route53/record:Record"])
      expect(priceOf({ type, name: "x", props: {} })).toEqual({ usd: 0, basis: "free" });
    expect(priceOf({ type: "aws:iam/role:Role", name: "r", props: {} })).toBeUndefined();
  });
});

describe("monthly-budget over an ECS stack (tasks, load balancer, database)", () => {
  const violations = (inputs: PolicyInput[]) => stackViolations(monthlyBudget, inputs);

  it("one task, the ALB and the database ($54.04) are within the default $60", async () => {
    expect(await violations(ecsStack())).toEqual([]);
  });

  it("a second task breaks it ($66.70), named line by line", async () => {
    expect(await violations(ecsStack({ service: { desiredCount: 2 } }))).toEqual([
      "The stack costs $66.70 a month (web 2 task(s) × (0.25 vCPU/0.5 GB X86_64 $9.01 + public IPv4 $3.65) = $25.32; alb ALB $18.40 + 2 public IPv4 $7.30 = $25.70; db (db.t4g.micro $13.14 + 20 GB gp3 $2.54) = $15.68), over its budget of $60. Lower the power or scale, or raise `vidos:monthlyBudgetUsd` deliberately.",
    ]);
  });

  it("so does a Multi-AZ database ($69.72)", async () => {
    const stack = [taskDefinition(), ecsService(), alb(), database({ multiAz: true })];
    const found = await violations(stack);
    expect(found).toHaveLength(1);
    expect(found[0]).toContain("costs $69.72 a month");
  });

  it("a database class with no price is refused, named, rather than counted as free", async () => {
    const stack = [taskDefinition(), ecsService(), alb(), database({ instanceClass: "db.m7g.large" })];
    expect(await violations(stack)).toEqual([
      "Cannot hold the budget: db: instance class db.m7g.large is not in the price table.",
    ]);
  });
});
