import { expect, test } from "vitest";
import { isNotFound } from "../src/targets/lightsail/preflight/lightsail-errors.js";
import { awsError } from "./fakes.js";

test.each([
  [awsError("NotFoundException"), true],
  [awsError("RepositoryNotFoundException"), true],
  [Object.assign(awsError("LightsailServiceException", "oops"), { code: "DoesNotExist" }), true],
  [awsError("LightsailServiceException", "The service DoesNotExist"), true],
  [awsError("DoesNotExist"), true],
  [awsError("InvalidInputException", "bad"), false],
  [awsError("ThrottlingException"), false],
])("isNotFound(%s) = %s", (error, expected) => {
  expect(isNotFound(error)).toBe(expected);
});
