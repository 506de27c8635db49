import { readFileSync } from "node:fs";
import { get } from "node:https";
import {
  CreateCertificateCommand,
  GetCertificatesCommand,
  GetContainerServicesCommand,
  UpdateContainerServiceCommand,
} from "@aws-sdk/client-lightsail";
import { type DnsZone, startDnsZone } from "local-aws/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { endToEndEnabled } from "./support/prerequisites.js";
import {
  buildImage,
  expectOutcome,
  expectVerifiedServing,
  removeImages,
  rolledBack,
  SHA_V1,
  type Stage,
  startStage,
} from "./support/stage.js";

// A custom domain over HTTPS, on real parts: the certificate is validated by a real DNS lookup against a
// zone this test serves on loopback, the stand-in serves the attached domain over real TLS from its local
// authority, and the action reaches https://api.example.test/ through LIGHTSAIL_DEPLOY_CONNECT_TO (loopback)
// while verifying chain and host name (NODE_EXTRA_CA_CERTS). Nothing skips verification.
const enabled = await endToEndEnabled();

const SERVICE = "h14-domain";
const DOMAIN = "api.example.test";
const SHA_HOST_REJECTING = "4057000d4057000d4057000d4057000d4057000d";

/** One GET of https://api.example.test/health over real TLS to the stand-in, trusting only its authority. */
function domainHealth(stage: Stage, trustLocalAuthority = true): Promise<{ status: number; body: string }> {
  const { port, caFile } = stage.pipeline.local.https;
  return new Promise((resolve, reject) => {
    const request = get(
      {
        host: "127.0.0.1",
        port,
        servername: DOMAIN,
        headers: { host: DOMAIN },
        path: "/health",
        ...(trustLocalAuthority ? { ca: readFileSync(caFile) } : {}),
        agent: false,
        timeout: 5000,
      },
      (response) => {
        let body = "";
        response.on("data", (chunk) => {
          body += chunk;
        });
        response.on("end", () => resolve({ status: response.statusCode ?? 0, body }));
      },
    );
    request.on("error", reject);
    request.on("timeout", () => request.destroy(new Error("timed out")));
  });
}

/** A request loop on the custom domain: counts every answer but 200 (or no answer) as a failure. */
function loadDomain(stage: Stage) {
  const answers: boolean[] = [];
  let stopped = false;
  const loop = (async () => {
    while (!stopped && answers.length < 3000) {
      answers.push(
        await domainHealth(stage).then(
          (a) => a.status === 200,
          () => false,
        ),
      );
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  })();
  return {
    async stop() {
      stopped = true;
      await loop;
      return { requests: answers.length, failed: answers.filter((ok) => !ok).length };
    },
  };
}

describe.skipIf(!enabled)("a custom domain over HTTPS", () => {
  let zone: DnsZone;
  let stage: Stage;
  let hostRejecting: string;
  beforeAll(async () => {
    zone = await startDnsZone();
    stage = await startStage({
      service: SERVICE,
      repository: `${SERVICE}-app`,
      dnsServers: [zone.server],
      customDomains: [DOMAIN],
    });
    hostRejecting = `h14-host-rejecting-release:${process.pid}`;
    await buildImage(
      stage.pipeline.baseImage,
      hostRejecting,
      "e2e/fixtures/host-rejecting.Dockerfile",
      "e2e/fixtures",
    );
  }, 600_000);
  afterAll(async () => {
    try {
      await stage?.close();
    } finally {
      await zone?.close();
      if (hostRejecting) await removeImages(hostRejecting);
    }
  });

  const lightsail = () => stage.pipeline.lightsail;
  const domainsOf = async () =>
    (await lightsail().send(new GetContainerServicesCommand({ serviceName: SERVICE }))).containerServices?.[0]
      ?.publicDomainNames;
  const settle = async () => {
    for (;;) {
      const state = (await lightsail().send(new GetContainerServicesCommand({ serviceName: SERVICE })))
        .containerServices?.[0]?.state;
      if (state === "READY" || state === "RUNNING") return;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  };

  it("validates the certificate through DNS, attaches the domain, and the deploy's probe reaches https://api.example.test/health", async () => {
    const created = await lightsail().send(
      new CreateCertificateCommand({ certificateName: `${SERVICE}-api`, domainName: DOMAIN }),
    );
    const [record] = created.certificate?.certificateDetail?.domainValidationRecords ?? [];
    expect(record?.resourceRecord?.type).toBe("CNAME");
    zone.addCname(record?.resourceRecord?.name ?? "", record?.resourceRecord?.value ?? "");
    const { certificates } = await lightsail().send(
      new GetCertificatesCommand({ certificateName: `${SERVICE}-api`, includeCertificateDetails: true }),
    );
    expect(certificates?.[0]?.certificateDetail?.status).toBe("ISSUED");
    await lightsail().send(
      new UpdateContainerServiceCommand({
        serviceName: SERVICE,
        publicDomainNames: { [`${SERVICE}-api`]: [DOMAIN] },
      }),
    );
    await settle();

    const run = await stage.deployApp(SHA_V1);
    expectOutcome(run, "succeeds", "deployed");
    expect(run.log).toContain(`Probe https://${DOMAIN}/health: 10/10 answered`);
    expect(run.log).toContain(`Probe ${stage.pipeline.serviceUrl}health: 10/10 answered`);
    expect(run.outputs["service-url"]).toBe(`https://${DOMAIN}/`);
    await expectVerifiedServing(stage, SHA_V1);
    const answer = await domainHealth(stage);
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body).version).toBe(SHA_V1);
    // The verification is real: a client that does not trust the local authority is refused.
    await expect(domainHealth(stage, false)).rejects.toThrow(/certificate/i);
  }, 300_000);

  it("refuses a domain whose certificate is still pending validation, and keeps the attached one", async () => {
    await lightsail().send(
      new CreateCertificateCommand({
        certificateName: `${SERVICE}-pending`,
        domainName: "pending.example.test",
      }),
    );
    await expect(
      lightsail().send(
        new UpdateContainerServiceCommand({
          serviceName: SERVICE,
          publicDomainNames: {
            [`${SERVICE}-api`]: [DOMAIN],
            [`${SERVICE}-pending`]: ["pending.example.test"],
          },
        }),
      ),
    ).rejects.toMatchObject({
      name: "InvalidInputException",
      message: expect.stringMatching(/PENDING_VALIDATION/),
    });
    expect(await domainsOf()).toEqual({ [`${SERVICE}-api`]: [DOMAIN] });
  });

  it("a release that fails only at the custom domain fails the probe and is rolled back; the old version serves there again", async () => {
    const load = loadDomain(stage);
    const run = await stage.deployImage(hostRejecting, SHA_HOST_REJECTING);
    const counted = await load.stop();
    console.log(
      `[load] https://${DOMAIN}/health during the host-rejecting release: ${counted.failed} of ${counted.requests} requests failed`,
    );
    expectOutcome(run, "fails", "rolled-back");
    expect(run.log).toMatch(
      new RegExp(`requests to https://${DOMAIN.replace(/\./g, "\\.")}/health failed .*HTTP 421`),
    );
    const { from } = rolledBack(run);
    expect(from).toBe("1");
    await expectVerifiedServing(stage, SHA_V1);
    const answer = await domainHealth(stage);
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body).version).toBe(SHA_V1);
    // While the bad release served, users of the domain saw it fail: the counting is real, not zero by design.
    expect(counted.failed).toBeGreaterThan(0);
  }, 300_000);
});
