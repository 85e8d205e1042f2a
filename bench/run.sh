#!/usr/bin/env bash
# drf-gate benchmarks, one command: native core (criterion), Node against CASL / Casbin / Cedar-wasm
# / hand-written JS on the same rules and 10,000 requests, workerd, start-up, size, memory.
# Writes bench/results/*.json|txt and bench/RESULTS.md.
#
#   bash bench/run.sh
#
# Environment:
#   DRF_GATE_PKG   the npm package directory (default: <repo>/pkg, rebuilt with scripts/build.sh
#                  on every run; another directory must already be built)
#   ROUNDS         timing rounds, each engine in a fresh process per round (default 5)
#   START_RUNS     fresh processes per engine for start-to-first-decision (default 7)
#   SKIP_NATIVE=1  skip `cargo bench`
#   CRATE_DIR      where to run `cargo bench` (default: the repository; e.g. a clean checkout)
#   BENCH_NOTE     free text recorded in RESULTS.md (e.g. which commit the package was built from)
set -euo pipefail

bench="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$bench/.." && pwd)"
export DRF_GATE_PKG="$(cd "${DRF_GATE_PKG:-$root/pkg}" 2>/dev/null && pwd || echo "${DRF_GATE_PKG:-$root/pkg}")"
rounds="${ROUNDS:-5}"
start_runs="${START_RUNS:-7}"
results="$bench/results"
engines=(hand drfGate casl casbin cedar)

