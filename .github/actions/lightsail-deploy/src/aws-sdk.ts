/*
 * The AWS SDK, imported from each client's ES-module build. ncc resolves a bare `@aws-sdk/client-*`
 * import to the package's `main`, a single CommonJS file holding every operation of the service (SSM
 * alone is ~400 kB), which webpack cannot tree-shake; the ES-module build lets it keep only the
 * commands used here (measured: dist/index.js 960 kB → 837 kB). Types come from aws-sdk-esm.d.ts.
 * Everything, tests included, imports the SDK from here (SSM: ssm-sdk.ts) so that there is one copy of
 * each class.
 */
export {
  BatchGetImageCommand,
  DescribeImagesCommand,
  DescribeRepositoriesCommand,
  ECRClient,
  GetAuthorizationTokenCommand,
  GetRepositoryPolicyCommand,
} from "@aws-sdk/client-ecr/dist-es/index.js";
export {
  CreateContainerServiceDeploymentCommand,
  GetContainerLogCommand,
  GetContainerServiceDeploymentsCommand,
  GetContainerServicePowersCommand,
  GetContainerServicesCommand,
  LightsailClient,
} from "@aws-sdk/client-lightsail/dist-es/index.js";
