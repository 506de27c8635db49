/** Pure builders for every policy document the stack writes. No Pulumi types: plain values in, JSON-ready objects out. */

export interface PolicyStatement {
  Sid: string;
  Effect: "Allow" | "Deny";
  Action: string[];
  Resource?: string | string[];
  /** Deny statements only: everything but these (this environment's own resources). */
  NotResource?: string[];
  Principal?: Record<string, string | string[]>;
  Condition?: Record<string, Record<string, string>>;
}

export interface PolicyDocument {
  Version: "2012-10-17";
  Statement: PolicyStatement[];
}

export const GITHUB_OIDC_URL = "https://token.actions.githubusercontent.com";
export const GITHUB_OIDC_AUDIENCE = "sts.amazonaws.com";
const GITHUB_OIDC_HOST = "token.actions.githubusercontent.com";

/** Actions that support no resource type, so IAM only accepts them on `*`. Nothing else may use `*`. */
export const ACTIONS_WITHOUT_RESOURCE = [
  "ecr:GetAuthorizationToken",
  "lightsail:GetContainerServices",
  "lightsail:GetContainerServiceDeployments",
  "lightsail:GetContainerLog",
  // The deploy action prices power × scale for its summary.
  "lightsail:GetContainerServicePowers",
  // The deploy action warns when a custom domain's certificate is not valid or expires soon.
  "lightsail:GetCertificates",
] as const;

/** Pulls only: what Lightsail's image-puller role needs to start containers. */
export const IMAGE_PULL_ACTIONS = ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"] as const;

/** Uploading bytes: only the build environment's role may, so no other environment can add an image. */
export const ECR_LAYER_UPLOAD_ACTIONS = [
  "ecr:BatchCheckLayerAvailability",
  "ecr:InitiateLayerUpload",
  "ecr:UploadLayerPart",
  "ecr:CompleteLayerUpload",
];
const ECR_PUSH_ACTIONS = [...ECR_LAYER_UPLOAD_ACTIONS, "ecr:PutImage"];
/**
 * Tagging an image already in the repository (PutImage with its manifest): every role, for the protection
 * tags. Without the upload actions it cannot add bytes, and immutable tags keep it from renaming an image.
 */
const ECR_TAG_EXISTING_ACTIONS = ["ecr:PutImage"];

/** What no deploy role may do to any repository: delete images, or loosen the repository's rules. */
export const ECR_DESTRUCTIVE_ACTIONS = [
  "ecr:BatchDeleteImage",
  "ecr:DeleteRepository",
  "ecr:DeleteRepositoryPolicy",
  "ecr:SetRepositoryPolicy",
  "ecr:PutLifecyclePolicy",
  "ecr:DeleteLifecyclePolicy",
  "ecr:PutImageTagMutability",
];
/** Lightsail changes a deploy role could make to a service: denied on every service but its own. */
export const LIGHTSAIL_CHANGE_ACTIONS = [
  "lightsail:CreateContainerServiceDeployment",
  "lightsail:UpdateContainerService",
  "lightsail:DeleteContainerService",
  "lightsail:CreateContainerServiceRegistryLogin",
];
/** SSM reads and writes: denied on every parameter but this environment's path and release record. */
export const SSM_PARAMETER_ACTIONS = [
  "ssm:GetParameter",
  "ssm:GetParameters",
  "ssm:GetParametersByPath",
  "ssm:GetParameterHistory",
  "ssm:PutParameter",
  "ssm:DeleteParameter",
  "ssm:DeleteParameters",
  "ssm:LabelParameterVersion",
];
// The deploy action's pre-flight and idempotency checks: the repository exists, grants the puller, has the tag.
const ECR_READ_ACTIONS = [
  "ecr:BatchGetImage",
  "ecr:GetDownloadUrlForLayer",
  "ecr:DescribeImages",
  "ecr:DescribeRepositories",
  "ecr:GetRepositoryPolicy",
];

export interface EcrLifecycleRule {
  rulePriority: number;
  description: string;
  selection:
    | { tagStatus: "any"; countType: "imageCountMoreThan"; countNumber: number }
    | { tagStatus: "tagged"; tagPrefixList: string[]; countType: "imageCountMoreThan"; countNumber: number };
  action: { type: "expire" };
}

