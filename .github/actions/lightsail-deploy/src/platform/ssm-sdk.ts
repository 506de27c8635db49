// SSM, evaluated on first use (in dist/bundle.js, imported in webpack "eager" mode; see real-deps.ts): the
// release record, read on every run that passes pre-flight, and `ssm-path`.
export {
  DeleteParametersCommand,
  GetParameterCommand,
  GetParametersByPathCommand,
  PutParameterCommand,
  SSMClient,
} from "@aws-sdk/client-ssm";
