import type { Exec } from "./deps.js";

/** 2026-11-21T23:15:47Z → 20261121-231547 (Docker tags allow no colons). */
export function timestampTag(epochMs: number): string {
  const iso = new Date(epochMs).toISOString();
  return `${iso.slice(0, 10).replace(/-/g, "")}-${iso.slice(11, 19).replace(/:/g, "")}`;
}

/** The explicit tag, else the short git SHA (GITHUB_SHA, else `git rev-parse`), else a UTC timestamp. */
export async function resolveTag(
  explicit: string | undefined,
  gitSha: string | undefined,
  exec: Exec,
  now: number,
): Promise<string> {
  if (explicit) return explicit;
  if (gitSha) return gitSha.slice(0, 7).toLowerCase();
  const git = await exec("git", ["rev-parse", "--short=7", "HEAD"], { silent: true }).catch(() => undefined);
  const sha = git?.exitCode === 0 ? git.stdout.trim() : "";
  return /^[0-9a-f]{7,}$/.test(sha) ? sha : timestampTag(now);
}

/** `<repositoryUri>:<tag>` — the URI comes from ECR, never built from an amazonaws.com pattern. */
export function imageUri(repositoryUri: string, tag: string): string {
  return `${repositoryUri}:${tag}`;
}

/**
 * The repository name inside an image reference: `127.0.0.1:5000/app:abc` and
 * `123.dkr.ecr.eu-west-1.amazonaws.com/team/app@sha256:…` give `app` and `team/app`.
 */
export function repositoryNameOf(image: string): string | undefined {
  const slash = image.indexOf("/");
  if (slash === -1) return undefined;
  const path = image.slice(slash + 1).split("@")[0] ?? "";
  const colon = path.lastIndexOf(":");
  return colon === -1 ? path : path.slice(0, colon);
}

/** The tag or digest of an image reference, as ECR image ids. */
export function imageIdOf(image: string): { imageTag: string } | { imageDigest: string } | undefined {
  const at = image.indexOf("@");
  if (at !== -1) return { imageDigest: image.slice(at + 1) };
  const lastSlash = image.lastIndexOf("/");
  const colon = image.lastIndexOf(":");
  return colon > lastSlash ? { imageTag: image.slice(colon + 1) } : undefined;
}

/** The tag of an image reference, if it has one. */
export function imageTagOf(image: string | undefined): string | undefined {
  const id = image ? imageIdOf(image) : undefined;
  return id && "imageTag" in id ? id.imageTag : undefined;
}
