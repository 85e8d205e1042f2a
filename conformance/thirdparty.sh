#!/usr/bin/env bash
# Third-party classes drf-gate knows out of the box, against the real packages (real DRF is the
# oracle): django-rest-knox's TokenAuthentication, djoser's CurrentUserOrAdmin and
# CurrentUserOrAdminOrReadOnly. See conformance/oracle/thirdparty.py.
#   conformance/thirdparty.sh [--seed S]
# 1. conformance/setup.sh, then the packages (pinned in python/constraints.txt) with --no-deps
# 2. the oracle exports the policy of its small DRF app with drfgate's exporter and runs each case
#    through the real stack -> conformance/out/thirdparty.json
# 3. replays them natively (JSON and compiled policies) and through the npm package when built.
# Prints `conformance (third-party) (json policy): N cases, N agree, 0 disagree, ...`.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
cd "$root"

bash "$here/setup.sh"
"$here/.venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-deps -c "$root/python/constraints.txt" \
  django-rest-knox djoser djangorestframework-api-key packaging
cases="$here/out/thirdparty.json"
mkdir -p "$here/out"
rm -f "$cases"   # nothing stale is trusted
(cd "$here" && .venv/bin/python -W ignore -m oracle.thirdparty --out "$cases" "$@")

cargo test --release --test conformance --no-run --quiet
status=0
DRF_GATE_CASES="$cases" DRF_GATE_LABEL="conformance (third-party)" cargo test --release --test conformance --quiet ||
  status=1
if [ -f "$root/pkg/dist/node.mjs" ]; then
  DRF_GATE_LABEL="conformance (third-party)" node "$here/replay.mjs" "$cases" || status=1
else
  echo "conformance (third-party): pkg/dist not built; skipping the wasm replay (build the package first)"
fi
exit $status
