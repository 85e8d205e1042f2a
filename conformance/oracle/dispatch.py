"""URLconf, the per-case route dispatcher and the response recorder.

Every case gets its own viewset classes (built from its policy by `drfbuild`); the URLconf is
fixed and routes `/v/<view>/...` to the current case's views exactly as a DRF router would
(`ViewSet.as_view(mapping, **initkwargs)`)."""
from django.contrib.auth.backends import RemoteUserBackend
from django.http import HttpResponseNotFound
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

# Set by the executor before each request: {"routes": {(view, detail, action|None): view_fn}}
CURRENT = {"routes": {}}
# Filled while a request runs: the response before the test client touches it (HEAD bodies),
# and what authentication did.
OBSERVED = {}


class ExistingRemoteUserBackend(RemoteUserBackend):
    create_unknown_user = False


class RecorderMiddleware:
    """Outermost middleware: records the response exactly as the stack produced it (the test
    client empties HEAD bodies afterwards, as a web server would)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        OBSERVED["status"] = response.status_code
        OBSERVED["content"] = bytes(response.content) if not getattr(response, "streaming", False) else None
        OBSERVED["www"] = response.headers.get("WWW-Authenticate")
        OBSERVED["allow"] = response.headers.get("Allow")
        OBSERVED["content_type"] = response.headers.get("Content-Type")
        OBSERVED["headers"] = list(response.items())  # in order, as the server sends them
        OBSERVED["cookies"] = list(response.cookies)  # Set-Cookie (not in response.headers)
        return response


def _route(request, view, detail, action, pk=None):
    fn = CURRENT["routes"].get((view, detail, action))
    if fn is None:
        OBSERVED["no_route"] = True
        return HttpResponseNotFound(b"no route")
    OBSERVED["routed"] = True
    response = fn(request) if pk is None else fn(request, pk=pk)
    OBSERVED["view_returned"] = True  # DRF answered (else the view raised and Django did)
    OBSERVED["drf_vary"] = response.headers.get("Vary")  # DRF's own, before the middleware's
    return response


@csrf_exempt
def list_route(request, view):
    return _route(request, view, False, None)


@csrf_exempt
def list_action_route(request, view, action):
    return _route(request, view, False, action)


@csrf_exempt
def detail_route(request, view, pk):
    return _route(request, view, True, None, pk)


@csrf_exempt
def detail_action_route(request, view, pk, action):
    return _route(request, view, True, action, pk)


urlpatterns = [
    path("v/<str:view>/", list_route),
    path("v/<str:view>/x/<str:action>/", list_action_route),
    path("v/<str:view>/<str:pk>/", detail_route),
    path("v/<str:view>/<str:pk>/x/<str:action>/", detail_action_route),
]
