#!/usr/bin/env bash
# The field scenario (field.mjs): the sample DRF server and the blog Worker in real workerd, both
# live, while the data changes (pushed by the drfgate app's model signals), plus CORS, large
# bodies, oversized JWTs and faults. Assumes the package is built (bash scripts/build.sh).
#
# Prints `field: N requests, N identical, N forwarded, N wrong`; exits 1 on any wrong answer.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"

if [[ ! -f "$root/pkg/dist/guard.js" || ! -f "$root/pkg/dist/drf_gate_bg.wasm" ]]; then
  echo "field: the package is not built: run bash scripts/build.sh" >&2
  exit 1
fi
# npm dependencies: the root workspace, installed only when its lockfile changed.
bash "$root/scripts/npm-install.sh"
bash "$root/examples/blog/server/setup.sh" >/dev/null
cd "$here"
exec node field.mjs
