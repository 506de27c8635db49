import { createServer } from "node:http";
import type { CertificateStatus, CertificateSummary } from "@aws-sdk/client-lightsail";
import { describe, expect, test } from "vitest";
import { run } from "../src/entry/run.js";
import { connectingHttpGet, parseConnectTo } from "../src/platform/connect-to.js";
import {
  GetCertificatesCommand,
  GetContainerServiceDeploymentsCommand,
  GetContainerServicesCommand,
} from "../src/targets/lightsail/lightsail-sdk.js";
import {
  certificateWarnings,
  customDomains,
  publicUrls,
} from "../src/targets/lightsail/release/verify/domains.js";
import { verifyDeployment } from "../src/targets/lightsail/release/verify/verify.js";
import { awsError, deployment, deploysVersion4, fakeDeps, OWN_ID, service } from "./fakes.js";

const DAY = 86_400_000;
const attached = { "api-cert": ["api.example.com", "www.example.com"] };

function certificate(status: CertificateStatus, notAfter?: number): CertificateSummary {
  return {
    certificateName: "api-cert",
    certificateDetail: { name: "api-cert", status, ...(notAfter ? { notAfter: new Date(notAfter) } : {}) },
  };
}

describe("the service's URLs", () => {
  test("custom domains come first, over HTTPS; the default URL is first only without them", () => {
    expect(publicUrls(service({ publicDomainNames: attached }))).toEqual([
      "https://api.example.com/",
      "https://www.example.com/",
      "http://127.0.0.1:8081/",
    ]);
    expect(publicUrls(service({ publicDomainNames: {} }))).toEqual(["http://127.0.0.1:8081/"]);
    expect(customDomains(service())).toEqual([]);
  });
});

describe("certificate warnings", () => {
  test.each([
    ["ISSUED", 90 * DAY, []],
    [
      "ISSUED",
      10 * DAY,
      [
        /api\.example\.com, www\.example\.com are attached with certificate "api-cert", which expires in 10 days/,
      ],
    ],
    ["ISSUED", -DAY, [/which expired on/]],
    [
      "PENDING_VALIDATION",
      undefined,
      [/which is PENDING_VALIDATION, not ISSUED: HTTPS to api\.example\.com, www\.example\.com will fail/],
    ],
  ] as const)("%s, expiring in %s ms: %j", async (status, inMs, expected) => {
    const { deps, aws, clock } = fakeDeps();
    aws.mocks.lightsail
      .on(GetCertificatesCommand)
      .resolves({ certificates: [certificate(status, inMs === undefined ? undefined : clock.now() + inMs)] });
    const warnings = await certificateWarnings(aws.clients, service({ publicDomainNames: attached }), deps);
    expect(warnings).toHaveLength(expected.length);
    for (const [i, pattern] of expected.entries()) expect(warnings[i]).toMatch(pattern);
  });

  test("no domain: no certificate is read", async () => {
    const { deps, aws } = fakeDeps();
    expect(await certificateWarnings(aws.clients, service(), deps)).toEqual([]);
    expect(aws.mocks.lightsail.commandCalls(GetCertificatesCommand)).toHaveLength(0);
  });

  test("a certificate that cannot be read is a warning that says so", async () => {
    const { deps, aws } = fakeDeps();
    aws.mocks.lightsail.on(GetCertificatesCommand).rejects(awsError("AccessDeniedException"));
    const [warning] = await certificateWarnings(aws.clients, service({ publicDomainNames: attached }), deps);
    expect(warning).toMatch(/Could not read the certificates .*lightsail:GetCertificates/);
  });

  test("a run with a pending certificate warns in the log and the summary notes, names the domain as its URL, and still deploys", async () => {
    const { deps, aws, log, probes } = fakeDeps();
    aws.mocks.lightsail
      .on(GetContainerServicesCommand)
      .resolves({ containerServices: [service({ publicDomainNames: { "api-cert": ["api.example.com"] } })] });
    aws.mocks.lightsail
      .on(GetCertificatesCommand)
      .resolves({ certificates: [certificate("PENDING_VALIDATION")] });
    deploysVersion4(aws, "ACTIVE");
    const result = await run(
      { "service-name": "demo", repository: "app", image: "nginx:1", "probe-count": "2" },
      deps,
    );
    expect(result.status).toBe("deployed");
    expect(result.serviceUrl).toBe("https://api.example.com/");
    expect(result.notes.join("\n")).toMatch(/which is PENDING_VALIDATION, not ISSUED/);
    expect(log.lines.join("\n")).toMatch(/warning: .*which is PENDING_VALIDATION, not ISSUED/);
    expect(probes.slice(0, 2)).toEqual(Array(2).fill("https://api.example.com/health"));
  });
});

