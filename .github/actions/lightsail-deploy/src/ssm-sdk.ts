// SSM, loaded on first use (a separate chunk of dist/; see aws-sdk.ts): the release record and `ssm-path`.
export {
  GetParameterCommand,
  GetParametersByPathCommand,
  PutParameterCommand,
  SSMClient,
} from "@aws-sdk/client-ssm/dist-es/index.js";
