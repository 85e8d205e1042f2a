#!/usr/bin/env bash
# The conformance suite: real DRF is the oracle, drf-gate must agree on every case.
#   conformance/run.sh [--seed S] [--random N] [--jobs J]
# 1. conformance/setup.sh (the reference stack in conformance/.venv)
# 2. generate the cases and run each through real DRF -> conformance/out/cases.json
# 3. replay them through drf-gate natively, and through the npm package when pkg/dist exists
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
cd "$root"

bash "$here/setup.sh"
cases="$here/out/cases.json"
rm -f "$cases"   # nothing stale is trusted
(cd "$here" && .venv/bin/python -W ignore -m oracle.main --out "$cases" "$@")

status=0
DRF_GATE_CASES="$cases" cargo test --release --test conformance || status=1
if [ -f "$root/pkg/dist/node.mjs" ]; then
  node "$here/replay.mjs" "$cases" || status=1
else
  echo "conformance: pkg/dist not built; skipping the wasm replay (build the package first)"
fi
exit $status
