"""Runs one case spec through real DRF and turns it into a conformance case.

A spec says who exists (users, perms, groups, object perms, the object), which view/route/method
is requested, and either which authentication class should authenticate the actor (a resolved
case) or a raw request recipe (a raw case). The database state lives in a transaction that is
rolled back after the case. The context is built from the database and from what DRF actually
did (which authenticator succeeded), never from the spec's intent."""
import base64
import contextlib
import json
import os
import re
import time
import traceback

import jwt as pyjwt
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.test import Client
from django.test.utils import override_settings
from guardian.shortcuts import assign_perm, get_group_perms, get_user_perms
from rest_framework import exceptions
from rest_framework.authtoken.models import Token
from rest_framework.permissions import SAFE_METHODS
from rest_framework_simplejwt import state as _jwt_state  # noqa: F401  before any override (see simplejwt_state)
from rest_framework_simplejwt.tokens import AccessToken, RefreshToken

from . import dispatch, drfbuild
from .djsetup import CSRF_SECRET, SECRET_KEY
from .testapp.models import Gadget, Widget

User = get_user_model()
MODELS = {"testapp.Widget": Widget, "testapp.Gadget": Gadget}
USER_ATTRS = ("email_verified", "level", "department")
_perm_cache = {}


class Skip(Exception):
    """The case cannot be made (e.g. DRF itself answers 500); recorded, not emitted."""


def _perm(name):
    if name not in _perm_cache:
        app, codename = name.split(".", 1)
        _perm_cache[name] = Permission.objects.get(content_type__app_label=app, codename=codename)
    return _perm_cache[name]


def _jsonable(value):
    return json.loads(json.dumps(value))


# --- database state ----------------------------------------------------------------------------
def _make_user(spec):
    user = User(
        id=spec["id"], username=spec["username"], is_active=spec.get("is_active", True),
        is_staff=spec.get("is_staff", False), is_superuser=spec.get("is_superuser", False),
        email_verified=spec.get("email_verified", False), level=spec.get("level", 0),
        department=spec.get("department", ""), uuid=spec.get("uuid"),
    )
    user.set_password(spec.get("password", "pw"))
    user.save()
    if spec.get("perms"):
        user.user_permissions.add(*[_perm(p) for p in spec["perms"]])
    if spec.get("groupPerms"):
        group = Group.objects.create(name=f"g{spec['id']}")
        group.permissions.add(*[_perm(p) for p in spec["groupPerms"]])
        user.groups.add(group)
    return user


def _make_objects(spec, users):
    ospec = spec.get("object")
    if not ospec:
        return None, None
    model = MODELS[spec["policy"]["views"][spec["view"]]["model"]]
    obj = None
    if ospec.get("exists", True):
        owner = users.get(ospec.get("owner")) if ospec.get("owner") else None
        obj = model.objects.create(id=ospec["id"], owner=owner, published=ospec.get("published", False),
                                   title=ospec.get("title", ""))
    other = None
    for role, user in users.items():
        uspec = spec["users"][role]
        if obj is not None:
            for p in uspec.get("objPerms", []):
                assign_perm(p, user, obj)
            if uspec.get("groupObjPerms"):
                group, _ = Group.objects.get_or_create(name=f"og{uspec['id']}")
                user.groups.add(group)
                for p in uspec["groupObjPerms"]:
                    assign_perm(p, group, obj)
        if uspec.get("otherObjPerms"):
            if other is None:
                other = model.objects.create(id=ospec["id"] + 1000, owner=None, title="other")
            for p in uspec["otherObjPerms"]:
                assign_perm(p, user, other)
    return obj, other


def user_json(user, obj, other, form):
    perms = {f"{p.content_type.app_label}.{p.codename}" for p in user.user_permissions.all()}
    for group in user.groups.all():
        perms |= {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.all()}
    out = {
        "id": user.id, "username": user.username, "isActive": user.is_active, "isStaff": user.is_staff,
        "isSuperuser": user.is_superuser, "permissions": sorted(perms),
    }

    def object_perms(o):
        names = set(get_user_perms(user, o)) | set(get_group_perms(user, o))
        return sorted(f"{o._meta.app_label}.{c}" for c in names)

    if form == "map":
        by_pk = {}
        for o in (obj, other):
            if o is not None:
                by_pk[str(o.pk)] = object_perms(o)
        out["objectPermissions"] = by_pk
    elif obj is not None:
        out["objectPermissions"] = object_perms(obj)
    out["attributes"] = {a: getattr(user, a) for a in USER_ATTRS}
    return out


def token_user_json(token_user, claims):
    return {
        "id": token_user.id, "username": token_user.username, "isActive": True,
        "isStaff": token_user.is_staff, "isSuperuser": token_user.is_superuser, "permissions": [],
        "tokenUser": True, "attributes": {k: v for k, v in claims.items() if k in USER_ATTRS},
    }


