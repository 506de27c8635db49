/** Pure builders for every policy document the stack writes. No Pulumi types: plain values in, JSON-ready objects out. */

export interface PolicyStatement {
  Sid: string;
  Effect: "Allow";
  Action: string[];
  Resource?: string | string[];
  Principal?: Record<string, string>;
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

const ECR_PUSH_ACTIONS = [
  "ecr:BatchCheckLayerAvailability",
  "ecr:InitiateLayerUpload",
  "ecr:UploadLayerPart",
  "ecr:CompleteLayerUpload",
  "ecr:PutImage",
];
// The deploy action's pre-flight and idempotency checks: the repository exists, grants the puller, has the tag.
const ECR_READ_ACTIONS = [
  "ecr:BatchGetImage",
  "ecr:GetDownloadUrlForLayer",
  "ecr:DescribeImages",
  "ecr:DescribeRepositories",
  "ecr:GetRepositoryPolicy",
];

export interface EcrLifecyclePolicy {
  rules: {
    rulePriority: number;
    description: string;
    selection: { tagStatus: "any"; countType: "imageCountMoreThan"; countNumber: number };
    action: { type: "expire" };
  }[];
}

export function keepLatestImagesPolicy(count: number): EcrLifecyclePolicy {
  if (!Number.isInteger(count) || count < 1)
    throw new Error(`image count must be a positive integer; got ${count}`);
  return {
    rules: [
      {
        rulePriority: 1,
        description: `Keep the last ${count} images`,
        selection: { tagStatus: "any", countType: "imageCountMoreThan", countNumber: count },
        action: { type: "expire" },
      },
    ],
  };
}

/** Repository policy: the Lightsail image-puller principal may pull, nothing more. */
export function imagePullPolicy(pullerPrincipalArn: string): PolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "LightsailImagePuller",
        Effect: "Allow",
        Principal: { AWS: pullerPrincipalArn },
        Action: [...IMAGE_PULL_ACTIONS],
      },
    ],
  };
}

/** The `sub` claim GitHub sends for a job bound to `environment` (the branch is not part of it). */
export function githubEnvironmentSubject(repository: string, environment: string): string {
  return `repo:${repository}:environment:${environment}`;
}

export function githubTrustPolicy(input: {
  providerArn: string;
  repository: string;
  environment: string;
}): PolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "GitHubEnvironmentOnly",
        Effect: "Allow",
        Principal: { Federated: input.providerArn },
        Action: ["sts:AssumeRoleWithWebIdentity"],
        Condition: {
          StringEquals: {
            [`${GITHUB_OIDC_HOST}:aud`]: GITHUB_OIDC_AUDIENCE,
            [`${GITHUB_OIDC_HOST}:sub`]: githubEnvironmentSubject(input.repository, input.environment),
          },
        },
      },
    ],
  };
}

export interface DeployPolicyInput {
  partition: string;
  /** `amazonaws.com`, or the partition's own suffix (China: `amazonaws.com.cn`). */
  dnsSuffix: string;
  region: string;
  accountId: string;
  repositoryArn: string;
  serviceArn: string;
  /** The Lightsail service's name: it names the deploy action's release record. */
  serviceName: string;
  /** `/<project>/<stack>/` */
  ssmPath: string;
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

/** Read and overwrite the record (PutParameter also creates it on first write). No delete, no tagging. */
export const RELEASE_RECORD_ACTIONS = ["ssm:GetParameter", "ssm:PutParameter"] as const;

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
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "ActionsWithoutResourceType",
        Effect: "Allow",
        Action: [...ACTIONS_WITHOUT_RESOURCE],
        Resource: "*",
      },
      {
        Sid: "PushToThisRepository",
        Effect: "Allow",
        Action: [...ECR_PUSH_ACTIONS, ...ECR_READ_ACTIONS],
        Resource: input.repositoryArn,
      },
      {
        Sid: "DeployThisService",
        Effect: "Allow",
        Action: ["lightsail:CreateContainerServiceDeployment"],
        Resource: input.serviceArn,
      },
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
        Resource: ssmParameterArn(input, releaseRecordName(input.serviceName)),
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
