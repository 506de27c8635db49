import { AWS_MAX_ATTEMPTS } from "../../../platform/deps.js";
import {
  DeployError,
  describeError,
  isAccessDenied,
  isCredentialsError,
  isTransient,
  type Phase,
} from "../../../platform/errors.js";
import { setupInProgress } from "./lightsail-errors.js";

/** Where a service check runs: in pre-flight nothing has changed yet; in a rollback a release already has. */
export type CheckPhase = Extract<Phase, "preflight" | "rollback">;

/** "nothing was changed" is true only before the run changed anything. */
export function todoFor(phase: CheckPhase, todo: string): string {
  return phase === "preflight" ? `nothing was changed; ${todo}` : todo;
}

/** Turns credential and permission errors on the first AWS calls into advice. */
export function awsFailure(error: unknown, doing: string, phase: CheckPhase = "preflight"): DeployError {
  if (error instanceof DeployError) return error;
  if (isCredentialsError(error)) {
    return new DeployError(
      `AWS rejected the credentials while ${doing} (${describeError(error)})`,
      phase,
      "configure credentials (aws-actions/configure-aws-credentials, or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY)",
      { cause: error },
    );
  }
  if (isAccessDenied(error)) {
    return new DeployError(
      `access denied while ${doing} (${describeError(error)})`,
      phase,
      "grant the deploying identity the Lightsail and ECR permissions listed in the README",
      { cause: error },
    );
  }
  const settingUp = setupInProgress(error);
  if (settingUp) {
    return new DeployError(
      `${settingUp === "account" ? "the AWS account is" : "this region is"} still being set up for Lightsail (${describeError(error)}) while ${doing}`,
      phase,
      todoFor(phase, "wait a few minutes for the setup to finish, then re-run the deploy"),
      { cause: error },
    );
  }
  if (isTransient(error)) {
    return new DeployError(
      `${doing} kept failing after ${AWS_MAX_ATTEMPTS} attempts (${describeError(error)})`,
      phase,
      phase === "preflight"
        ? "AWS is throttling or unavailable; nothing was changed, re-run the deploy in a few minutes"
        : "AWS is throttling or unavailable",
      { cause: error },
    );
  }
  return new DeployError(
    `${doing} failed (${describeError(error)})`,
    phase,
    "check the region and that AWS is reachable",
    { cause: error },
  );
}