def object_json(obj):
    owner = obj.owner
    return {
        "id": obj.id, "pk": obj.pk,
        "owner": None if owner is None else {
            "id": owner.id, "pk": owner.pk, "username": owner.username, "is_staff": owner.is_staff,
            "is_active": owner.is_active, "email_verified": owner.email_verified, "level": owner.level,
        },
        "owner_id": obj.owner_id, "published": obj.published, "title": obj.title,
    }


# --- credentials -------------------------------------------------------------------------------
def _b64(text):
    return base64.b64encode(text.encode("utf-8")).decode("ascii")


_OTHER_KEYS = {}


def _other_private_key(algorithm):
    """A key of the configured kind that the server does not trust (bad signatures)."""
    from cryptography.hazmat.primitives.asymmetric import ec, rsa
    kind = algorithm[:2]
    if algorithm not in _OTHER_KEYS:
        if kind == "RS" or kind == "PS":
            _OTHER_KEYS[algorithm] = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        elif algorithm == "ES384":
            _OTHER_KEYS[algorithm] = ec.generate_private_key(ec.SECP384R1())
        else:
            _OTHER_KEYS[algorithm] = ec.generate_private_key(ec.SECP256R1())
    return _OTHER_KEYS[algorithm]


def jwt_variant(user, variant, extra_claims=None):
    """A JWT for `user` under the case's SIMPLE_JWT: the real simplejwt token, or a deliberately
    broken one signed with the configured algorithm and key (unless the variant is about them)."""
    from rest_framework_simplejwt.settings import api_settings
    from rest_framework_simplejwt.state import token_backend

    now = int(time.time())
    if variant == "refresh":
        return str(RefreshToken.for_user(user))
    token = AccessToken.for_user(user)
    for k, v in (extra_claims or {}).items():
        token[k] = v
    payload = dict(token.payload)
    alg = token_backend.algorithm
    key = token_backend.prepared_signing_key
    hs = alg.startswith("HS")
    headers = None
    uid_claim = api_settings.USER_ID_CLAIM
    if variant in (None, "valid"):
        return str(token)
    if variant == "expired":
        payload["exp"] = now - 30
    elif variant == "expiring":  # within a 60 s LEEWAY
        payload["exp"] = now - 5
    elif variant == "noexp":
        payload.pop("exp")
    elif variant == "nojti":
        payload.pop("jti", None)
    elif variant == "notype":
        payload.pop("token_type", None)
    elif variant == "nouserid":
        payload.pop(uid_claim, None)
    elif variant == "unknownuser":
        payload[uid_claim] = "424242"
    elif variant == "intuserid":
        payload[uid_claim] = user.id
    elif variant == "nulluserid":
        payload[uid_claim] = None
    elif variant == "floatuserid":
        payload[uid_claim] = user.id + 0.0
    elif variant == "nextuserid":
        payload[uid_claim] = user.id + 1
    elif variant == "prevuserid":
        payload[uid_claim] = user.id - 1
    elif variant == "overflowuserid":  # just past the 64-bit range SQLite stores
        payload[uid_claim] = 2 ** 63 + user.id % 1000
    elif variant == "hugeuserid":  # past u64: drf-gate's claim becomes a float
        payload[uid_claim] = 2 ** 64 + user.id
    elif variant.startswith("userid="):  # an exact Python int, e.g. userid=18446744073709551617
        payload[uid_claim] = int(variant[len("userid="):])
    elif variant.startswith("orgclaim="):  # another int claim (a TokenUser attribute)
        payload["org"] = int(variant[len("orgclaim="):])
    elif variant == "spaceduserid":
        payload[uid_claim] = f" {user.id} "
    elif variant == "badsig":
        key = (SECRET_KEY + "-other") if hs else _other_private_key(alg)
    elif variant == "hs512":  # another algorithm than the configured one
        if hs:
            alg = "HS512" if alg != "HS512" else "HS256"
        else:
            alg = {"RS256": "RS384", "RS384": "RS512", "RS512": "RS256", "ES256": "ES384", "ES384": "ES256"}[alg]
            if alg.startswith("ES"):
                key = _other_private_key(alg)
    elif variant == "nbf":
        payload["nbf"] = now + 3600
    elif variant == "nbfsoon":  # within a 60 s LEEWAY
        payload["nbf"] = now + 20
    elif variant == "iat":
        payload["iat"] = now + 3600
    elif variant == "subint":
        payload["sub"] = 123
    elif variant == "jtiint":
        payload["jti"] = 7
    elif variant == "aud":
        payload["aud"] = "someone"
    elif variant == "audok":
        payload["aud"] = "drf-gate"
    elif variant == "audlist":
        payload["aud"] = ["other", "drf-gate"]
    elif variant == "iss":
        payload["iss"] = "https://issuer.example.com"
    elif variant == "issother":
        payload["iss"] = "https://evil.example.com"
    elif variant == "sliding":
        payload["token_type"] = "sliding"
    elif variant == "kidint":  # PyJWT refuses to encode a non-string kid: sign by hand
        from jwt.algorithms import get_default_algorithms
        algo = get_default_algorithms()[alg]

        def seg(value):
            return base64.urlsafe_b64encode(json.dumps(value, separators=(",", ":")).encode()).rstrip(b"=")
        signing_input = seg({"alg": alg, "typ": "JWT", "kid": 5}) + b"." + seg(payload)
        signature = algo.sign(signing_input, algo.prepare_key(key))
        return (signing_input + b"." + base64.urlsafe_b64encode(signature).rstrip(b"=")).decode()
    elif variant.startswith("tmpl="):  # a hand-written header/payload text (rawjwt.py)
        from . import rawjwt
        return rawjwt.build(variant[len("tmpl="):], user, alg, key, now, str(payload.get("jti", "")))
    elif variant == "algnone":
        return pyjwt.encode(payload, None, algorithm="none")
    elif variant == "garbage":
        return "abc.def.ghi"
    elif variant == "twosegments":
        return str(token).rsplit(".", 1)[0]
    else:
        raise ValueError(variant)
    return pyjwt.encode(payload, key, algorithm=alg, headers=headers)


