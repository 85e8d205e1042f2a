"""Third-party classes against the real packages: django-rest-knox's ``TokenAuthentication``,
djoser's ``CurrentUserOrAdmin`` / ``CurrentUserOrAdminOrReadOnly``, and djangorestframework-api-key's
``HasAPIKey`` (alone, composed with ``IsAuthenticated`` both ways, negated, a ``BaseHasAPIKey``
subclass with its own model and message, a key parser with its own keyword).

    python -m oracle.thirdparty [--seed S] [--cases N] [--out PATH]

A small DRF app uses the real classes (knox as DEFAULT_AUTHENTICATION_CLASSES, djoser's classes
on viewsets of the user model and of ``Widget``). Its policy is NOT written here: drf-gate's
exporter (``python/drfgate``, pure Python) exports it from the app, as it would for a user's
project, so the table of well-known classes and the knox settings are tested too. Then each spec
(an actor, a credential recipe, a view, an action, an object) runs through the real stack in a
rolled-back transaction and becomes a raw case of ``cases.json``'s format: the identities carry
each user's knox tokens as knox stores them (digest, token_key, expiry as epoch seconds), which
is what a resolver's ``knoxToken`` lookup answers; ``identities.apiKeys`` carries every API key
row (model label, prefix, hashed key, revoked, expiry), which is what an ``apiKey`` lookup answers.
Two configurations run: knox's defaults with ``Authorization: Api-Key <key>``, and knox's
``AUTH_HEADER_PREFIX = "Bearer"`` with ``hashlib.sha256`` and no expiry default, with
``API_KEY_CUSTOM_HEADER = "HTTP_X_API_KEY"`` (so a knox token and an API key travel together);
two small ones (``HASH_ONLY``) hash knox tokens with ``hashlib.sha224`` and ``hashlib.sha384``.

Specs on which the real server answers 500 (a token that is not UTF-8: knox's ``decode`` raises)
are listed under ``skipped``, as the main oracle does.
"""
import argparse
import base64
import json
import os
import random
import sys
import time
from datetime import timedelta

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REPO = os.path.dirname(HERE)
SECRET_KEY = "drf-gate-conformance-third-party-0123456789abcdef"

CONFIGS = {
    "default": {"REST_KNOX": {}},
    "bearer-sha256": {
        "REST_KNOX": {"AUTH_HEADER_PREFIX": "Bearer", "SECURE_HASH_ALGORITHM": "hashlib.sha256", "TOKEN_TTL": None},
        "API_KEY_CUSTOM_HEADER": "HTTP_X_API_KEY",
    },
    # The digests knox may hash tokens with that no other configuration uses (a few requests each).
    "sha224": {"REST_KNOX": {"SECURE_HASH_ALGORITHM": "hashlib.sha224"}},
    "sha384": {"REST_KNOX": {"SECURE_HASH_ALGORITHM": "hashlib.sha384"}},
}
HASH_ONLY = ("sha224", "sha384")

urlpatterns = []


def setup():
    import django
    from django.conf import settings

    settings.configure(
        DEBUG=False,
        SECRET_KEY=SECRET_KEY,
        ALLOWED_HOSTS=["testserver"],
        DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}},
        INSTALLED_APPS=[
            "django.contrib.auth",
            "django.contrib.contenttypes",
            "django.contrib.sessions",
            "rest_framework",
            "knox",
            "rest_framework_api_key",
            "oracle.testapp.apps.TestAppConfig",
            "oracle.apikeyapp.apps.ApiKeyAppConfig",
        ],
        MIDDLEWARE=[
            "django.middleware.security.SecurityMiddleware",
            "django.contrib.sessions.middleware.SessionMiddleware",
            "django.middleware.common.CommonMiddleware",
            "django.middleware.csrf.CsrfViewMiddleware",
            "django.contrib.auth.middleware.AuthenticationMiddleware",
        ],
        ROOT_URLCONF=__name__,
        AUTH_USER_MODEL="testapp.User",
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        REST_FRAMEWORK={
            "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
            "DEFAULT_AUTHENTICATION_CLASSES": ["knox.auth.TokenAuthentication"],
            "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
        },
        REST_KNOX={},
        USE_TZ=True,
        TIME_ZONE="UTC",
        LANGUAGE_CODE="en-us",
        MIGRATION_MODULES={"auth": None, "contenttypes": None, "sessions": None, "knox": None, "testapp": None,
                           "rest_framework_api_key": None, "apikeyapp": None},
        LOGGING_CONFIG=None,
        DEFAULT_AUTO_FIELD="django.db.models.AutoField",
    )
    django.setup()
    import logging

    logging.disable(logging.CRITICAL)
    from django.core.management import call_command

    call_command("migrate", run_syncdb=True, verbosity=0)
    urlpatterns.extend(_router().urls)


