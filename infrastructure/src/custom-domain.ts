import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { readCertificateStatus } from "./certificate-status.js";
import type { DomainConfig } from "./config.js";
import type { StackTags } from "./tags.js";

/** One DNS record the domain needs: written into Route 53 by the stack, or listed for you to create. */
export interface DnsRecord {
  purpose: "certificate validation" | "points the domain at the service";
  name: string;
  type: string;
  value: string;
}

export interface CustomDomainArgs {
  domain: DomainConfig;
  serviceName: string;
  region: string;
  tags: StackTags;
}

/**
 * The Lightsail certificate for the service's own domain, and whether its domains may be attached yet.
 * Attaching a domain whose certificate is not ISSUED makes UpdateContainerService fail, so the program
 * reads the status first: while it is pending, the service keeps its default URL only and `pulumi up`
 * succeeds; the `pulumi up` after validation attaches the domains.
 */
export class DomainCertificate extends pulumi.ComponentResource {
  readonly certificateName: pulumi.Output<string>;
  readonly domainNames: string[];
  readonly status: pulumi.Output<string>;
  /** `publicDomainNames` for the service: the certificate's domains once it is ISSUED, else none. */
  readonly publicDomainNames: pulumi.Output<
    aws.types.input.lightsail.ContainerServicePublicDomainNames | undefined
  >;
  readonly validationRecords: pulumi.Output<DnsRecord[]>;
  readonly certificate: aws.lightsail.Certificate;

  constructor(name: string, args: CustomDomainArgs, opts?: pulumi.ComponentResourceOptions) {
    super("vidos:infrastructure:DomainCertificate", name, {}, opts);
    this.domainNames = [args.domain.name, ...args.domain.alternativeNames];
    this.certificate = new aws.lightsail.Certificate(
      `${name}-certificate`,
      {
        name: `${args.serviceName}-${args.domain.name.replace(/\./g, "-")}`.slice(0, 255),
        domainName: args.domain.name,
        subjectAlternativeNames: args.domain.alternativeNames,
        region: args.region,
        tags: { ...args.tags },
      },
      { parent: this },
    );
    this.certificateName = this.certificate.name;
    this.status = this.certificate.name.apply(
      async (certificateName) => (await readCertificateStatus(args.region, certificateName)) ?? "NOT_CREATED",
    );
    this.publicDomainNames = pulumi
      .all([this.certificate.name, this.status])
      .apply(([certificateName, status]) =>
        status === "ISSUED"
          ? { certificates: [{ certificateName, domainNames: this.domainNames }] }
          : undefined,
      );
    this.validationRecords = this.certificate.domainValidationOptions.apply((options) =>
      options.map((option) => ({
        purpose: "certificate validation" as const,
        name: option.resourceRecordName,
        type: option.resourceRecordType,
        value: option.resourceRecordValue,
      })),
    );
    if (args.domain.hostedZoneId) {
      // One record per domain; the index is known before the certificate exists, the record only after.
      this.domainNames.forEach((domain, index) => {
        const record = this.certificate.domainValidationOptions.apply(
          (options) => options.find((o) => o.domainName === domain) ?? options[index],
        );
        new aws.route53.Record(
          `${name}-validation-${index}`,
          {
            zoneId: args.domain.hostedZoneId as string,
            name: record.apply((r) => r?.resourceRecordName ?? ""),
            type: record.apply((r) => r?.resourceRecordType ?? "CNAME"),
            records: [record.apply((r) => r?.resourceRecordValue ?? "")],
            ttl: 300,
            allowOverwrite: true,
          },
          { parent: this },
        );
      });
    }
    this.registerOutputs({ certificateName: this.certificateName, status: this.status });
  }
}

/** The records that point each domain at the service's default host name (a CNAME per domain). */
export function domainRecords(
  name: string,
  args: CustomDomainArgs,
  serviceUrl: pulumi.Output<string>,
  parent: pulumi.Resource,
): pulumi.Output<DnsRecord[]> {
  const host = serviceUrl.apply((url) => new URL(url).hostname);
  const domains = [args.domain.name, ...args.domain.alternativeNames];
  if (args.domain.hostedZoneId) {
    domains.forEach((domain, index) => {
      new aws.route53.Record(
        `${name}-domain-${index}`,
        {
          zoneId: args.domain.hostedZoneId as string,
          name: domain,
          type: "CNAME",
          records: [host],
          ttl: 300,
        },
        { parent },
      );
    });
  }
  return host.apply((value) =>
    domains.map((domain) => ({
      purpose: "points the domain at the service" as const,
      name: domain,
      type: "CNAME",
      value,
    })),
  );
}