_TOKEN_RE = re.compile(r"\{(\w+)(?::([^{}]*))?\}")
_B64_RE = re.compile(r"\[\[b64:(.*?)\]\]", re.S)


class Credentials:
    def __init__(self, users, actor):
        self.users = users
        self.actor = actor
        self.tokens = {}
        self.jwts = []

    def token(self, user):
        if user.pk not in self.tokens:
            self.tokens[user.pk] = Token.objects.create(user=user).key
        return self.tokens[user.pk]

    def expand(self, text):
        def sub(m):
            name, arg = m.group(1), m.group(2)
            if name == "username":
                return self.actor.username
            if name == "password":
                return self.actor_password
            if name == "token":
                return self.token(self.users[arg] if arg else self.actor)
            if name == "jwt":
                value = jwt_variant(self.actor, arg)
                self.jwts.append(value)
                return value
            if name == "uid":
                return str(self.actor.id)
            if name == "csrf":
                return CSRF_SECRET
            if name == "csrfmasked":
                from django.middleware.csrf import _mask_cipher_secret
                return _mask_cipher_secret(CSRF_SECRET)
            if name == "csrfminted":  # {csrfminted:N}: token N minted by drf-gate
                return minted_tokens()[int(arg)]["token"]
            if name == "csrfmintedsecret":
                return minted_tokens()[int(arg)]["secret"]
            raise ValueError(name)
        text = _TOKEN_RE.sub(sub, text)
        return _B64_RE.sub(lambda m: _b64(m.group(1)), text)


# --- running ---------------------------------------------------------------------------------
def route_action(actions, detail, route_action_name, method):
    """The action DRF dispatches to for this route and method (HEAD follows GET), or None."""
    m = method.upper()
    for name, a in actions.items():
        if a["detail"] != detail:
            continue
        if route_action_name is None and not a["standard"]:
            continue
        if route_action_name is not None and name != route_action_name:
            continue
        methods = set(a["methods"])
        if "GET" in methods:
            methods.add("HEAD")
        if m in methods:
            return name
    return None


class HarnessError(Exception):
    """The harness's own expectation failed (e.g. Django rejected a CSRF token drf-gate minted)."""


def run(spec):
    dispatch.OBSERVED.clear()
    from django.conf import settings as dj

    wanted = django_settings(spec["policy"].get("settings") or {})
    # The middleware family (oracle/middleware.py): settings.MIDDLEWARE and what it reads. The
    # test client builds a new handler per case, so the middleware is built under these.
    wanted.update(spec.get("djangoMiddleware") or {})
    if spec.get("withoutCommonMiddleware"):
        # A deployment without CommonMiddleware (optional in Django): a Host get_host() refuses
        # then reaches DRF, whose CSRF check reads get_host() (the policy's csrf.allowedHosts).
        wanted["MIDDLEWARE"] = [m for m in dj.MIDDLEWARE if m != "django.middleware.common.CommonMiddleware"]
    if "DISALLOWED_USER_AGENTS" in wanted:
        wanted["DISALLOWED_USER_AGENTS"] = [re.compile(p) for p in wanted["DISALLOWED_USER_AGENTS"]]
    overrides = {k: v for k, v in wanted.items() if getattr(dj, k, None) != v}  # signals are costly
    try:
        with override_settings(**overrides), (simplejwt_state() if "SIMPLE_JWT" in overrides
                                              else contextlib.nullcontext()), cors_signal(spec.get("corsSignal")):
            with transaction.atomic():
                try:
                    return _run(spec)
                finally:
                    transaction.set_rollback(True)
    finally:
        dispatch.CURRENT["routes"] = {}


@contextlib.contextmanager
def cors_signal(kind):
    """A receiver of django-cors-headers' `check_request_enabled` for the case (the middleware
    family): "never" answers False, "detail" True for detail routes only."""
    if kind is None:
        yield
        return
    from corsheaders.signals import check_request_enabled

    def receiver(sender, request, **kwargs):
        return kind == "detail" and request.path_info.count("/") > 3

    check_request_enabled.connect(receiver, weak=False, dispatch_uid="oracle-cors-signal")
    try:
        yield
    finally:
        check_request_enabled.disconnect(dispatch_uid="oracle-cors-signal")


