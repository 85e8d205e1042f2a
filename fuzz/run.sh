#!/usr/bin/env bash
# Builds every fuzz target with libFuzzer (no cargo-fuzz, no nightly toolchain: stable rustc
# with RUSTC_BOOTSTRAP=1 for the coverage flags cargo-fuzz would pass), replays the saved
# crash inputs (fuzz/regressions/<target>/), then fuzzes each target for a bounded time.
#
#   bash fuzz/run.sh                      # CI: every target, FUZZ_SECONDS (default 10) each
#   FUZZ_SECONDS=1800 bash fuzz/run.sh    # a long run (30 min per target)
#   FUZZ_SECONDS=600 bash fuzz/run.sh request policy   # some targets only
#
# Targets run FUZZ_JOBS at a time (default: one per CPU core; each libFuzzer process is single-
# threaded, so each target still gets a whole core for its FUZZ_SECONDS): on CI's 2 cores, the
# 11 targets x 10 s take ~60 s instead of 110 s, with the same time and execs per target.
#
# Prints `fuzz: N targets, N execs, N crashes` and exits non-zero on any crash, timeout (an input
# slower than FUZZ_TIMEOUT seconds: quadratic behaviour) or out-of-memory. A crash leaves its
# input in fuzz/artifacts/<target>/: copy it to fuzz/regressions/<target>/ once fixed, so every
# later run replays it.
set -uo pipefail
cd "$(dirname "$0")"
seconds="${FUZZ_SECONDS:-10}"
timeout_s="${FUZZ_TIMEOUT:-10}"
rss_mb="${FUZZ_RSS_MB:-2048}"
triple="$(rustc -vV | sed -n 's/^host: //p')"

if ! command -v c++ >/dev/null 2>&1; then
  echo "fuzz: installing a C++ compiler (libFuzzer is C++)"
  if [ "$(id -u)" = 0 ]; then apt-get install -y -qq g++ >/dev/null; else sudo apt-get install -y -qq g++ >/dev/null; fi
fi

all_targets=$(sed -n 's/^name = "\(.*\)"$/\1/p' Cargo.toml | grep -v '^drf-gate-fuzz$')
targets="${*:-$all_targets}"

# What cargo-fuzz passes (minus ASan: the code under test is safe Rust): SanitizerCoverage for
# libFuzzer, debug assertions and overflow checks on. --target keeps these flags off build scripts.
flags="--cfg fuzzing -Cpasses=sancov-module -Cllvm-args=-sanitizer-coverage-level=4"
flags="$flags -Cllvm-args=-sanitizer-coverage-inline-8bit-counters -Cllvm-args=-sanitizer-coverage-pc-table"
flags="$flags -Cllvm-args=-sanitizer-coverage-trace-compares -Cdebug-assertions -Coverflow-checks"
echo "fuzz: building $(echo $targets | wc -w) targets"
if ! RUSTC_BOOTSTRAP=1 RUSTFLAGS="$flags" cargo build -q --release --bins --target "$triple"; then
  echo "fuzz: build failed"
  exit 1
fi
bin="target/$triple/release"

jobs="${FUZZ_JOBS:-$(nproc 2>/dev/null || echo 1)}"
[ "$jobs" -ge 1 ] 2>/dev/null || jobs=1
mkdir -p corpus artifacts logs

# fuzz_one TARGET: replays its saved regressions (a failure leaves logs/TARGET.regressions-failed),
# then fuzzes it; leaves logs/TARGET.log and the outcome in logs/TARGET.result (`ok EXECS` or
# `failed LINE`).
fuzz_one() {
  local target="$1" status execs seeds=()
  mkdir -p "corpus/$target" "artifacts/$target"
  rm -f "logs/$target.result" "logs/$target.regressions-failed"
  if [ -d "regressions/$target" ] && [ -n "$(ls -A "regressions/$target")" ]; then
    if ! "$bin/$target" -timeout="$timeout_s" -rss_limit_mb="$rss_mb" "regressions/$target"/* >"logs/$target.regressions" 2>&1; then
      touch "logs/$target.regressions-failed"
    fi
  fi
  [ -d "seeds/$target" ] && seeds=("seeds/$target")
  "$bin/$target" "corpus/$target" "${seeds[@]}" -max_total_time="$seconds" -timeout="$timeout_s" \
    -rss_limit_mb="$rss_mb" -max_len="${FUZZ_MAX_LEN:-65536}" -artifact_prefix="artifacts/$target/" \
    -print_final_stats=1 >"logs/$target.log" 2>&1
  status=$?
  execs=$(sed -n 's/^stat::number_of_executed_units: *\([0-9]*\).*/\1/p' "logs/$target.log" | tail -1)
  if [ "$status" -ne 0 ]; then
    echo "failed (exit $status): $(grep -m1 -E 'ERROR|panicked|deadly|timeout|out-of-memory' "logs/$target.log")" >"logs/$target.result"
  else
    echo "ok ${execs:-0}" >"logs/$target.result"
  fi
}

running=0
for target in $targets; do
  if [ "$running" -ge "$jobs" ]; then
    wait -n
    running=$((running - 1))
  fi
  fuzz_one "$target" &
  running=$((running + 1))
done
wait

# The summary, in target order.
total_execs=0
crashes=0
count=0
for target in $targets; do
  count=$((count + 1))
  result="$(cat "logs/$target.result" 2>/dev/null || echo "failed: no result")"
  if [ -f "logs/$target.regressions-failed" ]; then
    echo "fuzz: $target: a saved regression input fails again (logs/$target.regressions)"
    crashes=$((crashes + 1))
  fi
  case "$result" in
    "ok "*)
      execs="${result#ok }"
      total_execs=$((total_execs + execs))
      echo "fuzz: $target: $execs execs in ${seconds} s, corpus $(ls "corpus/$target" | wc -l)"
      ;;
    *)
      crashes=$((crashes + 1))
      echo "fuzz: $target FAILED ${result#failed }"
      ls "artifacts/$target" 2>/dev/null | sed "s|^|  input: fuzz/artifacts/$target/|"
      ;;
  esac
done
echo "fuzz: $count targets, $total_execs execs, $crashes crashes"
[ "$crashes" -eq 0 ] && [ "$count" -ge 1 ]
