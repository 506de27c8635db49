/**
 * The one price table of the stack, read by the budget rule (policy/monthly-price.ts, policy/policies.ts)
 * and the program's budget default (src/config.ts); test/prices.test.ts holds the README's power × scale
 * table to it, and local-aws/test/price-table.test.ts holds the stand-in's GetContainerServicePowers answer
 * (what the deploy action's cost line reads) to it. The action keeps no table of its own: its job summary
 * reads the live price from GetContainerServicePowers, so there is one table here and one answer from AWS.
 *
 * List prices in USD, on demand, for eu-west-1 (the stacks' region), read on 2026-12-05. A price that only
 * a third party gives, or only for another region, says so; where the two regions differ we take the higher,
 * so the budget errs towards refusing. Check https://aws.amazon.com/pricing before relying on a figure.
 */

/**
 * Lightsail container services, per node and month: a service costs price × scale, billed while it exists,
 * even disabled (lightsail-ecr-api.md, "Powers", from the Lightsail pricing page and FAQ; the same figures
 * GetContainerServicePowers answers, docs.aws.amazon.com/lightsail/2016-11-28/api-reference/API_CreateContainerService.html:
 * "multiply the base price of the power with the scale"). 500 GB of transfer a month is included.
 */
export const LIGHTSAIL_POWER_MONTHLY_USD = {
  nano: 7,
  micro: 10,
  small: 15,
  medium: 40,
  large: 80,
  xlarge: 160,
} as const satisfies Record<string, number>;

/** Our design target for one environment; a stack sets its own with `vidos:monthlyBudgetUsd`. */
export const DEFAULT_MONTHLY_BUDGET_USD = 60;

/** Hourly prices become monthly ones at 730 hours (8,760 / 12), as AWS's own monthly figures do. */
export const HOURS_PER_MONTH = 730;

/**
 * ECS on Fargate (Linux), per hour of the task size the task definition asks for (`cpu`, `memory`).
 * vantage.sh/blog/fargate-pricing (us-east-1; Ireland assumed equal in ecs-target.md §4, not verified).
 */
export const FARGATE_HOURLY_USD = {
  X86_64: { vcpu: 0.04048, gb: 0.004445 },
  ARM64: { vcpu: 0.03238, gb: 0.00356 },
} as const;

/** One public IPv4 address (a task with `assignPublicIp`, an internet-facing load balancer per subnet). */
export const PUBLIC_IPV4_HOURLY_USD = 0.005;

/**
 * An Application Load Balancer's hours (Europe (Ireland), cal53.calculator.city's table; ecs-target.md §4
 * gives the same, unverified). LCUs ($0.008 per LCU-hour) are billed by traffic, so no property says them.
 */
export const ALB_HOURLY_USD = 0.0252;

/**
 * RDS single-AZ instance hours by class (PostgreSQL/MySQL); Multi-AZ bills two instances. us-east-1 is
 * $0.016 and $0.032 (infratally.com, "AWS RDS pricing explained 2026"); Ireland ≈ $0.018 and $0.036
 * (ecs-target.md §4, not verified). A class missing here is refused, not guessed.
 */
export const RDS_INSTANCE_HOURLY_USD: Readonly<Record<string, number>> = {
  "db.t4g.micro": 0.018,
  "db.t4g.small": 0.036,
};

/** RDS storage per GB-month (gp3 $0.115 in us-east-1, usage.ai; $0.127 in Ireland per ecs-target.md §4). */
export const RDS_STORAGE_GB_MONTHLY_USD: Readonly<Record<string, number>> = { gp2: 0.127, gp3: 0.127 };

/**
 * Types the stack may create that cost nothing by themselves: a Lightsail certificate (free with the
 * container service), IAM, SSM standard parameters, Route 53 records in an existing zone (queries are
 * usage), the ECR repository (its storage, a few cents for five images, is usage), an ECS task definition
 * (only running tasks bill: priced with the ECS service that runs them).
 */
export const FREE_TYPES: readonly string[] = [
  "aws:lightsail/certificate:Certificate",
  "aws:route53/record:Record",
  "aws:ssm/parameter:Parameter",
  "aws:ecr/repository:Repository",
  "aws:ecs/taskDefinition:TaskDefinition",
];

/**
 * Billed types with no sourced price here yet: the budget rule refuses a stack holding one (it cannot say
 * the stack is within budget) until its price, with its source, is added above and in monthly-price.ts.
 */
export const UNPRICED_COST_TYPES: readonly string[] = [
  "aws:rds/cluster:Cluster",
  "aws:ec2/natGateway:NatGateway",
  "aws:lightsail/instance:Instance",
  // Free only while attached to an instance, and a container service cannot take one.
  "aws:lightsail/staticIp:StaticIp",
  "aws:lightsail/database:Database",
  "aws:route53/zone:Zone",
  "aws:secretsmanager/secret:Secret",
];
