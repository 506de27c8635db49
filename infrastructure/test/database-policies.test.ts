import { describe, expect, it } from "vitest";
import { rdsPrivateEncrypted } from "../policy/database-policies.js";
import { resourcePolicies } from "../policy/policies.js";
import { type PolicyInput, resourceViolations } from "./policy-harness.js";

const db = (props: Record<string, unknown> = {}): PolicyInput => ({
  type: "aws:rds/instance:Instance",
  name: "db",
  props: {
    instanceClass: "db.t4g.micro",
    publiclyAccessible: false,
    storageEncrypted: true,
    backupRetentionPeriod: 7,
    manageMasterUserPassword: true,
    ...props,
  },
});

describe("rds-private-encrypted", () => {
  it("is in the pack and passes a private, encrypted, backed-up database with a managed password", async () => {
    expect(resourcePolicies).toContain(rdsPrivateEncrypted);
    expect(await resourceViolations(rdsPrivateEncrypted, db())).toEqual([]);
  });

  it.each([
    [{ publiclyAccessible: true }, "publiclyAccessible must be false."],
    [{ storageEncrypted: undefined }, "storageEncrypted must be true."],
    [{ backupRetentionPeriod: 0 }, "backupRetentionPeriod must be at least 1 day."],
    [
      { manageMasterUserPassword: undefined, password: "hunter2" },
      "Set manageMasterUserPassword: true and no password.",
    ],
    [{ password: "hunter2" }, "Set manageMasterUserPassword: true and no password."],
  ])("refuses %j", async (props, message) => {
    expect(await resourceViolations(rdsPrivateEncrypted, db(props))).toEqual([message]);
  });
});