export interface EcrLifecyclePolicy {
  rules: EcrLifecycleRule[];
}

/**
 * The tag prefix the deploy action gives the images an environment serves and would roll back to
 * (`keep-<service>-serving`, `keep-<service>-previous`; the action's image-protection.ts). These tags are
 * the only mutable ones: the action moves them when a release is verified.
 */
export const PROTECTED_TAG_PREFIX = "keep-";
/** The deploy action's build cache (`build-cache`): one mutable tag, replaced on every build, never expired. */
export const BUILD_CACHE_TAG = "buildcache";
/**
 * Rule 2's count: ECR's default quota of images per repository, so it can never be passed. Protection is by
 * tag, not by count: however many `keep-*` tags exist (a renamed or removed service leaves its pair, a sidecar
 * or `container-name` adds more), no rule can expire an image that carries one.
 */
export const PROTECTED_COUNT_UNREACHABLE = 10_000;

/**
 * Rule 2 selects the protected images; ECR never lets a lower-priority rule expire an image a rule with a
 * higher priority selected, so rule 3 (the last `count` images) can never expire them, and rule 2 itself
 * expires only beyond a count no repository reaches. Storage stays bounded by the tags the deploy action
 * keeps: `count` + the images some service serves or would roll back to.
 */
export function keepLatestImagesPolicy(count: number): EcrLifecyclePolicy {
  if (!Number.isInteger(count) || count < 1)
    throw new Error(`image count must be a positive integer; got ${count}`);
  return {
    rules: [
      // Like rule 2: it selects the one image the cache tag names, so no later rule can expire it.
      {
        rulePriority: 1,
        description: `Never expire the build cache (tag ${BUILD_CACHE_TAG})`,
        selection: {
          tagStatus: "tagged",
          tagPrefixList: [BUILD_CACHE_TAG],
          countType: "imageCountMoreThan",
          countNumber: 1,
        },
        action: { type: "expire" },
      },
      {
        rulePriority: 2,
        description: `Never expire the images services serve or roll back to (tags ${PROTECTED_TAG_PREFIX}*)`,
        selection: {
          tagStatus: "tagged",
          tagPrefixList: [PROTECTED_TAG_PREFIX],
          countType: "imageCountMoreThan",
          countNumber: PROTECTED_COUNT_UNREACHABLE,
        },
        action: { type: "expire" },
      },
      {
        rulePriority: 3,
        description: `Keep the last ${count} images`,
        selection: { tagStatus: "any", countType: "imageCountMoreThan", countNumber: count },
        action: { type: "expire" },
      },
    ],
  };
}

/** Repository policy: the Lightsail image-puller principals (one per environment) may pull, nothing more. */
export function imagePullPolicy(pullerPrincipalArns: string | string[]): PolicyDocument {
  const principals = [pullerPrincipalArns].flat();
  if (principals.length === 0)
    throw new Error("No environment's image-puller to trust: every environment is paused or not yet up.");
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "LightsailImagePuller",
        Effect: "Allow",
        Principal: { AWS: principals.length === 1 ? (principals[0] as string) : principals },
        Action: [...IMAGE_PULL_ACTIONS],
      },
    ],
  };
}

/** The `sub` claim GitHub sends for a job bound to `environment` (the branch is not part of it). */
export function githubEnvironmentSubject(repository: string, environment: string): string {
  return `repo:${repository}:environment:${environment}`;
}

/** Trust in GitHub's OIDC tokens with exactly this subject (StringEquals: no wildcard can widen it). */
function githubSubjectTrust(sid: string, providerArn: string, subject: string): PolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: sid,
        Effect: "Allow",
        Principal: { Federated: providerArn },
        Action: ["sts:AssumeRoleWithWebIdentity"],
        Condition: {
          StringEquals: {
            [`${GITHUB_OIDC_HOST}:aud`]: GITHUB_OIDC_AUDIENCE,
            [`${GITHUB_OIDC_HOST}:sub`]: subject,
          },
        },
      },
    ],
  };
}

