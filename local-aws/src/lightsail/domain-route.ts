import type { PersistedState } from "../state/state.js";
import type { Certificates } from "./certificates.js";
import type { DomainRoute } from "./tls-front.js";

export /** The service a domain is attached to (through an ISSUED certificate), and that certificate's files. */
function domainRoute(
  state: PersistedState,
  certificates: Certificates,
  domain: string,
): DomainRoute | undefined {
  for (const service of Object.values(state.services)) {
    for (const [name, domains] of Object.entries(service.publicDomainNames)) {
      if (!domains.some((d) => d.toLowerCase() === domain)) continue;
      const issued = certificates.issued(name)?.issued;
      if (issued)
        return { servicePort: service.publicPort, certFile: issued.certFile, keyFile: issued.keyFile };
    }
  }
  return undefined;
}
