#!/usr/bin/env bash
# Every test: native core, conformance against real DRF, the built package in Node, workerd and
# Chromium. Installs whatever is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== native core: cargo test"
cargo test --all-targets
cargo test --doc
cargo clippy --all-targets -- -D warnings
