/*
 * The AWS SDK, imported from each client's ES-module build (`dist-es`), not from the package root. This is
 * a deliberate deviation from importing package roots: ncc resolves a bare `@aws-sdk/client-*` import
 * to the package's `main`, a single CommonJS file holding every operation of the service (SSM alone is
 * ~400 kB), which webpack cannot tree-shake, and ncc offers no way to prefer the `module` field. The
 * ES-module build lets it keep only the commands used here. Measured on this tree (npm run build, then
 * npm run bench, interleaved): package roots dist/bundle.js 1,624,091 B and 349 ms to the first AWS
 * request; dist-es 1,498,549 B and 320 ms. Types come from aws-sdk-esm.d.ts.
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
