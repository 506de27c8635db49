/**
 * The simulation's secrets and every form of them a careless app or tool prints. Bad releases log some of
 * these forms (GetContainerLog), so the report and the terminal carry them unless the action masks them.
 */

const b64 = (text: string) => Buffer.from(text).toString("base64");

/** Parameter Store values under `ssm-path`: JSON/URL-special characters, and a multi-line PEM key. */
export const SSM_SECRETS: Record<string, string> = {
  DB_PASSWORD: 'p@ss/w"rd\\x+y=Z9q&k',
  TLS_KEY: [
    "-----BEGIN PRIVATE KEY-----",
    "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7VJTUt9Us8cKj",
    "MzEfYyjiWA4R4/M2bS1GB4t7NXp98C3SC6dVMvDuictGeurT8jNbvJZHtCSuYEvu",
    "-----END PRIVATE KEY-----",
  ].join("\n"),
  API_TOKEN: "tok_4f9a8b7c6d5e3a21",
};

/** A value under `ssm-path` that is no secret in any sense the invariants check (shorter than a key). */
export const SSM_PLAIN = { LOG_LEVEL: "debug" };

export function ecrPassword(seed: number): string {
  return `ecrpw-${(seed >>> 0).toString(16).padStart(8, "0")}-Qz7`;
}

/** The lines of a secret that are secret (a PEM's BEGIN/END lines are public text). */
function secretLines(secret: string): string[] {
  if (!secret.includes("\n")) return [];
  return secret.split("\n").filter((line) => line.length >= 8 && !/^-----[A-Z ]+-----$/.test(line));
}

/**
 * The base64 characters that depend only on the secret, at each of the three alignments it can have in a
 * longer encoded text (`user:secret`, a JSON blob, a token): what must never appear in the output.
 */
export function base64Cores(secret: string): string[] {
  const bytes = Buffer.byteLength(secret);
  return [0, 1, 2].flatMap((k) => {
    const encoded = b64(`${"\0".repeat(k)}${secret}`);
    const start = Math.ceil((8 * k) / 6);
    const end = Math.floor((8 * (k + bytes)) / 6);
    const core = encoded.slice(start, end);
    return core.length >= 8 ? [core] : [];
  });
}

/** Every form of the secret the invariants look for in each byte written. */
export function forms(secret: string): { form: string; text: string }[] {
  const out = [{ form: "raw", text: secret }];
  const json = JSON.stringify(secret).slice(1, -1);
  if (json !== secret) out.push({ form: "json", text: json });
  const url = encodeURIComponent(secret);
  if (url !== secret) out.push({ form: "url", text: url });
  for (const [i, core] of base64Cores(secret).entries()) out.push({ form: `base64/${i}`, text: core });
  for (const line of secretLines(secret)) out.push({ form: "line", text: line });
  return out;
}

/** What an app that leaks its secrets prints, one line per form (the model's container log). */
export function leakLines(secret: string): string[] {
  return [
    `connecting with password=${secret.split("\n").join(" ")}`,
    `config: {"password":${JSON.stringify(secret)}}`,
    `DATABASE_URL=postgres://app:${encodeURIComponent(secret)}@db:5432/app`,
    `token ${b64(secret)}`,
    `x-token: ${b64(`ab${secret}`)}`,
    `Authorization: Basic ${b64(`app:${secret}`)}`,
    ...secretLines(secret).map((line) => `key material: ${line}`),
  ];
}

/** The first form of a secret found in `text`, if any. */
export function exposed(text: string, secrets: Record<string, string>): string | undefined {
  for (const [name, secret] of Object.entries(secrets))
    for (const { form, text: needle } of forms(secret))
      if (text.includes(needle)) return `${name} (${form}: ${JSON.stringify(needle)})`;
  return undefined;
}
