import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LocalPipeline, startLocalPipeline } from "../scripts/harness/pipeline.js";
import { endToEndEnabled } from "./support/prerequisites.js";
import { loadServiceUrl } from "./support/service-load.js";
import { buildImage, removeImages } from "./support/stage.js";
import { runInTerminal } from "./support/terminal-run.js";

// H3 on the real stand-in, terminal mode (no runner to mask anything): a multi-line secret (a PEM key from
// Parameter Store) and a plain one, printed by the release in every form an app may print them, must not
// be in any byte the action writes: no line of the key, no base64 form, no JSON or URL escape.
const enabled = await endToEndEnabled();

const SERVICE = "e2e-secret-forms";
const REPOSITORY = "e2e-secret-forms-app";
const SSM_PATH = "/e2e-secret-forms/dev/";
const PEM = [
  "-----BEGIN PRIVATE KEY-----",
  "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7VJTUt9Us8cKj",
  "MzEfYyjiWA4R4/M2bS1GB4t7NXp98C3SC6dVMvDuictGeurT8jNbvJZHtCSuYEvu",
  "-----END PRIVATE KEY-----",
].join("\n");
const PASSWORD = "pw-7c1e/9a+b&c d";
const APP_IMAGE = `e2e-secret-forms-app:${process.pid}`;
const PRINTING_IMAGE = `e2e-forms-printing:${process.pid}`;

/** The base64 of `secret` inside any longer text: the groups made of its bytes alone, at each alignment. */
function base64Cores(secret: string): string[] {
  const bytes = Buffer.from(secret);
  return [0, 1, 2].map((offset) => {
    const encoded = Buffer.concat([Buffer.alloc(offset), bytes]).toString("base64");
    return encoded.slice(Math.ceil(offset / 3) * 4, Math.floor((offset + bytes.length) / 3) * 4);
  });
}

describe.skipIf(!enabled)("terminal: no form of a multi-line or plain secret in any byte written", () => {
  let pipeline: LocalPipeline;

  beforeAll(async () => {
    pipeline = await startLocalPipeline({
      service: SERVICE,
      repository: REPOSITORY,
      ssmPath: SSM_PATH,
      parameters: [
        { name: `${SSM_PATH}TLS_KEY`, type: "SecureString", value: PEM },
        { name: `${SSM_PATH}DB_PASSWORD`, type: "SecureString", value: PASSWORD },
        { name: `${SSM_PATH}AUTHORIZER_URL`, type: "SecureString", value: "http://127.0.0.1:9/authorize" },
      ],
    });
    await buildImage(pipeline.baseImage, APP_IMAGE, "Dockerfile", ".");
    await buildImage(
      pipeline.baseImage,
      PRINTING_IMAGE,
      "e2e/fixtures/forms-printing.Dockerfile",
      "e2e/fixtures",
    );
  }, 600_000);

  afterAll(async () => {
    await pipeline?.close();
    await removeImages(APP_IMAGE, PRINTING_IMAGE);
  });

  const terminal = (image: string, tag: string) =>
    runInTerminal(
      [
        ...["--service-name", SERVICE, "--repository", REPOSITORY, "--image", image, "--tag", tag],
        ...["--container-name", "app", "--container-port", "3000", "--health-check-path", "/health"],
        ...["--ssm-path", SSM_PATH, "--poll-interval", "1s", "--probe-count", "5"],
      ],
      { ...pipeline.awsEnv, LIGHTSAIL_DEPLOY_DEBUG: "1" },
    );

  it("a release printing its secrets' forms fails and is rolled back; nothing it printed is readable", async () => {
    const good = await terminal(APP_IMAGE, "forms-good");
    expect(good.exitCode, good.stdout + good.stderr).toBe(0);
    const load = loadServiceUrl(new URL("health", pipeline.serviceUrl).toString());
    const run = await terminal(PRINTING_IMAGE, "forms-printing");
    const report = await load.stopAfterRecovery("a release printing its secrets' forms, rolled back");
    const text = [good.stdout, good.stderr, run.stdout, run.stderr, ...Object.values(run.leftInTemp)].join(
      "\n",
    );
    expect(run.exitCode).not.toBe(0);
    expect(run.stdout).toContain("status=rolled-back");
    // The test is void unless the release's log was printed (its last lines), with each form masked.
    expect(run.stdout).toContain('json {"TLS_KEY":"***"}');
    expect(run.stdout).toContain("b64 TLS_KEY ***");
    expect(run.stdout).toMatch(/auth TLS_KEY Basic \S*\*\*\*/);
    const forbidden = [
      ...PEM.split("\n").slice(1, 3),
      PASSWORD,
      ...base64Cores(PASSWORD),
      ...base64Cores(PEM.split("\n")[1] as string),
      JSON.stringify(PEM).slice(1, -1),
      JSON.stringify(PASSWORD).slice(1, -1),
      encodeURIComponent(PASSWORD),
    ].filter((form) => form.length >= 8);
    for (const form of forbidden) expect(text, `a form of a secret was written: ${form}`).not.toContain(form);
    expect([...report.after]).toEqual([]);
  }, 600_000);
});
