#!/usr/bin/env bash
# The demo: builds the package if needed and serves the UI gating demo and the playground (www/).
#
#   ./scripts/demo.sh              # http://127.0.0.1:8080/www/
#   PORT=9000 ./scripts/demo.sh
#
# Each part is one function below; `main` starts them in order and stops them all on exit.
# Later parts (the sample DRF server, the Worker in front of it) are added the same way.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

PORT="${PORT:-8080}"
pids=()

log() { printf '[demo] %s\n' "$*" >&2; }

cleanup() {
  local pid
  for pid in "${pids[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  wait 2>/dev/null || true
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Runs "$@" in the background (its output goes to the terminal too), records its pid, and waits
# until it prints a line matching $ready_pattern; sets $service_url to the first URL printed.
start_service() {
  local name="$1" ready_pattern="$2"
  shift 2
  local out
  out="$(mktemp)"
  "$@" > >(tee "$out") 2>&1 &
  local pid="$!" n
  pids+=("$pid")
  for n in $(seq 1 100); do
    if grep -qE "$ready_pattern" "$out"; then
      service_url="$(grep -oE 'https?://[^ ]+' "$out" | head -n 1)"
      rm -f "$out"
      return 0
    fi
    if ! kill -0 "$pid" 2>/dev/null; then
      log "$name exited before it was ready"
      cat "$out" >&2
      rm -f "$out"
      return 1
    fi
    sleep 0.1
  done
  log "$name did not start within 10 s"
  return 1
}

# 1. The npm package (pkg/dist/), built once; `bash scripts/build.sh` rebuilds it.
ensure_package() {
  if [[ -f pkg/dist/web.js && -f pkg/dist/drf_gate_bg.wasm ]]; then
    log "package: pkg/dist/ present (rebuild with: bash scripts/build.sh)"
  else
    log "package: building pkg/dist/"
    bash scripts/build.sh
  fi
}

# 2. The static server for www/ (demo + playground).
start_www() {
  start_service www '^serving http' env PORT="$PORT" node www/serve.mjs
  www_url="$service_url"
}

# (Next: start_drf_server, start_worker — each sets its own *_url.)

main() {
  command -v node >/dev/null || { log "node is required (>= 18)"; exit 1; }
  ensure_package
  start_www
  echo
  echo "drf-gate demo:       ${www_url}#demo"
  echo "drf-gate playground: ${www_url}#playground"
  echo "(Ctrl+C to stop)"
  wait
}

main "$@"
