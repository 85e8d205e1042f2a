#!/usr/bin/env bash
# The conformance suite: real DRF is the oracle, drf-gate must agree on every case.
#   conformance/run.sh [--seed S] [--random N] [--jobs J]
# 1. conformance/setup.sh (the reference stack in conformance/.venv)
# 2. build the native replay; mint CSRF tokens with drf-gate (the oracle checks Django accepts them)
# 3. generate the cases and run each through real DRF -> conformance/out/cases.json
# 4. replay them through drf-gate natively, and through the npm package when pkg/dist exists
# 5. content negotiation alone against DRF (oracle/negotiation.py), the condition language
#    against CPython's eval (oracle/conditions.py), and the origin's middleware against real
#    Django (oracle/middleware.py), replayed natively and through the package
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
cd "$root"
lib_name=conformance
# shellcheck source=scripts/lib.sh
source "$root/scripts/lib.sh"

timed "reference venv (conformance/setup.sh)" bash "$here/setup.sh"
cases="$here/out/cases.json"
minted="$here/out/minted.json"
mkdir -p "$here/out"
rm -f "$cases" "$minted"   # nothing stale is trusted

# The native replay is the test-profile build (debug assertions and overflow checks on): in
# scripts/test.sh the native step has built its dependencies and the crate, so this links one
# binary (~4 CPU s). A release build (opt-level z, fat LTO, one codegen unit) cost 214 CPU s from
# a fresh target dir and served only this replay; the replay takes ~20 CPU s more in debug.
timed "build the native replay" cargo test --test conformance --no-run --quiet
secret="$(cd "$here" && .venv/bin/python -c 'from oracle.djsetup import CSRF_SECRET; print(CSRF_SECRET)')"
DRF_GATE_MINT="$minted" DRF_GATE_MINT_SECRET="$secret" cargo test --test conformance --quiet

oracle() { (cd "$here" && .venv/bin/python -W ignore -m oracle.main --out "$cases" --minted "$minted" "$@"); }
timed "oracle: cases through real DRF" oracle "$@"

status=0
DRF_GATE_CASES="$cases" timed "native replay" cargo test --test conformance --quiet || status=1
# settings.jwt.userIdKind can fail: the edge:jwt-user-id-kind cases with a UUIDField or integer
# pk read as a text field (every claim taken, so a claim the field cannot take becomes a 401
# where DRF crashes) must disagree (a native replay of ~80 cases, ~1 s).
"$here/.venv/bin/python" - "$cases" "$here/out/user-id-kind-mutated.json" <<'PY'
import json, sys
data = json.load(open(sys.argv[1], encoding="utf-8"))
kept = []
for case in data["cases"]:
    jwt = ((case["policy"].get("settings") or {}).get("jwt") or {})
    if jwt.get("userIdKind") in ("uuid", "integer"):
        jwt["userIdKind"] = "text"
        kept.append(case)
data["cases"] = kept
json.dump(data, open(sys.argv[2], "w", encoding="utf-8"), ensure_ascii=False)
PY
mutated_line="$(DRF_GATE_CASES="$here/out/user-id-kind-mutated.json" DRF_GATE_LABEL="conformance (userIdKind read as text)" \
  cargo test --test conformance --quiet 2>/dev/null | grep -m1 '(json policy):' || true)"
echo "${mutated_line:-conformance (userIdKind read as text): no summary line}"
if ! grep -Eq ', [1-9][0-9]* disagree' <<<"$mutated_line"; then
  echo "conformance: a wrong settings.jwt.userIdKind went unnoticed" >&2
  status=1
fi
# Likewise settings.remoteUser.createUnknownUser and settings.session.engine: with the first
# turned false and the second dropped in the edge:lookup-authority cases, a miss DRF answers otherwise (a created user, a session
# outside the database) becomes anonymous at the edge, and the replay must disagree.
"$here/.venv/bin/python" - "$cases" "$here/out/lookup-authority-mutated.json" <<'PY'
import json, sys
data = json.load(open(sys.argv[1], encoding="utf-8"))
kept = []
for case in data["cases"]:
    settings = case["policy"].get("settings") or {}
    remote = settings.get("remoteUser") or {}
    if remote.get("createUnknownUser") is True:
        remote["createUnknownUser"] = False  # dropping it would now mean Django's default (creates)
        kept.append(case)
    elif (settings.get("session") or {}).pop("engine", None):
        kept.append(case)
data["cases"] = kept
json.dump(data, open(sys.argv[2], "w", encoding="utf-8"), ensure_ascii=False)
PY
mutated_line="$(DRF_GATE_CASES="$here/out/lookup-authority-mutated.json" DRF_GATE_LABEL="conformance (misses read as authoritative)" \
  cargo test --test conformance --quiet 2>/dev/null | grep -m1 '(json policy):' || true)"
