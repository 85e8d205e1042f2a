#!/usr/bin/env bash
# The blog Worker (examples/blog/worker) in real workerd (miniflare) against the real DRF server
# (examples/blog/server, its own venv, made if missing): the same requests straight to DRF and
# through the Worker, a bounded fuzz of the guard, and workerd's start-up cost. Assumes the
# package is built (bash scripts/build.sh); installs the root npm workspace when needed.
#
#   bash wasm-tests/workerd/run.sh          # FUZZ_SECONDS=20 by default; FUZZ_SEED to replay
#
# Prints `workerd: N requests, N identical, N forwarded, N mismatched`; exits 1 on a mismatch.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"

if [[ ! -f "$root/pkg/dist/guard.js" || ! -f "$root/pkg/dist/drf_gate_bg.wasm" ]]; then
  echo "workerd tests: the package is not built: run bash scripts/build.sh" >&2
  exit 1
fi
command -v python3 >/dev/null || { echo "workerd tests: python3 is required" >&2; exit 1; }

# npm dependencies: the root workspace, installed only when its lockfile changed.
bash "$root/scripts/npm-install.sh"
# The sample server's venv (prints its python; quiet when it is there).
bash "$root/examples/blog/server/setup.sh" >/dev/null

cd "$here"
echo "[workerd] tsc: types/usage.ts (drf-gate/guard, drf-gate/hono with Hono)" >&2
node "$root/node_modules/typescript/bin/tsc" -p types/
exec node run.mjs