def _router():
    from djoser.permissions import CurrentUserOrAdmin, CurrentUserOrAdminOrReadOnly
    from knox.auth import TokenAuthentication as KnoxTokenAuthentication
    from rest_framework import authentication, permissions, routers, viewsets
    from rest_framework.response import Response
    from rest_framework_api_key.permissions import BaseHasAPIKey, HasAPIKey, KeyParser

    from .apikeyapp.models import OrgAPIKey

    from .testapp.models import User, Widget

    class Handlers(viewsets.GenericViewSet):
        """Every standard action; detail actions run get_object() (and so the object permissions)."""

        def list(self, request):
            return Response()

        def create(self, request):
            return Response()

        def retrieve(self, request, pk=None):
            self.get_object()
            return Response()

        def update(self, request, pk=None):
            self.get_object()
            return Response()

        def partial_update(self, request, pk=None):
            self.get_object()
            return Response()

        def destroy(self, request, pk=None):
            self.get_object()
            return Response()

    class Widgets(Handlers):
        queryset = Widget.objects.order_by("pk")

    class Users(Handlers):
        queryset = User.objects.order_by("pk")
        permission_classes = [CurrentUserOrAdmin]

    class Profiles(Handlers):
        queryset = User.objects.order_by("pk")
        permission_classes = [CurrentUserOrAdminOrReadOnly]

    class WidgetsReadOnly(Handlers):
        queryset = Widget.objects.order_by("pk")
        permission_classes = [CurrentUserOrAdminOrReadOnly]

    class Mixed(Handlers):
        queryset = Widget.objects.order_by("pk")
        authentication_classes = [authentication.BasicAuthentication, KnoxTokenAuthentication]
        permission_classes = [permissions.IsAuthenticatedOrReadOnly, CurrentUserOrAdmin]

    # djangorestframework-api-key, as its docs use it.
    class HasOrgAPIKey(BaseHasAPIKey):
        model = OrgAPIKey
        message = "An organisation API key is required."

    class KeyKeywordParser(KeyParser):
        keyword = "Key"

    class HasAPIKeyKeyword(HasAPIKey):
        key_parser = KeyKeywordParser()

    def keys_view(classes, authentication_classes=None):
        attrs = {"queryset": Widget.objects.order_by("pk"), "permission_classes": classes}
        if authentication_classes is not None:
            attrs["authentication_classes"] = authentication_classes
        return type("Keys", (Handlers,), attrs)

    api_views = {
        "keys": keys_view([HasAPIKey]),
        "keys-or-auth": keys_view([HasAPIKey | permissions.IsAuthenticated]),
        "auth-or-keys": keys_view([permissions.IsAuthenticated | HasAPIKey]),
        "auth-and-keys": keys_view([permissions.IsAuthenticated & HasAPIKey]),
        "not-keys": keys_view([~HasAPIKey]),
        "org-keys": keys_view([HasOrgAPIKey]),
        "keyword-keys": keys_view([HasAPIKeyKeyword]),
        "keys-open": keys_view([HasAPIKey], authentication_classes=[]),
    }
    router = routers.SimpleRouter()
    for prefix, viewset in (("widgets", Widgets), ("users", Users), ("profiles", Profiles),
                            ("widgets-ro", WidgetsReadOnly), ("mixed", Mixed), *api_views.items()):
        router.register(prefix, viewset, basename=prefix)
    return router


# --- specs ---------------------------------------------------------------------------------------
ACTIONS = {"list": ("GET", False), "create": ("POST", False), "retrieve": ("GET", True), "update": ("PUT", True),
           "partial_update": ("PATCH", True), "destroy": ("DELETE", True)}
VIEWS = ["widgets", "users", "profiles", "widgets-ro", "mixed"]
ACTORS = ["ann", "bob", "admin", "inactive", None]
USERS = {"ann": {"id": 1}, "bob": {"id": 2}, "admin": {"id": 3, "is_staff": True},
         "inactive": {"id": 4, "is_active": False}}
