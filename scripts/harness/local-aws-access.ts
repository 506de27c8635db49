import { ECRClient } from "@aws-sdk/client-ecr";
import { LightsailClient } from "@aws-sdk/client-lightsail";
import { SSMClient } from "@aws-sdk/client-ssm";
import { repoRoot } from "./paths.js";

const REGION = "eu-west-1";
const credentials = { accessKeyId: "local", secretAccessKey: "local" };

/** How the action and our own clients reach the stand-in: dummy credentials and its endpoint. */
export function localAwsAccess(endpoint: string): {
  /** The environment a runner step gets (the SDK reads `AWS_ENDPOINT_URL_<SERVICE>`). */
  env: Record<string, string>;
  lightsail: LightsailClient;
  ecr: ECRClient;
  ssm: SSMClient;
} {
  const clientConfig = { endpoint, region: REGION, credentials };
  return {
    env: {
      AWS_ACCESS_KEY_ID: credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
      AWS_REGION: REGION,
      AWS_ENDPOINT_URL_ECR: endpoint,
      AWS_ENDPOINT_URL_LIGHTSAIL: endpoint,
      AWS_ENDPOINT_URL_SSM: endpoint,
      GITHUB_REPOSITORY: "local/lightsail-deploy-pipeline",
      GITHUB_WORKSPACE: repoRoot,
    },
    lightsail: new LightsailClient(clientConfig),
    ecr: new ECRClient(clientConfig),
    ssm: new SSMClient(clientConfig),
  };
}
