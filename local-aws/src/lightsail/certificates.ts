import { createHash, randomUUID } from "node:crypto";
import { Resolver } from "node:dns/promises";
import { ACCOUNT_ID } from "../model/account.js";
import { AwsError, invalidInput } from "../protocol/errors.js";
import { Fields } from "../protocol/fields.js";
import type { CertificateRecord } from "../state/state.js";
import type { StateStore } from "../state/state-store.js";
import type { LocalAuthority } from "./local-authority.js";
import { validateUpdateRequest } from "./validate.js";

/** Lightsail: one primary domain plus at most nine alternative names; no wildcards. */
const MAX_ALTERNATIVE_NAMES = 9;
/** UpdateContainerService: "You can specify up to four public domain names for a container service." */
const MAX_SERVICE_DOMAINS = 4;
const DOMAIN = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,62}$/;
/** Also a file name in the CA's directory, so nothing that could leave it. */
const CERTIFICATE_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,254}$/;

function fqdn(name: string): string {
  return name.endsWith(".") ? name.toLowerCase() : `${name.toLowerCase()}.`;
}

function readDomain(fields: Fields, name: string, value: string): string {
  if (value.startsWith("*."))
    throw fields.fail(name, value, "is a wildcard; wildcard domain entries are not supported");
  const domain = value.toLowerCase();
  if (!DOMAIN.test(domain)) throw fields.fail(name, value, "must be a domain name such as api.example.com");
  return domain;
}

/**
 * Lightsail's certificate operations for container services. A certificate is PENDING_VALIDATION until a
 * DNS lookup of each validation record's name (a CNAME) answers its value; the lookup is real, against the
 * resolvers the config names (`dnsServers`), and is made whenever the certificate is read or attached.
 * Once valid it is ISSUED by the local authority, and the TLS front serves it for the attached domains.
 */
export class Certificates {
  private readonly resolver: Resolver;

  constructor(
    private readonly store: StateStore,
    private readonly region: string,
    private readonly authority: LocalAuthority,
    dnsServers: string[],
    private readonly now: () => number,
  ) {
    // One try with a short timeout: a read must not hang on a resolver that is not there.
    this.resolver = new Resolver({ timeout: 1000, tries: 1 });
    if (dnsServers.length > 0) this.resolver.setServers(dnsServers);
  }

  private get records(): Record<string, CertificateRecord> {
    this.store.state.certificates ??= {};
    return this.store.state.certificates;
  }

  /** The ISSUED certificate record by name (the TLS front's lookup). */
  issued(name: string): CertificateRecord | undefined {
    const record = this.records[name];
    return record?.status === "ISSUED" ? record : undefined;
  }

  private operation(type: "CreateCertificate" | "DeleteCertificate", name: string) {
    const at = Math.floor(this.now() / 1000);
    return {
      id: randomUUID(),
      resourceName: name,
      resourceType: "Certificate",
      createdAt: at,
      location: { availabilityZone: "all", regionName: this.region },
      isTerminal: true,
      operationType: type,
      status: "Succeeded",
      statusChangedAt: at,
    };
  }

  /** Looks each pending validation record up; when all answer their value, the certificate is issued. */
  private async revalidate(record: CertificateRecord): Promise<void> {
    if (record.status !== "PENDING_VALIDATION") return;
    for (const validation of record.validation) {
      if (validation.validated) continue;
      const answers = await this.resolver.resolveCname(validation.name.replace(/\.$/, "")).catch(() => []);
      validation.validated = answers.some((answer) => fqdn(answer) === validation.value);
    }
    if (record.validation.every((v) => v.validated)) {
      const leaf = await this.authority.issue(record.name, [
        record.domainName,
        ...record.subjectAlternativeNames,
      ]);
      record.status = "ISSUED";
      record.issued = { at: Math.floor(this.now() / 1000), ...leaf };
    }
    this.store.save();
  }

  private inUseCount(name: string): number {
    const services = Object.values(this.store.state.services);
    return services.filter((s) => s.publicDomainNames[name] !== undefined).length;
  }

  private detail(record: CertificateRecord) {
    const validationRecords = record.validation.map((v) => ({
      domainName: v.domainName,
      resourceRecord: { name: v.name, type: "CNAME", value: v.value },
      validationStatus: v.validated ? "SUCCESS" : "PENDING_VALIDATION",
    }));
    return {
      arn: record.arn,
      name: record.name,
      domainName: record.domainName,
      status: record.status,
      subjectAlternativeNames: [record.domainName, ...record.subjectAlternativeNames],
      domainValidationRecords: validationRecords,
      inUseResourceCount: this.inUseCount(record.name),
      keyAlgorithm: "EC-prime256v1",
      createdAt: record.createdAt,
      ...(record.issued
        ? {
            serialNumber: record.issued.serialNumber,
            issuedAt: record.issued.at,
            issuerCA: "local-aws",
            notBefore: record.issued.notBefore,
            notAfter: record.issued.notAfter,
            eligibleToRenew: "INELIGIBLE",
          }
        : {}),
      tags: [],
    };
  }

  private summary(record: CertificateRecord, details: boolean) {
    return {
      certificateArn: record.arn,
      certificateName: record.name,
      domainName: record.domainName,
      ...(details ? { certificateDetail: this.detail(record) } : {}),
      tags: [],
    };
  }

