import { GetContainerServicePowersCommand } from "@aws-sdk/client-lightsail";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
// The infrastructure's one price table (its budget rule reads it); a data module, no Pulumi code.
import { LIGHTSAIL_POWER_MONTHLY_USD } from "../../infrastructure/policy/prices.js";
import { type Harness, startHarness } from "./support/harness.js";

describe("GetContainerServicePowers", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  it("answers the prices the infrastructure's budget rule uses (what the deploy action's cost line reads)", async () => {
    const { powers } = await h.lightsail.send(new GetContainerServicePowersCommand({}));
    expect(Object.fromEntries((powers ?? []).map((power) => [power.name, power.price]))).toEqual(
      LIGHTSAIL_POWER_MONTHLY_USD,
    );
  });
});
