import { GetCertificatesCommand, LightsailClient } from "@aws-sdk/client-lightsail";

/**
 * The Lightsail certificate's status as AWS has it now (`ISSUED`, `PENDING_VALIDATION`, …), or undefined when
 * it does not exist yet. @pulumi/aws has no data source for Lightsail certificates, and its Certificate
 * resource does not output the status, so the program reads it with the SDK (read-only, also in a preview).
 */
export async function readCertificateStatus(region: string, name: string): Promise<string | undefined> {
  const client = new LightsailClient({ region });
  try {
    const out = await client.send(new GetCertificatesCommand({ certificateName: name }));
    return (
      out.certificates?.[0]?.certificateDetail?.status ?? (out.certificates?.length ? "UNKNOWN" : undefined)
    );
  } catch (error) {
    if ((error as { name?: string }).name === "NotFoundException") return undefined;
    throw new Error(
      `Could not read the status of the Lightsail certificate "${name}" (${(error as Error).message}); nothing was changed. The stack attaches the domain only once it knows the certificate is ISSUED.`,
    );
  } finally {
    client.destroy();
  }
}
