#!/usr/bin/env bash
# Builds the optional ISA-L deflate binding (native/isal-deflate, lib/service/deflater.ts) when libisal's headers are
# installed (Debian/Ubuntu: libisal-dev; as root this script installs it with apt-get when missing). Without it, maps
# are deflated by Node's zlib: nothing fails, PNGs take about 1 ms longer. Safe to run repeatedly: it builds only
# when the binding is missing or older than its sources. LORIS_EPHYS_NATIVE=0 skips it.
set -uo pipefail
cd "$(dirname "$0")/.."
dir=native/isal-deflate
addon=$dir/build/Release/isal_deflate.node
[ "${LORIS_EPHYS_NATIVE:-1}" = 0 ] && { echo "native: skipped (LORIS_EPHYS_NATIVE=0)" >&2; exit 0; }
if [ ! -f /usr/include/isa-l/igzip_lib.h ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "native: installing libisal-dev (ISA-L) for the PNG deflate binding" >&2
  (DEBIAN_FRONTEND=noninteractive apt-get install -y -q libisal-dev >/dev/null 2>&1 ||
    (apt-get update -q >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q libisal-dev >/dev/null 2>&1)) ||
    echo "native: could not install libisal-dev" >&2
fi
if [ ! -f /usr/include/isa-l/igzip_lib.h ]; then
  echo "native: libisal headers not found (libisal-dev): maps use Node's zlib" >&2
  exit 0
fi
if [ -f "$addon" ] && [ "$addon" -nt "$dir/isal_deflate.c" ] && [ "$addon" -nt "$dir/binding.gyp" ]; then
  exit 0
fi
# npm's own node-gyp, with npm's settings (nodedir) when run through `npm run`.
gyp=$(command -v node-gyp || true)
[ -z "$gyp" ] && gyp="node $(dirname "$(dirname "$(readlink -f "$(command -v npm)")")")/node_modules/node-gyp/bin/node-gyp.js"
nodedir=()
[ -z "${npm_config_nodedir:-}" ] && [ -f /usr/include/node/node_api.h ] && nodedir=(--nodedir=/usr)
if $gyp rebuild "${nodedir[@]}" --directory "$dir" >/tmp/loris-ephys-native.log 2>&1; then
  echo "native: built $addon" >&2
else
  echo "native: the ISA-L binding did not build (see /tmp/loris-ephys-native.log): maps use Node's zlib" >&2
fi
exit 0
