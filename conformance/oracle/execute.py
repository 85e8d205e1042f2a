"""Runs one case spec through real DRF and turns it into a conformance case.

A spec says who exists (users, perms, groups, object perms, the object), which view/route/method
is requested, and either which authentication class should authenticate the actor (a resolved
case) or a raw request recipe (a raw case). The database state lives in a transaction that is
rolled back after the case. The context is built from the database and from what DRF actually
did (which authenticator succeeded), never from the spec's intent."""
import base64
import json
import re
import time

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
from rest_framework_simplejwt.tokens import AccessToken, RefreshToken

from . import dispatch, drfbuild
from .djsetup import SECRET_KEY
from .testapp.models import Gadget, Widget

User = get_user_model()
MODELS = {"testapp.Widget": Widget, "testapp.Gadget": Gadget}
CSRF_SECRET = "AbCdEfGhIjKlMnOpQrStUvWxYz012345"  # 32 chars of [a-zA-Z0-9]
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
        department=spec.get("department", ""),
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


def jwt_variant(user, variant, extra_claims=None):
    """A JWT for `user`: the real simplejwt token, or a deliberately broken one."""
    now = int(time.time())
    if variant == "refresh":
        return str(RefreshToken.for_user(user))
    token = AccessToken.for_user(user)
    for k, v in (extra_claims or {}).items():
        token[k] = v
    payload = dict(token.payload)
    key, alg, headers = SECRET_KEY, "HS256", None
    if variant in (None, "valid"):
        return str(token)
    if variant == "expired":
        payload["exp"] = now - 30
    elif variant == "noexp":
        payload.pop("exp")
    elif variant == "nojti":
        payload.pop("jti")
    elif variant == "notype":
        payload.pop("token_type")
    elif variant == "nouserid":
        payload.pop("user_id")
    elif variant == "unknownuser":
        payload["user_id"] = "424242"
    elif variant == "intuserid":
        payload["user_id"] = user.id
    elif variant == "nulluserid":
        payload["user_id"] = None
    elif variant == "badsig":
        key = SECRET_KEY + "-other"
    elif variant == "hs512":
        alg = "HS512"
    elif variant == "nbf":
        payload["nbf"] = now + 3600
    elif variant == "iat":
        payload["iat"] = now + 3600
    elif variant == "subint":
        payload["sub"] = 123
    elif variant == "jtiint":
        payload["jti"] = 7
    elif variant == "aud":
        payload["aud"] = "someone"
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


def run(spec):
    dispatch.OBSERVED.clear()
    try:
        with transaction.atomic():
            try:
                return _run(spec)
            finally:
                transaction.set_rollback(True)
    finally:
        dispatch.CURRENT["routes"] = {}


def _run(spec):
    policy = spec["policy"]
    builder = drfbuild.Builder(policy)
    vname = spec["view"]
    _, routes, actions = builder.build_view(vname)
    dispatch.CURRENT["routes"] = routes

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

    client = Client(enforce_csrf_checks=True)
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
    settings_override = {}
    auth_via = spec.get("authVia")

    if raw is None and auth_via is not None:
        kind = builder.auth_kind(auth_via)
        cls = builder.auth_class(auth_via)
        if kind == "session":
            client.force_login(actor, backend="django.contrib.auth.backends.ModelBackend")
            if method not in ("GET", "HEAD", "OPTIONS", "TRACE"):
                cookies["csrftoken"] = CSRF_SECRET
                headers["X-CSRFToken"] = CSRF_SECRET
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
        for k, v in raw.get("headers", {}).items():
            headers[k] = creds.expand(v)
        for k, v in raw.get("cookies", {}).items():
            cookies[k] = creds.expand(v)
        for k, v in raw.get("meta", {}).items():
            extra[k] = creds.expand(v)
        if "body" in raw:
            body = raw["body"]
            content_type = raw.get("contentType", content_type)
        secure = raw.get("secure", False)
        settings_override = raw.get("settings", {})
    for k, v in cookies.items():
        client.cookies[k] = v

    sent_cookies = {k: m.value for k, m in client.cookies.items()}
    try:
        with override_settings(**settings_override):
            response = client.generic(method, path, body, content_type, secure=secure, headers=headers, **extra)
    except Exception as exc:  # DRF/Django raised: a 500 on a real server
        raise Skip(f"DRF 500: {type(exc).__name__}: {str(exc)[:120]}")
    if dispatch.OBSERVED.get("no_route"):
        raise Skip("no route for this request")
    status = dispatch.OBSERVED["status"]
    content = dispatch.OBSERVED["content"]
    if status >= 500:
        raise Skip(f"DRF {status}")
    if method != "HEAD" and response.content != content:
        raise Skip("response body changed after the middleware stack")
    if status not in (200,) and dispatch.OBSERVED.get("content_type") not in ("application/json", None):
        raise Skip(f"non-JSON response {dispatch.OBSERVED.get('content_type')}")
    expected = {"status": status, "body": content.decode("utf-8"), "wwwAuthenticate": dispatch.OBSERVED["www"]}

    # --- the context, from what DRF did -----------------------------------------------------------
    context = {"view": vname}
    action = route_action(actions, detail, raction, method)
    if raction:
        if action is None:
            raise Skip("a custom action's route with a method it does not handle is not expressible")
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
    if get_object:
        context["object"] = object_json(obj) if obj is not None else None

    case = {"id": spec["id"], "source": spec["source"], "policy": policy, "context": context, "raw": None,
            "expected": expected}
    if note:
        case["note"] = note
    if raw is not None:
        case["raw"] = {
            "request": {"method": method, "path": path, "headers": headers, "cookies": sent_cookies,
                        "meta": extra, "secure": secure, "host": "testserver", "body": body,
                        "contentType": content_type if body else None},
            "identities": identities(spec, users, creds, obj, other, form, settings_override),
        }
    twin = None
    if raw is not None and "Accept" in raw.get("headers", {}):
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


def identities(spec, users, creds, obj, other, form, settings_override):
    from django.contrib.sessions.models import Session

    sessions = {}
    for s in Session.objects.all():
        uid = s.get_decoded().get("_auth_user_id")
        if uid is not None:
            sessions.setdefault(str(uid), []).append(s.session_key)
    out = []
    for role, user in users.items():
        u = user_json(user, obj, other, form)
        u["password"] = spec["users"][role].get("password", "pw")
        u["tokens"] = [creds.tokens[user.pk]] if user.pk in creds.tokens else []
        u["sessions"] = sessions.get(str(user.pk), [])
        out.append(u)
    return {
        "users": out,
        "jwt": {"algorithm": "HS256", "signingKey": SECRET_KEY, "accessTokenLifetime": 300,
                "issuedAt": int(time.time()), "tokens": creds.jwts},
        "csrf": {"trustedOrigins": settings_override.get("CSRF_TRUSTED_ORIGINS", []),
                 "cookieSecret": None},
        "remoteUser": {"backend": "RemoteUserBackend", "createUnknownUser": False},
        "guardianAnonymousUser": "AnonymousUser",
    }
