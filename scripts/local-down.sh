#!/usr/bin/env bash
# npm run local:down — stops the local AWS stand-in and removes every container it started.
set -euo pipefail
cd "$(dirname "$0")/.."
exec node --import tsx local-aws/src/cli/down.ts --state-dir .local-aws "$@"
