#!/usr/bin/env bash
# Third-party classes drf-gate knows out of the box, against the real packages (real DRF is the
# oracle): django-rest-knox's TokenAuthentication, djoser's CurrentUserOrAdmin and
# CurrentUserOrAdminOrReadOnly, djangorestframework-api-key's HasAPIKey (and BaseHasAPIKey
# subclasses). See conformance/oracle/thirdparty.py.
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

# The test-profile build conformance/run.sh uses (see there).
cargo test --test conformance --no-run --quiet
status=0
# The suite can fail: the same cases with HasAPIKey read as AllowAny in every permission list, and
# with a "database" whose API key rows never expire (a verifier that ignores expiry_date), must
# disagree. The two mutated replays run in the background, beside the real one (three
# single-threaded replays, two cores); their lines are printed after it.
mutate() { # name python-expression-over-case
  local out="$here/out/thirdparty-mutated-$1.json"
  "$here/.venv/bin/python" - "$cases" "$out" "$2" <<'PY'
import json, re, sys
data = json.load(open(sys.argv[1], encoding="utf-8"))
for case in data["cases"]:
    exec(sys.argv[3])
json.dump(data, open(sys.argv[2], "w", encoding="utf-8"), ensure_ascii=False)
PY
  DRF_GATE_CASES="$out" DRF_GATE_LABEL="conformance (third-party, mutated: $1)" \
    cargo test --test conformance --quiet
}
mutated() { # name: its summary line; fails when the mutation went unnoticed
  local log="$here/out/thirdparty-mutated-$1.log" line
  line="$(grep -m1 '(json policy):' "$log" || true)"
  echo "${line:-conformance (third-party, mutated: $1): no summary line (see $log)}"
  if ! grep -Eq '\(json policy\): .*, [1-9][0-9]* disagree' "$log"; then
    echo "conformance (third-party): the mutation '$1' went unnoticed" >&2
    return 1
  fi
}
mutate HasAPIKey-as-AllowAny \
  'case["policy"] = json.loads(re.sub(r"\bHasAPIKey\b", "AllowAny", json.dumps(case["policy"])))' \
  >"$here/out/thirdparty-mutated-HasAPIKey-as-AllowAny.log" 2>&1 &
as_allow_any=$!
mutate keys-never-expire \
  '[row.update(expiry=None) for row in ((case.get("raw") or {}).get("identities") or {}).get("apiKeys", [])]' \
  >"$here/out/thirdparty-mutated-keys-never-expire.log" 2>&1 &
never_expire=$!
DRF_GATE_CASES="$cases" DRF_GATE_LABEL="conformance (third-party)" cargo test --test conformance --quiet ||
  status=1
wait "$as_allow_any" "$never_expire" || true   # a mutated replay disagrees: its exit status is not the check
mutated HasAPIKey-as-AllowAny || status=1
mutated keys-never-expire || status=1
if [ -f "$root/pkg/dist/node.mjs" ]; then
  DRF_GATE_LABEL="conformance (third-party)" node "$here/replay.mjs" "$cases" || status=1
else
  echo "conformance (third-party): pkg/dist not built; skipping the wasm replay (build the package first)"
fi
exit $status
