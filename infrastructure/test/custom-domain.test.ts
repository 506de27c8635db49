import { beforeEach, describe, expect, it, vi } from "vitest";
import { ConfigError, parseStackConfig } from "../src/config.js";
import { onlyResourceOfType, resourcesOfType, runStack, STACK_OUTPUT_NAMES } from "./harness.js";

// The certificate's status as AWS would answer it (the program reads it with the SDK before attaching).
const certificate = vi.hoisted(() => ({
  status: undefined as string | undefined,
  reads: [] as { region: string; name: string }[],
}));
vi.mock("../src/certificate-status.js", () => ({
  readCertificateStatus: async (region: string, name: string) => {
    certificate.reads.push({ region, name });
    return certificate.status;
  },
}));

const T = {
  certificate: "aws:lightsail/certificate:Certificate",
  service: "aws:lightsail/containerService:ContainerService",
  record: "aws:route53/record:Record",
} as const;

const DOMAIN = {
  "vidos:domain": "api.example.com",
  "vidos:domainAlternativeNames": "www.example.com",
};
const ZONE = "Z0123456789ABCDEFGHIJ";

beforeEach(() => {
  certificate.status = undefined;
  certificate.reads = [];
});

describe("without a domain", () => {
  it("creates no certificate and no DNS record, attaches nothing, exports the usual outputs only", async () => {
    const run = await runStack("dev");
    expect(resourcesOfType(run, T.certificate)).toEqual([]);
    expect(resourcesOfType(run, T.record)).toEqual([]);
    expect(onlyResourceOfType(run, T.service).inputs.publicDomainNames).toBeUndefined();
    expect(Object.keys(run.outputs).sort()).toEqual(STACK_OUTPUT_NAMES);
    expect(certificate.reads).toEqual([]);
  });
});

describe("with a domain", () => {
  it("creates the certificate in the service's region, for the domain and its alternative names", async () => {
    const run = await runStack("dev", { overrides: DOMAIN });
    const created = onlyResourceOfType(run, T.certificate);
    expect(created.inputs).toMatchObject({
      name: "vidos-dev-api-example-com",
      domainName: "api.example.com",
      subjectAlternativeNames: ["www.example.com"],
      region: "eu-west-1",
    });
    expect(certificate.reads).toEqual([{ region: "eu-west-1", name: "vidos-dev-api-example-com" }]);
  });

  it.each([
    [undefined, "NOT_CREATED"],
    ["PENDING_VALIDATION", "PENDING_VALIDATION"],
    ["FAILED", "FAILED"],
  ])(
    "does not attach the domain while the certificate is %s, so `pulumi up` succeeds",
    async (status, shown) => {
      certificate.status = status;
      const run = await runStack("dev", { overrides: DOMAIN });
      expect(onlyResourceOfType(run, T.service).inputs.publicDomainNames).toBeUndefined();
      expect(run.outputs.customDomain).toMatchObject({ attached: false, certificateStatus: shown });
    },
  );

  it("attaches every domain of the certificate once it is ISSUED", async () => {
    certificate.status = "ISSUED";
    const run = await runStack("dev", { overrides: DOMAIN });
    expect(onlyResourceOfType(run, T.service).inputs.publicDomainNames).toEqual({
      certificates: [
        { certificateName: "vidos-dev-api-example-com", domainNames: ["api.example.com", "www.example.com"] },
      ],
    });
    expect(run.outputs.customDomain).toMatchObject({ attached: true, certificateStatus: "ISSUED" });
  });

  it("makes the service depend on the certificate, so destroy detaches the domain before deleting the certificate", async () => {
    // Pending: nothing attached, so only the explicit dependency orders them.
    certificate.status = "PENDING_VALIDATION";
    const run = await runStack("dev", { overrides: DOMAIN });
    const certificateUrn = run.urns.find((urn) =>
      urn.endsWith(`${T.certificate}::vidos-dev-domain-certificate`),
    );
    expect(certificateUrn).toBeDefined();
    expect(run.dependencies["vidos-dev-service"] ?? []).toContain(certificateUrn);
  });

  it("without a hosted zone, writes no record and outputs exactly the records to create", async () => {
    const run = await runStack("dev", { overrides: DOMAIN });
    expect(resourcesOfType(run, T.record)).toEqual([]);
    expect(run.outputs.customDomain).toMatchObject({
      records: "create these at your DNS provider",
      dnsRecords: [
        {
          purpose: "certificate validation",
          name: "_a0b2c3.api.example.com.",
          type: "CNAME",
          value: "_d0e5f6.acm-validations.aws.",
        },
        {
          purpose: "certificate validation",
          name: "_a1b2c3.www.example.com.",
          type: "CNAME",
          value: "_d1e5f6.acm-validations.aws.",
        },
        {
          purpose: "points the domain at the service",
          name: "api.example.com",
          type: "CNAME",
          value: "vidos-dev.x1y2z3.eu-west-1.cs.amazonlightsail.com",
        },
        {
          purpose: "points the domain at the service",
          name: "www.example.com",
          type: "CNAME",
          value: "vidos-dev.x1y2z3.eu-west-1.cs.amazonlightsail.com",
        },
      ],
    });
  });

  it("with a Route 53 hosted zone, writes the validation records and the records pointing each domain at the service", async () => {
    const run = await runStack("dev", { overrides: { ...DOMAIN, "vidos:hostedZoneId": ZONE } });
    const records = resourcesOfType(run, T.record).map((r) => r.inputs);
    expect(records).toHaveLength(4);
    expect(records).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          zoneId: ZONE,
          name: "_a0b2c3.api.example.com.",
          type: "CNAME",
          records: ["_d0e5f6.acm-validations.aws."],
        }),
        expect.objectContaining({
          zoneId: ZONE,
          name: "_a1b2c3.www.example.com.",
          type: "CNAME",
          records: ["_d1e5f6.acm-validations.aws."],
        }),
        expect.objectContaining({
          zoneId: ZONE,
          name: "api.example.com",
          type: "CNAME",
          records: ["vidos-dev.x1y2z3.eu-west-1.cs.amazonlightsail.com"],
        }),
        expect.objectContaining({
          zoneId: ZONE,
          name: "www.example.com",
          type: "CNAME",
          records: ["vidos-dev.x1y2z3.eu-west-1.cs.amazonlightsail.com"],
        }),
      ]),
    );
    expect(run.outputs.customDomain).toMatchObject({ records: "written to Route 53" });
  });
});

