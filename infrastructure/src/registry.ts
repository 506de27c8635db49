import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import {
  BUILD_CACHE_TAG,
  imagePullPolicy,
  keepLatestImagesPolicy,
  PROTECTED_TAG_PREFIX,
} from "./policies.js";
import type { StackTags } from "./tags.js";

export interface RegistryArgs {
  repositoryName: string;
  region: string;
  /** Delete the repository with its images on destroy. Only disposable stacks set this. */
  forceDelete: boolean;
  keepImages: number;
  /**
   * Principals allowed to pull: every environment's Lightsail image-puller role, one entry per environment;
   * undefined for a paused environment (no service, so nothing to trust until it is re-created).
   */
  pullerPrincipalArns: pulumi.Input<string | undefined>[];
  tags: StackTags;
}

/**
 * The one private ECR repository every environment pulls from: scanned on push, tags immutable (a SHA tag
 * always names the same bytes) except the deploy action's protection tags, the images environments need
 * never expired, the last N others kept, pullable only by the environments' Lightsail services.
 */
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
        imageTagMutability: "IMMUTABLE_WITH_EXCLUSION",
        // Only the protection tags move (to the image an environment now serves); see policies.ts.
        // …and the deploy action's build cache, replaced on every build.
        imageTagMutabilityExclusionFilters: [
          { filterType: "WILDCARD", filter: `${PROTECTED_TAG_PREFIX}*` },
          { filterType: "WILDCARD", filter: BUILD_CACHE_TAG },
        ],
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
        policy: pulumi
          .all(args.pullerPrincipalArns)
          .apply((arns) =>
            JSON.stringify(imagePullPolicy([...new Set(arns.filter((arn): arn is string => !!arn))])),
          ),
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
