#!/usr/bin/env bash
# Line and region coverage of src/ under the native replay of DRF-backed cases only (not unit
# tests): which parts of the core no case real DRF answered ever runs. Not part of CI.
#   conformance/coverage.sh [--show FILE...]
# 1. builds the replay with `-C instrument-coverage` in its own target dir (target/cov; ~1 min
#    idle from a fresh dir, the crate alone after that)
# 2. replays the case files conformance/run.sh and thirdparty.sh wrote (out/cases.json,
#    thirdparty.json, middleware.json, negotiation.json, conditions.json; run those first), each
#    process writing its own profile, and mints CSRF tokens once (mint_csrf_token)
# 3. merges the profiles and prints llvm-cov's report for the decision paths (permissions,
#    authentication, views, negotiation, renderers, edge, middleware, routing, decision, gate);
#    `--show src/x.rs` also prints each listed file's lines no case ran.
# The package replay (replay.mjs) runs the same core as wasm, which is not measured here: code
# only the package's entry points call (check by steps, packed steps, typed crossings) shows as
# never run. conformance/README.md has the figures and what they mean.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
cd "$root"
lib_name=coverage
# shellcheck source=scripts/lib.sh
source "$root/scripts/lib.sh"
require cargo rustc

tools="$(rustc --print sysroot)/lib/rustlib/$(rustc -vV | sed -n 's/^host: //p')/bin"
if [ ! -x "$tools/llvm-profdata" ]; then
  echo "coverage: llvm-profdata not found in $tools: rustup component add llvm-tools" >&2
  exit 127
fi
show=()
if [ "${1:-}" = "--show" ]; then
  shift
  show=("$@")
fi

export CARGO_TARGET_DIR="$root/target/cov"
export RUSTFLAGS="-C instrument-coverage"
# Instrumented build scripts and proc macros write a profile when they run: not into the clone.
export LLVM_PROFILE_FILE="$CARGO_TARGET_DIR/build-profiles/%p-%m.profraw"
timed "build the instrumented replay" cargo test --test conformance --no-run
binary="$(cargo test --test conformance --no-run --message-format=json 2>/dev/null |
  python3 -c 'import json, sys
for line in sys.stdin:
    m = json.loads(line)
    if m.get("reason") == "compiler-artifact" and m.get("target", {}).get("name") == "conformance" and m.get("executable"):
        print(m["executable"])')"
profiles="$CARGO_TARGET_DIR/profiles"
rm -rf "$profiles"
mkdir -p "$profiles"
replay() { # NAME ENV=VALUE...: one replay, its own profile
  local name="$1"
  shift
  env "$@" DRF_GATE_LABEL="coverage ($name)" LLVM_PROFILE_FILE="$profiles/$name-%p.profraw" "$binary" | grep -v '^DISAGREE' || true
}
found=0
for name in cases thirdparty middleware; do
  if [ -f "$here/out/$name.json" ]; then
    replay "$name" DRF_GATE_CASES="$here/out/$name.json"
    found=1
  fi
done
[ -f "$here/out/negotiation.json" ] && replay negotiation DRF_GATE_NEGOTIATION="$here/out/negotiation.json"
[ -f "$here/out/conditions.json" ] && replay conditions DRF_GATE_CONDITIONS="$here/out/conditions.json"
if [ "$found" = 0 ]; then
  echo "coverage: no case files in conformance/out: run conformance/run.sh and conformance/thirdparty.sh first" >&2
  exit 1
fi
replay mint DRF_GATE_MINT="$profiles/minted.json" >/dev/null
"$tools/llvm-profdata" merge -sparse "$profiles"/*.profraw -o "$CARGO_TARGET_DIR/replay.profdata"

decision_paths='src/(permissions|authentication|views|negotiation|renderers|edge|middleware|routing|decision|gate|http|perm_table)'
files=()
while IFS= read -r file; do files+=("$file"); done < <(
  find src -name '*.rs' | grep -E "^$decision_paths" | sort)
"$tools/llvm-cov" report "$binary" --instr-profile "$CARGO_TARGET_DIR/replay.profdata" \
  "${files[@]}" |
  sed "s|$root/||"
for file in "${show[@]}"; do
  echo "== $file: lines no DRF-backed case ran"
  "$tools/llvm-cov" show "$binary" --instr-profile "$CARGO_TARGET_DIR/replay.profdata" "$file" |
    grep -E '^ +[0-9]+\| +0\|' || true
done
