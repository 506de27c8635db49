import * as pulumi from "@pulumi/pulumi";
import { AppConfig } from "./app-config.js";
import type { StackConfig } from "./config.js";
import { ContainerService } from "./container-service.js";
import { DeployAccess } from "./deploy-access.js";
import { Registry } from "./registry.js";
import { stackTags } from "./tags.js";

/** How many images the ECR lifecycle policy keeps (enough to roll back a few deploys). */
export const KEPT_IMAGES = 5;

export interface StackOutputs {
  region: pulumi.Output<string>;
  serviceName: pulumi.Output<string>;
  serviceUrl: pulumi.Output<string>;
  repositoryName: pulumi.Output<string>;
  repositoryUrl: pulumi.Output<string>;
  deployRoleArn: pulumi.Output<string>;
  ssmPath: pulumi.Output<string>;
}

/** Builds the whole stack from a validated configuration. */
export function createStack(config: StackConfig): StackOutputs {
  const tags = stackTags(config);
  const name = `${config.project}-${config.stack}`;

  // The service comes first: the repository policy needs its image-puller principal.
  const service = new ContainerService(name, {
    serviceName: config.serviceName,
    power: config.servicePower,
    scale: config.serviceScale,
    region: config.region,
    tags,
  });

  const registry = new Registry(name, {
    repositoryName: config.repositoryName,
    region: config.region,
    forceDelete: config.forceDelete,
    keepImages: KEPT_IMAGES,
    pullerPrincipalArn: service.pullerPrincipalArn,
    tags,
  });

  const appConfig = new AppConfig(name, {
    path: config.ssmPath,
    region: config.region,
    authorizerUrl: config.authorizerUrl,
    apiKey: config.apiKey,
    tags,
  });

  const access = new DeployAccess(name, {
    createOidcProvider: config.createOidcProvider,
    githubRepository: config.githubRepository,
    environment: config.stack,
    region: config.region,
    repositoryArn: registry.repositoryArn,
    serviceArn: service.arn,
    serviceName: service.serviceName,
    ssmPath: appConfig.path,
    tags,
  });

  return {
    region: pulumi.output(config.region),
    serviceName: service.serviceName,
    serviceUrl: service.url,
    repositoryName: registry.repositoryName,
    repositoryUrl: registry.repositoryUrl,
    deployRoleArn: access.roleArn,
    ssmPath: pulumi.output(appConfig.path),
  };
}
