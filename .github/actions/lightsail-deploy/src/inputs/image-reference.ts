// The grammar of an image reference: an input parser, also used by the image and rollback phases.

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