  /**
   * UpdateContainerService's rules for `publicDomainNames` (checked before the update itself): each
   * certificate exists and is valid, and each domain is one the certificate covers.
   */
  async checkPublicDomains(body: unknown): Promise<void> {
    const request = validateUpdateRequest(body);
    const all = Object.values(request.publicDomainNames ?? {}).flat();
    if (all.length > MAX_SERVICE_DOMAINS) {
      throw invalidInput(
        `publicDomainNames lists ${all.length} domains; a container service takes at most ${MAX_SERVICE_DOMAINS} public domain names.`,
      );
    }
    for (const [name, domains] of Object.entries(request.publicDomainNames ?? {})) {
      const record = this.records[name];
      if (!record) {
        throw new AwsError(
          "NotFoundException",
          `The certificate "${name}" does not exist in ${this.region}.`,
        );
      }
      await this.revalidate(record);
      if (record.status !== "ISSUED") {
        throw invalidInput(
          `The certificate "${name}" is not valid (status ${record.status}); only an ISSUED certificate's domains can be used with a container service. Create the DNS validation records it lists, wait until it is ISSUED, then try again.`,
        );
      }
      const covered = new Set([record.domainName, ...record.subjectAlternativeNames]);
      const outside = domains.filter((domain) => !covered.has(domain.toLowerCase()));
      if (outside.length > 0) {
        throw invalidInput(
          `The domain${outside.length > 1 ? "s" : ""} ${outside.join(", ")} ${outside.length > 1 ? "are" : "is"} not covered by the certificate "${name}" (${[...covered].join(", ")}).`,
        );
      }
    }
  }

  readonly handlers: Record<string, (body: unknown) => Promise<unknown>> = {
    CreateCertificate: async (body) => {
      const fields = Fields.of("lightsail", body);
      const name = fields.string("certificateName", {
        required: true,
        pattern: CERTIFICATE_NAME,
        patternText: "letters, digits, '.', '_' and '-', starting with a letter or digit",
      });
      const domainName = readDomain(fields, "domainName", fields.string("domainName", { required: true }));
      const alternatives = (fields.stringList("subjectAlternativeNames") ?? []).map((value, index) =>
        readDomain(fields, `subjectAlternativeNames[${index}]`, value),
      );
      fields.array("tags");
      // Lightsail de-dupes the names, and the primary domain is never an alternative of itself.
      const subjectAlternativeNames = [...new Set(alternatives)].filter((d) => d !== domainName);
      if (subjectAlternativeNames.length > MAX_ALTERNATIVE_NAMES) {
        throw fields.fail(
          "subjectAlternativeNames",
          subjectAlternativeNames,
          `has ${subjectAlternativeNames.length} names; a certificate has at most ${MAX_ALTERNATIVE_NAMES} alternative names besides the primary domain`,
        );
      }
      if (this.records[name]) throw invalidInput(`A certificate named "${name}" already exists.`);
      const hash = (text: string) =>
        createHash("sha256").update(`${name}:${text}`).digest("hex").slice(0, 32);
      const record: CertificateRecord = {
        name,
        arn: `arn:aws:lightsail:${this.region}:${ACCOUNT_ID}:Certificate/${randomUUID()}`,
        domainName,
        subjectAlternativeNames,
        status: "PENDING_VALIDATION",
        createdAt: Math.floor(this.now() / 1000),
        validation: [domainName, ...subjectAlternativeNames].map((domain) => ({
          domainName: domain,
          name: `_${hash(`name:${domain}`)}.${domain}.`,
          value: `_${hash(`value:${domain}`)}.local-aws-validations.test.`,
          validated: false,
        })),
      };
      this.records[name] = record;
      this.store.save();
      return {
        certificate: this.summary(record, true),
        operations: [this.operation("CreateCertificate", name)],
      };
    },

    GetCertificates: async (body) => {
      const fields = Fields.of("lightsail", body);
      const statuses = fields.stringList("certificateStatuses", {
        item: {
          oneOf: [
            "PENDING_VALIDATION",
            "ISSUED",
            "INACTIVE",
            "EXPIRED",
            "VALIDATION_TIMED_OUT",
            "REVOKED",
            "FAILED",
          ],
        },
      });
      const details = fields.boolean("includeCertificateDetails") ?? false;
      const name = fields.string("certificateName");
      fields.string("pageToken");
      const records = Object.values(this.records).filter((r) => name === undefined || r.name === name);
      for (const record of records) await this.revalidate(record);
      return {
        certificates: records
          .filter((r) => !statuses || statuses.includes(r.status))
          .map((r) => this.summary(r, details)),
      };
    },

    DeleteCertificate: async (body) => {
      const fields = Fields.of("lightsail", body);
      const name = fields.string("certificateName", { required: true });
      if (!this.records[name]) {
        throw new AwsError(
          "NotFoundException",
          `The certificate "${name}" does not exist in ${this.region}.`,
        );
      }
      if (this.inUseCount(name) > 0) {
        throw invalidInput(
          `The certificate "${name}" is in use by a container service; remove its domains from the service's publicDomainNames first.`,
        );
      }
      delete this.records[name];
      this.store.save();
      return { operations: [this.operation("DeleteCertificate", name)] };
    },
  };
}
