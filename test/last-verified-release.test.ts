import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { lastVerifiedRelease } from "../scripts/pause/last-verified-release.js";

const SCOPE = { service: "vidos-dev", region: "eu-west-1" };
const SCRIPT = fileURLToPath(new URL("../scripts/pause/last-verified-release.ts", import.meta.url));
const entry = (fields: Record<string, unknown>) => ({
  Name: "/lightsail-deploy/vidos-dev/releases/eu-west-1/vidos-dev/v1-good-x",
  Value: JSON.stringify({ ...SCOPE, id: "a", verdict: "good", ...fields }),
});

describe("the last verified release, read from the release record", () => {
  it("is the newest good verdict by time, not by version (a re-created service counts from 1)", () => {
    const release = lastVerifiedRelease(
      [
        entry({ version: 9, at: "2026-12-04T18:00:00Z", digest: "sha256:before-pause" }),
        entry({ version: 1, at: "2026-12-05T08:00:00Z", digest: "sha256:after-resume" }),
      ],
      SCOPE,
    );
    expect(release).toEqual({ digest: "sha256:after-resume", version: 1, at: "2026-12-05T08:00:00Z" });
  });

  it("skips a release also rejected, other services' and regions' verdicts, and what is not a verdict", () => {
    const release = lastVerifiedRelease(
      [
        entry({ version: 2, at: "2026-12-04T10:00:00Z", digest: "sha256:good" }),
        entry({ version: 3, at: "2026-12-05T10:00:00Z", digest: "sha256:later-rejected" }),
        entry({ version: 3, verdict: "rejected", at: "2026-12-05T10:05:00Z" }),
        entry({ version: 4, at: "2026-12-05T11:00:00Z", digest: "sha256:other", service: "vidos-staging" }),
        entry({ version: 5, at: "2026-12-05T11:00:00Z", digest: "sha256:other", region: "us-east-1" }),
        entry({ version: 6, at: "not a time", digest: "sha256:bad-time" }),
        { Name: "legacy", Value: '{"schema":1,"releases":[]}' },
        { Name: "junk", Value: "not json" },
      ],
      SCOPE,
    );
    expect(release.digest).toBe("sha256:good");
  });

  it.each([
    [[], "holds no verified release of vidos-dev in eu-west-1; deploy one with deploy.yml"],
    [
      [entry({ version: 2, at: "2026-12-05T10:00:00Z" })],
      "the newest verified release of vidos-dev (v2, 2026-12-05T10:00:00Z) has no image digest",
    ],
  ])("refuses to guess: %j", (parameters, message) => {
    expect(() => lastVerifiedRelease(parameters, SCOPE)).toThrow(message);
  });

  it("runs under the runner's Node as it is: the digest on stdout, errors naming the flag", () => {
    const input = JSON.stringify({
      Parameters: [entry({ version: 2, at: "2026-12-05T10:00:00Z", digest: "sha256:d" })],
    });
    const ok = spawnSync(process.execPath, [SCRIPT, "--service", "vidos-dev", "--region", "eu-west-1"], {
      input,
      encoding: "utf8",
    });
    expect(ok.status).toBe(0);
    expect(ok.stdout).toBe("sha256:d\n");
    const missing = spawnSync(process.execPath, [SCRIPT, "--service", "vidos-dev"], {
      input,
      encoding: "utf8",
    });
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain("--region is required");
    const garbage = spawnSync(process.execPath, [SCRIPT, "--service", "s", "--region", "r"], {
      input: "<html>",
      encoding: "utf8",
    });
    expect(garbage.stderr).toContain("standard input is not the JSON of aws ssm get-parameters-by-path");
  });
});
