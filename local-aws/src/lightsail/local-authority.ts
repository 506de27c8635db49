import { execFile } from "node:child_process";
import { X509Certificate } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

/** AWS issues Lightsail certificates for 13 months; the local ones last as long. */
export const LEAF_VALIDITY_DAYS = 395;

export interface IssuedLeaf {
  certFile: string;
  keyFile: string;
  serialNumber: string;
  /** Epoch seconds. */
  notBefore: number;
  notAfter: number;
}

/**
 * A certificate authority in the stand-in's state dir (`tls/ca.pem`), made once and kept, so clients trust
 * it (NODE_EXTRA_CA_CERTS, curl --cacert) across restarts. It issues the leaf certificates the TLS front
 * serves. Debian's openssl does the X.509 work, always with argument arrays; Node's crypto cannot sign
 * certificates.
 */
export class LocalAuthority {
  readonly dir: string;
  readonly caFile: string;
  private readonly caKey: string;

  constructor(stateDir: string) {
    this.dir = join(stateDir, "tls");
    this.caFile = join(this.dir, "ca.pem");
    this.caKey = join(this.dir, "ca.key");
  }

  async ensure(): Promise<void> {
    if (existsSync(this.caFile) && existsSync(this.caKey)) return;
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    await run("openssl", [
      "req",
      "-x509",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:prime256v1",
      "-nodes",
      "-keyout",
      this.caKey,
      "-out",
      this.caFile,
      "-days",
      "3650",
      "-subj",
      "/CN=local-aws certificate authority",
      "-addext",
      "basicConstraints=critical,CA:TRUE",
      "-addext",
      "keyUsage=critical,keyCertSign,cRLSign",
    ]);
  }

  /** Issues `<name>.pem`/`<name>.key` for the domains (the first is the subject). */
  async issue(name: string, domains: string[]): Promise<IssuedLeaf> {
    await this.ensure();
    const keyFile = join(this.dir, `${name}.key`);
    const certFile = join(this.dir, `${name}.pem`);
    const csrFile = join(this.dir, `${name}.csr`);
    const extFile = join(this.dir, `${name}.ext`);
    await run("openssl", [
      "req",
      "-new",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:prime256v1",
      "-nodes",
      "-keyout",
      keyFile,
      "-out",
      csrFile,
      "-subj",
      `/CN=${domains[0]}`,
    ]);
    // Domain names are checked against the model's pattern before they get here; they hold no `,` or `\n`.
    writeFileSync(
      extFile,
      [
        `subjectAltName=${domains.map((d) => `DNS:${d}`).join(",")}`,
        "basicConstraints=critical,CA:FALSE",
        "keyUsage=critical,digitalSignature",
        "extendedKeyUsage=serverAuth",
        "",
      ].join("\n"),
    );
    await run("openssl", [
      "x509",
      "-req",
      "-in",
      csrFile,
      "-CA",
      this.caFile,
      "-CAkey",
      this.caKey,
      "-CAcreateserial",
      "-days",
      String(LEAF_VALIDITY_DAYS),
      "-extfile",
      extFile,
      "-out",
      certFile,
    ]);
    const x509 = new X509Certificate(readFileSync(certFile));
    return {
      certFile,
      keyFile,
      serialNumber: x509.serialNumber.toLowerCase(),
      notBefore: Math.floor(Date.parse(x509.validFrom) / 1000),
      notAfter: Math.floor(Date.parse(x509.validTo) / 1000),
    };
  }
}
