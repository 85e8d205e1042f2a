#!/usr/bin/env bash
# The package in Node, workerd, Chromium, Deno, Bun and Vercel's edge runtime (npm `deno`, `bun`,
# `edge-runtime`, pinned in the root package-lock.json). Needs pkg/dist (bash scripts/build.sh).
# Prints `runtimes: N of N load and decide`.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here"
if [[ ! -f ../../pkg/dist/node.mjs ]]; then
  echo "wasm-tests/runtimes: pkg/dist/ is missing; build the package first (bash scripts/build.sh)" >&2
  exit 1
fi
if [[ ! -x /usr/bin/chromium ]]; then
  echo "[runtimes] installing Debian chromium" >&2
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
# Its tools come from the root npm workspace (one package-lock.json); drf-gate itself is the packed
# tarball, unpacked by run.mjs (../install-packed.mjs).
bash "$here/../../scripts/npm-install.sh"
node run.mjs
