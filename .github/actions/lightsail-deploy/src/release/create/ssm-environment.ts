import type { GetParametersByPathCommandOutput } from "@aws-sdk/client-ssm";
import type { AwsClients, Logger } from "../../platform/deps.js";
import { DeployError, describeError } from "../../platform/errors.js";

const POSIX_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Every parameter directly under `path`, decrypted, as environment variables named after the last part
 * of the parameter name. Values are masked before anything can log them; only names are logged.
 */
export async function readSsmEnvironment(
  aws: AwsClients,
  path: string,
  log: Logger,
): Promise<Record<string, string>> {
  const prefix = path.endsWith("/") ? path : `${path}/`;
  const { GetParametersByPathCommand } = await import(/* webpackMode: "eager" */ "../../platform/ssm-sdk.js");
  const ssm = await aws.ssm();
  const environment: Record<string, string> = {};
  let nextToken: string | undefined;
  do {
    let page: GetParametersByPathCommandOutput;
    try {
      page = await ssm.send(
        new GetParametersByPathCommand({
          Path: path,
          Recursive: false,
          WithDecryption: true,
          NextToken: nextToken,
        }),
      );
    } catch (error) {
      throw new DeployError(
        `reading Parameter Store path \`ssm-path\` ${JSON.stringify(path)} failed (${describeError(error)})`,
        "deploy",
        "check the path and that the deploying identity may call ssm:GetParametersByPath and kms:Decrypt",
      );
    }
    for (const parameter of page.Parameters ?? []) {
      const name = (parameter.Name ?? "").slice(prefix.length);
      if (!POSIX_NAME.test(name)) {
        throw new DeployError(
          `Parameter Store parameter ${JSON.stringify(parameter.Name)} under \`ssm-path\` cannot become an environment variable`,
          "deploy",
          "name parameters with letters, digits and _ only",
        );
      }
      if (parameter.Value) log.setSecret(parameter.Value);
      environment[name] = parameter.Value ?? "";
    }
    nextToken = page.NextToken;
  } while (nextToken);
  const names = Object.keys(environment);
  log.info(`Parameter Store ${path}: ${names.length ? names.join(", ") : "no parameters"} (values masked)`);
  return environment;
}
