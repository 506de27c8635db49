import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { AppConfig } from "./app-config.js";
import { Budget } from "./budget.js";
import type { StackConfig } from "./config.js";
import { ContainerService } from "./container-service.js";
import { type DnsRecord, DomainCertificate, domainRecords } from "./custom-domain.js";
import { DeployAccess } from "./deploy-access.js";
import { rehearsalPathOf } from "./policies.js";
import { Registry } from "./registry.js";
import { RehearsalAccess } from "./rehearsal-access.js";
import { stackTags } from "./tags.js";

/** How many images the ECR lifecycle policy keeps (enough to roll back a few deploys). */
export const KEPT_IMAGES = 5;

export interface StackOutputs {
  region: pulumi.Output<string>;
  serviceName: pulumi.Output<string>;
  /** Undefined while paused. */
  serviceUrl: pulumi.Output<string | undefined>;
  repositoryName: pulumi.Output<string>;
  repositoryUrl: pulumi.Output<string>;
  deployRoleArn: pulumi.Output<string>;
  /** The deploy rehearsal's read-only role (pull requests of this repository only), and its values' path. */
  rehearsalRoleArn: pulumi.Output<string>;
  rehearsalSsmPath: pulumi.Output<string>;
  ssmPath: pulumi.Output<string>;
  /** The service's image-puller principal, which the build stack's repository policy trusts. */
  pullerPrincipalArn: pulumi.Output<string | undefined>;
  /** The custom domain's state and its DNS records (written to Route 53, or to create); undefined without one. */
  customDomain: pulumi.Output<CustomDomainOutput | undefined>;
}

export interface CustomDomainOutput {
  domains: string[];
  certificateName: string;
  certificateStatus: string;
  attached: boolean;
  /** Who writes the records: this stack (Route 53), or you at your DNS provider. */
  records: "written to Route 53" | "create these at your DNS provider";
  dnsRecords: DnsRecord[];
}

/** The repository: the build stack creates it; every other stack pulls from that one (one artifact). */
function imageRepository(
  config: StackConfig,
  name: string,
  service: ContainerService | undefined,
  tags: ReturnType<typeof stackTags>,
): {
  repositoryName: pulumi.Output<string>;
  repositoryUrl: pulumi.Output<string>;
  repositoryArn: pulumi.Output<string>;
} {
  if (!config.buildsImages) {
    const shared = aws.ecr.getRepositoryOutput({ name: config.repositoryName, region: config.region });
    return { repositoryName: shared.name, repositoryUrl: shared.repositoryUrl, repositoryArn: shared.arn };
  }
  // A paused stack exports no puller (it has no service): getOutput, so dev can still `pulumi up`.
  const pullers = config.imagePullerStacks.map((stack) =>
    new pulumi.StackReference(stack)
      .getOutput("pullerPrincipalArn")
      .apply((arn) => (arn ? String(arn) : undefined)),
  );
  return new Registry(name, {
    repositoryName: config.repositoryName,
    region: config.region,
    forceDelete: config.forceDelete,
    keepImages: KEPT_IMAGES,
    pullerPrincipalArns: [service?.pullerPrincipalArn, ...pullers],
    tags,
  });
}

/** Builds the whole stack from a validated configuration. */
export function createStack(config: StackConfig): StackOutputs {
  const tags = stackTags(config);
  const name = `${config.project}-${config.stack}`;
  new Budget(`${name}-budget`, { monthlyBudgetUsd: config.monthlyBudgetUsd });

  const domainArgs = config.domain && {
    domain: config.domain,
    serviceName: config.serviceName,
    region: config.region,
    tags,
  };
  const certificate = domainArgs && new DomainCertificate(`${name}-domain`, domainArgs);

  // The service comes first: the repository policy needs its image-puller principal. A paused stack has
  // none (a Lightsail service bills while it exists); the certificate, parameters and roles stay.
  const service = config.paused
    ? undefined
    : new ContainerService(name, {
        serviceName: config.serviceName,
        power: config.servicePower,
        scale: config.serviceScale,
        region: config.region,
        tags,
        ...(certificate
          ? { publicDomainNames: certificate.publicDomainNames, certificate: certificate.certificate }
          : {}),
      });
  const customDomain: pulumi.Output<CustomDomainOutput | undefined> =
    certificate && domainArgs
      ? pulumi
          .all([
            certificate.certificateName,
            certificate.status,
            certificate.validationRecords,
            service ? domainRecords(`${name}-domain`, domainArgs, service.url, service) : [],
          ])
          .apply(
            ([certificateName, status, validation, pointing]): CustomDomainOutput => ({
              domains: certificate.domainNames,
              certificateName,
              certificateStatus: status,
              attached: service !== undefined && status === "ISSUED",
              records: domainArgs.domain.hostedZoneId
                ? "written to Route 53"
                : "create these at your DNS provider",
              dnsRecords: [...validation, ...pointing],
            }),
          )
      : pulumi.output(undefined);

  const registry = imageRepository(config, name, service, tags);

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
    serviceArn: service?.arn,
    serviceName: config.serviceName,
    ssmPath: appConfig.path,
    buildsImages: config.buildsImages,
    tags,
  });

  const rehearsalPath = rehearsalPathOf(config.ssmPath);
  const rehearsal = new RehearsalAccess(name, {
    oidcProviderArn: access.oidcProviderArn,
    githubRepository: config.githubRepository,
    region: config.region,
    rehearsalPath,
    tags,
  });

  return {
    region: pulumi.output(config.region),
    serviceName: pulumi.output(config.serviceName),
    serviceUrl: service ? service.url : pulumi.output(undefined),
    repositoryName: registry.repositoryName,
    repositoryUrl: registry.repositoryUrl,
    deployRoleArn: access.roleArn,
    rehearsalRoleArn: rehearsal.roleArn,
    rehearsalSsmPath: pulumi.output(rehearsalPath),
    ssmPath: pulumi.output(appConfig.path),
    pullerPrincipalArn: service ? service.pullerPrincipalArn : pulumi.output(undefined),
    customDomain,
  };
}
