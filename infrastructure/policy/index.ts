import { PolicyPack } from "@pulumi/policy";
import { resourcePolicies, stackPolicies } from "./policies.js";

// Constructing the pack starts the analyzer server, so only `pulumi preview --policy-pack` loads this file;
// tests import ./policies.js instead.
new PolicyPack("vidos-infrastructure", { policies: [...resourcePolicies, ...stackPolicies] });
