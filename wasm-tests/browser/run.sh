#!/usr/bin/env bash
# Browser tests: www/ (demo + playground) in real headless Chromium via playwright-core, checked
# against the package's own decisions in Node. Assumes the package is built (pkg/dist/).
# Installs what is missing: Debian chromium, and the root npm workspace (playwright-core).
# Prints `browser: N checks, N passed`; screenshots in wasm-tests/artifacts/.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"

if [[ ! -f "$root/pkg/dist/node.mjs" || ! -f "$root/pkg/dist/web.js" ]]; then
  echo "wasm-tests/browser: pkg/dist/ is missing; build the package first (bash scripts/build.sh)" >&2
  exit 1
fi
if [[ ! -x /usr/bin/chromium ]]; then
  echo "[browser] installing Debian chromium" >&2
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
# playwright-core and axe-core from the root npm workspace (installed when its lockfile changed).
bash "$root/scripts/npm-install.sh"
exec node "$here/run.mjs"
