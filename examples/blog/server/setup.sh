#!/usr/bin/env bash
# Makes examples/blog/server/.venv (the reference stack of requirements.txt + the drfgate helper
# from python/, at the versions python/constraints.txt pins) unless it is already there and up
# to date. Idempotent; prints the venv's python.
#
#   bash examples/blog/server/setup.sh      # -> /…/examples/blog/server/.venv/bin/python
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../../.." && pwd)"

# `-e python/` builds the compiled core (maturin, release) into the repository's target/, where
# python/ci/wheel.sh's `maturin build --release` finds it built: one build of the core for both
# (without this, pip's build went to python/native/target and the wheel built it again).
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target}"
# django-rest-knox: python/runtests.py adds it to INSTALLED_APPS, so that drfgate_check's knox
# test runs (it skipped in this venv, and so in CI). A pure-Python wheel; the server does not use it.
# django-guardian likewise, for drfgate_check's object-permission test (DjangoObjectPermissions),
# and django-filter for the exporter's filter-backend test (DjangoFilterBackend's filterParams).
lib_name=blog-setup exec bash "$root/scripts/venv.sh" "$here/.venv" \
  -r "$here/requirements.txt" cryptography django-rest-knox django-guardian django-filter -e "$root/python"