# --- the policy's `settings`, as Django settings ----------------------------------------------------
_JWT_KEYS = {
    "algorithm": "ALGORITHM", "signingKey": "SIGNING_KEY", "verifyingKey": "VERIFYING_KEY",
    "audience": "AUDIENCE", "issuer": "ISSUER", "leeway": "LEEWAY", "authHeaderTypes": "AUTH_HEADER_TYPES",
    "authHeaderName": "AUTH_HEADER_NAME", "userIdClaim": "USER_ID_CLAIM", "userIdField": "USER_ID_FIELD",
    "tokenTypeClaim": "TOKEN_TYPE_CLAIM", "jtiClaim": "JTI_CLAIM", "checkUserIsActive": "CHECK_USER_IS_ACTIVE",
}
_TOKEN_CLASSES = {"AccessToken", "SlidingToken", "UntypedToken", "RefreshToken"}


def django_settings(settings):
    """Django settings overrides for a drf-gate policy's `settings` (docs/policy.md §5). The
    class-level options (token keyword, realms, the RemoteUser header) are applied by
    drfbuild.Builder."""
    out = {}
    csrf = settings.get("csrf") or {}
    for key, name in (("cookieName", "CSRF_COOKIE_NAME"), ("headerName", "CSRF_HEADER_NAME"),
                      ("trustedOrigins", "CSRF_TRUSTED_ORIGINS"), ("cookieDomain", "CSRF_COOKIE_DOMAIN"),
                      ("useSessions", "CSRF_USE_SESSIONS"), ("allowedHosts", "ALLOWED_HOSTS")):
        if key in csrf:
            out[name] = csrf[key]
    session = settings.get("session") or {}
    for key, name in (("cookieName", "SESSION_COOKIE_NAME"), ("cookieDomain", "SESSION_COOKIE_DOMAIN"),
                      ("engine", "SESSION_ENGINE")):
        if key in session:
            out[name] = session[key]
    if (settings.get("remoteUser") or {}).get("createUnknownUser"):
        # Django's own RemoteUserBackend (create_unknown_user = True) for the harness's one.
        from django.conf import settings as dj
        out["AUTHENTICATION_BACKENDS"] = [
            "django.contrib.auth.backends.RemoteUserBackend" if b.endswith("ExistingRemoteUserBackend") else b
            for b in dj.AUTHENTICATION_BACKENDS]
    jwt = settings.get("jwt") or {}
    simple = {}
    for key, value in jwt.items():
        if key in _JWT_KEYS:
            simple[_JWT_KEYS[key]] = value
        elif key == "authTokenClasses":
            simple["AUTH_TOKEN_CLASSES"] = [
                c if "." in c else f"rest_framework_simplejwt.tokens.{c}" for c in value]
        elif key not in ("realm", "userIdKind"):  # userIdKind: the model's field, checked in _run
            raise ValueError(f"settings.jwt.{key} has no SIMPLE_JWT equivalent in the harness")
    if "VERIFYING_KEY" in simple and not isinstance(simple["VERIFYING_KEY"], str):
        simple["VERIFYING_KEY"] = json.dumps(simple["VERIFYING_KEY"])
    from rest_framework_simplejwt.settings import DEFAULTS
    defaults = dict(DEFAULTS, SIGNING_KEY=SECRET_KEY)
    out["SIMPLE_JWT"] = {k: v for k, v in simple.items() if k not in defaults or defaults[k] != v}
    return out


@contextlib.contextmanager
def simplejwt_state():
    """simplejwt reads some settings once, at import: the token backend (state.token_backend) and
    AUTH_HEADER_TYPES (authentication.py). Rebuild them from the overridden settings for this
    case, and restore them afterwards."""
    from django.conf import settings as dj
    from rest_framework_simplejwt import authentication as jwt_authentication
    from rest_framework_simplejwt import state
    from rest_framework_simplejwt.backends import TokenBackend

    # simplejwt's reload_api_settings rebinds settings.api_settings, but every module imported
    # the original object by name: update that object in place.
    api_settings = jwt_authentication.api_settings

    def reset(user_settings):
        for attr in list(api_settings._cached_attrs):
            delattr(api_settings, attr)
        api_settings._cached_attrs.clear()
        api_settings._user_settings = user_settings

    saved_user = api_settings._user_settings
    reset(dict(dj.SIMPLE_JWT))
    saved = (state.token_backend, jwt_authentication.AUTH_HEADER_TYPES, jwt_authentication.AUTH_HEADER_TYPE_BYTES)
    types = api_settings.AUTH_HEADER_TYPES
    if not isinstance(types, (list, tuple)):
        types = (types,)
    jwt_authentication.AUTH_HEADER_TYPES = types
    jwt_authentication.AUTH_HEADER_TYPE_BYTES = {h.encode("iso-8859-1") for h in types}
    state.token_backend = TokenBackend(
        api_settings.ALGORITHM, api_settings.SIGNING_KEY, api_settings.VERIFYING_KEY, api_settings.AUDIENCE,
        api_settings.ISSUER, api_settings.JWK_URL, api_settings.LEEWAY, api_settings.JSON_ENCODER)
    try:
        yield
    finally:
        state.token_backend, jwt_authentication.AUTH_HEADER_TYPES, jwt_authentication.AUTH_HEADER_TYPE_BYTES = saved
        reset(saved_user)