describe("domain configuration", () => {
  const base: Record<string, string> = {
    "vidos:owner": "platform-team",
    "vidos:githubRepository": "example-org/lightsail-deploy-pipeline",
    "vidos:createOidcProvider": "true",
    "vidos:authorizerUrl": "https://authorizer.example.test/",
  };
  const parse = (overrides: Record<string, string>) =>
    parseStackConfig({ project: "vidos", stack: "dev", read: (key) => ({ ...base, ...overrides })[key] });

  it("reads the domain, de-duplicated alternative names and the zone", () => {
    expect(
      parse({
        "vidos:domain": "API.example.com",
        "vidos:domainAlternativeNames": "www.example.com, api.example.com,www.example.com",
        "vidos:hostedZoneId": ZONE,
      }).domain,
    ).toEqual({ name: "api.example.com", alternativeNames: ["www.example.com"], hostedZoneId: ZONE });
    expect(parse({}).domain).toBeUndefined();
    const atLimit = parse({
      "vidos:domain": "api.example.com",
      "vidos:domainAlternativeNames": "a.example.com,b.example.com,c.example.com",
    });
    expect(atLimit.domain?.alternativeNames).toHaveLength(3);
  });

  it.each([
    [
      { "vidos:domain": "example.com" },
      /`vidos:domain` is "example.com", an apex domain; use a subdomain such as api.example.com/,
    ],
    [{ "vidos:domain": "*.example.com" }, /wildcard/],
    [{ "vidos:domain": "api_example.com" }, /must be a domain name/],
    [{ "vidos:hostedZoneId": ZONE }, /`vidos:hostedZoneId` is set but `vidos:domain` is not/],
    [
      { "vidos:domainAlternativeNames": "www.example.com" },
      /`vidos:domainAlternativeNames` is set but `vidos:domain` is not/,
    ],
    [
      { "vidos:domain": "api.example.com", "vidos:hostedZoneId": "example.com" },
      /must be a Route 53 hosted zone id/,
    ],
    [
      {
        "vidos:domain": "api.example.com",
        "vidos:domainAlternativeNames": "a.example.com,b.example.com,c.example.com,d.example.com",
      },
      /lists 4 names; a Lightsail container service takes at most 4 domains, so at most 3 besides `vidos:domain`/,
    ],
  ])("refuses %j", (overrides, message) => {
    expect(() => parse(overrides)).toThrow(ConfigError);
    expect(() => parse(overrides)).toThrow(message);
  });
});
