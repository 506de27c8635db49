// SSM, loaded only by runs that read Parameter Store (a separate chunk of dist/; see aws-sdk.ts).
export { GetParametersByPathCommand, SSMClient } from "@aws-sdk/client-ssm/dist-es/index.js";
