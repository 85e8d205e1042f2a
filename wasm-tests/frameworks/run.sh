#!/usr/bin/env bash
# drf-gate/react and drf-gate/vue in a real React app and a real Vue app (Vite, SSR + hydration
# in Chromium). Needs pkg/dist (bash scripts/build.sh). Prints `frameworks: N checks, N passed`.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here"
if [[ ! -f ../../pkg/dist/node.mjs ]]; then
  echo "wasm-tests/frameworks: pkg/dist/ is missing; build the package first (bash scripts/build.sh)" >&2
  exit 1
fi
if [[ ! -x /usr/bin/chromium ]]; then
  echo "[frameworks] installing Debian chromium" >&2
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
if [[ ! -d node_modules/vite || ! -d node_modules/react || ! -d node_modules/vue ]]; then
  # npm install (not ci): keeps the lockfile's pins, and tolerates the workspace around it.
  npm install --no-audit --no-fund --loglevel=error
fi
node run.mjs
