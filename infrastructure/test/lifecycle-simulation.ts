import type { EcrLifecyclePolicy } from "../src/policies.js";

/** An image in the simulated repository: its tags and when it was pushed. */
export interface SimulatedImage {
  digest: string;
  tags: string[];
  pushedAt: number;
}

function selects(rule: EcrLifecyclePolicy["rules"][number], image: SimulatedImage): boolean {
  const { selection } = rule;
  if (selection.tagStatus === "any") return true;
  // A tagged rule with a prefix list selects images with a tag matching every prefix in it.
  return selection.tagPrefixList.every((prefix) => image.tags.some((tag) => tag.startsWith(prefix)));
}

/**
 * ECR's documented lifecycle evaluation, for the rules this stack writes (imageCountMoreThan): rules run in
 * priority order; an image a rule selects is never expired by a rule of lower priority; a rule expires the
 * images it selects beyond its count, oldest pushed first. Returns the digests that expire.
 * (docs.aws.amazon.com/AmazonECR/latest/userguide/LifecyclePolicies.html, "Lifecycle policy evaluation rules")
 */
export function expiredByLifecycle(policy: EcrLifecyclePolicy, images: readonly SimulatedImage[]): string[] {
  const claimed = new Set<string>();
  const expired: string[] = [];
  for (const rule of [...policy.rules].sort((a, b) => a.rulePriority - b.rulePriority)) {
    const selected = images
      .filter((image) => !claimed.has(image.digest) && selects(rule, image))
      .sort((a, b) => b.pushedAt - a.pushedAt);
    for (const image of selected) claimed.add(image.digest);
    expired.push(...selected.slice(rule.selection.countNumber).map((image) => image.digest));
  }
  return expired;
}