_minted = None


def minted_tokens():
    """CSRF tokens minted by drf-gate's `mint_csrf_token` (conformance/replay.rs, DRF_GATE_MINT),
    passed in by main.py through DRF_GATE_MINTED."""
    global _minted
    if _minted is None:
        path = os.environ.get("DRF_GATE_MINTED")
        _minted = json.load(open(path, encoding="utf-8")) if path else []
    return _minted


def _in_queryset_emulation(exc):
    """Whether the exception came from drfbuild's `get_queryset` for a condition, which evaluates it
    on every object at once (a real QuerySet filter is lazy SQL and never raises AttributeError on a
    null owner): an artifact of the oracle, not a 500 a real server sends."""
    return any(frame.filename == "<queryset>" for frame in traceback.extract_tb(exc.__traceback__))


def check_user_id_kind(policy):
    """A policy's `settings.jwt.userIdKind` describes the user model's field: it must be what
    drf-gate's exporter reads from this model (python/drfgate/export.py `jwt_user_id_kind`)."""
    jwt = (policy.get("settings") or {}).get("jwt") or {}
    if "userIdKind" not in jwt:
        return
    import sys
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    if os.path.join(root, "python") not in sys.path:
        sys.path.insert(0, os.path.join(root, "python"))
    from drfgate.export import jwt_user_id_kind
    kind, _ = jwt_user_id_kind()
    if kind != jwt["userIdKind"]:
        raise ValueError(f"userIdKind {jwt['userIdKind']!r}, but the exporter reads {kind!r} for this field")


