#!/usr/bin/env bash
# Installs dependencies when missing or stale and builds the bundles. Safe to run repeatedly.
set -euo pipefail
cd "$(dirname "$0")/.."
stamp=node_modules/.loris-ephys-lock
if [ ! -d node_modules ] || [ ! -f "$stamp" ] || ! cmp -s package-lock.json "$stamp"; then
  echo "setup: installing dependencies (npm ci)" >&2
  npm ci --no-audit --no-fund --loglevel=error
  cp package-lock.json "$stamp"
fi
node scripts/build.mjs >&2
bash scripts/build-native.sh
