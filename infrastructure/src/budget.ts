import * as pulumi from "@pulumi/pulumi";

/**
 * The stack's monthly budget, carried to the policy pack. A policy pack sees resources, not stack config,
 * so the budget travels as this component's property; the pack's `monthly-budget` rule reads it and holds
 * the stack's priced resources to it. It creates nothing in AWS.
 */
export class Budget extends pulumi.ComponentResource {
  readonly monthlyBudgetUsd: number;

  constructor(name: string, args: { monthlyBudgetUsd: number }, opts?: pulumi.ComponentResourceOptions) {
    super("vidos:infrastructure:Budget", name, { monthlyBudgetUsd: args.monthlyBudgetUsd }, opts);
    this.monthlyBudgetUsd = args.monthlyBudgetUsd;
    // Outputs too: the stack-wide analysis reads a component's registered outputs.
    this.registerOutputs({ monthlyBudgetUsd: args.monthlyBudgetUsd });
  }
}
