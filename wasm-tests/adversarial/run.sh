#!/usr/bin/env bash
# The adversarial set (issue 14) in Node and in workerd; see run.mjs. Assumes the package is
# built (bash scripts/build.sh); installs the root npm workspace if missing.
#   bash wasm-tests/adversarial/run.sh        # VERBOSE=1 lists every case with its time
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
if [[ ! -f "$root/pkg/dist/node.mjs" || ! -f "$root/pkg/dist/workerd.js" ]]; then
  echo "adversarial: the package is not built: run bash scripts/build.sh" >&2
  exit 1
fi
bash "$root/scripts/npm-install.sh" # the root npm workspace (miniflare, esbuild), once
exec node "$here/run.mjs"