# How the actor's credential is presented ({token}: a live token without expiry, {expiring}: a
# live token with an expiry, {expired}: an expired token; {prefix}: AUTH_HEADER_PREFIX).
RECIPES = {
    "none": None,
    "valid": "{prefix} {token}",
    "expiring": "{prefix} {expiring}",
    "expired": "{prefix} {expired}",
    "inactive-user": "{prefix} {inactive_token}",
    "lower-scheme": "{prefix_lower} {token}",
    "tab": "{prefix}\t {token}",
    "no-credentials": "{prefix}",
    "no-credentials-space": "{prefix}  ",
    "spaces": "{prefix} {token} {token}",
    "unknown": "{prefix} " + "ab" * 32,
    "same-key-other-digest": "{prefix} {token_head}0000",
    "truncated": "{prefix} {token_head}",
    "utf8": "{prefix} caf\u00c3\u00a9",  # b'caf\xc3\xa9': valid UTF-8 ('café'), no such token
    "not-utf8": "{prefix} caf\u00e9",  # b'caf\xe9': knox's decode raises -> 500, skipped
    "foreign-scheme": "Foo {token}",
    "basic": "Basic {basic}",
    "basic-wrong": "Basic {basic_wrong}",
}


ANONYMOUS_RECIPES = ("none", "unknown", "utf8", "not-utf8", "no-credentials", "no-credentials-space", "inactive-user")

# djangorestframework-api-key: the views, and how a key is presented: (presentation, key). The
# presentation is how the key travels ("key": `<keyword> <key>` in Authorization, or the whole
# X-Api-Key header under API_KEY_CUSTOM_HEADER); the key names a row of run()'s (each run makes
# them anew: valid, expiring, expired, revoked, legacy (a Django password hash: the package
# re-hashes and saves it), latin1 (a secret with latin-1 characters), org (OrgAPIKey), org-same-prefix
# (an OrgAPIKey row with the valid APIKey's prefix and another secret)) or a made-up key.
API_VIEWS = ["keys", "keys-or-auth", "auth-or-keys", "auth-and-keys", "not-keys", "org-keys", "keyword-keys",
             "keys-open"]
API_COMPOSED = ("keys-or-auth", "auth-or-keys", "auth-and-keys")
API_RECIPES = {
    "none": None,
    "valid": ("key", "valid"),
    "expiring": ("key", "expiring"),
    "expired": ("key", "expired"),
    "revoked": ("key", "revoked"),
    "legacy": ("key", "legacy"),
    "latin1": ("key", "latin1"),
    "wrong-secret": ("key", "wrong-secret"),
    "unknown-prefix": ("key", "unknown-prefix"),
    "no-dot": ("key", "prefix"),
    "prefix-dot": ("key", "prefix-dot"),
    "other-model": ("key", "other-model"),
    "same-prefix-other-model": ("key", "org-same-prefix"),
    "trailing-space": ("key", "valid-space"),
    "lower-keyword": ("lower-keyword", "valid"),
    "keyword-only": ("keyword-only", "valid"),
    "tab": ("tab", "valid"),
    "double-space": ("double-space", "valid"),
    "empty": ("empty", "valid"),
    "scheme-in-header": ("scheme-in-header", "valid"),
    "authorization": ("authorization", "valid"),
}


