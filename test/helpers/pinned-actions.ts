/**
 * The third-party actions the workflows may use, each pinned to the full commit SHA of a release tag.
 *
 * Provenance (no network here, so no `git ls-remote`): each SHA is the one quoted for that tag by several
 * unrelated public repositories' workflows and pinning PRs, with no conflicting SHA found for the same tag:
 * - actions/checkout v6.0.2: e.g. godaddy-wordpress/wc-plugin-framework#834, SH11235/rshogi#679 and many
 *   pinned workflows (the v6.0.0 tag is 1af3b93b6815bc44a9784bd300feb67ff0d1eeb3, apache/tooling-docs#65).
 * - actions/setup-node v6.0.0: quoted in many pinned workflows and tests (one outlier labelled it v7.0.0).
 * - aws-actions/configure-aws-credentials v6.0.0 (Node 24; v5 is reported to hang when forced onto Node 24,
 *   tinymce/tinymce-docs#4249).
 * - pulumi/actions v7.0.0 (Node 24, released 2026-05 by pulumi/actions#1407): quoted as v7.0.0 by several
 *   repositories (one outlier comment says v6).
 * Bumping a pin means changing it here and in the workflows; the tests keep the two equal.
 */
export const PINNED_ACTIONS: Readonly<Record<string, { sha: string; version: string }>> = {
  "actions/checkout": { sha: "de0fac2e4500dabe0009e67214ff5f5447ce83dd", version: "v6.0.2" },
  "actions/setup-node": { sha: "2028fbc5c25fe9cf00d9f06a71cc4710d4507903", version: "v6.0.0" },
  "aws-actions/configure-aws-credentials": {
    sha: "8df5847569e6427dd6c4fb1cf565c83acfa8afa7",
    version: "v6.0.0",
  },
  "pulumi/actions": { sha: "8e5e406f4007fca908480587cb9893c07090f58d", version: "v7.0.0" },
};
