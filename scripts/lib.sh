# Shared by drf-gate's shell scripts (source it): timed steps with a heartbeat, and a clear
# message naming a missing tool.
#
#   source "$root/scripts/lib.sh"; lib_name=demo
#   require node npm python3
#   timed "npm install (root workspace)" npm_install
#
# Lines go to stderr as `[name +SECONDS s] ...`, so scripts that print a result on stdout (such
# as setup scripts printing a Python path) keep it clean.

lib_name="${lib_name:-$(basename "${0:-drf-gate}" .sh)}"
lib_started="${lib_started:-$SECONDS}"

say() { printf '[%s +%ss] %s\n' "$lib_name" "$((SECONDS - lib_started))" "$*" >&2; }

# How to get each tool the scripts need; the scripts install everything else themselves.
tool_hint() {
  case "$1" in
    rustup | cargo | rustc) echo "install a Rust toolchain with rustup (https://rustup.rs), then open a new shell" ;;
    node | npm | npx) echo "install Node.js >= 20 with npm (your package manager, nvm, or nodejs.org)" ;;
    python3) echo "install Python 3 with venv (Debian/Ubuntu: apt-get install python3 python3-venv)" ;;
    *) echo "install $1" ;;
  esac
}

# require TOOL...: exits with a message naming the first missing tool.
require() {
  local tool
  for tool in "$@"; do
    if ! command -v "$tool" >/dev/null 2>&1; then
      printf '%s: `%s` is required but was not found: %s\n' "$lib_name" "$tool" "$(tool_hint "$tool")" >&2
      exit 127
    fi
  done
  if [[ " $* " == *" python3 "* ]] && ! python3 -c 'import venv, ensurepip' >/dev/null 2>&1; then
    printf '%s: python3 has no venv/ensurepip module: %s\n' "$lib_name" "$(tool_hint python3)" >&2
    exit 127
  fi
}

# timed LABEL COMMAND...: says when a step starts and how long it took; while it runs, a line
# every 30 s (so a long, quiet install is visibly alive). Returns the command's status.
timed() {
  local label="$1" started=$SECONDS status=0 ticker
  shift
  say "$label ..."
  (
    # The sleep is killed with the ticker: an orphan would hold the caller's pipes open.
    trap 'kill "$nap" 2>/dev/null; exit 0' TERM
    while :; do
      sleep 30 &
      nap=$!
      wait "$nap"
      say "... still running: $label ($((SECONDS - started)) s)"
    done
  ) &
  ticker=$!
  "$@" || status=$?
  kill "$ticker" 2>/dev/null
  wait "$ticker" 2>/dev/null
  if [ "$status" -eq 0 ]; then
    say "done: $label ($((SECONDS - started)) s)"
  else
    say "FAILED: $label ($((SECONDS - started)) s, exit $status)"
  fi
  return "$status"
}