def all_specs(seed):
    """Every (config, view, action, object) anonymously and with a live token (each user's under
    knox's defaults); then every other recipe once per (config, view), on an action, actor
    (the inactive user included) and object the seed picks."""
    rng = random.Random(seed)
    specs = []

    def add(config, view, action, actor, recipe, target, apikey="none"):
        specs.append({"config": config, "view": view, "action": action, "actor": actor, "recipe": recipe,
                      "target": target, "apikey": apikey})

    targets = lambda action: ["ann", "bob", "admin", "miss"] if ACTIONS[action][1] else [None]  # noqa: E731
    for config in CONFIGS:
        if config in HASH_ONLY:
            for action in ("list", "retrieve"):
                for target in targets(action):
                    for actor, recipe in ((None, "none"), ("ann", "valid"), ("admin", "valid"), ("ann", "expired")):
                        add(config, "widgets", action, actor, recipe, target)
            continue
        for view in VIEWS:
            for action in ACTIONS:
                for target in targets(action):
                    add(config, view, action, None, "none", target)
                    # Knox's defaults: every user; the other configuration: one the seed picks.
                    actors = ["ann", "bob", "admin"] if config == "default" else [rng.choice(["ann", "bob", "admin"])]
                    for actor in actors:
                        add(config, view, action, actor, "valid", target)
            for recipe in RECIPES:
                if recipe in ("none", "valid"):
                    continue
                action = rng.choice(list(ACTIONS))
                actor = None if recipe in ANONYMOUS_RECIPES else rng.choice(["ann", "bob", "admin", "inactive"])
                add(config, view, action, actor, recipe, rng.choice(targets(action)))
        # API keys: every (view, action, object) without a key and with a valid one; a knox token
        # alone on the compositions (and with a key under the custom header); then every other
        # way of presenting a key once per view. In the default configuration the key takes the
        # Authorization header, so no knox token travels with it.
        key_targets = lambda action: ["ann", "miss"] if ACTIONS[action][1] else [None]  # noqa: E731
        together = config != "default"
        for view in API_VIEWS:
            for action in ACTIONS:
                for target in key_targets(action):
                    add(config, view, action, None, "none", target, "none")
                    add(config, view, action, None, "none", target, "valid")
                    if view in API_COMPOSED or view == "not-keys":
                        actor = rng.choice(["ann", "admin"])
                        add(config, view, action, actor, "valid", target, "none")
                        if together:
                            add(config, view, action, actor, "valid", target, rng.choice(["valid", "wrong-secret"]))
            for apikey in API_RECIPES:
                if apikey in ("none", "valid") or (apikey == "authorization" and not together):
                    continue
                action = rng.choice(list(ACTIONS))
                actor = rng.choice([None, "ann", "inactive"]) if together else None
                add(config, view, action, actor, "none" if actor is None else "valid", rng.choice(key_targets(action)),
                    apikey)
    # Each again with `Accept` (`*/*` and `application/json` in turn), as generate.accept_twins
    # does for the main set: in workerd a request without `Accept` is the origin's (an empty line
    # may have been dropped), so without these its replay path would leave nearly every case to
    # the server. The twins follow the originals, whose ids stay as they were.
    specs += [dict(spec, accept="application/json" if n % 2 else "*/*") for n, spec in enumerate(specs)]
    for index, spec in enumerate(specs):
        accept = f"/accept={spec['accept']}" if "accept" in spec else ""
        spec["id"] = (f"thirdparty:{spec['config']}/{spec['view']}/{spec['action']}/{spec['actor']}/"
                      f"{spec['recipe']}/{spec['target']}/apikey={spec['apikey']}{accept}#{index}")
    return specs


# --- running a spec -------------------------------------------------------------------------------
class Skip(Exception):
    pass


def _epoch(value):
    return None if value is None else value.timestamp()


def _user_json(user):
    return {"id": user.id, "username": user.username, "isActive": user.is_active, "isStaff": user.is_staff,
            "isSuperuser": user.is_superuser, "permissions": [],
            "attributes": {"email_verified": user.email_verified, "level": user.level,
                           "department": user.department}}


def _object_json(obj):
    from .testapp.models import Widget

    if isinstance(obj, Widget):
        return {"id": obj.id, "pk": obj.pk, "owner": obj.owner_id, "owner_id": obj.owner_id,
                "published": obj.published, "title": obj.title}
    return {"id": obj.id, "pk": obj.pk, "username": obj.username, "is_staff": obj.is_staff,
            "is_active": obj.is_active}


def run(spec, policy):
    from django.db import transaction

    try:
        with transaction.atomic():
            return _run(spec, policy)
    except _Rollback as done:
        return done.result


class _Rollback(Exception):
    def __init__(self, result):
        self.result = result


