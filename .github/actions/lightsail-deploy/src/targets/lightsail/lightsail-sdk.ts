// The Lightsail client, from its package root like the rest of the SDK (see platform/aws-sdk.ts).
export {
  CreateContainerServiceDeploymentCommand,
  GetCertificatesCommand,
  GetContainerLogCommand,
  GetContainerServiceDeploymentsCommand,
  GetContainerServicePowersCommand,
  GetContainerServicesCommand,
  LightsailClient,
} from "@aws-sdk/client-lightsail";
