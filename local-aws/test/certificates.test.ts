import { readFileSync } from "node:fs";
import { get } from "node:https";
import {
  CreateCertificateCommand,
  DeleteCertificateCommand,
  GetCertificatesCommand,
  GetContainerServicesCommand,
  UpdateContainerServiceCommand,
} from "@aws-sdk/client-lightsail";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DnsZone, startDnsZone } from "./support/dns-zone.js";
import { type Harness, startHarness, testConfig } from "./support/harness.js";

/** GET over real TLS to the stand-in's HTTPS listener as `domain` (SNI and Host), trusting only `ca`. */
function httpsStatus(port: number, domain: string, ca: Buffer | undefined): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = get(
      { host: "127.0.0.1", port, servername: domain, headers: { host: domain }, path: "/", ca, agent: false },
      (response) => {
        response.resume();
        resolve(response.statusCode ?? 0);
      },
    );
    request.on("error", reject);
  });
}

describe("certificates and custom domains", () => {
  let zone: DnsZone;
  let harness: Harness;
  beforeAll(async () => {
    zone = await startDnsZone();
    harness = await startHarness({ ...testConfig, dnsServers: [zone.server] });
  });
  afterAll(async () => {
    await harness?.close();
    await zone?.close();
  });

  const certificate = async (name: string) =>
    (
      await harness.lightsail.send(
        new GetCertificatesCommand({ certificateName: name, includeCertificateDetails: true }),
      )
    ).certificates?.[0]?.certificateDetail;

  it("stays PENDING_VALIDATION until DNS answers the validation CNAME, then is ISSUED by the local authority", async () => {
    const created = await harness.lightsail.send(
      new CreateCertificateCommand({
        certificateName: "api-cert",
        domainName: "api.example.test",
        subjectAlternativeNames: ["www.example.test", "api.example.test"],
      }),
    );
    expect(created.certificate?.certificateDetail?.status).toBe("PENDING_VALIDATION");
    const records = created.certificate?.certificateDetail?.domainValidationRecords ?? [];
    expect(records.map((r) => r.domainName)).toEqual(["api.example.test", "www.example.test"]);
    expect((await certificate("api-cert"))?.status).toBe("PENDING_VALIDATION");
    expect(zone.questions()).toBeGreaterThan(0);

    // One record is not enough: every name must validate.
    const [first, second] = records;
    zone.addCname(first?.resourceRecord?.name ?? "", first?.resourceRecord?.value ?? "");
    expect((await certificate("api-cert"))?.status).toBe("PENDING_VALIDATION");
    zone.addCname(second?.resourceRecord?.name ?? "", "_wrong.value.test.");
    expect((await certificate("api-cert"))?.status).toBe("PENDING_VALIDATION");
    zone.addCname(second?.resourceRecord?.name ?? "", second?.resourceRecord?.value ?? "");
    const issued = await certificate("api-cert");
    expect(issued?.status).toBe("ISSUED");
    expect(issued?.notAfter?.getTime()).toBeGreaterThan(Date.now() + 300 * 86_400_000);
  });

  it("refuses a pending certificate, a missing one, and a domain the certificate does not cover", async () => {
    await harness.lightsail.send(
      new CreateCertificateCommand({ certificateName: "pending-cert", domainName: "pending.example.test" }),
    );
    const attach = (publicDomainNames: Record<string, string[]>) =>
      harness.lightsail.send(new UpdateContainerServiceCommand({ serviceName: "demo", publicDomainNames }));
    await expect(attach({ "pending-cert": ["pending.example.test"] })).rejects.toThrow(
      /not valid \(status PENDING_VALIDATION\)/,
    );
    await expect(attach({ "no-such-cert": ["api.example.test"] })).rejects.toMatchObject({
      name: "NotFoundException",
    });
    await expect(attach({ "api-cert": ["other.example.test"] })).rejects.toThrow(
      /not covered by the certificate/,
    );
    const five = ["api", "www", "a", "b", "c"].map((name) => `${name}.example.test`);
    await expect(attach({ "api-cert": five })).rejects.toThrow(/at most 4 public domain names/);
    const { containerServices } = await harness.lightsail.send(
      new GetContainerServicesCommand({ serviceName: "demo" }),
    );
    expect(containerServices?.[0]?.publicDomainNames).toEqual({});
  });

  it("serves an attached domain over TLS that verifies against the local authority, and only that domain", async () => {
    await harness.lightsail.send(
      new UpdateContainerServiceCommand({
        serviceName: "demo",
        publicDomainNames: { "api-cert": ["api.example.test"] },
      }),
    );
    const { containerServices } = await harness.lightsail.send(
      new GetContainerServicesCommand({ serviceName: "demo" }),
    );
    expect(containerServices?.[0]?.publicDomainNames).toEqual({ "api-cert": ["api.example.test"] });
    const ca = readFileSync(harness.local.https.caFile);
    const { port } = harness.local.https;
    // The service has no deployment yet, so its URL answers 503: what matters is that TLS got there verified.
    expect(await httpsStatus(port, "api.example.test", ca)).toBe(503);
    await expect(httpsStatus(port, "api.example.test", undefined)).rejects.toThrow(/certificate/i);
    // Covered by the certificate but not attached: no certificate is served for it.
    await expect(httpsStatus(port, "www.example.test", ca)).rejects.toThrow();
  });

  it("refuses to delete a certificate in use, and deletes it once its domains are detached", async () => {
    const remove = () =>
      harness.lightsail.send(new DeleteCertificateCommand({ certificateName: "api-cert" }));
    await expect(remove()).rejects.toThrow(/in use/);
    await harness.local.idle();
    await harness.lightsail.send(
      new UpdateContainerServiceCommand({ serviceName: "demo", publicDomainNames: {} }),
    );
    await harness.local.idle();
    const deleted = await remove();
    expect(deleted.operations?.[0]).toMatchObject({
      operationType: "DeleteCertificate",
      status: "Succeeded",
    });
    expect(await certificate("api-cert")).toBeUndefined();
  });
});