def _run(spec):
    policy = spec["policy"]
    builder = drfbuild.Builder(policy)
    vname = spec["view"]
    _, routes, actions = builder.build_view(vname)
    dispatch.CURRENT["routes"] = routes

    check_user_id_kind(policy)
    users = {role: _make_user(u) for role, u in spec.get("users", {}).items()}
    obj, other = _make_objects(spec, users)
    actor_role = spec.get("actor")
    actor = users.get(actor_role) if actor_role else None

    method = spec["method"]
    route = spec["route"]
    detail, raction = route["detail"], route.get("action")
    ospec = spec.get("object") or {}
    pk = ospec.get("id")
    path = f"/v/{vname}/"
    if detail:
        path += f"{pk}/"
    if raction:
        path += f"x/{raction}/"
    if (spec.get("raw") or {}).get("pathPercent"):
        path = path.replace(f"/v/{vname}/", f"/v/{vname[:2]}%{ord(vname[2]):02X}{vname[3:]}/", 1)
    if (spec.get("raw") or {}).get("query") is not None:
        path += "?" + spec["raw"]["query"]

    middleware = spec.get("djangoMiddleware") is not None
    # The middleware family: a middleware that raises is the origin's 500 page, which the edge
    # must leave to it (recorded, not dropped).
    client = Client(enforce_csrf_checks=True, raise_request_exception=not middleware)
    headers, extra, cookies = {}, {}, {}
    secure = False
    body, content_type = "", "application/octet-stream"
    if method in ("POST", "PUT", "PATCH"):
        body, content_type = "{}", "application/json"
    raw = spec.get("raw")
    creds = Credentials(users, actor)
    if actor is not None:
        creds.actor_password = spec["users"][actor_role].get("password", "pw")
    stateless_claims = {}
    auth_via = spec.get("authVia")

    if raw is None and auth_via is not None:
        kind = builder.auth_kind(auth_via)
        cls = builder.auth_class(auth_via)
        if kind == "session":
            from django.conf import settings as dj
            client.force_login(actor, backend="django.contrib.auth.backends.ModelBackend")
            if method not in ("GET", "HEAD", "OPTIONS", "TRACE"):
                if dj.CSRF_USE_SESSIONS:
                    _store_session_csrf(client)
                else:
                    cookies[dj.CSRF_COOKIE_NAME] = CSRF_SECRET
                extra[dj.CSRF_HEADER_NAME] = CSRF_SECRET
        elif kind == "basic":
            headers["Authorization"] = "Basic " + _b64(f"{actor.username}:{creds.actor_password}")
        elif kind == "token":
            headers["Authorization"] = f"{cls.keyword} {creds.token(actor)}"
        elif kind in ("jwt", "jwtStateless"):
            from rest_framework_simplejwt.settings import api_settings
            if kind == "jwtStateless":
                stateless_claims = dict(spec.get("jwtClaims", {}))
            headers["Authorization"] = f"{api_settings.AUTH_HEADER_TYPES[0]} " + jwt_variant(actor, None, stateless_claims)
        elif kind == "remoteUser":
            extra["REMOTE_USER"] = actor.username
        elif kind == "header":
            headers["X-Test-User"] = f"{auth_via} {actor.id}"
    elif raw is not None:
        if raw.get("login"):
            client.force_login(actor, backend="django.contrib.auth.backends.ModelBackend")
            if raw.get("sessionCsrf"):
                _store_session_csrf(client)
        for k, v in raw.get("headers", {}).items():
            headers[k] = creds.expand(v)
        for k, v in raw.get("cookies", {}).items():
            cookies[k] = creds.expand(v)
        for k, v in raw.get("meta", {}).items():
            extra[k] = creds.expand(v)
        if "body" in raw:
            body = raw["body"]
            content_type = raw.get("contentType", content_type)
            if "{" in body:
                body = creds.expand(body)
        secure = raw.get("secure", False)
    for k, v in cookies.items():
        client.cookies[k] = v

    sent_cookies = {k: m.value for k, m in client.cookies.items()}
    if raw is not None and "cookieHeader" in raw:  # the Cookie header as sent, parsed by Django and the edge
        from django.conf import settings as dj
        sid = client.cookies[dj.SESSION_COOKIE_NAME].value if dj.SESSION_COOKIE_NAME in client.cookies else ""
        headers["Cookie"] = creds.expand(raw["cookieHeader"].replace("<<sid>>", sid))
        sent_cookies = None
    now = time.time()  # the clock DRF reads (JWT exp/nbf/iat); the replay passes it as `now`
    crashed = None
    try:
        response = client.generic(method, path, body, content_type, secure=secure, headers=headers, **extra)
    except Exception as exc:  # DRF/Django raised: a 500 on a real server
        if not middleware and (not spec.get("raw") or _in_queryset_emulation(exc)):
            raise Skip(f"DRF 500: {type(exc).__name__}: {str(exc)[:120]}")
        # A raw request the server crashes on (an odd credential): only the origin can render its
        # 500, so the edge must forward it (`expected.forward`); it may never answer it.
        crashed = f"DRF 500 {type(exc).__name__}: {str(exc)[:80]}"
        # The middleware raised again in Django's 500 handler (CsrfViewMiddleware's
        # ImproperlyConfigured): the server's bare 500, which the edge must leave to it.
        dispatch.OBSERVED.update(status=500, content=b"", www=None, allow=None, content_type=None, headers=[],
                                 cookies=[])
        response = None
    if dispatch.OBSERVED.get("no_route"):
        raise Skip("no route for this request")
    status = dispatch.OBSERVED["status"]
    content = dispatch.OBSERVED["content"]
    origin_only = None
    if spec.get("forwardReason"):
        # DRF's answer here depends on the deployment (e.g. its stack depth): the edge must forward.
        origin_only = spec["forwardReason"]
    elif crashed and not middleware:
        origin_only = crashed
    elif any(name.startswith(prefix) for name in dispatch.OBSERVED.get("filter_query", ())
             for prefix in policy["views"][vname].get("filterParams", ())):
        # get_object() filtered by a parameter of the request (SearchFilter's `?search=`): DRF's
        # answer depends on rows the edge does not see, so the edge must leave it to the origin.
        origin_only = "get_object() filtered by " + ", ".join(dispatch.OBSERVED["filter_query"])
    elif middleware and status >= 500:
        origin_only = f"Django {status}"
    elif status >= 500:
        raise Skip(f"DRF {status}")
    elif middleware and dispatch.OBSERVED.get("cookies"):
        # Set-Cookie (a session deleted or saved, a new CSRF cookie): only the origin can send that.
        origin_only = "Set-Cookie " + ", ".join(sorted(dispatch.OBSERVED["cookies"]))
    if method != "HEAD" and response is not None and response.content != content:
        raise Skip("response body changed after the middleware stack")
    # A CORS preflight django-cors-headers answered before URL resolution (never routed).
    preflight = middleware and status == 200 and not dispatch.OBSERVED.get("routed")
    if not origin_only and status not in (200,) and dispatch.OBSERVED.get("content_type") not in (
            "application/json", None):
        if not (spec.get("originAnswers") and not dispatch.OBSERVED.get("view_returned")):
            raise Skip(f"non-JSON response {dispatch.OBSERVED.get('content_type')}")
        # Django answered, not DRF (its own 400 page for an exception DRF does not handle): only the origin can send that,
        # so the one right answer at the edge is to forward (replays: `expected.forward`).
        origin_only = f"Django {status} {dispatch.OBSERVED.get('content_type')}"
    expected = {"status": status, "body": content.decode("utf-8", "replace"), "wwwAuthenticate": dispatch.OBSERVED["www"]}
    if origin_only:
        expected["forward"] = origin_only
    elif middleware and (status != 200 or preflight):
        # Every header of the response as it leaves the outermost middleware, in order (names as
        # Django spells them): a denial or a preflight the edge answers must carry exactly these.
        expected["responseHeaders"] = [[name, value] for name, value in dispatch.OBSERVED["headers"]]
    elif status != 200:
        # Headers DRF sets and no middleware of the oracle's stack changes: the replays compare them.
        expected["headers"] = {name: value for name, value in (
            ("Content-Type", dispatch.OBSERVED.get("content_type")), ("Allow", dispatch.OBSERVED.get("allow")),
            ("Vary", dispatch.OBSERVED.get("drf_vary"))) if value is not None}
        # The order DRF sends them in (Content-Type from Response(), WWW-Authenticate from the
        # exception handler, then finalize_response's Vary and Allow): the replays compare it too.
        # A Vary only the oracle's middleware added (Cookie) is not DRF's: its place is left out.
        drf_names = set(expected["headers"]) | ({"WWW-Authenticate"} if dispatch.OBSERVED["www"] else set())
        expected["headerOrder"] = [name for name, _ in dispatch.OBSERVED["headers"] if name in drf_names]
    if spec.get("mustPassCsrf") and expected["body"].startswith('{"detail":"CSRF Failed'):
        raise HarnessError(f"Django rejected a CSRF token minted by drf-gate: {expected['body']}")

    # --- the context, from what DRF did -----------------------------------------------------------
    context = {"view": vname}
    action = route_action(actions, detail, raction, method)
    if raction:
        if action is None:
            # The action's route, a method it does not handle (or OPTIONS): the route's
            # initkwargs permissions run, then 405 (or the metadata answer).
            context["action"] = raction
            context["method"] = method
        else:
            context["action"] = action
            if method != actions[action]["methods"][0]:
                context["method"] = method
    elif spec.get("contextAction") and action is not None:
        context["action"] = action
        if method != actions[action]["methods"][0]:
            context["method"] = method
    else:
        context["method"] = method
        context["detail"] = detail
    get_object = action is not None and actions[action]["getObject"]

    observed = dispatch.OBSERVED.get("auth")
    form = spec.get("objectPermsForm", "list")
    note = None
    if raw is None:
        intended = ("succeeded", auth_via) if auth_via else ("none",)
        if observed is None:
            raise Skip("authentication never ran")
        if observed[0] == "succeeded" and intended[0] == "succeeded" and str(observed[2].pk) == str(actor.pk):
            # Usually auth_via; an earlier class accepting the same credential wins in DRF.
            context["authentication"] = {"succeeded": observed[1]}
            if builder.auth_kind(observed[1]) == "jwtStateless":
                context["user"] = token_user_json(observed[2], stateless_claims)
            else:
                context["user"] = user_json(actor, obj if get_object else None, other, form)
        elif observed[0] == "none" and intended[0] == "none":
            context["user"] = None
            context["authentication"] = {"none": True}
        else:
            # Credentials meant for one class were consumed by another: a raw case after all.
            note = f"intended {intended}, DRF: {observed[0]} {observed[1] if len(observed) > 1 else ''}"
            raw = {"derived": True}
    if raw is not None:
        context["user"] = None
        context["authentication"] = None
    if get_object and ospec.get("lookupError"):
        context["lookupError"] = True  # the URL's pk does not fit the field: a bare Http404
    elif get_object:
        context["object"] = object_json(obj) if obj is not None else None

    # The oracle's Django renders with JSONRenderer only (djsetup.py) unless the policy names its
    # renderers (drfbuild sets them on the view): the policy says so.
    if not policy.get("renderers"):
        policy = {**policy, "renderers": ["rest_framework.renderers.JSONRenderer"]}
    if middleware:
        # drf-gate's exporter, under the settings the case ran with (so it is checked too).
        policy = {**policy, "middleware": export_middleware()}
    case = {"id": spec["id"], "source": spec["source"], "policy": policy, "context": context, "raw": None,
            "expected": expected}
    if note:
        case["note"] = note
    if raw is not None:
        # SERVER_PORT (a spec's meta, else the test client's 443/80) is the raw request's
        # `port`: drf-gate leaves a check that turns on an unstated one to the origin.
        port = {"port": extra.get("SERVER_PORT") or ("443" if secure else "80")}
        case["raw"] = {
            "request": {"method": method, "path": path, "headers": headers, "cookies": sent_cookies,
                        "meta": {k: v for k, v in extra.items() if k != "SERVER_PORT"}, **port, "secure": secure,
                        "host": headers.get("Host", "testserver"), "body": body,
                        "contentType": content_type if body else None},
            "now": now,
            "identities": identities(spec, users, creds, obj, other, form),
        }
    twin = None
    if spec.get("noTwin") or crashed:
        pass
    elif (spec.get("acceptTwin") and raw is not None and raw.get("query") is None and "Accept" in raw.get("headers", {})
            and observed is not None and observed[0] == "none" and not expected.get("forward")):
        # RFC 2231 parameters included: the browser runtime leaves those to the server (replay.mjs
        # counts its 500 there as pending), every other path decides them.
        # The same anonymous request as a resolved case whose context carries the Accept header.
        context = dict(context, user=None, authentication={"none": True}, accept=headers["Accept"])
        twin = {"id": case["id"] + "/accept", "source": case["source"], "policy": policy, "context": context,
                "raw": None, "expected": expected}
    elif raw is not None and ("Accept" in raw.get("headers", {}) or raw.get("query") is not None):
        pass  # the response depends on more than authentication: no resolved twin
    elif raw is not None and observed is not None and observed[0] == "failed":
        twin = failed_twin(case, observed[1])
    elif raw is not None and observed is not None and observed[0] == "none":
        # DRF ignored the credentials (foreign scheme, inactive session user, ...): as a
        # resolved case the request is anonymous.
        context = dict(context, user=None, authentication={"none": True})
        twin = {"id": case["id"] + "/none", "source": case["source"], "policy": policy, "context": context,
                "raw": None, "expected": expected}
    return case, twin


