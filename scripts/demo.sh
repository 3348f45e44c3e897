#!/usr/bin/env bash
# The embedded default: installs and builds when needed, generates the demo sample (no LORIS database),
# and runs the service in standalone mode on http://127.0.0.1:${LORIS_EPHYS_PORT:-8000}/ephys/demo
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
data="${LORIS_EPHYS_DEMO_DATA:-$PWD/demo-data}"
if [ ! -f "$data/.complete" ]; then
  node dist/cli/index.js make-demo "$data" >&2
fi
export LORIS_EPHYS_MODE=standalone LORIS_EPHYS_DATA="$data"
echo "loris-ephys-api (standalone demo) on http://127.0.0.1:${LORIS_EPHYS_PORT:-8000}/ephys/demo" >&2
exec node scripts/start.mjs
