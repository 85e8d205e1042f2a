#!/usr/bin/env bash
# Creates conformance/.venv with the reference stack the oracle runs (real DRF), at the versions
# python/constraints.txt pins (the one place Python versions are pinned). Idempotent: does
# nothing when the venv was made from the same constraints. Progress goes to stderr.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"

# Names only: the versions are in python/constraints.txt.
requirements=(
  Django
  djangorestframework
  djangorestframework-simplejwt
  PyJWT
  django-guardian
  cryptography
  django-cors-headers
)

lib_name=conformance-setup bash "$root/scripts/venv.sh" "$here/.venv" "${requirements[@]}" >/dev/null