def export_middleware():
    """The policy's `middleware` section, by drf-gate's exporter (python/drfgate, pure Python)."""
    import sys
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    if os.path.join(root, "python") not in sys.path:
        sys.path.insert(0, os.path.join(root, "python"))
    from drfgate.middleware import export_middleware as export
    return export()


def failed_twin(case, exc):
    """The same request as a resolved case: the context names the exception DRF's authenticator
    raised (exception class, detail, code), as observed."""
    if isinstance(exc, exceptions.AuthenticationFailed):
        kind = "AuthenticationFailed"
    elif isinstance(exc, exceptions.PermissionDenied):
        kind = "PermissionDenied"
    elif isinstance(exc, exceptions.ParseError):
        kind = "ParseError"
    else:
        return None
    detail = exc.detail
    code = getattr(detail, "code", None) or exc.default_code
    context = dict(case["context"])
    context["authentication"] = {"failed": {"exception": kind, "detail": _jsonable(detail), "code": code}}
    context["user"] = None
    return {"id": case["id"] + "/failed", "source": case["source"], "policy": case["policy"],
            "context": context, "raw": None, "expected": case["expected"]}


def identities(spec, users, creds, obj, other, form):
    """Everything a resolver needs to answer as this database would: per user, the user (as a
    context user), its password, token keys and session keys; each session's CSRF secret
    (CSRF_USE_SESSIONS). Settings are in the policy."""
    from django.contrib.sessions.models import Session

    sessions, secrets = {}, {}
    for s in Session.objects.all():
        data = s.get_decoded()
        uid = data.get("_auth_user_id")
        if uid is not None:
            sessions.setdefault(str(uid), []).append(s.session_key)
        if "_csrftoken" in data:
            secrets[s.session_key] = data["_csrftoken"]
    out = []
    for role, user in users.items():
        out.append({
            "user": user_json(user, obj, other, form),
            "password": spec["users"][role].get("password", "pw"),
            "tokens": [creds.tokens[user.pk]] if user.pk in creds.tokens else [],
            "sessions": sessions.get(str(user.pk), []),
        })
    result = {"users": out, "sessionCsrfSecrets": secrets,
              "customClasses": {"header": "X-Test-User", "format": "<ClassName> <user id>"}}
    lookups, found = user_id_lookups(spec, creds)
    if lookups:
        result["userIdLookups"] = lookups
        # A row the spec did not make (guardian's AnonymousUser: `uuid=None`, `id=True` find it).
        known = {user.pk for user in users.values()}
        out.extend({"user": user_json(user, obj, other, form), "password": None, "tokens": [], "sessions": []}
                   for user in found if user.pk not in known)
    return result


