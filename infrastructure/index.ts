import { loadStackConfig } from "./src/config.js";
import { createStack } from "./src/stack.js";

// Entry point: only wiring and stack outputs. Nothing secret is exported.
const outputs = createStack(loadStackConfig());

export const region = outputs.region;
export const serviceName = outputs.serviceName;
export const serviceUrl = outputs.serviceUrl;
export const repositoryName = outputs.repositoryName;
export const repositoryUrl = outputs.repositoryUrl;
export const deployRoleArn = outputs.deployRoleArn;
export const ssmPath = outputs.ssmPath;
export const rehearsalRoleArn = outputs.rehearsalRoleArn;
export const rehearsalSsmPath = outputs.rehearsalSsmPath;
export const customDomain = outputs.customDomain;
export const pullerPrincipalArn = outputs.pullerPrincipalArn;
