/**
 * The stand-in's one AWS account, in its own module because every service (ECR, Lightsail, SSM) builds ARNs
 * from it and none of them should import another to get it.
 */
export const ACCOUNT_ID = "000000000000";

/** The AWS services the stand-in answers for, by the key its API server routes on. */
export type ServiceKey = "ecr" | "lightsail" | "ssm" | "ecs" | "elbv2" | "cloudwatch" | "logs";

/** Every ServiceKey, for validating names that come from outside (faults). */
export const SERVICE_KEYS: readonly ServiceKey[] = [
  "ecr",
  "lightsail",
  "ssm",
  "ecs",
  "elbv2",
  "cloudwatch",
  "logs",
];
