/*
 * The deploy rehearsal: reads a Lightsail service read-only, recreates it on a private stand-in on this machine
 * and deploys the pull request's image there with the action, its probe and bake rules. Prints the verdict
 * (and writes it to GITHUB_STEP_SUMMARY when set); exits 1 when the rehearsal fails, 2 on bad input.
 * Usage: npx tsx scripts/dev/rehearse.ts --service-name NAME --image IMAGE [--rehearsal-path /p/]
 *        [--placeholder NAME=VALUE …] [--probe-count N] [--max-error-rate R] [--bake-time T] [--wait-timeout T]
 */
import { appendFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { LightsailClient } from "@aws-sdk/client-lightsail";
import { SSMClient } from "@aws-sdk/client-ssm";
import { parseRehearsalArgs } from "./rehearsal/args.js";
import { rehearse } from "./rehearsal/rehearse.js";

try {
  const { values } = parseArgs({
    options: {
      "service-name": { type: "string" },
      region: { type: "string" },
      image: { type: "string" },
      "rehearsal-path": { type: "string" },
      placeholder: { type: "string", multiple: true },
      "probe-count": { type: "string" },
      "max-error-rate": { type: "string" },
      "bake-time": { type: "string" },
      "wait-timeout": { type: "string" },
      "time-scale": { type: "string" },
    },
  });
  const options = parseRehearsalArgs(values);
  const region = values.region ?? process.env.AWS_REGION ?? "eu-west-1";
  const onGitHub = process.env.GITHUB_ACTIONS === "true";
  const { markdown, report } = await rehearse(options, {
    live: { lightsail: new LightsailClient({ region }), ssm: new SSMClient({ region }) },
    mask: (value) => {
      if (onGitHub) process.stdout.write(`::add-mask::${value}\n`);
    },
    log: (line) => process.stderr.write(`${line}\n`),
  });
  process.stdout.write(markdown);
  if (process.env.GITHUB_STEP_SUMMARY) appendFileSync(process.env.GITHUB_STEP_SUMMARY, markdown);
  process.exitCode = report.verdict.passed ? 0 : 1;
} catch (error) {
  process.stderr.write(`rehearsal failed with: ${(error as Error).message}\n`);
  process.exitCode = 2;
}