export function githubTrustPolicy(input: {
  providerArn: string;
  repository: string;
  environment: string;
}): PolicyDocument {
  return githubSubjectTrust(
    "GitHubEnvironmentOnly",
    input.providerArn,
    githubEnvironmentSubject(input.repository, input.environment),
  );
}

/** The `sub` claim GitHub sends for a job run by a pull request of `repository` (no environment bound). */
export function githubPullRequestSubject(repository: string): string {
  return `repo:${repository}:pull_request`;
}

/** Trust for the rehearsal role: only this repository's pull-request jobs (exact subject, no wildcard). */
export function githubPullRequestTrustPolicy(input: {
  providerArn: string;
  repository: string;
}): PolicyDocument {
  return githubSubjectTrust(
    "GitHubPullRequestsOnly",
    input.providerArn,
    githubPullRequestSubject(input.repository),
  );
}

/**
 * What the deploy rehearsal reads, and nothing else: the live service (containers, ports, health check,
 * endpoint, variable names, scale, power; one call, which supports no resource type) and the rehearsal values
 * under its own path. No write of any kind; the live service's own parameters are not readable.
 */
export function rehearsalPolicy(input: SsmArnInput & { rehearsalPath: string }): PolicyDocument {
  const { path } = ssmPathArns({ ...input, ssmPath: input.rehearsalPath });
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "ReadTheLiveService",
        Effect: "Allow",
        Action: ["lightsail:GetContainerServices"],
        Resource: "*",
      },
      {
        Sid: "ReadTheRehearsalValues",
        Effect: "Allow",
        Action: ["ssm:GetParametersByPath"],
        Resource: path,
      },
    ],
  };
}

/** The rehearsal values' path: outside the app's (whose every parameter becomes a container variable). */
export function rehearsalPathOf(ssmPath: string): string {
  return `/rehearsal${ssmPath}`;
}

export interface DeployPolicyInput {
  partition: string;
  /** `amazonaws.com`, or the partition's own suffix (China: `amazonaws.com.cn`). */
  dnsSuffix: string;
  region: string;
  accountId: string;
  repositoryArn: string;
  /** The Lightsail service's ARN; undefined while the environment is paused (no service to deploy to). */
  serviceArn: string | undefined;
  /** The Lightsail service's name: it names the deploy action's release record. */
  serviceName: string;
  /** `/<project>/<stack>/` */
  ssmPath: string;
  /** The build environment's role pushes new images; every other environment's role only promotes. */
  buildsImages: boolean;
}

type SsmArnInput = Pick<DeployPolicyInput, "partition" | "region" | "accountId">;

/** The ARN of the SSM parameter (or path) `name`, which starts with "/". */
function ssmParameterArn(input: SsmArnInput, name: string): string {
  return `arn:${input.partition}:ssm:${input.region}:${input.accountId}:parameter${name}`;
}

/**
 * The deploy action's release record (its `release-record` input's default): which deployment versions it
 * verified as good and which it rejected. Outside the app's config path on purpose: every parameter under
 * `ssm-path` becomes a container environment variable.
 */
export function releaseRecordName(serviceName: string): string {
  return `/lightsail-deploy/${serviceName}/releases`;
}

/**
 * The record is one parameter per verdict under the record's path (the action's release-record.ts): read by
 * path (and the legacy single parameter at the path itself), written one verdict at a time, old verdicts
 * evicted. No tagging, no labels, nothing outside the path.
 */
export const RELEASE_RECORD_ACTIONS = [
  "ssm:GetParameter",
  "ssm:GetParametersByPath",
  "ssm:PutParameter",
  "ssm:DeleteParameters",
] as const;

/** ARNs covering the SSM path itself (what GetParametersByPath is checked against) and everything below it. */
export function ssmPathArns(input: SsmArnInput & Pick<DeployPolicyInput, "ssmPath">): {
  path: string;
  below: string;
} {
  const path = ssmParameterArn(input, input.ssmPath.replace(/\/+$/, ""));
  return { path, below: `${path}/*` };
}

/**
 * Least privilege for the GitHub deploy job: push to one repository, deploy one service, read one SSM path, and
 * keep one release record (the only SSM parameter it may write).
 */
