"""Generates routes.jsonl: which URL paths Django 5.2's resolver sends to which DRF view, for the
route forms DRF projects use (routers with the default, a custom and a converter lookup;
`path()` with each built-in converter; `re_path()`), and the policy drf-gate's exporter
(python/drfgate/export.py) writes for that URLconf. tests/routing.rs checks `Gate::route`
against it: a route the edge matches must be the one Django resolves, with the same parameters
(the edge answering for a URL Django does not resolve would replace Django's own 404 page).

Run: bash scripts/regen-vectors.sh (all the vector files, in the reference venv)
"""
import os
import sys

import jsonl

import django
from django.conf import settings

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(here, "..", "..", "python"))

settings.configure(
    SECRET_KEY="x" * 50, ALLOWED_HOSTS=["*"], USE_TZ=True, ROOT_URLCONF=__name__,
    DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}},
    INSTALLED_APPS=["django.contrib.auth", "django.contrib.contenttypes", "rest_framework"],
    REST_FRAMEWORK={"DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
                    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework.authentication.BasicAuthentication"],
                    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"]},
)
django.setup()
from django.contrib.auth.models import Group  # noqa: E402
from django.test import RequestFactory  # noqa: E402
from django.urls import Resolver404, include, path, re_path, resolve  # noqa: E402
from rest_framework import generics, routers, serializers, viewsets  # noqa: E402
from rest_framework.decorators import action  # noqa: E402
from rest_framework.response import Response  # noqa: E402


class GroupSerializer(serializers.ModelSerializer):
    class Meta:
        model = Group
        fields = ["id", "name"]


class Groups(viewsets.ModelViewSet):
    queryset = Group.objects.all()
    serializer_class = GroupSerializer

    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        return Response({})


class NumericGroups(Groups):
    lookup_value_regex = "[0-9]+"


class DigitGroups(Groups):
    lookup_value_regex = r"\d+"  # Python's \d also matches non-ASCII digits


class ConverterGroups(Groups):
    lookup_value_converter = "int"


class GroupDetail(generics.RetrieveUpdateDestroyAPIView):
    queryset = Group.objects.all()
    serializer_class = GroupSerializer


router = routers.DefaultRouter()
router.register("groups", Groups, basename="groups")
router.register("numeric", NumericGroups, basename="numeric")
router.register("digits", DigitGroups, basename="digits")
paths_router = routers.SimpleRouter(use_regex_path=False)
paths_router.register("converted", ConverterGroups, basename="converted")
paths_router.register("plain", Groups, basename="plain")
urlpatterns = [
    path("api/", include(router.urls)),
    path("api2/", include(paths_router.urls)),
    path("int/<int:pk>/", GroupDetail.as_view(), name="int"),
    path("slug/<slug:pk>/", GroupDetail.as_view(), name="slug"),
    path("str/<str:pk>/", GroupDetail.as_view(), name="str"),
    path("bare/<pk>/", GroupDetail.as_view(), name="bare"),
    path("uuid/<uuid:pk>/", GroupDetail.as_view(), name="uuid"),
    path("path/<path:pk>/", GroupDetail.as_view(), name="path"),
    re_path(r"^re/(?P<pk>[0-9]+)/$", GroupDetail.as_view(), name="re"),
    re_path(r"^redigits/(?P<pk>\d+)/$", GroupDetail.as_view(), name="redigits"),
]

from drfgate.export import Exporter  # noqa: E402

exporter = Exporter()
policy = exporter.export()
policy = {"views": policy["views"], "routes": policy["routes"], "renderers": policy["renderers"]}

PREFIXES = ["/api/groups/", "/api/numeric/", "/api/digits/", "/api2/converted/", "/api2/plain/", "/int/", "/slug/",
            "/str/", "/bare/", "/uuid/", "/path/", "/re/", "/redigits/"]
SEGMENTS = ["7", "007", "abc", "7.json", "a.b", "a-b_c", "12345678-1234-1234-1234-123456789abc",
            "12345678-1234-1234-1234-123456789ABC", "12345678123412341234123456789abc", "a/b", "-1", "%37", "%C3%A9",
            "\u00e9", "\u0663", "\uff17", "7 ", " 7", "+7", "0x1", "7%2F", "%2E", "..", "~", "7;x", "%00", "\n",
            "7\n", "%E9", "99999999999999999999999"]
factory = RequestFactory()
cases = []
for prefix in PREFIXES:
    for segment in SEGMENTS:
        for suffix in ("/", "", "/publish/"):
            url = prefix + segment + suffix
            path_info = factory.get(url.replace(" ", "%20").replace("\n", "%0A")).path_info
            try:
                match = resolve(path_info)
            except Resolver404:
                cases.append({"path": url, "django": None})
                continue
            view = match.func.initkwargs.get("basename") or match.url_name
            params = {k: str(v) for k, v in match.kwargs.items()}
            cases.append({"path": url, "django": {"view": view, "urlName": match.url_name, "params": params}})

jsonl.dump(os.path.join(here, "routes.jsonl"),
           {"policy": policy, "warnings": exporter.warnings, "cases": cases})
