import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { imagePullPolicy, keepLatestImagesPolicy } from "./policies.js";
import type { StackTags } from "./tags.js";

export interface RegistryArgs {
  repositoryName: string;
  region: string;
  /** Delete the repository with its images on destroy. Only disposable stacks set this. */
  forceDelete: boolean;
  keepImages: number;
  /** Principal allowed to pull (the Lightsail service's image-puller role). */
  pullerPrincipalArn: pulumi.Input<string>;
  tags: StackTags;
}

/** Private ECR repository: scanned on push, last N images kept, pullable only by the Lightsail service. */
export class Registry extends pulumi.ComponentResource {
  readonly repositoryName: pulumi.Output<string>;
  readonly repositoryUrl: pulumi.Output<string>;
  readonly repositoryArn: pulumi.Output<string>;

  constructor(name: string, args: RegistryArgs, opts?: pulumi.ComponentResourceOptions) {
    super("vidos:infrastructure:Registry", name, {}, opts);

    const repository = new aws.ecr.Repository(
      `${name}-repository`,
      {
        name: args.repositoryName,
        region: args.region,
        imageScanningConfiguration: { scanOnPush: true },
        imageTagMutability: "MUTABLE",
        forceDelete: args.forceDelete,
        tags: { ...args.tags },
      },
      { parent: this },
    );

    new aws.ecr.LifecyclePolicy(
      `${name}-lifecycle`,
      {
        repository: repository.name,
        region: args.region,
        policy: JSON.stringify(keepLatestImagesPolicy(args.keepImages)),
      },
      { parent: this },
    );

    new aws.ecr.RepositoryPolicy(
      `${name}-pull-policy`,
      {
        repository: repository.name,
        region: args.region,
        policy: pulumi.output(args.pullerPrincipalArn).apply((arn) => JSON.stringify(imagePullPolicy(arn))),
      },
      { parent: this },
    );

    this.repositoryName = repository.name;
    this.repositoryUrl = repository.repositoryUrl;
    this.repositoryArn = repository.arn;

    this.registerOutputs({
      repositoryName: this.repositoryName,
      repositoryUrl: this.repositoryUrl,
      repositoryArn: this.repositoryArn,
    });
  }
}
