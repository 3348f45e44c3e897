#!/usr/bin/env bash
# The embedded default: installs and builds when needed, generates the demo sample (no LORIS database),
# runs the service in standalone mode and, once it answers, prints the demo page's URL:
#   http://127.0.0.1:${LORIS_EPHYS_PORT:-8000}/demo
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
data="${LORIS_EPHYS_DEMO_DATA:-$PWD/demo-data}"
if [ ! -f "$data/.complete" ]; then
  node dist/cli/index.js make-demo "$data" >&2
fi
export LORIS_EPHYS_MODE=standalone LORIS_EPHYS_DATA="$data"
url="http://127.0.0.1:${LORIS_EPHYS_PORT:-8000}/demo"
echo "loris-ephys-api (standalone demo) starting; the demo page will be $url" >&2
node scripts/start.mjs &
service=$!
trap 'kill -TERM "$service" 2>/dev/null || true; wait "$service"' INT TERM
# Announce the page once it is served (the service's own start-up banner comes first).
for _ in $(seq 1 240); do
  if node -e 'fetch(process.argv[1]).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))' "$url"; then
    printf '\n  Demo page: %s\n  API description: %s\n\n' "$url" "${url%/demo}/openapi.json" >&2
    break
  fi
  kill -0 "$service" 2>/dev/null || break
  sleep 0.5
done
wait "$service"
