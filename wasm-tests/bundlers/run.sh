#!/usr/bin/env bash
# A tiny app importing drf-gate, bundled by esbuild, webpack 5, Rollup, Vite and wrangler, and a UI-gating
# app importing drf-gate/can and a React and a Vue app on drf-gate/can/react and /vue (the four
# browser bundlers), each bundle run in Chromium or workerd.
# Needs pkg/dist (bash scripts/build.sh).
# Prints `bundlers: N of N load and decide`.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here"
if [[ ! -f ../../pkg/dist/node.mjs ]]; then
  echo "wasm-tests/bundlers: pkg/dist/ is missing; build the package first (bash scripts/build.sh)" >&2
  exit 1
fi
if [[ ! -x /usr/bin/chromium ]]; then
  echo "[bundlers] installing Debian chromium" >&2
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
# Its tools come from the root npm workspace (one package-lock.json); drf-gate itself is the packed
# tarball, unpacked by run.mjs (../install-packed.mjs).
bash "$here/../../scripts/npm-install.sh"
node run.mjs
