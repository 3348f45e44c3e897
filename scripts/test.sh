#!/usr/bin/env bash
# The whole test suite from a fresh clone: set-up, lint, format and type checks, build, all jest tests
# (unit, golden conformance, event replay, database, end-to-end over serverless-offline).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/ensure-mariadb.sh
echo "== lint" >&2
npx eslint .
npx prettier --check . >/dev/null || { npx prettier --list-different .; echo "prettier: files above are not formatted (npm run format)" >&2; exit 1; }
echo "== type check" >&2
npx tsc --noEmit -p .
echo "== tests" >&2
npx jest --maxWorkers=2 "$@"
