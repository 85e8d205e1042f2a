#!/usr/bin/env bash
# Every test of drf-gate, from a fresh clone. Needs a Rust toolchain with rustup, Node >= 20 with
# npm, and Python 3 with venv; installs what else is missing (the wasm32 target, the pinned
# wasm-bindgen CLI, the root npm workspace, pip packages in virtualenvs, Debian's chromium) and
# runs:
#   0. hygiene: rustfmt (crate, fuzz/, bench/native, python/native), no import cycle in src/, one npm
#      lockfile with one version of each tool, each cargo feature built alone
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
lib_name=test
# shellcheck source=scripts/lib.sh
source "$root/scripts/lib.sh"
require rustup cargo node npm python3

# Downloads overlap the native build: the root npm workspace (`npm ci`) and the conformance venv
# (pip) are installed in the background while cargo builds. Both scripts are idempotent and take a
# lock, so the step that needs one waits for it or finds it made; if the background install
# failed, that step runs it again and shows why (its own output: target/prefetch.log).
mkdir -p "$root/target"
(bash scripts/npm-install.sh && bash conformance/setup.sh) >"$root/target/prefetch.log" 2>&1 &
prefetch=$!

results=()
failed=0
step() {
  local name="$1"
  shift
  echo
  echo "================ $name"
  say "step: $name"
  local started=$SECONDS
  if "$@"; then
    results+=("ok      $name ($((SECONDS - started)) s)")
  else
    results+=("FAILED  $name ($((SECONDS - started)) s)")
    failed=$((failed + 1))
  fi
}

# rustfmt.toml at the root applies to the three crates.
formatting() {
  timed "cargo fmt --check (crate)" cargo fmt --check &&
    timed "cargo fmt --check (fuzz/)" cargo fmt --check --manifest-path fuzz/Cargo.toml &&
    timed "cargo fmt --check (bench/native)" cargo fmt --check --manifest-path bench/native/Cargo.toml &&
    timed "cargo fmt --check (python/native)" cargo fmt --check --manifest-path python/native/Cargo.toml
}

# No import cycles among the modules of src/ (the checker first proves it catches one).
cycles() { python3 scripts/check-cycles.py --self-test && python3 scripts/check-cycles.py; }

# One npm lockfile (the root's), every package.json in the workspace, one version of each tool.
npm_workspace() { node scripts/check-npm.mjs --self-test; }

# Each feature alone on top of the core build: a feature that only compiles with another one
# enabled is caught here. `compiler` alone is the core build, which the native step's clippy
# already checks with exactly these flags.
features() {
  local feature failed=0
  for feature in edge jwt-rsa jwt-es256 jwt-es384 jwt-ecdsa; do
    timed "cargo check --no-default-features --features $feature" \
      cargo check --lib --no-default-features --features "$feature" || failed=1
  done
  [ "$failed" -eq 0 ]
}

# The Worker build (`drf-gate/worker`: edge without the compiler) natively: its unit tests and its
# raw-request outcomes against the full edge build's (tests/worker.rs), then clippy as it ships.
worker_build() {
  timed "cargo test (worker build)" cargo test --no-default-features --features edge --lib --test worker &&
    timed "clippy (worker build, wasm32)" cargo clippy --no-default-features --features edge --target wasm32-unknown-unknown --lib -- -D warnings
}

# Doctests compiled into one binary per build (rustdoc's --merge-doctests, edition 2024's default;
# unstable on our edition 2021, hence the wrapper) instead of one binary each: ~180 doctests cost
# 97 CPU s to link one by one, 6 merged. A doctest that cannot be merged is a hard error: mark it
# `standalone_crate`. Same tests, same count.
doctests() {
  RUSTDOC="$root/scripts/rustdoc-merged.sh" RUSTDOCFLAGS="-Zunstable-options --merge-doctests=yes" cargo test --doc "$@"
}

