#!/usr/bin/env bash
# The demo: builds the package if needed, serves the UI gating demo and the playground (www/),
# starts the sample DRF server (examples/blog/server) and the Worker in front of it
# (examples/blog/worker, in Miniflare), and prints curl lines to compare their answers.
#
#   ./scripts/demo.sh              # http://127.0.0.1:8080/www/, DRF :8000, Worker :8787
#   PORT=9000 DRF_PORT=8001 WORKER_PORT=8788 ./scripts/demo.sh
#
# Each part is one function below; `main` starts them in order and stops them all on exit.
# Needs Rust (rustup), Node >= 20 with npm, Python 3 with venv; installs the rest (README.md).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

PORT="${PORT:-8080}"
DRF_PORT="${DRF_PORT:-8000}"
WORKER_PORT="${WORKER_PORT:-8787}"
pids=()
demo_tmp=""

lib_name=demo
# shellcheck source=scripts/lib.sh
source "$root/scripts/lib.sh"
log() { say "$*"; }

cleanup() {
  local pid
  for pid in "${pids[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  wait 2>/dev/null || true
  if [[ -n "$demo_tmp" ]]; then rm -rf "$demo_tmp"; fi
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
  if [[ -f pkg/dist/web.js && -f pkg/dist/guard.js && -f pkg/dist/drf_gate_bg.wasm ]]; then
    log "package: pkg/dist/ present (rebuild with: bash scripts/build.sh)"
  else
    timed "package: building pkg/dist/ (scripts/build.sh; the first build takes minutes)" bash scripts/build.sh
  fi
}

# 2. The static server for www/ (demo + playground).
start_www() {
  start_service www '^serving http' env PORT="$PORT" node www/serve.mjs
  www_url="$service_url"
}

# 3. The sample DRF server (examples/blog/server, its own venv) on a fresh SQLite file in a temp
#    directory: migrate, seed_blog, and the Worker's KV data (users, tokens, sessions, objects).
start_drf_server() {
  local python
  python="$(timed "drf: the sample server's venv (examples/blog/server/setup.sh)" bash examples/blog/server/setup.sh)"
  demo_tmp="$(mktemp -d)"
  export BLOG_DB_PATH="$demo_tmp/blog.sqlite3"
  timed "drf: migrate + seed_blog into $BLOG_DB_PATH" seed_drf "$python"
  # Every change the server commits is pushed to the Worker's store (python/drfgate/sync.py, a
  # shared secret): its records stay current, so the Worker answers what rests on them.
  sync_secret="$(node -e 'process.stdout.write(require("node:crypto").randomBytes(24).toString("hex"))')"
  sync_url="http://127.0.0.1:$WORKER_PORT/__drfgate/sync"
  start_service drf 'Starting development server' \
    env DRFGATE_SYNC_URL="$sync_url" DRFGATE_SYNC_SECRET="$sync_secret" \
    "$python" examples/blog/server/manage.py runserver "127.0.0.1:$DRF_PORT" --noreload
  drf_url="${service_url%/}"
  drf_python="$python"
}

seed_drf() {
  local python="$1"
  (cd examples/blog/server \
    && "$python" manage.py migrate --verbosity 0 \
    && "$python" manage.py seed_blog > /dev/null \
    && "$python" manage.py worker_kv --sessions --output "$demo_tmp/kv.json" \
    && "$python" manage.py drfgate_export --include-secrets --output "$demo_tmp/policy-secrets.json") >&2
}

# 4. The blog's edge Worker (examples/blog/worker) in Miniflare (real workerd) in front of it.
start_worker() {
  bash scripts/npm-install.sh # miniflare and esbuild, from the root npm workspace
  local key
  key="$(node -p 'require(process.argv[1]).settings.jwt.signingKey' "$demo_tmp/policy-secrets.json")"
  # --records-current: one location, kept in step by the server's pushes (its DRFGATE_SYNC_URL is
  # this Worker's sync endpoint); then a full re-sync, as `manage.py drfgate_sync` does on deploy.
  start_service worker '^worker listening on' env JWT_SIGNING_KEY="$key" DRFGATE_SYNC_SECRET="$sync_secret" \
    node examples/blog/worker/dev.mjs --kv "$demo_tmp/kv.json" --origin "$drf_url" --port "$WORKER_PORT" --records-current
  worker_url="$service_url"
  timed "drf: drfgate_sync (the full data set pushed to the Worker)" \
    env BLOG_DB_PATH="$BLOG_DB_PATH" DRFGATE_SYNC_URL="$sync_url" DRFGATE_SYNC_SECRET="$sync_secret" \
    bash -c 'cd examples/blog/server && "$1" manage.py drfgate_sync' _ "$drf_python"
}

# What a newcomer can run against both: the same answers, and X-DRF-Gate says who gave it.
print_curls() {
  local bob="Authorization: Token bob-token0000000000000000000000000000000"
  local dave="Authorization: Token dave-token000000000000000000000000000000"
  echo
  echo "The same requests to DRF and to the Worker (X-DRF-Gate: respond = answered at the edge):"
  local base
  for base in "$drf_url" "$worker_url"; do
    echo "  curl -si -X POST $base/api/posts/                                  # 401, anonymous"
    echo "  curl -si -X DELETE $base/api/posts/1/ -H '$bob'   # 403, not bob's post"
    echo "  curl -si $base/api/posts/2/ -H '$bob'             # 404, alice's draft"
    echo "  curl -si -X POST $base/api/posts/1/publish/ -H '$dave'  # 403, e-mail not verified"
    echo "  curl -si $base/api/posts/                                           # 200, from DRF"
  done
  echo "The server pushes every change to the Worker's store (DRFGATE_SYNC), so the Worker answers the"
  echo "four denials itself, with DRF's bytes; change a post's owner or a user through the server (its"
  echo "API, admin or manage.py shell) and the Worker's next answer follows. Without the pushes it would"
  echo "forward what rests on a record (X-DRF-Gate: forward; reason=record-may-be-stale)."
}

main() {
  require rustup cargo node npm python3
  ensure_package
  start_www
  start_drf_server
  start_worker
  echo
  echo "drf-gate demo:       ${www_url}#demo"
  echo "drf-gate playground: ${www_url}#playground"
  echo "sample DRF server:   ${drf_url}/api/"
  echo "Worker in front:     ${worker_url}/api/   (Miniflare, examples/blog/worker)"
  print_curls
  echo "(Ctrl+C to stop)"
  wait
}

main "$@"