describe("probing the custom domains", () => {
  const options = {
    serviceName: "demo",
    version: 4,
    id: OWN_ID,
    serviceUrl: "http://127.0.0.1:8081/",
    domainUrls: ["https://api.example.com/"],
    probePath: "/health",
    probeCount: 5,
    maxErrorRate: 0.01,
    intervalMs: 1000,
    timeoutMs: 60_000,
  };

  test("the domain first, then the default URL; a release failing only at the domain is rejected", async () => {
    const asked: string[] = [];
    const { deps, aws } = fakeDeps({
      httpGet: async (url) => {
        asked.push(url);
        return { status: url.startsWith("https://api.example.com/") ? 421 : 200 };
      },
    });
    aws.mocks.lightsail
      .on(GetContainerServiceDeploymentsCommand)
      .resolves({ deployments: [deployment(4, "ACTIVE", "v4", undefined, OWN_ID)] });
    const verdict = await verifyDeployment(aws.clients, options, deps);
    expect(asked).toEqual([
      ...Array(5).fill("https://api.example.com/health"),
      ...Array(5).fill("http://127.0.0.1:8081/health"),
    ]);
    expect(verdict).toMatchObject({ kind: "rejected", activated: true });
    expect(verdict.kind === "rejected" && verdict.reason).toMatch(
      /5 of 5 requests to https:\/\/api\.example\.com\/health failed .*HTTP 421/,
    );
  });
});

describe("LIGHTSAIL_DEPLOY_CONNECT_TO", () => {
  test("parses curl-style host:port:toHost:toPort and names a bad entry", () => {
    expect(parseConnectTo("api.example.test:443:127.0.0.1:8443, b.test:80:127.0.0.1:81")).toEqual([
      { host: "api.example.test", port: 443, toHost: "127.0.0.1", toPort: 8443 },
      { host: "b.test", port: 80, toHost: "127.0.0.1", toPort: 81 },
    ]);
    expect(parseConnectTo(undefined)).toEqual([]);
    expect(() => parseConnectTo("api.example.test:443")).toThrow(
      /LIGHTSAIL_DEPLOY_CONNECT_TO: "api.example.test:443" is not host:port:toHost:toPort/,
    );
  });

  test("a routed URL connects to the route with its own Host; any other URL goes to the fallback", async () => {
    const hosts: string[] = [];
    const server = createServer((request, response) => {
      hosts.push(request.headers.host ?? "");
      response.writeHead(204).end();
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as { port: number }).port;
    const fallback: string[] = [];
    const get = connectingHttpGet(parseConnectTo(`api.example.test:80:127.0.0.1:${port}`), async (url) => {
      fallback.push(url);
      return { status: 200 };
    });
    try {
      expect(await get("http://api.example.test/health", 5000)).toEqual({ status: 204 });
      expect(await get("http://other.example.test/health", 5000)).toEqual({ status: 200 });
      expect(hosts).toEqual(["api.example.test"]);
      expect(fallback).toEqual(["http://other.example.test/health"]);
    } finally {
      server.close();
    }
  });
});