native() {
  timed "cargo test (default features)" cargo test --all-targets && timed "cargo test --doc" doctests &&
    timed "clippy" cargo clippy --all-targets -- -D warnings &&
    rustup target add wasm32-unknown-unknown >/dev/null 2>&1 &&
    timed "clippy (wasm32)" cargo clippy --target wasm32-unknown-unknown --lib -- -D warnings &&
    # The core build: the compiler without edge authentication.
    timed "cargo test (core build)" cargo test --no-default-features --features compiler --all-targets &&
    timed "cargo test --doc (core build)" doctests --no-default-features --features compiler &&
    timed "clippy (core build)" cargo clippy --no-default-features --features compiler --all-targets -- -D warnings &&
    timed "clippy (core build, wasm32)" cargo clippy --no-default-features --features compiler --target wasm32-unknown-unknown --lib -- -D warnings &&
    # The browser runtime (what browsers load): no compiler, no edge; loads compiled policies.
    timed "cargo test (runtime build)" cargo test --no-default-features --all-targets &&
    timed "clippy (runtime build)" cargo clippy --no-default-features --all-targets -- -D warnings &&
    timed "clippy (runtime build, wasm32)" cargo clippy --no-default-features --target wasm32-unknown-unknown --lib -- -D warnings
}

package() { bash wasm-tests/run.sh; }
conformance() { bash conformance/run.sh; }
browser() { bash wasm-tests/browser/run.sh; }
workers() { bash wasm-tests/workerd/run.sh; }
field() { bash wasm-tests/workerd/field.sh; }
# Raw header lines (empty, repeated, folded, padded, latin-1, near the limits) through real
# workerd to the real sample server: the edge's answers against the origin's to what it forwards.
raw_lines() { bash wasm-tests/workerd/raw-lines.sh; }
# The guard in Node: certainty, bodies, request.user, forwardTo (run.sh installed its npm deps).
guard() { node --test wasm-tests/workerd/guard.test.mjs; }
# drf-gate/react, /vue and /svelte in Vite apps (SSR + hydration), five bundlers, six runtimes.
front_ends() {
  local status=0
  bash wasm-tests/frameworks/run.sh || status=1
  bash wasm-tests/bundlers/run.sh || status=1
  bash wasm-tests/runtimes/run.sh || status=1
  return $status
}
# Hostile input (issue 14): large, deep, slow and forged inputs through the package in Node and
# workerd (needs the built package), then every fuzz target for a bounded time.
adversarial() { bash wasm-tests/adversarial/run.sh; }
fuzz() { FUZZ_SECONDS="${FUZZ_SECONDS:-10}" bash fuzz/run.sh; }
exporter() {
  # setup.sh's `pip install -e python/` builds the compiled core (maturin) into target/ (setup.sh
  # sets it), where the wheel step finds it. The test classes run one process per core.
  bash examples/blog/server/setup.sh &&
    examples/blog/server/.venv/bin/python python/runtests.py --parallel "$(nproc 2>/dev/null || echo 1)"
}
python_wheel() { bash python/ci/wheel.sh; }
thirdparty() { bash conformance/thirdparty.sh; }

step "rustfmt (crate, fuzz/, bench/native, python/native)" formatting
step "no import cycle in src/" cycles
step "one npm lockfile, one version of each tool" npm_workspace
step "native core" native
step "cargo features one by one" features
step "worker build (edge without the compiler)" worker_build
step "npm package (build, Node, TypeScript, workerd, Chromium)" package
step "conformance against real DRF" conformance
step "conformance: third-party classes (knox, djoser, HasAPIKey) against the real packages" thirdparty
step "browser demo and playground" browser
step "front ends: React/Vue/Svelte apps, bundlers, runtimes" front_ends
if [ -f wasm-tests/workerd/run.sh ]; then step "Worker in workerd vs the sample DRF server" workers; fi
step "field: live data changes, CORS, bodies, faults (Worker vs DRF)" field
step "raw header lines in workerd (the edge vs the origin's answer to the forwarded request)" raw_lines
if [ -f wasm-tests/workerd/guard.test.mjs ]; then step "the guard in Node (drf-gate/guard)" guard; fi
step "adversarial inputs (Node, workerd)" adversarial
step "fuzz" fuzz
step "exporter on the sample DRF project" exporter
step "python package: wheel in a fresh virtualenv, fresh Django project" python_wheel

wait "$prefetch" 2>/dev/null

echo
echo "================ summary"
printf '%s\n' "${results[@]}"
passed=$(( ${#results[@]} - failed ))
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
