// The shape of the repository, held by `npm run depcruise` (part of `npm test`); a broken rule fails the suite.
const ACTION_SRC = "^\\.github/actions/lightsail-deploy/src/";
// What may know a deploy target: the entry points (top-level files of src/ and src/entry/) and the targets.
const CORE_EXEMPT = `${ACTION_SRC}([^/]+\\.ts$|entry/|targets/)`;
const OTHER_WORKSPACES = "^(local-aws|\\.github/actions/lightsail-deploy|infrastructure|app)/";

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: "no-cycles",
      comment: "No module reaches itself through its imports.",
      severity: "error",
      from: {},
      to: { circular: true },
    },
    {
      name: "no-folder-loops",
      comment: "No folder imports a folder that imports it back (shared names go to a neutral module).",
      severity: "error",
      scope: "folder",
      from: {},
      to: { circular: true },
    },
    {
      name: "faces-only",
      comment:
        "e2e and scripts reach another workspace only through its package face: an import by the package's " +
        "name, which its package.json `exports` resolves (`local-aws`, `local-aws/testing`), never a path into it.",
      severity: "error",
      from: { path: "^(e2e|scripts)/" },
      to: { path: OTHER_WORKSPACES, dependencyTypesNot: ["aliased-workspace"] },
    },
    {
      name: "no-test-from-src",
      comment: "Source never imports a test, a test helper or a fixture.",
      severity: "error",
      from: { path: "(^|/)src/" },
      to: { path: "(^|/)(test|e2e)/|\\.test\\.ts$|^local-aws/testing\\.ts$" },
    },
    {
      name: "core-knows-no-target",
      comment:
        "The action's core imports no deploy target's internals: only a target's own folder and the entry points " +
        "(top-level files of src/ and src/entry/) may import src/targets/<name>/. The core knows the seam, " +
        "src/targets/deploy-target.ts, and nothing behind it.",
      severity: "error",
      from: { path: ACTION_SRC, pathNot: CORE_EXEMPT },
      to: { path: `${ACTION_SRC}targets/[^/]+/` },
    },
    {
      name: "core-knows-no-platform-sdk",
      comment:
        "Nor a platform's SDK: the Lightsail client (its types included) belongs to src/targets/lightsail/. " +
        "ECR and SSM are the core's: every target pulls images from ECR and keeps its release record in SSM.",
      severity: "error",
      from: { path: ACTION_SRC, pathNot: CORE_EXEMPT },
      to: { path: "(^|/)node_modules/@aws-sdk/client-lightsail/" },
    },
    {
      name: "targets-apart",
      comment:
        "One deploy target never imports another (the seam, src/targets/deploy-target.ts, is every target's).",
      severity: "error",
      from: { path: `${ACTION_SRC}targets/([^/]+)/` },
      to: { path: `${ACTION_SRC}targets/[^/]+/`, pathNot: `${ACTION_SRC}targets/$1/` },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    // node_modules is not excluded, only not followed: a package stays in the graph as a leaf, so that a rule
    // can name it (core-knows-no-platform-sdk).
    exclude: { path: "(^|/)(dist|\\.local-aws)/" },
    tsPreCompilationDeps: true,
    // TypeScript 7 has no JavaScript compiler API for dependency-cruiser to parse with; swc reads the TypeScript.
    parser: "swc",
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: {
      exportsFields: ["exports"],
      conditionNames: ["import", "node", "default", "types"],
      extensions: [".ts", ".js", ".d.ts"],
    },
  },
};
