// Answers only Lightsail gives, told apart here so that the core's error handling stays AWS-wide.
import { errorFields } from "../../../platform/errors.js";

/**
 * Lightsail sometimes answers with `code: "DoesNotExist"`, which older SDKs surface as the base
 * LightsailServiceException rather than NotFoundException (aws-sdk-js-v3#6606), so match both forms.
 */
export function isNotFound(error: unknown): boolean {
  const { name, message, code } = errorFields(error);
  return (
    name === "NotFoundException" ||
    name.endsWith("NotFoundException") ||
    [name, message, code].some((text) => text.includes("DoesNotExist"))
  );
}

/**
 * Lightsail's answer while it is still preparing a new account or region for the caller: the call is
 * fine and will work once the setup ends.
 */
export function setupInProgress(error: unknown): "account" | "region" | undefined {
  const { name } = errorFields(error);
  if (name === "AccountSetupInProgressException") return "account";
  if (name === "RegionSetupInProgressException") return "region";
  return undefined;
}
