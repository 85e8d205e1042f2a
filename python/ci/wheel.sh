#!/usr/bin/env bash
# The Python package as a user gets it: build the wheel (maturin, the Rust core inside), install it
# into a FRESH virtualenv (not the checkout, not editable), make a fresh Django project with one
# ViewSet (django-admin startproject + an app whose permission class has no drf-gate declaration:
# the exporter translates it), and run manage.py drfgate_check with the in-process core (no Node).
# Prints exactly: python: wheel installed, drfgate_check N requests, 0 disagreements
# then translates the corpus (python/corpus) with the installed package and prints
#   translate: N classes, N translated, N proved, N left to origin
#
#   bash python/ci/wheel.sh            # CARGO_TARGET_DIR defaults to the repository's target/
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target}"
lib_name=wheel
# shellcheck source=scripts/lib.sh
source "$root/scripts/lib.sh"
tools="$CARGO_TARGET_DIR/python-tools"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
before="$(git -C "$root" status --porcelain)"

if ! "$tools/bin/maturin" --version >/dev/null 2>&1; then
  python3 -m venv "$tools"
  "$tools/bin/pip" install --quiet --disable-pip-version-check "maturin>=1.5,<2"
fi
# The wheel carries python/LICENSE-* (maturin reads files inside the project): they must be the
# repository's licence texts, byte for byte.
for licence in LICENSE-MIT LICENSE-APACHE; do
  cmp -s "$root/$licence" "$root/python/$licence" || { echo "[wheel] python/$licence differs from $licence: copy it" >&2; exit 1; }
done
echo "[wheel] maturin build --release (target dir $CARGO_TARGET_DIR)"
build_wheel() { (cd "$root/python" && "$tools/bin/maturin" build --release --quiet --out "$tmp/dist"); }
timed "maturin build --release" build_wheel
wheel="$(ls "$tmp"/dist/*.whl)"
echo "[wheel] built $(basename "$wheel") ($(du -k "$wheel" | cut -f1) KB)"

python3 -m venv "$tmp/venv"
py="$tmp/venv/bin/python"
"$py" -m pip install --quiet --disable-pip-version-check -c "$root/python/constraints.txt" "$wheel" \
  -r "$root/examples/blog/server/requirements.txt"
# Installed, not the checkout's: the package and its compiled core come from site-packages.
"$py" - "$tmp/venv" <<'PY'
import sys, drfgate, drfgate.core as core
assert drfgate.__file__.startswith(sys.argv[1]), drfgate.__file__
assert core.available(), "drfgate._native missing from the wheel"
PY

cd "$tmp"
"$tmp/venv/bin/django-admin" startproject mysite .
"$py" manage.py startapp notes
cat > notes/models.py <<'PY'
from django.conf import settings
from django.db import models


class Note(models.Model):
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    title = models.CharField(max_length=100)
PY
cat > notes/permissions.py <<'PY'
from rest_framework import permissions


class IsOwnerOrReadOnly(permissions.BasePermission):
    """The textbook class, with no drf-gate declaration: the exporter translates it."""

    message = "Only the owner may change a note."

    def has_object_permission(self, request, view, obj):
        if request.method in permissions.SAFE_METHODS:
            return True
        return obj.owner == request.user
PY
cat > notes/views.py <<'PY'
from rest_framework import permissions, serializers, viewsets

from .models import Note
from .permissions import IsOwnerOrReadOnly


class NoteSerializer(serializers.ModelSerializer):
    class Meta:
        model = Note
        fields = ["id", "title"]


class NoteViewSet(viewsets.ModelViewSet):
    queryset = Note.objects.order_by("pk")
    serializer_class = NoteSerializer
    permission_classes = [permissions.IsAuthenticatedOrReadOnly, IsOwnerOrReadOnly]

    def perform_create(self, serializer):
        serializer.save(owner=self.request.user)
PY
cat > mysite/urls.py <<'PY'
from django.urls import include, path
from rest_framework.routers import DefaultRouter

from notes.views import NoteViewSet

router = DefaultRouter()
router.register("notes", NoteViewSet)
urlpatterns = [path("api/", include(router.urls))]
PY
cat >> mysite/settings.py <<'PY'

INSTALLED_APPS += ["rest_framework", "rest_framework.authtoken", "drfgate", "notes"]
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
}
PY
"$py" manage.py makemigrations notes -v 0
"$py" manage.py migrate -v 0
"$py" manage.py shell -c "
from django.contrib.auth.models import User
from notes.models import Note
a = User.objects.create_user('alice'); b = User.objects.create_user('bob')
Note.objects.create(owner=a, title='a'); Note.objects.create(owner=b, title='b')
"
"$py" manage.py drfgate_export --output policy.json
grep -q '"hasObjectPermission": "request.method in SAFE_METHODS or obj.owner == request.user"' policy.json
# Node is not needed: hide it.
PATH="$tmp/venv/bin:/usr/local/sbin:/usr/sbin:/sbin" "$py" manage.py drfgate_check > check.out 2> check.err || {
  cat check.out check.err; echo "[wheel] drfgate_check failed" >&2; exit 1; }
tail -n 3 check.out
summary="$(grep '^drfgate_check: ' check.out)"
requests="$(sed -E 's/^drfgate_check: ([0-9]+) requests, ([0-9]+) disagreements.*/\1/' <<<"$summary")"
disagreements="$(sed -E 's/^drfgate_check: ([0-9]+) requests, ([0-9]+) disagreements.*/\2/' <<<"$summary")"
[ "$disagreements" = 0 ] && [ "$requests" -gt 0 ]
after="$(git -C "$root" status --porcelain)"
if [ "$before" != "$after" ]; then
  echo "[wheel] the build left files in the checkout:" >&2
  diff <(echo "$before") <(echo "$after") >&2 || true
  exit 1
fi
echo "python: wheel installed, drfgate_check $requests requests, 0 disagreements"

# The translation corpus: the sample project's classes and the real permission classes of the
# packages in python/corpus/requirements.txt, each translation proved with the installed core.
"$py" -m pip install --quiet --disable-pip-version-check -r "$root/python/corpus/requirements.txt"
"$py" "$root/python/corpus/translate_corpus.py"