echo "${mutated_line:-conformance (misses read as authoritative): no summary line}"
if ! grep -Eq ', [1-9][0-9]* disagree' <<<"$mutated_line"; then
  echo "conformance: settings.remoteUser.createUnknownUser / settings.session.engine went unnoticed" >&2
  status=1
fi
# Likewise a view's filterParams: dropped from the edge:filter-params cases, bob's PUT of alice's
# widget under `?search=zzz` (DRF's 404: SearchFilter hid it) becomes the edge's 403.
"$here/.venv/bin/python" - "$cases" "$here/out/filter-params-mutated.json" <<'PY'
import json, sys
data = json.load(open(sys.argv[1], encoding="utf-8"))
kept = []
for case in data["cases"]:
    for view in case["policy"]["views"].values():
        if view.pop("filterParams", None):
            kept.append(case)
data["cases"] = kept
json.dump(data, open(sys.argv[2], "w", encoding="utf-8"), ensure_ascii=False)
PY
mutated_line="$(DRF_GATE_CASES="$here/out/filter-params-mutated.json" DRF_GATE_LABEL="conformance (filterParams dropped)" \
  cargo test --test conformance --quiet 2>/dev/null | grep -m1 '(json policy):' || true)"
echo "${mutated_line:-conformance (filterParams dropped): no summary line}"
if ! grep -Eq ', [1-9][0-9]* disagree' <<<"$mutated_line"; then
  echo "conformance: a view's filterParams went unnoticed" >&2
  status=1
fi
# Content negotiation alone, against DRF's DefaultContentNegotiation (thousands of Accept headers).
negotiation="$here/out/negotiation.json"
rm -f "$negotiation"
seed="$(cd "$here" && .venv/bin/python -c 'import json, sys; print(json.load(open(sys.argv[1]))["seed"])' "$cases")"
(cd "$here" && .venv/bin/python -W ignore -m oracle.negotiation --seed "$seed" --count 3000 --out "$negotiation")
DRF_GATE_NEGOTIATION="$negotiation" cargo test --test conformance --quiet || status=1
# The condition language alone, against CPython's eval (thousands of conditions over JSON objects).
conditions="$here/out/conditions.json"
rm -f "$conditions"
(cd "$here" && .venv/bin/python -m oracle.conditions --seed "$seed" --count 3000 --out "$conditions")
DRF_GATE_CONDITIONS="$conditions" cargo test --test conformance --quiet || status=1
# The origin's middleware (docs/policy.md §6): settings.MIDDLEWARE and its settings drawn per case,
# run by real Django (and django-cors-headers), every response header compared.
middleware="$here/out/middleware.json"
rm -f "$middleware"
timed "oracle: the origin's middleware through real Django" \
  bash -c 'cd "$1" && .venv/bin/python -W ignore -m oracle.main --family middleware --seed "$2" --random "$3" --out "$4"' \
  _ "$here" "$seed" "${DRF_GATE_MIDDLEWARE_CASES:-1000}" "$middleware" || status=1
DRF_GATE_CASES="$middleware" DRF_GATE_LABEL="conformance (middleware)" cargo test --test conformance --quiet || status=1
# The header comparison can fail: with the last header Django sent dropped from every case, the
# replay must disagree (a second native replay, ~2 s).
"$here/.venv/bin/python" - "$middleware" "$here/out/middleware-mutated.json" <<'PY'
import json, sys
data = json.load(open(sys.argv[1], encoding="utf-8"))
for case in data["cases"]:
    if case["expected"].get("responseHeaders"):
        case["expected"]["responseHeaders"].pop()
json.dump(data, open(sys.argv[2], "w", encoding="utf-8"), ensure_ascii=False)
PY
mutated_line="$(DRF_GATE_CASES="$here/out/middleware-mutated.json" DRF_GATE_LABEL="conformance (middleware, last header dropped)" \
  cargo test --test conformance --quiet 2>/dev/null | grep -m1 '(json policy):' || true)"
echo "${mutated_line:-conformance (middleware, last header dropped): no summary line}"
if ! grep -Eq ', [1-9][0-9]* disagree' <<<"$mutated_line"; then
  echo "conformance (middleware): dropping a header went unnoticed" >&2
  status=1
fi
if [ -f "$root/pkg/dist/node.mjs" ]; then
  timed "package replay (replay.mjs)" node "$here/replay.mjs" "$cases" || status=1
  # The negotiation and conditions oracles' cases through the package too (seconds).
  timed "package replay (negotiation)" node "$here/replay.mjs" "$negotiation" || status=1
  timed "package replay (conditions)" node "$here/replay.mjs" "$conditions" || status=1
  DRF_GATE_LABEL="conformance (middleware)" timed "package replay (middleware)" node "$here/replay.mjs" "$middleware" || status=1
else
  echo "conformance: pkg/dist not built; skipping the wasm replay (build the package first)"
fi
exit $status
