#!/usr/bin/env bash
# Every test of drf-gate, from a fresh clone. Installs what is missing (the wasm32 target, the
# pinned wasm-bindgen CLI, npm and pip packages, Debian's chromium) and runs:
#   1. the native core: cargo test, clippy (no panicking calls in src/), also for the core build
#      (--no-default-features)
#   2. the npm package: build, then Node / TypeScript / workerd / Chromium layers
#   3. the conformance suite: real DRF as the oracle, replayed natively and through the package
#   4. the browser demo and playground in headless Chromium
#   5. the Worker in real workerd, compared with the sample DRF server
#   6. the exporter (drfgate_export / drfgate_check) on the sample DRF project
# Exits non-zero if any step fails; a summary of every step's outcome closes the output.
set -uo pipefail
cd "$(dirname "$0")/.."
root="$(pwd)"

results=()
failed=0
step() {
  local name="$1"
  shift
  echo
  echo "================ $name"
  local started=$SECONDS
  if "$@"; then
    results+=("ok      $name ($((SECONDS - started)) s)")
  else
    results+=("FAILED  $name ($((SECONDS - started)) s)")
    failed=$((failed + 1))
  fi
}

native() {
  cargo test --all-targets && cargo test --doc && cargo clippy --all-targets -- -D warnings &&
    rustup target add wasm32-unknown-unknown >/dev/null 2>&1 &&
    cargo clippy --target wasm32-unknown-unknown --lib -- -D warnings &&
    # The core build (what browsers load): no edge authentication.
    cargo test --no-default-features --all-targets && cargo test --no-default-features --doc &&
    cargo clippy --no-default-features --all-targets -- -D warnings &&
    cargo clippy --no-default-features --target wasm32-unknown-unknown --lib -- -D warnings
}

package() { bash wasm-tests/run.sh; }
conformance() { bash conformance/run.sh; }
browser() { bash wasm-tests/browser/run.sh; }
workers() { bash wasm-tests/workerd/run.sh; }
field() { bash wasm-tests/workerd/field.sh; }
exporter() {
  bash examples/blog/server/setup.sh &&
    examples/blog/server/.venv/bin/python python/runtests.py
}

step "native core" native
step "npm package (build, Node, TypeScript, workerd, Chromium)" package
step "conformance against real DRF" conformance
step "browser demo and playground" browser
if [ -f wasm-tests/workerd/run.sh ]; then step "Worker in workerd vs the sample DRF server" workers; fi
step "field: live data changes, CORS, bodies, faults (Worker vs DRF)" field
step "exporter on the sample DRF project" exporter

echo
echo "================ summary"
printf '%s\n' "${results[@]}"
passed=$(( ${#results[@]} - failed ))
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