export function deployPolicy(input: DeployPolicyInput): PolicyDocument {
  const ssmArns = ssmPathArns(input);
  const recordArn = ssmParameterArn(input, releaseRecordName(input.serviceName));
  return {
    Version: "2012-10-17",
    Statement: [
      ...crossEnvironmentDenials(input, [ssmArns.path, ssmArns.below, recordArn, `${recordArn}/*`]),
      {
        Sid: "ActionsWithoutResourceType",
        Effect: "Allow",
        Action: [...ACTIONS_WITHOUT_RESOURCE],
        Resource: "*",
      },
      input.buildsImages
        ? {
            Sid: "PushToThisRepository",
            Effect: "Allow",
            Action: [...ECR_PUSH_ACTIONS, ...ECR_READ_ACTIONS],
            Resource: input.repositoryArn,
          }
        : {
            Sid: "PromoteFromThisRepository",
            Effect: "Allow",
            Action: [...ECR_TAG_EXISTING_ACTIONS, ...ECR_READ_ACTIONS],
            Resource: input.repositoryArn,
          },
      ...(input.serviceArn === undefined
        ? []
        : [
            <PolicyStatement>{
              Sid: "DeployThisService",
              Effect: "Allow",
              Action: ["lightsail:CreateContainerServiceDeployment"],
              Resource: input.serviceArn,
            },
          ]),
      {
        Sid: "ReadThisStackParameters",
        Effect: "Allow",
        Action: ["ssm:GetParametersByPath"],
        Resource: [ssmArns.path, ssmArns.below],
      },
      {
        Sid: "KeepThisServiceReleaseRecord",
        Effect: "Allow",
        Action: [...RELEASE_RECORD_ACTIONS],
        Resource: [recordArn, `${recordArn}/*`],
      },
      {
        // Needed for a customer-managed key; harmless for the default aws/ssm key. Only through SSM, only for
        // parameters under this stack's path (SSM puts the parameter ARN in the encryption context).
        Sid: "DecryptThisStackParametersViaSsm",
        Effect: "Allow",
        Action: ["kms:Decrypt"],
        Resource: `arn:${input.partition}:kms:${input.region}:${input.accountId}:key/*`,
        Condition: {
          StringEquals: { "kms:ViaService": `ssm.${input.region}.${input.dnsSuffix}` },
          StringLike: { "kms:EncryptionContext:PARAMETER_ARN": ssmArns.below },
        },
      },
    ],
  };
}

/**
 * Explicit denials that hold whatever else is attached to the role: another environment's service,
 * parameters and release record are out of reach, no role deletes an image or loosens the repository,
 * and only the build environment's role may upload image bytes.
 */
function crossEnvironmentDenials(input: DeployPolicyInput, ownParameters: string[]): PolicyStatement[] {
  const denials: PolicyStatement[] = [
    // Paused (no service of its own): every Lightsail change is denied.
    input.serviceArn === undefined
      ? {
          Sid: "DenyOtherEnvironmentsServices",
          Effect: "Deny",
          Action: [...LIGHTSAIL_CHANGE_ACTIONS],
          Resource: "*",
        }
      : {
          Sid: "DenyOtherEnvironmentsServices",
          Effect: "Deny",
          Action: [...LIGHTSAIL_CHANGE_ACTIONS],
          NotResource: [input.serviceArn],
        },
    {
      Sid: "DenyOtherEnvironmentsParameters",
      Effect: "Deny",
      Action: [...SSM_PARAMETER_ACTIONS],
      NotResource: ownParameters,
    },
    {
      Sid: "DenyOtherRepositories",
      Effect: "Deny",
      Action: [...ECR_PUSH_ACTIONS, ...ECR_READ_ACTIONS],
      NotResource: [input.repositoryArn],
    },
    {
      Sid: "DenyDeletingImagesOrLooseningRepositories",
      Effect: "Deny",
      Action: [...ECR_DESTRUCTIVE_ACTIONS],
      Resource: "*",
    },
  ];
  if (!input.buildsImages)
    denials.push({
      Sid: "DenyUploadingImages",
      Effect: "Deny",
      Action: [...ECR_LAYER_UPLOAD_ACTIONS],
      Resource: "*",
    });
  return denials;
}
