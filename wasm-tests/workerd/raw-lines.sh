#!/usr/bin/env bash
# Raw HTTP/1.1 header lines (raw-lines.mjs): the blog Worker in real workerd in front of the real
# sample DRF server, each edge answer judged against the origin's answer to the request as the
# Worker forwards it. ~15 s. Assumes the package is built (bash scripts/build.sh).
#
# Prints `raw lines: N cases, N answered (identical), N forwarded, N refused by workerd, N mismatched`;
# exits 1 on a mismatch. RAWLINES_VERBOSE=1 prints each case (lines sent, what the Worker saw,
# what Django received directly and on forward, the three answers).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"

if [[ ! -f "$root/pkg/dist/guard.js" || ! -f "$root/pkg/dist/drf_gate_bg.wasm" ]]; then
  echo "raw lines: the package is not built: run bash scripts/build.sh" >&2
  exit 1
fi
bash "$root/scripts/npm-install.sh"
bash "$root/examples/blog/server/setup.sh" >/dev/null
cd "$here"
exec node raw-lines.mjs
