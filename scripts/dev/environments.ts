/**
 * The local stand-in's three environments (scripts/dev/demo-stack.json): dev is what `deploy:local`
 * builds into; staging and prod only ever get an image promoted from the environment before them.
 */
export const ENVIRONMENTS = [
  { name: "dev", service: "demo", ssmPath: "/lightsail-demo/dev/" },
  { name: "staging", service: "demo-staging", ssmPath: "/lightsail-demo/staging/" },
  { name: "prod", service: "demo-prod", ssmPath: "/lightsail-demo/prod/" },
] as const;

export type Environment = (typeof ENVIRONMENTS)[number];

/** The target and the environment its image comes from; an error names `--to` when there is none. */
export function promotionStep(to: string | undefined): { from: Environment; to: Environment } {
  const index = ENVIRONMENTS.findIndex((env) => env.name === to);
  const from = ENVIRONMENTS[index - 1];
  const target = ENVIRONMENTS[index];
  if (!from || !target) {
    const names = ENVIRONMENTS.slice(1).map((env) => env.name);
    throw new Error(
      `--to ${to ?? "(missing)"}: promote into one of ${names.join(", ")} (dev is built by deploy:local)`,
    );
  }
  return { from, to: target };
}

/** The digest pinned in an image reference (`repo@sha256:…`), or undefined for a tag-only reference. */
export function pinnedDigest(image: string | undefined): string | undefined {
  return /@(sha256:[0-9a-f]{64})$/.exec(image ?? "")?.[1];
}