def _run(spec, policy):
    from django.test import Client
    from knox.models import AuthToken
    from knox.settings import knox_settings

    from .testapp.models import User, Widget

    users, tokens = {}, {}
    for role, fields in USERS.items():
        user = User(username=role, **fields)
        user.set_password("pw-" + role)
        user.save()
        users[role] = user
        tokens[role] = {
            "token": AuthToken.objects.create(user, expiry=None)[1],
            "expiring": AuthToken.objects.create(user, expiry=timedelta(hours=1))[1],
            "expired": AuthToken.objects.create(user, expiry=timedelta(hours=-1))[1],
        }
    api_keys = _api_key_rows()
    # Widget pks equal user pks: CurrentUserOrAdmin compares pks across models, ...OrReadOnly does not.
    widget = Widget.objects.create(id=2, owner=users["ann"], title="w")
    view, action, actor = spec["view"], spec["action"], spec["actor"]
    method, detail = ACTIONS[action]
    objects_are_users = view in ("users", "profiles")
    target = spec["target"]
    obj = None
    if detail and target != "miss":
        obj = users[target] if objects_are_users else (widget if target == "ann" else
                                                     Widget.objects.create(id=1, owner=users[target], title="x"))
    pk = 999 if target == "miss" else (obj.pk if obj is not None else None)
    path = f"/{view}/" + (f"{pk}/" if detail else "")

    prefix = knox_settings.AUTH_HEADER_PREFIX
    own = tokens.get(actor, {"token": "", "expiring": "", "expired": ""})
    fill = {
        "prefix": prefix, "prefix_lower": prefix.lower(), "token": own["token"], "expiring": own["expiring"],
        "expired": own["expired"], "token_head": own["token"][:15], "inactive_token": tokens["inactive"]["token"],
        "basic": base64.b64encode(f"{actor}:pw-{actor}".encode()).decode(),
        "basic_wrong": base64.b64encode(f"{actor}:nope".encode()).decode(),
    }
    recipe = RECIPES[spec["recipe"]]
    headers = {} if recipe is None else {"Authorization": recipe.format(**fill)}
    headers.update(_api_key_headers(spec, api_keys))
    if "accept" in spec:
        headers["Accept"] = spec["accept"]
    client = Client(enforce_csrf_checks=True)
    meta = {"HTTP_" + name.upper().replace("-", "_"): value for name, value in headers.items()}
    # The rows as they are when the request arrives (knox deletes expired tokens as it reads them).
    identities = []
    for role, user in users.items():
        rows = AuthToken.objects.filter(user=user)
        identities.append({
            "user": _user_json(user), "password": "pw-" + role, "tokens": [], "sessions": [],
            "knoxTokens": [{"digest": t.digest, "tokenKey": t.token_key, "expiry": _epoch(t.expiry)} for t in rows],
        })
    # The API key rows as the request finds them (is_valid re-hashes a legacy row and saves it).
    api_key_rows = _api_key_json()
    # A context has no headers: the twin's would repeat the original's.
    statement = (_api_key_statement(spec, meta) if spec["actor"] is None and spec["view"] in API_VIEWS
                 and "accept" not in spec else None)
    now = time.time()
    try:
        response = client.generic(method, path, "", "application/octet-stream", **meta)
    except Exception as exc:  # noqa: BLE001 - the real server's 500
        raise Skip(f"DRF 500: {type(exc).__name__}: {str(exc)[:120]}")
    if response.status_code >= 500:
        raise Skip(f"DRF {response.status_code}")
    context = {"view": _view_name(policy, view), "action": action, "user": None, "authentication": None}
    if detail:
        context["object"] = _object_json(obj) if obj is not None else None
    case = {
        "id": spec["id"], "source": f"thirdparty:{spec['config']}", "policy": policy, "context": context,
        "raw": {"request": {"method": method, "path": path, "headers": headers, "cookies": {}, "meta": {},
                            "secure": False, "host": "testserver", "body": "", "contentType": None},
                "now": now, "identities": {"users": identities, "sessionCsrfSecrets": {}, "apiKeys": api_key_rows}},
        "expected": {"status": response.status_code, "body": response.content.decode("utf-8"),
                     "wwwAuthenticate": response.headers.get("WWW-Authenticate")},
    }
    if statement is not None:
        # The same request as a context: anonymous (no knox credential travels), and what the
        # real KeyParser and is_valid() say of its key per model (`apiKeys`).
        context_case = {key: value for key, value in case.items() if key != "raw"}
        context_case["id"] = spec["id"] + "/context"
        context_case["context"] = {**context, "apiKeys": statement}
        case["contextCase"] = context_case
    raise _Rollback(case)


