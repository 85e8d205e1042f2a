#!/usr/bin/env bash
# Makes examples/blog/server/.venv (the reference stack of requirements.txt + the drfgate helper
# from python/) unless it is already there and working. Idempotent; prints the venv's python.
#
#   bash examples/blog/server/setup.sh      # -> /…/examples/blog/server/.venv/bin/python
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
venv="$here/.venv"
python="$venv/bin/python"

if ! "$python" -c "import django, corsheaders, rest_framework, rest_framework_simplejwt, cryptography, drfgate" 2>/dev/null; then
  echo "[setup] creating $venv" >&2
  python3 -m venv "$venv"
  "$python" -m pip install --quiet --disable-pip-version-check \
    -r "$here/requirements.txt" cryptography -e "$here/../../../python" >&2
fi
echo "$python"
