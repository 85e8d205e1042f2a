#!/usr/bin/env bash
# Builds the npm package and tests it in three layers:
#   1. wasm-bindgen-test: the binding layer (src/wasm.rs) in Node;
#   2. node:test suites against the packed package as a consumer installs it (import, require,
#      TypeScript, errors, memory, README examples);
#   3. the same smoke test inside workerd (miniflare) and headless Chromium (playwright-core).
# Exits non-zero on any failure. Usage: bash wasm-tests/run.sh
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"

echo "== build"
bash "$root/scripts/build.sh"

echo "== npm dependencies of the tests (root workspace)"
bash "$root/scripts/npm-install.sh"

echo "== layer 1: wasm-bindgen-test (binding layer, in Node)"
(cd "$root" && cargo test --target wasm32-unknown-unknown --lib)

echo "== pack"
node "$here/pack.mjs"

echo "== layers 2 and 3: node:test (Node, TypeScript, README, workerd, Chromium)"
cd "$here"
node --expose-gc --test --test-reporter=spec --test-concurrency=1 node/