def _api_key_rows():
    """The API key rows of one run, and the keys run() presents (see API_RECIPES)."""
    from django.contrib.auth.hashers import make_password
    from django.utils import timezone
    from rest_framework_api_key.crypto import KeyGenerator
    from rest_framework_api_key.models import APIKey

    from .apikeyapp.models import OrgAPIKey

    now = timezone.now()
    keys = {}
    keys["valid"] = APIKey.objects.create_key(name="valid")[1]
    keys["expiring"] = APIKey.objects.create_key(name="expiring", expiry_date=now + timedelta(hours=1))[1]
    keys["expired"] = APIKey.objects.create_key(name="expired", expiry_date=now - timedelta(hours=1))[1]
    keys["revoked"] = APIKey.objects.create_key(name="revoked", revoked=True)[1]
    legacy, keys["legacy"] = APIKey.objects.create_key(name="legacy")
    APIKey.objects.filter(pk=legacy.pk).update(hashed_key=make_password(keys["legacy"]))
    keys["latin1"] = "Lat1n5ab.s\u00e9cr\u00e8t-\u00ff\u00a0x"
    APIKey(id="Lat1n5ab.x", prefix="Lat1n5ab", hashed_key=KeyGenerator().hash(keys["latin1"]), name="latin1").save()
    keys["org"] = OrgAPIKey.objects.create_key(name="org")[1]
    prefix = keys["valid"].partition(".")[0]
    keys["org-same-prefix"] = prefix + ".another-secret-of-the-org"
    OrgAPIKey(id=prefix + ".y", prefix=prefix, hashed_key=KeyGenerator().hash(keys["org-same-prefix"]),
              name="same-prefix").save()
    keys["wrong-secret"] = prefix + ".wrong-secret-0123456789abcdef0"
    keys["unknown-prefix"] = "Zz9Zz9Zz.unknown-prefix-secret"
    keys["prefix"] = prefix
    keys["prefix-dot"] = prefix + "."
    keys["valid-space"] = keys["valid"] + " "
    return keys


def _api_key_statement(spec, meta):
    """`apiKeys` of the spec's request: for each model, whether the view's key parser reads a key
    that `model.objects.is_valid` accepts (the real package answers)."""
    from django.test import RequestFactory
    from rest_framework_api_key.models import APIKey
    from rest_framework_api_key.permissions import KeyParser

    from .apikeyapp.models import OrgAPIKey

    parser = KeyParser()
    parser.keyword = "Key" if spec["view"] == "keyword-keys" else "Api-Key"
    key = parser.get(RequestFactory().get("/", **meta))
    return {f"{model._meta.app_label}.{model._meta.object_name}": bool(key) and model.objects.is_valid(key)
            for model in (APIKey, OrgAPIKey)}


def _api_key_json():
    """Every API key row as an ``apiKey`` lookup answers it."""
    from rest_framework_api_key.models import APIKey

    from .apikeyapp.models import OrgAPIKey

    return [{"model": f"{model._meta.app_label}.{model._meta.object_name}", "prefix": row.prefix,
             "hashedKey": row.hashed_key, "revoked": row.revoked, "expiry": _epoch(row.expiry_date)}
            for model in (APIKey, OrgAPIKey) for row in model.objects.order_by("prefix")]


def _api_key_headers(spec, keys):
    """The header(s) carrying the spec's API key (none for ``none``)."""
    from django.conf import settings

    recipe = API_RECIPES[spec["apikey"]]
    if recipe is None:
        return {}
    how, name = recipe
    org = spec["view"] == "org-keys"
    if name == "valid":
        name = "org" if org else "valid"
    elif name == "other-model":
        name = "valid" if org else "org"
    key = keys[name]
    keyword = "Key" if spec["view"] == "keyword-keys" else "Api-Key"
    custom = getattr(settings, "API_KEY_CUSTOM_HEADER", None) is not None
    value = {
        "key": f"{keyword} {key}" if not custom else key,
        "lower-keyword": f"{keyword.lower()} {key}",
        "keyword-only": keyword,
        "tab": f"{keyword}\t{key}",
        "double-space": f"{keyword}  {key}",
        "empty": "" if custom else f"{keyword} ",
        "scheme-in-header": f"{keyword} {key}",
        "authorization": f"{keyword} {key}",
    }[how]
    if custom and how != "authorization":
        return {"X-Api-Key": value}
    return {"Authorization": value}


def _view_name(policy, prefix):
    for route in policy["routes"]:
        if route["pattern"].startswith(f"/{prefix}/"):
            return route["view"]
    raise KeyError(f"the exported policy has no route for /{prefix}/")


def export_policy():
    """drf-gate's exporter on this app (python/drfgate is pure Python; no compiled core needed)."""
    sys.path.insert(0, os.path.join(REPO, "python"))
    from drfgate.export import Exporter

    exporter = Exporter()
    policy = exporter.export()
    return policy, exporter.translation_report()


