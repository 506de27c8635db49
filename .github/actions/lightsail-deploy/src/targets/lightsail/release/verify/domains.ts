import type { Certificate, ContainerService } from "@aws-sdk/client-lightsail";
import type { Deps } from "../../../../platform/deps.js";
import { describeError } from "../../../../platform/errors.js";
import type { AwsClients } from "../../clients.js";
import { GetCertificatesCommand } from "../../lightsail-sdk.js";

/** A certificate that expires sooner than this is a warning: Lightsail renews only while DNS still validates. */
export const EXPIRY_WARNING_DAYS = 14;
const DAY_MS = 86_400_000;

/** The custom domains attached to the service (`publicDomainNames`, certificate name → domains), in order. */
export function customDomains(service: ContainerService): string[] {
  return [...new Set(Object.values(service.publicDomainNames ?? {}).flat())];
}

/**
 * The URLs users reach the service at, the one to show first: every custom domain over HTTPS, then the
 * default `*.cs.amazonlightsail.com` URL (first only when no domain is attached).
 */
export function publicUrls(service: ContainerService): string[] {
  const urls = customDomains(service).map((domain) => `https://${domain}/`);
  if (service.url) urls.push(service.url);
  return urls;
}

/**
 * What is wrong with the certificates the service's domains are attached with: not ISSUED, expired, or
 * expiring within 14 days. Each is a warning, never a failure: the default URL keeps working whatever
 * happens to a certificate, and the deployment itself does not depend on it.
 */
export async function certificateWarnings(
  aws: AwsClients,
  service: ContainerService,
  deps: Pick<Deps, "now">,
): Promise<string[]> {
  const attached = Object.entries(service.publicDomainNames ?? {});
  if (attached.length === 0) return [];
  let certificates: Certificate[];
  try {
    const out = await aws.lightsail.send(new GetCertificatesCommand({ includeCertificateDetails: true }));
    certificates = (out.certificates ?? []).flatMap((c) =>
      c.certificateDetail ? [c.certificateDetail] : [],
    );
  } catch (error) {
    return [
      `Could not read the certificates of the custom domains (${describeError(error)}); their validity was not checked (the deploying identity needs lightsail:GetCertificates)`,
    ];
  }
  const warnings: string[] = [];
  for (const [name, domains] of attached) {
    const certificate = certificates.find((c) => c.name === name);
    const which = `${domains.join(", ")} ${domains.length > 1 ? "are" : "is"} attached with certificate "${name}"`;
    if (!certificate) {
      warnings.push(`${which}, which does not exist: HTTPS to ${domains.join(", ")} will fail`);
      continue;
    }
    if (certificate.status !== "ISSUED") {
      warnings.push(
        `${which}, which is ${certificate.status ?? "in an unknown state"}, not ISSUED: HTTPS to ${domains.join(", ")} will fail until it is valid`,
      );
      continue;
    }
    const notAfter = certificate.notAfter?.getTime();
    if (notAfter === undefined) continue;
    const days = Math.floor((notAfter - deps.now()) / DAY_MS);
    if (notAfter <= deps.now()) {
      warnings.push(`${which}, which expired on ${new Date(notAfter).toISOString().slice(0, 10)}`);
    } else if (notAfter - deps.now() < EXPIRY_WARNING_DAYS * DAY_MS) {
      warnings.push(
        `${which}, which expires in ${days} day${days === 1 ? "" : "s"} (${new Date(notAfter).toISOString().slice(0, 10)}); Lightsail renews it only while its DNS validation records are in place`,
      );
    }
  }
  return warnings;
}
