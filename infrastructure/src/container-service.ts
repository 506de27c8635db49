import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { ServicePower } from "./config.js";
import type { StackTags } from "./tags.js";

export interface ContainerServiceArgs {
  serviceName: string;
  power: ServicePower;
  scale: number;
  region: string;
  tags: StackTags;
  /** The custom domains to attach (only once their certificate is ISSUED); undefined: the default URL only. */
  publicDomainNames?: pulumi.Input<aws.types.input.lightsail.ContainerServicePublicDomainNames | undefined>;
  /** The domain's certificate: the service depends on it, so it is updated or deleted (releasing the domain) first. */
  certificate?: pulumi.Resource;
}

/**
 * The Lightsail container service, with its ECR image-puller role switched on. No deployment: the deploy
 * action owns every deployment, so Pulumi and CI never fight over what is running.
 */
export class ContainerService extends pulumi.ComponentResource {
  readonly serviceName: pulumi.Output<string>;
  readonly url: pulumi.Output<string>;
  readonly arn: pulumi.Output<string>;
  /** The image-puller role's principal, which the ECR repository policy must trust (not the service's principalArn). */
  readonly pullerPrincipalArn: pulumi.Output<string>;

  constructor(name: string, args: ContainerServiceArgs, opts?: pulumi.ComponentResourceOptions) {
    super("vidos:infrastructure:ContainerService", name, {}, opts);

    const service = new aws.lightsail.ContainerService(
      `${name}-service`,
      {
        name: args.serviceName,
        power: args.power,
        scale: args.scale,
        region: args.region,
        isDisabled: false,
        privateRegistryAccess: { ecrImagePullerRole: { isActive: true } },
        ...(args.publicDomainNames ? { publicDomainNames: args.publicDomainNames } : {}),
        tags: { ...args.tags },
      },
      // Depending on the certificate, the service is updated or deleted, releasing the domain, before the
      // certificate is deleted (pulumi destroy, or the domain config removed).
      { parent: this, ...(args.certificate ? { dependsOn: [args.certificate] } : {}) },
    );

    this.serviceName = service.name;
    this.url = service.url;
    this.arn = service.arn;
    this.pullerPrincipalArn = pulumi
      .all([service.name, service.privateRegistryAccess])
      .apply(([serviceName, access]) => {
        const principalArn = access?.ecrImagePullerRole?.principalArn;
        if (!principalArn) {
          throw new Error(
            `Lightsail service "${serviceName}" returned no privateRegistryAccess.ecrImagePullerRole.principalArn; ` +
              "check that the image-puller role is active, then run `pulumi up` again.",
          );
        }
        return principalArn;
      });

    this.registerOutputs({
      serviceName: this.serviceName,
      url: this.url,
      arn: this.arn,
      pullerPrincipalArn: this.pullerPrincipalArn,
    });
  }
}