def user_id_lookups(spec, creds):
    """simplejwt's `User.objects.get(**{USER_ID_FIELD: claim})` for a USER_ID_FIELD the replays'
    resolvers do not emulate (not id/pk/username), or under a policy naming its `userIdKind`
    (every row counts: guardian's AnonymousUser is pk 1, `id=True` finds it): per JWT sent, the claim and the username this
    database finds (None when none matches, and when the field cannot take the claim: DRF's 500,
    where a resolver querying a database finds nothing); and the users found."""
    jwt = (spec["policy"].get("settings") or {}).get("jwt") or {}
    field = jwt.get("userIdField", "id")
    if field in ("id", "pk", "username") and "userIdKind" not in jwt:
        return [], []
    out, found_users = [], []
    for token in creds.jwts:
        try:
            segment = token.split(".")[1]
            claims = json.loads(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)))
            claim = claims[jwt.get("userIdClaim", "user_id")]
            json.dumps(claim, allow_nan=False)
        except (IndexError, ValueError, TypeError, KeyError):
            continue  # no claim this lookup could receive
        try:
            found = User.objects.get(**{field: claim})
            found_users.append(found)
        except Exception:  # noqa: BLE001  DoesNotExist, or ValidationError, TypeError, ...: the server's 500
            found = None
        out.append({"field": field, "id": claim, "username": found.username if found is not None else None})
    return out, found_users


def _store_session_csrf(client):
    """CSRF_USE_SESSIONS: the secret lives in the session, as CsrfViewMiddleware stores it."""
    session = client.session
    session["_csrftoken"] = CSRF_SECRET
    session.save()
