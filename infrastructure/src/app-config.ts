import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { StackTags } from "./tags.js";

export interface AppConfigArgs {
  /** `/<project>/<stack>/`: the deploy action reads every parameter under it into the container environment. */
  path: string;
  region: string;
  authorizerUrl: pulumi.Input<string>;
  apiKey: pulumi.Input<string> | undefined;
  tags: StackTags;
}

/** The app's secrets as SSM SecureString parameters (default aws/ssm key), one path per stack. */
export class AppConfig extends pulumi.ComponentResource {
  readonly path: string;
  /** Parameter names only; values never leave the component. */
  readonly parameterNames: pulumi.Output<string[]>;

  constructor(name: string, args: AppConfigArgs, opts?: pulumi.ComponentResourceOptions) {
    super("vidos:infrastructure:AppConfig", name, {}, opts);
    if (!/^\/([A-Za-z0-9_.-]+\/)+$/.test(args.path)) {
      throw new Error(`SSM path must start and end with "/"; got "${args.path}".`);
    }

    const values: [string, pulumi.Input<string>][] = [["AUTHORIZER_URL", args.authorizerUrl]];
    if (args.apiKey !== undefined) values.push(["API_KEY", args.apiKey]);

    const parameters = values.map(
      ([variable, value]) =>
        new aws.ssm.Parameter(
          `${name}-${variable.toLowerCase().replaceAll("_", "-")}`,
          {
            name: `${args.path}${variable}`,
            type: "SecureString",
            // @pulumi/aws marks `value` secret, so state holds it encrypted even if the caller forgot.
            value,
            region: args.region,
            description: `${variable} for the app, read by the deploy action at deploy time.`,
            tags: { ...args.tags },
          },
          { parent: this },
        ),
    );

    this.path = args.path;
    this.parameterNames = pulumi.all(parameters.map((parameter) => parameter.name));

    this.registerOutputs({ path: this.path, parameterNames: this.parameterNames });
  }
}
