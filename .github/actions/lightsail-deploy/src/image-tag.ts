import type { Exec } from "./deps.js";

/** 2026-11-21T23:15:47Z → 20261121-231547 (Docker tags allow no colons). */
export function timestampTag(epochMs: number): string {
  const iso = new Date(epochMs).toISOString();
  return `${iso.slice(0, 10).replace(/-/g, "")}-${iso.slice(11, 19).replace(/:/g, "")}`;
}

export interface ResolvedTag {
  tag: string;
  /** `commit`: the short SHA of a clean tree, so an image already under it holds the same source. */
  from: "input" | "commit" | "dirty" | "time";
}

/**
 * The explicit tag, else the short git SHA (GITHUB_SHA, else `git rev-parse`), else a UTC timestamp. A
 * tree with uncommitted changes gets `<sha7>-dirty-<UTC timestamp>`, since its image is not the commit's
 * and must not be mistaken for one already pushed under the commit's tag.
 */
export async function resolveTag(
  explicit: string | undefined,
  gitSha: string | undefined,
  exec: Exec,
  now: number,
): Promise<ResolvedTag> {
  if (explicit) return { tag: explicit, from: "input" };
  const git = (args: string[]) => exec("git", args, { silent: true }).catch(() => undefined);
  let sha = gitSha?.slice(0, 7).toLowerCase();
  if (!sha) {
    const head = await git(["rev-parse", "--short=7", "HEAD"]);
    const short = head?.exitCode === 0 ? head.stdout.trim() : "";
    if (!/^[0-9a-f]{7,}$/.test(short)) return { tag: timestampTag(now), from: "time" };
    sha = short;
  }
  // Untracked files count: they are in the build context as much as edited ones.
  const status = await git(["status", "--porcelain"]);
  if (status?.exitCode === 0 && status.stdout.trim() !== "")
    return { tag: `${sha}-dirty-${timestampTag(now)}`, from: "dirty" };
  return { tag: sha, from: "commit" };
}

/** `<repositoryUri>:<tag>` — the URI comes from ECR, never built from an amazonaws.com pattern. */
export function imageUri(repositoryUri: string, tag: string): string {
  return `${repositoryUri}:${tag}`;
}

export interface ImageReference {
  /** `127.0.0.1:5000`, `123.dkr.ecr.eu-west-1.amazonaws.com`; undefined for Docker Hub short names. */
  registry?: string;
  /** The path after the registry: `app`, `team/app`. */
  repository: string;
  tag?: string;
  digest?: string;
}

// The grammar of github.com/distribution/reference. Every component starts with a letter or digit, so
// nothing that parses can be mistaken for a command-line option.
const DOMAIN_COMPONENT = "(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])";
const DOMAIN = `(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[0-9a-fA-F:]+\\])(?::[0-9]+)?`;
const PATH_COMPONENT = "[a-z0-9]+(?:(?:[_.]|__|-+)[a-z0-9]+)*";
const REFERENCE = new RegExp(
  `^(?:(${DOMAIN})/)?(${PATH_COMPONENT}(?:/${PATH_COMPONENT})*)(?::([\\w][\\w.-]{0,127}))?(?:@([A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}))?$`,
);
const NAME_MAX_LENGTH = 255;

/**
 * `127.0.0.1:5000/app:abc`, `123.dkr.ecr.eu-west-1.amazonaws.com/team/app@sha256:…`, `nginx`; undefined
 * when `ref` is not a valid image reference. As in Docker, the first component is a registry only when it
 * has a `.` or `:`, is `localhost` or has capitals (`team/app` is a path on Docker Hub).
 */
export function parseImageReference(ref: string): ImageReference | undefined {
  const match = REFERENCE.exec(ref);
  if (!match) return undefined;
  let [, registry, repository = "", tag, digest] = match;
  if (registry !== undefined && !/[.:]|^localhost$|[A-Z]/.test(registry)) {
    repository = `${registry}/${repository}`;
    registry = undefined;
  }
  if ((registry ? registry.length + 1 : 0) + repository.length > NAME_MAX_LENGTH) return undefined;
  if (digest?.startsWith("sha256:") && digest.length !== "sha256:".length + 64) return undefined;
  return {
    ...(registry === undefined ? {} : { registry }),
    repository,
    ...(tag === undefined ? {} : { tag }),
    ...(digest === undefined ? {} : { digest }),
  };
}

/** The tag of an image reference; undefined when it has none (a digest only) or is not a reference. */
export function imageTagOf(ref: string | undefined): string | undefined {
  return ref === undefined ? undefined : parseImageReference(ref)?.tag;
}