log() { printf '[bench %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
began=$(date +%s)

# 0. The package and the Node dependencies.
# The repository's own package is always rebuilt (incremental), so a stale dist/ is never timed.
if [[ "$DRF_GATE_PKG" == "$root/pkg" && -f "$root/scripts/build.sh" ]]; then
  log "building the package (scripts/build.sh)"
  bash "$root/scripts/build.sh"
elif [[ ! -f "$DRF_GATE_PKG/dist/node.mjs" ]]; then
  echo "run.sh: no built package at $DRF_GATE_PKG (dist/node.mjs); set DRF_GATE_PKG or build it" >&2
  exit 1
fi
# The engines compared (bench/node's package.json) come from the root npm workspace.
bash "$root/scripts/npm-install.sh"
rm -rf "$results"
mkdir -p "$results"

# 1. The machine, and its load before we start.
node -e '
const os = require("node:os"), fs = require("node:fs");
const cpu = (fs.readFileSync("/proc/cpuinfo", "utf8").match(/^model name\s*:\s*(.*)$/m) || [])[1] || os.cpus()[0]?.model;
console.log(JSON.stringify({ nproc: os.availableParallelism?.() ?? os.cpus().length, cpu, node: process.version,
  v8: process.versions.v8, loadBefore: os.loadavg(), started: new Date().toISOString(), pkg: process.env.DRF_GATE_PKG, note: process.env.BENCH_NOTE || null }));
' > "$results/machine.json"
log "load average: $(cut -d' ' -f1-3 /proc/loadavg)"

# 2. Native core: criterion (shortened warm-up/measurement to fit the time budget).
#    A crate that does not build, or a native check whose answers differ, stops the run.
if [[ "${SKIP_NATIVE:-0}" != 1 ]]; then
  log "cargo bench --bench decision (in ${CRATE_DIR:-$root})"
  if ! (cd "${CRATE_DIR:-$root}" && cargo bench --quiet --bench decision -- --warm-up-time 1 --measurement-time 3) \
    > "$results/criterion.txt" 2> "$results/criterion.log"; then
    tail -20 "$results/criterion.log" >&2
    log "cargo bench FAILED: stopping (no figures from a run that is not whole)"
    exit 1
  fi
fi

# 2b. Raw request with an HS256 JWT, natively (bench/native), on the case the package's jwt figure
#     times (bench/native/raw-case.json). It checks its own statuses first; its answers are
#     compared with the package's below.
if [[ "${SKIP_NATIVE:-0}" != 1 ]]; then
  log "native raw-request (JWT) timing (bench/native)"
  native="$(mktemp -d)"
  cp -r "$bench/native/." "$native/"
  sed -i "s|path = \"../..\"|path = \"${CRATE_DIR:-$root}\"|" "$native/Cargo.toml"
  if ! (cd "$native" && CARGO_TARGET_DIR="${CRATE_DIR:-$root}/target/bench-native" cargo run --quiet --release) \
    > "$results/native-jwt.json" 2> "$results/native-jwt.log"; then
    tail -20 "$results/native-jwt.log" >&2
    log "bench/native FAILED (it checks its own answers first): stopping"
    rm -rf "$native"
    exit 1
  fi
  rm -rf "$native"
fi

# 3. Agreement first: every engine, every mode, all 10,000 requests, one process. Fails loudly.
log "agreement check"
(cd "$bench/node" && node bench.mjs --agree-only)

# 4. Warm ns per check: each engine in a fresh process per round, rounds interleaved.
for ((round = 1; round <= rounds; round++)); do
  for engine in "${engines[@]}"; do
    log "timing round $round/$rounds: $engine"
    (cd "$bench/node" && node bench.mjs --only "$engine" --skip-agreement --rounds 1 --out "$results/node-$engine-$round.json" >/dev/null)
  done
done

# 4b. Where a drf-gate check spends its time across the JS/wasm boundary.
log "boundary breakdown"
(cd "$bench/node" && node breakdown.mjs) > "$results/breakdown.json"
# 4c. The raw request with an HS256 JWT through the package (one-pass protocol). It checks the
#     statuses, checkRequest against checkRequestSync, and every answer against the native core's
#     (byte for byte) before timing: any difference stops the run.
log "raw request with an HS256 JWT through the package (bench/node/raw.mjs)"
native_answers=()
[[ -s "$results/native-jwt.json" ]] && native_answers=(--native "$results/native-jwt.json")
if ! (cd "$bench/node" && node raw.mjs "${native_answers[@]}") > "$results/raw-jwt.json"; then
  log "bench/node/raw.mjs FAILED (its answers differ): stopping"
  exit 1
fi
#     The same through the Worker build (`drf-gate/worker`; its answers checked against the Node
#     build's), when the package has it.
if [[ -f "$DRF_GATE_PKG/dist/worker-node.mjs" ]]; then
  log "raw request through drf-gate/worker (bench/node/raw.mjs --build worker)"
  if ! (cd "$bench/node" && node raw.mjs --build worker "${native_answers[@]}") > "$results/raw-jwt-worker.json"; then
    log "bench/node/raw.mjs --build worker FAILED (its answers differ): stopping"
    exit 1
  fi
fi

# 5. Start-to-first-decision: fresh Node processes, interleaved. drf-gate has one row per entry
#    and policy form (start.mjs): the default entry with the JSON policy and with the compiled
#    policy (`npx drf-gate compile`, made once here, untimed), and drf-gate/runtime.
log "start-to-first-decision ($start_runs runs per row)"
(cd "$bench/node" && node start.mjs --prepare "$results/policy")
start_rows=(loader hand drfGate drfGateCompiled drfGateRuntime casl casbin cedar)
for ((run = 1; run <= start_runs; run++)); do
  for row in "${start_rows[@]}"; do
    (cd "$bench/node" && node start.mjs "$row" --policy-dir "$results/policy") >> "$results/start.jsonl"
  done
done

# 6. Memory after 1,000,000 checks (Cedar: 100,000, it would take minutes), one process each.
log "memory"
for mode in hand.can drfGate.can drfGate.canUser drfGate.canMany drfGate.check drfGate.checkMany drfGateRuntime.can drfGateRuntime.canUser drfGateRuntime.canMany drfGateRuntime.check drfGateCore.can drfGateCore.canUser drfGateCore.check drfGateWorker.can drfGateWorker.canUser drfGateWorker.canMany drfGateWorker.check drfGateWorker.checkMany raw.checkRequestSync raw.checkRequest rawWorker.checkRequestSync rawWorker.checkRequest casl.can casl.check casbin.can cedar.can; do
  checks=1000000
  [[ "$mode" == cedar.* ]] && checks=100000
  (cd "$bench/node" && node --expose-gc memory.mjs "$mode" "$checks") >> "$results/memory.jsonl"
done

# 7. workerd: warm checks, then what drf-gate adds to a cold isolate up to its first decision
#    (bench/workerd/start.mjs: fresh workerd processes against an empty Worker of the same shape).
log "workerd"
node "$bench/workerd/run.mjs" --rounds "$rounds" --out "$results/workerd.json" >/dev/null
log "workerd start (cold isolates)"
node "$bench/workerd/start.mjs" --rounds "$rounds" --out "$results/workerd-start.json" >/dev/null

# 8. Report.
node -e 'const os=require("node:os"),fs=require("node:fs"),f=process.argv[1],m=JSON.parse(fs.readFileSync(f,"utf8"));
m.loadAfter=os.loadavg();m.seconds=Number(process.argv[2]);fs.writeFileSync(f,JSON.stringify(m));' \
  "$results/machine.json" "$(( $(date +%s) - began ))"
node "$bench/report.mjs" "$results" > "$bench/RESULTS.md"
log "done in $(( $(date +%s) - began )) s: bench/RESULTS.md"
cat "$results/summary.txt"
