/**
 * Prints the `gh variable set` commands that copy this stack's outputs into the GitHub environment the deploy
 * workflow reads. Usage:
 *   npx tsx scripts/github-variables.ts --stack dev                 # runs `pulumi stack output --json`
 *   npx tsx scripts/github-variables.ts --stack dev outputs.json    # reads saved outputs (or - for stdin)
 */
import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

/** GitHub variable ← stack output. The names are the deploy workflow's contract. */
export const VARIABLES = [
  ["AWS_REGION", "region"],
  ["AWS_DEPLOY_ROLE_ARN", "deployRoleArn"],
  ["LIGHTSAIL_SERVICE_NAME", "serviceName"],
  ["ECR_REPOSITORY", "repositoryName"],
  ["SSM_PATH", "ssmPath"],
  ["SERVICE_URL", "serviceUrl"],
] as const;

export interface GithubVariable {
  name: string;
  value: string;
}

export function githubVariables(outputs: unknown): GithubVariable[] {
  if (typeof outputs !== "object" || outputs === null || Array.isArray(outputs)) {
    throw new Error(`stack outputs must be a JSON object; got ${JSON.stringify(outputs)}`);
  }
  const record = outputs as Record<string, unknown>;
  return VARIABLES.map(([name, output]) => {
    const value = record[output];
    if (typeof value !== "string" || value === "") {
      throw new Error(
        `stack output \`${output}\` (for ${name}) is missing or not a string; got ${JSON.stringify(value)}`,
      );
    }
    return { name, value };
  });
}

// Single quotes keep every value literal when the lines are pasted into a POSIX shell.
const quote = (value: string) =>
  /^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replaceAll("'", `'\\''`)}'`;

export function ghCommands(variables: GithubVariable[], environment: string): string[] {
  return variables.map(
    ({ name, value }) => `gh variable set ${name} --env ${quote(environment)} --body ${quote(value)}`,
  );
}

export interface CliArgs {
  stack: string;
  file: string | undefined;
}

export function parseArgs(argv: string[]): CliArgs {
  let stack: string | undefined;
  let file: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--stack") stack = argv[++i];
    else if (arg?.startsWith("--stack=")) stack = arg.slice("--stack=".length);
    else if (arg !== undefined && (arg === "-" || !arg.startsWith("-")) && file === undefined) file = arg;
    else
      throw new Error(
        `unexpected argument "${arg}"; usage: github-variables --stack <name> [outputs.json|-]`,
      );
  }
  if (!stack || !/^[\w.-]+$/.test(stack)) {
    throw new Error(
      `\`--stack\` must name the stack and GitHub environment (dev, prod); got "${stack ?? ""}"`,
    );
  }
  return { stack, file };
}

async function readOutputs(args: CliArgs): Promise<unknown> {
  const text =
    args.file === "-"
      ? await readStdin()
      : args.file !== undefined
        ? await readFile(args.file, "utf8")
        : (await promisify(execFile)("pulumi", ["stack", "output", "--json", "--stack", args.stack])).stdout;
  return JSON.parse(text);
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const lines = ghCommands(githubVariables(await readOutputs(args)), args.stack);
  process.stdout.write(`${lines.join("\n")}\n`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().catch((error: unknown) => {
    process.stderr.write(
      `github-variables failed: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    process.exitCode = 1;
  });
}
