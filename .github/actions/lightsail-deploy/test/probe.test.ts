import { expect, test } from "vitest";
import { probeUrl } from "../src/release/verify/probe.js";

const SERVICE = "https://demo.abc123.eu-west-1.cs.amazonlightsail.com/";

test.each([
  ["/health", `${SERVICE}health`],
  ["/", SERVICE],
  ["/a/b?x=1", `${SERVICE}a/b?x=1`],
  ["/%2F%2Fevil.example/x", `${SERVICE}%2F%2Fevil.example/x`],
])("%s is probed on the service: %s", (path, url) => {
  expect(probeUrl(SERVICE, path)).toBe(url);
});

test.each([
  ["//evil.example/x"],
  ["/\\evil.example/x"],
  ["http://evil.example/"],
  ["https://demo.abc123.eu-west-1.cs.amazonlightsail.com:8443/"],
])("%s would leave the service, so it is refused", (path) => {
  expect(() => probeUrl(SERVICE, path)).toThrow(
    /leads to .*, not the service at https:\/\/demo\..*, at verify/,
  );
});
