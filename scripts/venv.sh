#!/usr/bin/env bash
# Makes, or brings up to date, a virtualenv whose packages are pinned by python/constraints.txt
# (the one place Python versions are pinned). Idempotent: nothing happens when the venv was
# made from the same constraints and arguments. Prints the venv's python on stdout; progress on
# stderr.
#
#   bash scripts/venv.sh DIR PIP_INSTALL_ARGS...
#   bash scripts/venv.sh conformance/.venv Django djangorestframework cryptography
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
lib_name="${lib_name:-venv}"
# shellcheck source=scripts/lib.sh
source "$root/scripts/lib.sh"
python="${PYTHON:-python3}"
require "$python"

if [ "$#" -lt 2 ]; then
  echo "usage: bash scripts/venv.sh DIR PIP_INSTALL_ARGS..." >&2
  exit 2
fi
venv="$1"
shift
constraints="$root/python/constraints.txt"
want="$(sha256sum "$constraints" | cut -d' ' -f1) $*"
# An editable install of python/ carries the compiled core (maturin builds src/ into it): a change
# to the Rust sources must rebuild it, so their content is part of what the venv was made from.
for arg in "$@"; do
  if [[ "$arg" == "$root/python" ]]; then
    want+=" core:$(cd "$root" && git ls-files -z src Cargo.toml Cargo.lock alloc python/native | xargs -0 sha256sum | sha256sum | cut -c1-16)"
  fi
done
# One install per venv at a time (scripts/test.sh makes the conformance venv in the background
# while the native build runs): a second caller waits here, then finds the stamp. The venv's
# parent directory is the lock.
mkdir -p "$(dirname "$venv")"
if command -v flock >/dev/null 2>&1; then
  exec 9<"$(dirname "$venv")"
  flock 9
fi
stamp="$venv/.drf-gate-installed"
if [[ -x "$venv/bin/python" && -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
  echo "$venv/bin/python"
  exit 0
fi
if [[ ! -x "$venv/bin/python" ]]; then
  timed "$python -m venv $venv" "$python" -m venv "$venv" >&2
fi
timed "pip install -c python/constraints.txt into $venv: $*" \
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -c "$constraints" "$@" >&2
printf '%s\n' "$want" > "$stamp"
echo "$venv/bin/python"
