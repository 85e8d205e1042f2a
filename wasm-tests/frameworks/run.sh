#!/usr/bin/env bash
# drf-gate/react, /vue and /svelte in a real React, Vue and Svelte app (Vite, SSR + hydration
# in Chromium), then drf-gate in a Next.js app (next.mjs: `next build` with Turbopack and with
# webpack, `next start`; `output: "standalone"`, its server.js; Chromium), then in a SvelteKit app
# (sveltekit.mjs: adapter-node, `vite build`, `node build/index.js`, Chromium). Needs pkg/dist
# (bash scripts/build.sh). Prints `frameworks: N checks, N passed`, `next: N checks, N passed` and
# `sveltekit: N checks, N passed`.
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
# Its tools come from the root npm workspace (one package-lock.json); drf-gate itself is the packed
# tarball, unpacked by run.mjs (../install-packed.mjs).
bash "$here/../../scripts/npm-install.sh"
status=0
node run.mjs || status=1
node next.mjs || status=1
node sveltekit.mjs || status=1
exit $status
