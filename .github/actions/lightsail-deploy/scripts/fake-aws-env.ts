/** The environment that points the action's AWS SDK at one local endpoint for Lightsail, ECR and SSM. */
export function fakeAwsEnv(endpoint: string): Record<string, string> {
  return {
    AWS_ACCESS_KEY_ID: "test",
    AWS_SECRET_ACCESS_KEY: "test",
    AWS_REGION: "eu-west-1",
    AWS_ENDPOINT_URL_LIGHTSAIL: endpoint,
    AWS_ENDPOINT_URL_ECR: endpoint,
    AWS_ENDPOINT_URL_SSM: endpoint,
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
  };
}
