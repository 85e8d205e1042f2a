#!/usr/bin/env bash
# Creates conformance/.venv with the reference stack the oracle runs (real DRF).
# Idempotent: does nothing when the venv already has the pinned versions.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
venv="$here/.venv"
py="${PYTHON:-python3}"

requirements=(
  "Django>=5.2,<5.3"
  "djangorestframework>=3.18,<3.19"
  "djangorestframework-simplejwt>=5.5,<5.6"
  "django-guardian>=3,<4"
  "cryptography"
  # The JWT path emulates PyJWT's exact base64url/JSON behaviour (src/authentication/pybase64.rs):
  # pinned to the series it is tested against, as the sample server pins it.
  "PyJWT>=2.15,<2.16"
)

versions_ok() {
  [ -x "$venv/bin/python" ] || return 1
  "$venv/bin/python" - <<'EOF'
import sys
from importlib.metadata import version, PackageNotFoundError
want = {
    "Django": ((5, 2), (5, 3)),
    "djangorestframework": ((3, 18), (3, 19)),
    "djangorestframework-simplejwt": ((5, 5), (5, 6)),
    "django-guardian": ((3,), (4,)),
    "cryptography": ((0,), (10**6,)),
    "PyJWT": ((2, 15), (2, 16)),
}
for name, (lo, hi) in want.items():
    try:
        v = tuple(int(p) for p in version(name).split(".")[:3] if p.isdigit())
    except PackageNotFoundError:
        sys.exit(1)
    if not (lo <= v < hi):
        sys.exit(1)
EOF
}

if versions_ok; then
  exit 0
fi

echo "conformance/setup.sh: creating $venv" >&2
rm -rf "$venv"
"$py" -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check "${requirements[@]}"
versions_ok || { echo "conformance/setup.sh: installed versions do not match the pins" >&2; exit 1; }
"$venv/bin/python" -m pip list --disable-pip-version-check 2>/dev/null \
  | grep -Ei '^(django|djangorestframework|djangorestframework[-_]simplejwt|django[-_]guardian|cryptography|pyjwt) ' >&2 || true
