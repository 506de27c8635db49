import { describe, expect, it } from "vitest";
import { keepLatestImagesPolicy, PROTECTED_TAG_PREFIX } from "../src/policies.js";
import { KEPT_IMAGES } from "../src/stack.js";
import { expiredByLifecycle, type SimulatedImage } from "./lifecycle-simulation.js";

const ENVIRONMENTS = ["dev", "staging", "prod"];
const policy = keepLatestImagesPolicy(KEPT_IMAGES);

/**
 * A repository driven the way the pipeline drives it: dev pushes every build; after a verified release in
 * an environment, the deploy action moves `keep-<service>-serving` to the image now serving and
 * `keep-<service>-previous` to the one `rollback-to: previous` would pick (image-protection.ts). The
 * lifecycle policy runs after every push, as ECR may at any time.
 */
function repository() {
  const images: SimulatedImage[] = [];
  const expired = new Set<string>();
  let clock = 0;
  const lifecycle = () => {
    for (const digest of expiredByLifecycle(policy, images)) {
      expired.add(digest);
      images.splice(
        images.findIndex((image) => image.digest === digest),
        1,
      );
    }
  };
  const moveTag = (tag: string, digest: string | undefined) => {
    for (const image of images) image.tags = image.tags.filter((t) => t !== tag);
    const target = images.find((image) => image.digest === digest);
    if (!target) throw new Error(`${digest} was expired while an environment needed it`);
    target.tags.push(tag);
  };
  return {
    images,
    expired,
    push(sha: string): string {
      const digest = `sha256:${sha}`;
      images.push({ digest, tags: [sha], pushedAt: ++clock });
      lifecycle();
      return digest;
    },
    /** A verified release in `environment`: what it serves now and what it would roll back to. */
    verified(environment: string, serving: string, previous: string | undefined) {
      moveTag(`${PROTECTED_TAG_PREFIX}vidos-${environment}-serving`, serving);
      if (previous) moveTag(`${PROTECTED_TAG_PREFIX}vidos-${environment}-previous`, previous);
      lifecycle();
    },
  };
}

describe("the lifecycle policy never expires an image an environment needs", () => {
  it("many failed builds in a row: prod's, staging's and dev's serving and previous images all survive", () => {
    const repo = repository();
    const serving: Record<string, string | undefined> = {};
    const previous: Record<string, string | undefined> = {};
    const release = (environment: string, digest: string) => {
      if (serving[environment] !== digest) previous[environment] = serving[environment];
      serving[environment] = digest;
      repo.verified(environment, digest, previous[environment]);
    };
    // Two releases go all the way to prod.
    for (const sha of ["a1", "a2"]) {
      const digest = repo.push(sha);
      for (const environment of ENVIRONMENTS) release(environment, digest);
    }
    // A third reaches staging only.
    const third = repo.push("a3");
    release("dev", third);
    release("staging", third);
    // Then 40 builds in a row fail in dev: pushed, never verified, so no protection tag moves.
    for (let n = 0; n < 40; n++) repo.push(`f${n}`);

    const needed = ENVIRONMENTS.flatMap((e) => [serving[e], previous[e]]).filter((d) => d !== undefined);
    expect(needed.sort()).toEqual(
      ["sha256:a3", "sha256:a2", "sha256:a3", "sha256:a2", "sha256:a2", "sha256:a1"].sort(),
    );
    for (const digest of needed) expect(repo.expired.has(digest), digest).toBe(false);
    // Storage stays bounded: the last 5 pushes plus at most 2 protected images per environment.
    expect(repo.images.length).toBeLessThanOrEqual(KEPT_IMAGES + 2 * ENVIRONMENTS.length);
    expect(repo.expired.size).toBeGreaterThanOrEqual(40 - KEPT_IMAGES);
  });

  it("without the protection rule the same history would expire prod's image (the rule is what saves it)", () => {
    const unprotected = { rules: policy.rules.filter((rule) => rule.selection.tagStatus === "any") };
    const images: SimulatedImage[] = [
      { digest: "sha256:prod", tags: ["a1", "keep-vidos-prod-serving"], pushedAt: 1 },
      ...Array.from({ length: 10 }, (_, n) => ({ digest: `sha256:f${n}`, tags: [`f${n}`], pushedAt: n + 2 })),
    ];
    expect(expiredByLifecycle(unprotected, images)).toContain("sha256:prod");
    expect(expiredByLifecycle(policy, images)).not.toContain("sha256:prod");
  });

  it("evaluates rules as ECR documents: a higher-priority rule's images are out of reach of lower ones", () => {
    const images: SimulatedImage[] = Array.from({ length: 8 }, (_, n) => ({
      digest: `sha256:${n}`,
      tags: n < 7 ? [`keep-x-${n}`] : ["plain"],
      pushedAt: n,
    }));
    // Seven protected images: none goes (protection is by tag), and the plain one is within the last KEPT_IMAGES.
    expect(expiredByLifecycle(policy, images)).toEqual([]);
  });

  it("M5: an extra pair of keep-* tags (a renamed service's) never expires prod's rollback image", () => {
    const images: SimulatedImage[] = [
      { digest: "sha256:prod-previous", tags: ["a1", "keep-vidos-prod-previous"], pushedAt: 1 },
      { digest: "sha256:prod-serving", tags: ["a2", "keep-vidos-prod-serving"], pushedAt: 2 },
      ...["dev", "staging", "old-name"].flatMap((env, n) => [
        { digest: `sha256:${env}-p`, tags: [`keep-vidos-${env}-previous`], pushedAt: 3 + 2 * n },
        { digest: `sha256:${env}-s`, tags: [`keep-vidos-${env}-serving`], pushedAt: 4 + 2 * n },
      ]),
      // A sidecar's image tagged too.
      { digest: "sha256:worker", tags: ["keep-vidos-prod-serving-worker"], pushedAt: 20 },
      ...Array.from({ length: 10 }, (_, n) => ({
        digest: `sha256:f${n}`,
        tags: [`f${n}`],
        pushedAt: n + 30,
      })),
    ];
    const expired = expiredByLifecycle(policy, images);
    expect(
      expired.filter((digest) =>
        images.find((i) => i.digest === digest)?.tags.some((t) => t.startsWith("keep-")),
      ),
    ).toEqual([]);
    expect(expired).toHaveLength(10 - KEPT_IMAGES);
  });
});
