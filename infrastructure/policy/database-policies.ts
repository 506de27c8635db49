import * as aws from "@pulumi/aws";
import { type ResourceValidationPolicy, validateResourceOfType } from "@pulumi/policy";

/** The ECS variant's database is held as the rest of the stack: private, encrypted, backed up, no password in state. */
export const rdsPrivateEncrypted: ResourceValidationPolicy = {
  name: "rds-private-encrypted",
  description:
    "RDS instances are not publicly accessible, encrypt storage, keep backups, and let AWS manage the master password.",
  enforcementLevel: "mandatory",
  validateResource: validateResourceOfType(aws.rds.Instance, (db, _args, reportViolation) => {
    if (db.publiclyAccessible === true) reportViolation("publiclyAccessible must be false.");
    if (db.storageEncrypted !== true) reportViolation("storageEncrypted must be true.");
    if (!((db.backupRetentionPeriod ?? 0) >= 1))
      reportViolation("backupRetentionPeriod must be at least 1 day.");
    // A password given to Pulumi sits in its state; the managed one lives only in Secrets Manager.
    if (db.manageMasterUserPassword !== true || db.password !== undefined)
      reportViolation("Set manageMasterUserPassword: true and no password.");
  }),
};