def check_api_key_exports():
    """The exporter on djangorestframework-api-key classes: the package's own code is recognised,
    custom code anywhere in the key check is refused with a located reason. Returns the failures."""
    from rest_framework_api_key.permissions import BaseHasAPIKey, HasAPIKey, KeyParser

    from drfgate.export import Exporter

    from .apikeyapp.models import LenientAPIKey, OrgAPIKey

    class WithMessage(HasAPIKey):
        message = "API key required."

    class OrgKeys(BaseHasAPIKey):
        model = OrgAPIKey

    class KeyKeyword(KeyParser):
        keyword = "Key"

    class WithKeyword(HasAPIKey):
        key_parser = KeyKeyword()

    class OwnHasPermission(HasAPIKey):
        def has_permission(self, request, view):
            return True

    class OwnGetKey(HasAPIKey):
        def get_key(self, request):
            return request.GET.get("api_key")

    class OwnParser(KeyParser):
        def get(self, request):
            return request.META.get("HTTP_KEY")

    class WithOwnParser(HasAPIKey):
        key_parser = OwnParser()

    class NoModel(BaseHasAPIKey):
        pass

    class Lenient(BaseHasAPIKey):
        model = LenientAPIKey

    expected = {HasAPIKey: "HasAPIKey", WithMessage: {"apiKey": {"model": "rest_framework_api_key.APIKey"},
                                                      "message": "API key required."},
                OrgKeys: {"apiKey": {"model": "apikeyapp.OrgAPIKey"}},
                WithKeyword: {"apiKey": {"model": "rest_framework_api_key.APIKey", "keyword": "Key"}},
                OwnHasPermission: None, OwnGetKey: None, WithOwnParser: None, NoModel: None, Lenient: None}
    failures = []
    for cls, want in expected.items():
        exporter = Exporter()
        name = exporter.permission_class(cls)
        problems = exporter.permission_problems.get(cls, [])
        if want is None:
            if not problems:
                failures.append(f"{cls.__name__}: custom code, but the exporter recognised it")
        elif problems:
            failures.append(f"{cls.__name__}: refused: {problems[0]}")
        elif want == "HasAPIKey":
            if name != "HasAPIKey":
                failures.append(f"{cls.__name__}: exported as {name}")
        elif exporter.permission_decls.get(name) != want:
            failures.append(f"{cls.__name__}: declared {exporter.permission_decls.get(name)}, expected {want}")
    refused = sum(1 for want in expected.values() if want is None)
    print(f"conformance (third-party): exporter: {len(expected) - refused} API key classes recognised, "
          f"{refused} with custom code refused, {len(failures)} wrong")
    for failure in failures:
        print(f"conformance (third-party): exporter: WRONG {failure}")
    return failures


def main(argv=None):
    parser = argparse.ArgumentParser()
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--out", default=os.path.join(HERE, "out", "thirdparty.json"))
    args = parser.parse_args(argv)
    seed = args.seed if args.seed is not None else random.SystemRandom().randrange(1, 2**31)
    started = time.time()
    setup()
    from django.test.utils import override_settings

    sys.path.insert(0, os.path.join(REPO, "python"))
    failures = check_api_key_exports()
    cases, skipped = [], []
    specs = all_specs(seed)
    for config, overrides in CONFIGS.items():
        with override_settings(**overrides):
            policy, report = export_policy()
            for line in report:
                print(f"conformance (third-party): [{config}] export: {line}")
            for spec in specs:
                if spec["config"] != config:
                    continue
                try:
                    case = run(spec, policy)
                    context_case = case.pop("contextCase", None)
                    cases.append(case)
                    if context_case is not None:
                        cases.append(context_case)
                except Skip as skip:
                    skipped.append({"id": spec["id"], "source": f"thirdparty:{config}", "reason": str(skip)})
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, "w", encoding="utf-8") as f:
        json.dump({"seed": seed, "cases": cases, "skipped": skipped}, f, ensure_ascii=False)
    statuses = {}
    for case in cases:
        statuses[case["expected"]["status"]] = statuses.get(case["expected"]["status"], 0) + 1
    print(f"conformance (third-party) oracle: seed {seed}, {len(cases)} cases from {len(specs)} specs in "
          f"{time.time() - started:.1f}s -> {os.path.relpath(args.out)}; statuses {dict(sorted(statuses.items()))}; "
          f"skipped {len(skipped)} ({', '.join(sorted({s['reason'].split(':')[0] for s in skipped})) or 'none'})")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
