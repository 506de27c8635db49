/**
 * The one price table of the stack, read by the budget rule (policy/policies.ts) and the program's budget
 * default (src/config.ts); test/prices.test.ts holds the README's power × scale table to it, and
 * local-aws/test/price-table.test.ts holds the stand-in's GetContainerServicePowers answer (what the deploy
 * action's cost line reads) to it.
 *
 * Lightsail container services: the list price per node and month in USD, as GetContainerServicePowers
 * answers it (the Lightsail pricing page; check it for your region). A service costs price × scale, billed
 * while it exists, even disabled.
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

/**
 * ECS Fargate, the next target: tasks (vCPU-hours and GB-hours, public IPv4), the Application Load Balancer
 * (hours, LCUs, IPv4) and the database (instance hours, storage). The rates we have are third-party and
 * unverified for eu-west-1, so none is written here: the budget rule refuses a stack holding one of these
 * types (it cannot say the stack is within budget) until its price, with its source, is added here and
 * priced in `monthlyPriceOf` (policy/policies.ts).
 */
export const UNPRICED_COST_TYPES: readonly string[] = [
  "aws:ecs/service:Service",
  "aws:ecs/taskDefinition:TaskDefinition",
  "aws:lb/loadBalancer:LoadBalancer",
  "aws:alb/loadBalancer:LoadBalancer",
  "aws:rds/instance:Instance",
  "aws:rds/cluster:Cluster",
];
