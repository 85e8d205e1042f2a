#!/usr/bin/env bash
# The adversarial set (issue 14) in Node and in workerd; see run.mjs. Assumes the package is
# built (bash scripts/build.sh); installs the test dependencies (wasm-tests/package.json) if missing.
#   bash wasm-tests/adversarial/run.sh        # VERBOSE=1 lists every case with its time
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
if [[ ! -f "$root/pkg/dist/node.mjs" || ! -f "$root/pkg/dist/workerd.js" ]]; then
  echo "adversarial: the package is not built: run bash scripts/build.sh" >&2
  exit 1
fi
if [[ ! -d "$root/wasm-tests/node_modules/miniflare" ]]; then
  (cd "$root/wasm-tests" && npm ci --no-audit --no-fund --loglevel=error)
fi
exec node "$here/run.mjs"
