#!/usr/bin/env bash
# Regenerates every authentication test vector (tests/authentication_vectors/*.jsonl) from the
# real stack: DRF 3.18 / Django 5.2 / simplejwt 5.5 / PyJWT + cryptography at the versions
# python/constraints.txt pins, in the conformance venv (conformance/setup.sh makes it).
# The JWT keys (jwt_keys.json) are kept when present, so tokens stay comparable; ES* signatures
# are randomised by ECDSA and change on every run.
#
#   bash scripts/regen-vectors.sh        # then: cargo test --test authentication_jwt ...
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
lib_name=regen-vectors
# shellcheck source=scripts/lib.sh
source "$root/scripts/lib.sh"
require python3

timed "reference venv (conformance/setup.sh)" bash conformance/setup.sh
python="$root/conformance/.venv/bin/python"
vectors=tests/authentication_vectors
for generator in "$vectors"/gen_*.py; do
  timed "$generator" "$python" -W ignore "$generator" >/dev/null
done
wc -l "$vectors"/*.jsonl >&2
say "regenerated; check with: cargo test --test authentication_basic_token --test authentication_csrf --test authentication_jwt --test jwt_user_id --test edge_certainty --test routing"
