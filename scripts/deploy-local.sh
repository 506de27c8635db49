#!/usr/bin/env bash
# npm run deploy:local — a full deploy of this checkout on the offline AWS stand-in.
# Installs what it needs first: the Debian prerequisites when missing, and the npm packages.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v docker-registry >/dev/null 2>&1 || ! docker info >/dev/null 2>&1; then
  bash scripts/install-prerequisites.sh
fi
if [ ! -x node_modules/.bin/tsx ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  bash scripts/npm-ci.sh
fi
# Under `npm run deploy:local`, node_modules/.bin is first on PATH, so this is the Node 24 npm ci installed.
exec node --import tsx scripts/dev/deploy-local.ts "$@"
