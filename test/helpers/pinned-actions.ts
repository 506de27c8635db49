/**
 * The third-party actions the workflows may use, each pinned to the full commit SHA of a release tag.
 *
 * Provenance: each SHA is the commit its tag points to in a snapshot of the action's own repository (read
 * with git, 2026-11-30), the newest release tag there: actions/checkout v7.0.1, actions/setup-node v7.0.0,
 * aws-actions/configure-aws-credentials v6.2.3, pulumi/actions v7.0.0; github/codeql-action v4.36.2 (its
 * `init` and `analyze`; snapshot read 2026-12-05, annotated tag, the SHA is the commit it points to). All run
 * on node24, and every input the workflows pass still exists in those releases' action.yml.
 * Bumping a pin means changing it here and in the workflows (dependabot does both in one PR); the tests keep
 * the two equal.
 */
export const PINNED_ACTIONS: Readonly<Record<string, { sha: string; version: string }>> = {
  "actions/checkout": { sha: "3d3c42e5aac5ba805825da76410c181273ba90b1", version: "v7.0.1" },
  "actions/setup-node": { sha: "820762786026740c76f36085b0efc47a31fe5020", version: "v7.0.0" },
  "aws-actions/configure-aws-credentials": {
    sha: "e6de054238d6b7531b4efff3b6587d9aade6a06c",
    version: "v6.2.3",
  },
  "pulumi/actions": { sha: "8e5e406f4007fca908480587cb9893c07090f58d", version: "v7.0.0" },
  "github/codeql-action": { sha: "8aad20d150bbac5944a9f9d289da16a4b0d87c1e", version: "v4.36.2" },
};
