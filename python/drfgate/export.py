"""Write a Django REST Framework project's request-decision policy in drf-gate's format.

The exporter walks the URLconf, finds every DRF view and viewset, and asks DRF itself what each
one uses: ``get_authenticators()`` and ``get_permissions()`` are called on an instance of the view
for every routed action, exactly as a request would call them. The format is drf-gate's policy (docs/policy.md in the repository).

Custom permission classes are translated from their Python code when it uses only the idioms the
condition language has (``drfgate.translate``; each translation is then proved by
``drfgate_check``), or declare what they check (``@drfgate.condition(...)`` or
``drfgate_has_permission = "..."``; a declaration wins). A class that is neither is a *problem*:
the export fails, naming the file and line, unless the views that use it are left to the origin
server (``leave_to_origin``). So is a declared condition that is not a condition.
"""
import ast
import inspect
import itertools
import json
import os
import random
import re
import textwrap

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.urls import Resolver404, URLPattern, URLResolver, get_resolver, resolve
from django.urls.resolvers import RegexPattern, RoutePattern
from django.utils.functional import Promise
from rest_framework import authentication as drf_authentication
from rest_framework import permissions as drf_permissions
from rest_framework.filters import OrderingFilter, SearchFilter
from rest_framework.request import Request
from rest_framework.settings import api_settings
from rest_framework.test import APIRequestFactory
from rest_framework.views import APIView
from rest_framework.viewsets import ViewSetMixin

from .middleware import export_middleware
from . import modelfacts
from .translate import HASATTR, condition_errors, translate_method

try:  # simplejwt is optional
    from rest_framework_simplejwt import authentication as jwt_authentication
except ImportError:  # pragma: no cover - depends on the project
    jwt_authentication = None

BUILTIN_PERMISSIONS = {
    getattr(drf_permissions, name): name
    for name in (
        "AllowAny",
        "BasePermission",
        "IsAuthenticated",
        "IsAdminUser",
        "IsAuthenticatedOrReadOnly",
        "DjangoModelPermissions",
        "DjangoModelPermissionsOrAnonReadOnly",
        "DjangoObjectPermissions",
    )
}

BUILTIN_AUTHENTICATION = {
    drf_authentication.SessionAuthentication: "SessionAuthentication",
    drf_authentication.BasicAuthentication: "BasicAuthentication",
    drf_authentication.TokenAuthentication: "TokenAuthentication",
    drf_authentication.RemoteUserAuthentication: "RemoteUserAuthentication",
}
if jwt_authentication is not None:
    BUILTIN_AUTHENTICATION[jwt_authentication.JWTAuthentication] = "JWTAuthentication"
    BUILTIN_AUTHENTICATION[jwt_authentication.JWTStatelessUserAuthentication] = "JWTStatelessUserAuthentication"

# DRF's standard viewset actions: (methods, detail).
STANDARD_ACTIONS = {
    "list": (["GET"], False),
    "create": (["POST"], False),
    "retrieve": (["GET"], True),
    "update": (["PUT"], True),
    "partial_update": (["PATCH"], True),
    "destroy": (["DELETE"], True),
}
# Handler methods a route may have, in DRF's `Allow` order (HEAD and OPTIONS are implicit).
HANDLER_METHODS = ["get", "post", "put", "patch", "delete"]

# Python precedence of permission composition: `~` binds tightest, then `&`, then `|`.
_PREC_OR, _PREC_AND, _PREC_NOT, _PREC_ATOM = 1, 2, 3, 4


def _class_name(cls):
    """A renderer class by DRF name (drf-gate knows DRF's built-in renderers)."""
    return getattr(cls, "__name__", str(cls))


_DEFAULT_HTTP_METHOD_NAMES = ["get", "post", "put", "patch", "delete", "head", "options", "trace"]


# The condition language, said inline (pip users have no docs/ directory).
CONDITION_RULE = (
    "a Python expression over request.method, request.user and its fields (is_authenticated, is_staff, "
    "is_superuser, is_active, id, username, custom fields), request.user.has_perm('app.codename'), "
    "'group' in request.user.groups, obj.<field> (object permissions only), view.action, SAFE_METHODS and "
    "literals, combined with and/or/not, comparisons, in, is"
)

# What the built-in classes check, for `super().has_permission(...)` in a subclass.
BUILTIN_CONDITIONS = {
    drf_permissions.BasePermission: {"has_permission": "True", "has_object_permission": "True"},
    drf_permissions.AllowAny: {"has_permission": "True", "has_object_permission": "True"},
    drf_permissions.IsAuthenticated: {"has_permission": "request.user.is_authenticated",
                                      "has_object_permission": "True"},
    drf_permissions.IsAdminUser: {"has_permission": "request.user.is_staff", "has_object_permission": "True"},
    drf_permissions.IsAuthenticatedOrReadOnly: {
        "has_permission": "request.method in SAFE_METHODS or request.user.is_authenticated",
        "has_object_permission": "True",
    },
}


def _path(cls):
    return f"{cls.__module__}.{cls.__qualname__}"


# A translated condition's parts the view's model decides (drfgate.modelfacts): `hasattr(obj,
# 'x')`, and the object (or a field of it) compared with the user.
_MODEL_DECIDED = re.compile(HASATTR.pattern + r"|\bobj(?:\.\w+)*\s*(?:==|!=)\s*request\.user\b(?!\.)"
                            r"|\brequest\.user\s*(?:==|!=)\s*obj\b")


# Well-known third-party permission classes, recognised by import path (their code is not read):
# what each checks, verified against the real package by the conformance suite
# (conformance/oracle/thirdparty.py). djoser's CurrentUserOrAdminOrReadOnly compares the object
# with the user only when the object IS a user (`type(obj) is type(user) and obj == user`): on a
# view whose model is the user model it gets the variant under USER_MODEL_VARIANTS.
KNOWN_PERMISSIONS = {
    "djoser.permissions.CurrentUserOrAdmin": {
        "base": "IsAuthenticated",
        "hasObjectPermission": "request.user.is_staff or obj.id == request.user.id",
    },
    "djoser.permissions.CurrentUserOrAdminOrReadOnly": {
        "base": "IsAuthenticated",
        "hasObjectPermission": "request.method in SAFE_METHODS or request.user.is_staff",
    },
}
USER_MODEL_VARIANTS = {
    "djoser.permissions.CurrentUserOrAdminOrReadOnly": {
        "base": "IsAuthenticated",
        "hasObjectPermission": "obj.id == request.user.id or request.method in SAFE_METHODS or request.user.is_staff",
    },
}
# Third-party classes whose answer depends on rows drf-gate has no lookup for: their views are
# left to the origin, with this reason. (None at present: djangorestframework-api-key's classes
# have the core's own API key check, see API_KEY_* below.)
ORIGIN_ONLY_PERMISSIONS = {}
# djangorestframework-api-key: BaseHasAPIKey subclasses become the core's API key check
# (`{"apiKey": {"model": ...}}`; the package's HasAPIKey is the core's built-in `HasAPIKey`),
# when nothing the check runs is custom code: these methods must be the package's own.
API_KEY_BASE = "rest_framework_api_key.permissions.BaseHasAPIKey"
API_KEY_CLASS = "rest_framework_api_key.permissions.HasAPIKey"
API_KEY_DEFAULT_MODEL = "rest_framework_api_key.APIKey"
API_KEY_PERMISSION_METHODS = ("has_permission", "has_object_permission", "get_key")
API_KEY_PARSER_METHODS = ("get", "get_from_authorization", "get_from_header")
API_KEY_MANAGER_METHODS = ("get_usable_keys", "get_from_key", "is_valid")
API_KEY_MODEL_METHODS = ("is_valid", "_has_expired", "has_expired")
API_KEY_GENERATOR_METHODS = ("verify", "using_preferred_hasher", "hash")
API_KEY_HASHER_METHODS = ("encode", "verify", "salt")
# knox's TokenAuthentication: a built-in of drf-gate (hashed-token lookup, expiry).
KNOX_AUTHENTICATION = "knox.auth.TokenAuthentication"
KNOX_METHODS = ("authenticate", "authenticate_credentials", "validate_user", "authenticate_header", "_cleanup_token",
                "renew_token")


def prove_known(cls, decl, user_model=False):
    """Proves a well-known class's declaration against the installed class (drfgate.prove), on
    user objects for the user-model variant and on objects of another model (whose pks equal
    the users') otherwise; None without the compiled core."""
    from . import core
    from .prove import other_model_objects, prove, user_objects

    if not core.available() or "hasObjectPermission" not in decl:
        return None
    objects = user_objects() if user_model else other_model_objects()
    return prove(cls, "has_object_permission", decl["hasObjectPermission"], objects=objects)


# AUTHENTICATION_BACKENDS: for each backend drf-gate knows, what it answers otherwise than the
# edge (which runs ModelBackend's authenticate(), and has_perm() as ModelBackend with guardian's
# ObjectPermissionBackend). AllowAllUsersModelBackend authenticates an inactive user, and DRF's
# BasicAuthentication then answers 401 "User inactive or deleted." (observed; ModelBackend's:
# "Invalid username/password."). The RemoteUser backends take no password (Basic never binds
# them). A backend not listed: both.
AUTH_BACKENDS = {
    "django.contrib.auth.backends.ModelBackend": set(),
    "django.contrib.auth.backends.AllowAllUsersModelBackend": {"authenticate"},
    "django.contrib.auth.backends.RemoteUserBackend": set(),
    "django.contrib.auth.backends.AllowAllUsersRemoteUserBackend": set(),
    "guardian.backends.ObjectPermissionBackend": set(),
}


class ExportError(Exception):
    """The project cannot be exported; ``problems`` lists each cause with its file and line."""

    def __init__(self, problems):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


def _drf_perms_map(class_name):
    """DRF's own ``perms_map`` of a class of rest_framework.permissions, read from its source: the
    live dict is the project's to change."""
    try:
        tree = ast.parse(inspect.getsource(drf_permissions))
    except (OSError, TypeError, SyntaxError):
        return None
    for node in tree.body:
        if isinstance(node, ast.ClassDef) and node.name == class_name:
            for stmt in node.body:
                if isinstance(stmt, ast.Assign) and any(getattr(t, "id", None) == "perms_map" for t in stmt.targets):
                    return ast.literal_eval(stmt.value)
    return None


# What DRF reads off a permission instance that the policy declares once per class.
INSTANCE_STATE = ("perms_map", "authenticated_users_only", "message", "code")


def _as_drf_makes_it(cls):
    """``cls()``, the instance DRF makes of a class listed in ``permission_classes``, when a class
    of the project defines ``__init__`` (the common ``self.perms_map = deepcopy(self.perms_map);
    self.perms_map['GET'] = [...]``: the map DRF reads is the instance's, not the class's); else
    None (nothing an instance could change). An ``__init__`` that needs arguments: None too, and
    each instance ``get_permissions()`` makes is compared with the class (``Exporter._expr``)."""
    if not any("__init__" in k.__dict__ for k in cls.__mro__
               if k is not object and not k.__module__.startswith("rest_framework.")):
        return None
    try:
        return cls()
    except Exception:  # noqa: BLE001 - an __init__ that needs arguments: no class-wide instance
        return None


class Problem:
    """Something the policy format cannot say about a class, with where it is written."""

    def __init__(self, obj, what, hint=""):
        self.location = source_location(obj)
        self.what = what
        self.hint = hint
        self.views = set()

    def __str__(self):
        views = f" (used by: {', '.join(sorted(self.views))})" if self.views else ""
        hint = f"\n    {self.hint}" if self.hint else ""
        return f"{self.location}: {self.what}{views}{hint}"


def source_location(obj):
    """``file:line`` of a class or function, relative to the working directory when inside it."""
    try:
        path = inspect.getsourcefile(obj) or inspect.getfile(obj)
        line = inspect.getsourcelines(obj)[1]
    except (OSError, TypeError):
        return f"<{getattr(obj, '__module__', '?')}.{getattr(obj, '__qualname__', obj)}>"
    rel = os.path.relpath(path)
    return f"{path if rel.startswith('..') else rel}:{line}"


def to_json_value(value):
    """A permission message as JSON: lazy translations become str, containers recurse."""
    if isinstance(value, Promise):
        return str(value)
    if isinstance(value, dict):
        return {str(k): to_json_value(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_json_value(v) for v in value]
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


# --------------------------------------------------------------------------------------------
# Settings


KNOX_HASHES = ("sha224", "sha256", "sha384", "sha512")


def knox_settings():
    """django-rest-knox's REST_KNOX as drf-gate's ``settings.knox`` (None without knox installed)."""
    from django.apps import apps as django_apps

    if not django_apps.is_installed("knox"):
        return None
    from knox.settings import knox_settings as knox

    hash_name = getattr(knox.SECURE_HASH_ALGORITHM(), "name", None)
    if hash_name not in KNOX_HASHES:
        raise ExportError([f"REST_KNOX['SECURE_HASH_ALGORITHM'] is {knox.SECURE_HASH_ALGORITHM!r} ({hash_name}); "
                           f"drf-gate's edge authentication computes {', '.join(KNOX_HASHES)}"])
    return {"authHeaderPrefix": knox.AUTH_HEADER_PREFIX, "secureHashAlgorithm": hash_name,
            "autoRefresh": bool(knox.AUTO_REFRESH)}


def jwt_user_id_kind():
    """``(kind, field)`` of simplejwt's ``USER_ID_FIELD`` on the user model: ``"integer"``,
    ``"uuid"`` or ``"text"`` (``settings.jwt.userIdKind``: which claims the field's
    ``get_prep_value`` takes), or ``None`` for a field the edge cannot judge (a date, a foreign
    key, no such field)."""
    from django.core.exceptions import FieldDoesNotExist
    from django.db import models
    from rest_framework_simplejwt.settings import api_settings as jwt

    user_model = get_user_model()
    try:
        field = user_model._meta.pk if jwt.USER_ID_FIELD == "pk" else user_model._meta.get_field(jwt.USER_ID_FIELD)
    except FieldDoesNotExist:
        return None, None
    if isinstance(field, (models.AutoField, models.BigAutoField, models.SmallAutoField)) or type(field) in (
            models.IntegerField, models.BigIntegerField, models.SmallIntegerField, models.PositiveIntegerField,
            models.PositiveBigIntegerField, models.PositiveSmallIntegerField):
        return "integer", field
    if type(field) is models.UUIDField:
        return "uuid", field
    if type(field) in (models.CharField, models.TextField, models.EmailField, models.SlugField):
        return "text", field
    return None, field


def export_settings(include_secrets=False):
    """The authentication settings drf-gate's edge authentication needs.

    Kept in one function: the shape of ``settings`` is finalised with the edge-authentication
    work. The JWT signing key is exported only with ``include_secrets``.
    """
    result = {
        "token": {"keyword": drf_authentication.TokenAuthentication.keyword},
        "csrf": {
            "cookieName": settings.CSRF_COOKIE_NAME,
            # The META name, as Django's setting holds it ('HTTP_X_CSRFTOKEN').
            "headerName": settings.CSRF_HEADER_NAME,
            "trustedOrigins": list(settings.CSRF_TRUSTED_ORIGINS),
            "useSessions": bool(settings.CSRF_USE_SESSIONS),
        },
        "session": {"cookieName": settings.SESSION_COOKIE_NAME},
        # Django's request-body limits, as the CSRF check meets them when it reads request.POST.
        "upload": {
            "dataMaxMemorySize": settings.DATA_UPLOAD_MAX_MEMORY_SIZE,
            "dataMaxNumberFields": settings.DATA_UPLOAD_MAX_NUMBER_FIELDS,
            "dataMaxNumberFiles": settings.DATA_UPLOAD_MAX_NUMBER_FILES,
            "fileMaxMemorySize": settings.FILE_UPLOAD_MAX_MEMORY_SIZE,
        },
    }
    # The CSRF check's Referer comparison (HTTPS, no Origin) takes the cookie's domain as the
    # good host when it is set (SESSION_COOKIE_DOMAIN with CSRF_USE_SESSIONS).
    for section, domain in (("csrf", settings.CSRF_COOKIE_DOMAIN), ("session", settings.SESSION_COOKIE_DOMAIN)):
        if domain is not None:
            result[section]["cookieDomain"] = domain
    if settings.SESSION_ENGINE != "django.contrib.sessions.backends.db":
        # Engines other than db/cached_db keep no Session rows for the edge's store: it forwards a miss.
        result["session"]["engine"] = settings.SESSION_ENGINE
    if "django.middleware.common.CommonMiddleware" not in settings.MIDDLEWARE:
        # The CSRF check's request.get_host() refuses a host outside ALLOWED_HOSTS (an Origin then
        # fails: 403 "CSRF Failed: Origin checking failed"); CommonMiddleware, when present, answers
        # such a host 400 first (the edge forwards it).
        from .middleware import allowed_hosts

        result["csrf"]["allowedHosts"] = allowed_hosts()
    knox = knox_settings()
    if knox is not None:
        result["knox"] = knox
    # djangorestframework-api-key's KeyParser reads this setting on every request.
    custom_header = getattr(settings, "API_KEY_CUSTOM_HEADER", None)
    if custom_header is not None:
        if not isinstance(custom_header, str):
            raise ExportError([f"API_KEY_CUSTOM_HEADER is {custom_header!r}; drf-gate expects a request.META name "
                               "such as 'HTTP_X_API_KEY'"])
        result["apiKeyCustomHeader"] = custom_header
    if jwt_authentication is not None:
        from rest_framework_simplejwt.settings import api_settings as jwt

        leeway = jwt.LEEWAY
        leeway = leeway.total_seconds() if hasattr(leeway, "total_seconds") else leeway
        result["jwt"] = {
            "algorithm": jwt.ALGORITHM,
            "authHeaderTypes": list(jwt.AUTH_HEADER_TYPES)
            if isinstance(jwt.AUTH_HEADER_TYPES, (list, tuple))
            else [jwt.AUTH_HEADER_TYPES],
            "authHeaderName": jwt.AUTH_HEADER_NAME,
            "userIdField": jwt.USER_ID_FIELD,
            "userIdClaim": jwt.USER_ID_CLAIM,
            "tokenTypeClaim": jwt.TOKEN_TYPE_CLAIM,
            "jtiClaim": jwt.JTI_CLAIM,
            "leeway": leeway,
            "audience": jwt.AUDIENCE,
            "issuer": jwt.ISSUER,
            "checkUserIsActive": jwt.CHECK_USER_IS_ACTIVE,
            "authTokenClasses": [getattr(c, "__name__", str(c).rsplit(".", 1)[-1]) for c in jwt.AUTH_TOKEN_CLASSES],
        }
        # Written when it is not what the edge assumes without it (integer for id/pk, else text).
        user_id_kind, _ = jwt_user_id_kind()
        if user_id_kind and user_id_kind != ("integer" if jwt.USER_ID_FIELD in ("id", "pk") else "text"):
            result["jwt"]["userIdKind"] = user_id_kind
        if jwt.VERIFYING_KEY:
            result["jwt"]["verifyingKey"] = jwt.VERIFYING_KEY
        # Not modelled at the edge: say so rather than export a policy that would disagree.
        if jwt.CHECK_REVOKE_TOKEN or jwt.JWK_URL:
            raise ExportError(["SIMPLE_JWT CHECK_REVOKE_TOKEN and JWK_URL are not supported by drf-gate's edge authentication"])
        # Token classes are exported by name: a project's own `AccessToken` (a verify() of its
        # own) would be read as simplejwt's; so would a TOKEN_USER_CLASS of its own.
        foreign = [f"{c.__module__}.{c.__qualname__}" for c in jwt.AUTH_TOKEN_CLASSES
                   if getattr(c, "__module__", None) != "rest_framework_simplejwt.tokens"]
        if getattr(jwt.TOKEN_USER_CLASS, "__module__", None) != "rest_framework_simplejwt.models":
            foreign.append(f"TOKEN_USER_CLASS {getattr(jwt.TOKEN_USER_CLASS, '__module__', '?')}."
                           f"{getattr(jwt.TOKEN_USER_CLASS, '__qualname__', jwt.TOKEN_USER_CLASS)}")
        if foreign:
            raise ExportError([f"SIMPLE_JWT names classes of the project's own ({', '.join(foreign)}): drf-gate's "
                               "edge authentication runs simplejwt's AccessToken/RefreshToken/SlidingToken/"
                               "UntypedToken and TokenUser only"])
        if include_secrets:
            result["jwt"]["signingKey"] = jwt.SIGNING_KEY
    return result


# --------------------------------------------------------------------------------------------
# URLconf walking


# A parameter's regex -> its form in drf-gate's pattern (routing.rs matches exactly these);
# another regex (`\d+` also matches non-ASCII digits) leaves the route to the origin.
_PARAMETER_REGEXES = {
    "[^/.]+": "",  # DRF's default lookup_value_regex
    "[0-9]+": ":int",
    "[^/]+": ":str",
    "[-a-zA-Z0-9_]+": ":slug",
    "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}": ":uuid",
}


# Sample values of a URL kwarg (what `{name:int}` / `{name:uuid}` admit) and a text both refuse.
_KWARG_SAMPLES = {":int": "1", ":uuid": "00000000-0000-4000-8000-000000000001"}
_KWARG_PROBE_TEXT = "drfgate-probe"


def _narrow_template(template, forms):
    """``template`` with each kwarg of ``forms`` (``_queryset_kwarg_forms``) in its narrower
    form, or None when one cannot be narrowed (no form, or a converter admitting other values).

    >>> _narrow_template("/carts/{cart_pk}/items/{pk}/", {"cart_pk": ":uuid"})
    '/carts/{cart_pk:uuid}/items/{pk}/'
    >>> _narrow_template("/carts/{cart_pk:int}/items/", {"cart_pk": ":uuid"}) is None
    True
    """
    ok = True

    def parameter(m):
        nonlocal ok
        name, form = m.group(1), m.group(2) or ""
        if name not in forms:
            return m.group(0)
        wanted = forms[name]
        if wanted is None or (form in (":int", ":uuid") and form != wanted):
            ok = False
            return m.group(0)
        return "{%s%s}" % (name, wanted)

    out = re.sub(r"{(\w+)(:\w+)?}", parameter, template)
    return out if ok else None


def _converter_form(converter):
    """`:int` etc. for Django's own path converters, None for `path` and custom ones."""
    from django.urls import converters

    forms = {converters.IntConverter: ":int", converters.StringConverter: ":str",
             converters.SlugConverter: ":slug", converters.UUIDConverter: ":uuid"}
    return forms.get(type(converter))


def _route_to_template(pattern):
    """A `path()` route -> (template, ok): `<int:pk>` -> `{pk:int}`, `<pk>` -> `{pk:str}`."""
    ok = True

    def parameter(m):
        nonlocal ok
        name = m.group(2)
        form = _converter_form(pattern.converters.get(name))
        if form is None:
            ok = False
            form = ""
        return "{%s%s}" % (name, form)

    return re.sub(r"<(?:([^>:]+):)?([^>]+)>", parameter, str(pattern._route)), ok


def _regex_to_template(regex):
    """'^posts/(?P<pk>[^/.]+)/$' -> ('posts/{pk}/', ok). ok is False if other regex syntax remains,
    or a parameter's regex is not one drf-gate's pattern matches exactly (_PARAMETER_REGEXES)."""
    out, i, ok = [], 0, True
    if regex.startswith("^"):
        i = 1
    while i < len(regex):
        if regex.startswith("(?P<", i):
            end = regex.index(">", i)
            name = regex[i + 4 : end]
            depth, j = 1, end + 1
            while j < len(regex) and depth:
                if regex[j] == "\\":
                    j += 2
                    continue
                depth += {"(": 1, ")": -1}.get(regex[j], 0)
                j += 1
            form = _PARAMETER_REGEXES.get(regex[end + 1 : j - 1])
            if form is None:
                ok = False
                form = ""
            out.append("{%s%s}" % (name, form))
            i = j
        elif regex[i] == "\\" and i + 1 < len(regex):
            if regex[i + 1] in "Z" and i + 2 == len(regex):
                break
            if regex[i + 1].isalnum():
                ok = False
            out.append(regex[i + 1])
            i += 2
        elif regex[i] == "$" and i + 1 == len(regex):
            break
        else:
            if regex[i] in "()[]{}?*+|.^$":
                ok = False
            out.append(regex[i])
            i += 1
    return "".join(out), ok


def _pattern_parts(pattern):
    """(template, regex without anchors, is_end) of one URLconf pattern."""
    regex = pattern.regex.pattern
    body = regex[1:] if regex.startswith("^") else regex
    end = body.endswith("$") or body.endswith("\\Z")
    if body.endswith("\\Z"):
        body = body[:-2]
    elif body.endswith("$") and not body.endswith("\\$"):
        body = body[:-1]
    if isinstance(pattern, RoutePattern):
        template, ok = _route_to_template(pattern)
        return template, body, end, ok
    template, ok = _regex_to_template(str(pattern._regex) if isinstance(pattern, RegexPattern) else regex)
    return template, body, end, ok


def iter_url_patterns(resolver=None):
    """Yield (template, js_regex, url_pattern, namespace, clean, chain) for every endpoint of the
    URLconf; ``chain`` is the Django patterns leading to it (the same chain matches the same URLs)."""

    def walk(patterns, template, regex, namespace, clean, chain):
        for p in patterns:
            t, r, end, ok = _pattern_parts(p.pattern)
            link = chain + ((type(p.pattern).__name__, str(p.pattern)),)
            if isinstance(p, URLResolver):
                ns = p.namespace and (f"{namespace}:{p.namespace}" if namespace else p.namespace)
                yield from walk(p.url_patterns, template + t, regex + r, ns or namespace, clean and ok, link)
            elif isinstance(p, URLPattern):
                js = "^/" + re.sub(r"\(\?P<", "(?<", regex + r) + "$"
                yield "/" + template + t, js, p, namespace, clean and ok, link

    yield from walk((resolver or get_resolver()).url_patterns, "", "", None, True, ())


_SAMPLE_VALUES = {"int": ["1"], "uuid": ["00000000-0000-0000-0000-000000000001"], "slug": ["1", "a"], "str": ["1", "a"]}


def _sample_urls(pattern):
    """A route's URL, or its URLs with sample values in its parameters (by converter;
    `{pk}`, DRF's `[^/.]+`, as `str`): each parameter the same value. An earlier pattern matching
    one of them serves some of the route's URLs.

    >>> _sample_urls("/notes/{pk:int}/")
    ['/notes/1/']
    """
    kinds = [kind or "str" for kind in re.findall(r"{\w+(?::(\w+))?}", pattern)]
    if not kinds:
        return [pattern]
    out = []
    for i in range(2):  # "1" for every parameter, then "a" where the converter takes it
        values = iter([_SAMPLE_VALUES.get(k, ["1"])[min(i, len(_SAMPLE_VALUES.get(k, ["1"])) - 1)] for k in kinds])
        out.append(re.sub(r"{\w+(?::\w+)?}", lambda _: next(values), pattern))
    return list(dict.fromkeys(out))


def _is_format_suffix(url_pattern):
    regex = url_pattern.pattern.regex.pattern
    return "(?P<format>" in regex


# --------------------------------------------------------------------------------------------
# The exporter

# APIView / GenericAPIView methods whose DRF code the policy describes: a view class that
# overrides one (outside DRF and Django) is a problem.
_PIPELINE_METHODS = (
    "dispatch", "initialize_request", "initial", "perform_content_negotiation", "get_content_negotiator",
    "determine_version", "perform_authentication", "check_permissions", "check_object_permissions",
    "permission_denied", "handle_exception", "get_exception_handler", "get_exception_handler_context",
    "raise_uncaught_exception", "finalize_response", "http_method_not_allowed", "get_authenticate_header",
    "get_renderers", "get_object", "get_format_suffix", "options",
    # A class attribute (`allowed_methods = ['PATCH', 'DELETE']`, nomad-back) is DRF's `Allow`
    # header on every answer; the edge writes the route's methods.
    "allowed_methods",
)


# What routers pass to every viewset route; anything else in initkwargs came from @action(...).
_ROUTER_INITKWARGS = ("basename", "detail", "suffix", "name", "description")


class _Route:
    def __init__(self, template, regex, callback, detail, actions, initkwargs):
        self.template, self.regex, self.callback = template, regex, callback
        self.detail, self.actions, self.initkwargs = detail, actions, initkwargs


class Exporter:
    """Builds the policy dict. Use :func:`export_policy`."""

    def __init__(self, leave_to_origin=(), include_secrets=False, urlconf=None):
        self.leave_to_origin = set(leave_to_origin)
        self.include_secrets = include_secrets
        self.urlconf = urlconf
        self.factory = APIRequestFactory()
        self.permission_names = dict(BUILTIN_PERMISSIONS)  # class -> policy name
        self.permission_decls = {}  # name -> declaration
        self.permission_instances = {}  # class -> `cls()` as DRF makes it, when an __init__ is the project's
        self.permission_deps = {}  # name -> names it refers to
        self.permission_problems = {}  # class -> [Problem]
        self.translations = {}  # class -> {method: Translation}
        self.auth_names = dict(BUILTIN_AUTHENTICATION)
        self._auth_problems = {}  # class -> its problems, given to every view that uses it
        self.auth_decls = {}
        self.known_classes = {}  # policy name -> import path of a well-known third-party class
        self.known_proofs = {}  # policy name -> drfgate.prove.Proof (None without the compiled core)
        self._view_model = None  # the model of the view being exported
        self._view_class = None  # its class (None while the defaults are read)
        # class -> {key: (method, translated text)} whose parts the view's model decides
        # (drfgate.modelfacts); (class, model, declaration) -> the name of its variant.
        self.model_templates = {}
        self._variants = {}
        self.model_variants = {}  # variant name -> (class name, model label, {key: condition}, proofs)
        self._user_dependent = set()  # view classes whose get_permissions() reads request.user
        self._view_auth_kinds = set()
        self._backend_problems_seen = {}  # (backend, what) -> the Problem its views share
        self._remote_user_headers = set()  # the headers of the RemoteUserAuthentication classes used
        self._remote_user_creates = False  # a RemoteUserBackend with create_unknown_user meets a view
        self._reads_request = set()  # view classes whose get_permissions() reads the request or object
        self.warnings = []
        # Custom classes never take a built-in's name or alias (django-rest-knox's class is also
        # called TokenAuthentication): a clash gets the module-qualified name.
        self._used_names = set(self.permission_names.values()) | set(self.auth_names.values()) | {
            "session", "basic", "token", "jwt", "jwtStateless", "remoteUser", "knox", "KnoxTokenAuthentication",
            "HasAPIKey"}

    # ---- names -------------------------------------------------------------------------

    def _unique_name(self, cls):
        name = cls.__name__
        if name in self._used_names:
            # Without dots: the core reads `a.b.IsAuthenticated` as the built-in class.
            name = re.sub(r"\W", "_", f"{cls.__module__}.{cls.__qualname__}")
        self._used_names.add(name)
        return name

    # ---- permission classes -----------------------------------------------------------------

    def translation_report(self):
        """One line per custom permission class whose code was read: translated (and proved), or why not."""
        lines = []
        for name, path in self.known_classes.items():
            if path in ORIGIN_ONLY_PERMISSIONS:
                continue
            if name == "HasAPIKey" or "apiKey" in self.permission_decls.get(name, {}):
                model = self.permission_decls.get(name, {}).get("apiKey", {}).get("model", API_KEY_DEFAULT_MODEL)
                lines.append(f"{name}: {path}, djangorestframework-api-key, drf-gate's API key check on {model} "
                             "(the package's own methods, none overridden)")
                continue
            proof = self.known_proofs.get(name)
            proved = (f"proved against the installed package on {proof.cases} generated inputs"
                      if proof is not None and proof.proved else "not proved here (no compiled core)")
            lines.append(f"{name}: {path}, a well-known class from drf-gate's table, {proved}: "
                         f"{self.permission_decls[name].get('hasObjectPermission')}")
        for cls, methods in self.translations.items():
            name = self.permission_names.get(cls, cls.__name__)
            for method, t in methods.items():
                if t.condition is None:
                    lines.append(f"{name}.{method} ({t.location}): not translated: {t.reason_text()}")
                elif HASATTR.search(t.condition):
                    lines.append(f"{name}.{method} ({t.location}): translated, decided per view model "
                                 f"(<name>_on<Model>): {t.condition}")
                elif t.proof is None:
                    lines.append(f"{name}.{method} ({t.location}): translated, not proved (no compiled core): "
                                 f"{t.condition}")
                elif t.proof.proved:
                    lines.append(f"{name}.{method} ({t.location}): translated and proved on {t.proof.cases} "
                                 f"generated inputs: {t.condition}")
                else:
                    lines.append(f"{name}.{method} ({t.location}): translation REFUTED: {t.proof.disagreements[0]}")
        for variant, (name, label, resolved, proofs) in self.model_variants.items():
            for key, text in resolved.items():
                proof = proofs.get(key)
                proved = (f"proved on {proof.cases} generated inputs" if proof is not None and proof.proved
                          else "not proved here (no compiled core)")
                lines.append(f"{variant}: {name} on {label}, as the model decides it, {proved}: {text}")
        return lines

    def _base_conditions(self, base):
        """What ``super().has_permission(...)`` means for a class derived from ``base``: the
        nearest class in its MRO with a condition (a built-in's, a declared or translated one). A
        class on the way with code of its own and no condition stops the walk (nothing known):
        ``DjangoModelPermissions.has_permission`` was read as BasePermission's True."""
        out = {}
        for method, key in (("has_permission", "hasPermission"), ("has_object_permission", "hasObjectPermission")):
            for k in base.__mro__:
                if k in BUILTIN_CONDITIONS:
                    out[method] = BUILTIN_CONDITIONS[k][method]
                    break
                name = self.permission_names.get(k)
                decl = self.permission_decls.get(name, {}) if name else {}
                if key in decl:
                    out[method] = decl[key]
                    break
                if method in k.__dict__:
                    break
        return out

    def permission_class(self, cls):
        """The policy name of a permission class, declaring it under ``classes`` if custom."""
        if cls in self.permission_names:
            return self.permission_names[cls]
        name = self._unique_name(cls)
        self.permission_names[cls] = name
        if _path(cls) in KNOWN_PERMISSIONS or _path(cls) in ORIGIN_ONLY_PERMISSIONS:
            return self._known_permission(cls, name)
        if any(_path(k) == API_KEY_BASE for k in cls.__mro__):
            return self._api_key_permission(cls, name)
        problems, deps, decl = [], set(), {}
        bases = [b for b in cls.__mro__[1:] if isinstance(b, type) and issubclass(b, drf_permissions.BasePermission)]
        base = bases[0] if bases else drf_permissions.BasePermission
        if base is not drf_permissions.BasePermission:
            decl["base"] = self.permission_class(base)
            deps.add(decl["base"])
            problems.extend(self.permission_problems.get(base, []))
            # What the subclass inherits of a condition decided per model (its own code replaces the rest).
            per_model = [t for method, t in self.model_templates.get(base, {}).values()
                         if HASATTR.search(t) and method not in cls.__dict__
                         and f"drfgate_{method}" not in cls.__dict__]
            if per_model:
                problems.append(Problem(cls, f"permission class {name} derives from {decl['base']}, whose condition "
                                        f"{per_model[0]!r} is decided per view model: a derived class is not",
                                        f"declare its conditions ({CONDITION_RULE}), or leave its views to the origin"))
        own = cls.__dict__
        for method, attr, key in (
            ("has_permission", "drfgate_has_permission", "hasPermission"),
            ("has_object_permission", "drfgate_has_object_permission", "hasObjectPermission"),
        ):
            if attr in own:
                if not isinstance(own[attr], str):
                    problems.append(Problem(cls, f"{name}.{attr} must be a str (a drf-gate condition)"))
                else:
                    decl[key] = own[attr]
            elif method in own:
                translated = translate_method(cls, method, self._base_conditions(base))
                self.translations.setdefault(cls, {})[method] = translated
                if translated.condition is not None and _MODEL_DECIDED.search(translated.condition):
                    # Decided per view (Exporter._model_variant); a hasattr() is not a condition.
                    self.model_templates.setdefault(cls, {})[key] = (method, translated.condition)
                    if HASATTR.search(translated.condition):
                        continue
                if translated.condition is not None and not condition_errors(
                    translated.condition, object_level=key == "hasObjectPermission"
                ):
                    translated.prove(cls, method)
                if translated.condition is not None and translated.proof is not None and not translated.proof.proved:
                    problems.append(
                        Problem(
                            own[method],
                            f"permission class {name}: the translation of {method}() {translated.condition!r} "
                            f"disagrees with the code on {len(translated.proof.disagreements)} of "
                            f"{translated.proof.cases} generated inputs, e.g. {translated.proof.disagreements[0]}",
                            f"declare it: {attr} = \"...\" ({CONDITION_RULE}), or leave its views to the origin",
                        )
                    )
                elif translated.condition is not None:
                    decl[key] = translated.condition
                else:
                    problems.append(
                        Problem(
                            own[method],
                            f"permission class {name} overrides {method}() with code drf-gate cannot translate "
                            f"({translated.reason_text()}) and declares no drf-gate condition for it",
                            f"declare it: @drfgate.condition({method}=\"...\") on the class, or "
                            f"{attr} = \"...\", {CONDITION_RULE}; or leave its views to the origin "
                            f"(--leave-to-origin VIEW)",
                        )
                    )
            if key in decl:
                for error in condition_errors(decl[key], object_level=key == "hasObjectPermission"):
                    where = own[method] if attr not in own and method in own else cls
                    problems.append(
                        Problem(where, f"{name}: the {'declared' if attr in own else 'translated'} condition "
                                f"for {method}() {decl[key]!r} is not a drf-gate condition: {error}",
                                f"a condition is {CONDITION_RULE}")
                    )
        # What DRF reads is the instance's: an __init__ of the project's may set it.
        made, made_base = _as_drf_makes_it(cls), _as_drf_makes_it(base)
        self.permission_instances[cls] = made
        state = {**own, **(vars(made) if made is not None else {})}
        if issubclass(cls, drf_permissions.DjangoModelPermissions):
            for method in ("get_required_permissions", "get_required_object_permissions", "_queryset"):
                if method in own:
                    problems.append(
                        Problem(own[method], f"{name}.{method}() is custom code drf-gate cannot express")
                    )
            inherited = made_base if made_base is not None else base
            # A built-in base is the core's, with DRF's own map (the live one may have been
            # changed at import: `perms_map = DjangoModelPermissions.perms_map` + an assignment).
            drf_map = _drf_perms_map(base.__name__) if base.__module__ == drf_permissions.__name__ else None
            inherited_map = drf_map if drf_map is not None else inherited.perms_map
            if "perms_map" in state and state["perms_map"] != inherited_map:
                decl["permsMap"] = {m: list(p) for m, p in state["perms_map"].items()}
            if "authenticated_users_only" in state \
                    and state["authenticated_users_only"] != inherited.authenticated_users_only:
                decl["authenticatedUsersOnly"] = bool(state["authenticated_users_only"])
        if "message" in state:
            decl["message"] = to_json_value(state["message"])
        if "code" in state:
            decl["code"] = to_json_value(state["code"])
        self.permission_decls[name] = decl
        self.permission_deps[name] = deps
        self.permission_problems[cls] = problems
        return name

    def _known_permission(self, cls, name, decl=None):
        """A well-known third-party class: its declaration from the table (no code is read)."""
        path = _path(cls)
        problems = []
        if path in ORIGIN_ONLY_PERMISSIONS:
            problems.append(Problem(cls, f"{name} ({path}): {ORIGIN_ONLY_PERMISSIONS[path]}",
                                    "leave its views to the origin (--leave-to-origin VIEW)"))
            decl = {}
        decl = dict(decl or KNOWN_PERMISSIONS.get(path, {}))
        proof = prove_known(cls, decl, user_model=name.endswith("_onUserModel")) if decl else None
        if proof is not None and not proof.proved:
            problems.append(Problem(cls, f"{name} ({path}): drf-gate's declaration {decl} disagrees with the "
                                    f"installed package on {len(proof.disagreements)} of {proof.cases} generated "
                                    f"inputs, e.g. {proof.disagreements[0]}",
                                    "leave its views to the origin (--leave-to-origin VIEW)"))
        self.known_proofs[name] = proof
        self.known_classes[name] = path
        self.permission_decls[name] = decl
        self.permission_deps[name] = {decl["base"]} if "base" in decl and decl["base"] not in BUILTIN_PERMISSIONS.values() else set()
        self.permission_problems[cls] = problems
        return name

    def _api_key_permission(self, cls, name):
        """A djangorestframework-api-key ``BaseHasAPIKey`` subclass: the core's API key check, when
        every method it runs (the class's, its key parser's, its model's and manager's, the key
        generator's and hasher's) is the package's own; otherwise a located problem."""
        problems, decl = [], {}
        base = next(k for k in cls.__mro__ if _path(k) == API_KEY_BASE)

        def custom(owner_cls, stop_path, methods):
            """Methods a class between ``owner_cls`` and the package's class ``stop_path`` overrides."""
            found = []
            for k in owner_cls.__mro__:
                if _path(k) == stop_path or k.__module__.startswith("rest_framework_api_key."):
                    break
                found.extend((k, m) for m in methods if m in k.__dict__)
            return found

        for k, method in custom(cls, API_KEY_BASE, API_KEY_PERMISSION_METHODS):
            problems.append(Problem(k.__dict__[method], f"permission class {name} ({_path(cls)}) overrides {method}() "
                                    "of BaseHasAPIKey: custom code drf-gate's API key check does not run",
                                    "leave its views to the origin (--leave-to-origin VIEW)"))
        parser = getattr(cls, "key_parser", None)
        keyword = getattr(parser, "keyword", None)
        if parser is None or not isinstance(keyword, str) or custom(type(parser), "rest_framework_api_key.permissions.KeyParser",
                                                                    API_KEY_PARSER_METHODS):
            problems.append(Problem(cls, f"permission class {name}: its key_parser {parser!r} is not the package's "
                                    "KeyParser (or a subclass that only sets `keyword`)",
                                    "leave its views to the origin (--leave-to-origin VIEW)"))
        model = getattr(cls, "model", None)
        label = None
        if model is None:
            problems.append(Problem(cls, f"permission class {name} is a BaseHasAPIKey without `model`: DRF answers "
                                    "500 (an AssertionError) on every request it checks",
                                    "set `model` to the API key model, or leave its views to the origin"))
        else:
            label = f"{model._meta.app_label}.{model._meta.object_name}"
            manager = getattr(model, "objects", None)
            generator = getattr(manager, "key_generator", None)
            hasher = getattr(generator, "preferred_hasher", None)
            overridden = (
                [(k, m) for k, m in custom(model, "rest_framework_api_key.models.AbstractAPIKey", API_KEY_MODEL_METHODS)]
                + [(k, m) for k, m in custom(type(manager), "rest_framework_api_key.models.BaseAPIKeyManager",
                                             API_KEY_MANAGER_METHODS)]
                + [(k, m) for k, m in custom(type(generator), "rest_framework_api_key.crypto.KeyGenerator",
                                             API_KEY_GENERATOR_METHODS)]
                + [(k, m) for k, m in custom(type(hasher), "rest_framework_api_key.crypto.Sha512ApiKeyHasher",
                                             API_KEY_HASHER_METHODS)]
            )
            kinds = [_path(k) for k in (type(generator), type(hasher))]
            if not any(_path(k) == "rest_framework_api_key.models.BaseAPIKeyManager" for k in type(manager).__mro__) \
                    or not any(_path(k) == "rest_framework_api_key.crypto.KeyGenerator" for k in type(generator).__mro__) \
                    or not any(_path(k) == "rest_framework_api_key.crypto.Sha512ApiKeyHasher" for k in type(hasher).__mro__):
                problems.append(Problem(model, f"permission class {name}: the API key model {label} does not use the "
                                        f"package's manager, key generator and SHA-512 hasher ({', '.join(kinds)})",
                                        "leave its views to the origin (--leave-to-origin VIEW)"))
            for k, method in overridden:
                problems.append(Problem(k.__dict__[method], f"permission class {name}: {_path(k)}.{method}() is custom "
                                        "code in the API key check (drf-gate verifies keys as the package does)",
                                        "leave its views to the origin (--leave-to-origin VIEW)"))
        if _path(cls) == API_KEY_CLASS and label == API_KEY_DEFAULT_MODEL and not problems:
            # The package's own class: the core's built-in of the same name.
            self.permission_names[cls] = "HasAPIKey"
            self.known_classes["HasAPIKey"] = _path(cls)
            self.permission_problems[cls] = []
            return "HasAPIKey"
        spec = {"model": label} if label else {}
        if isinstance(keyword, str) and keyword != "Api-Key":
            spec["keyword"] = keyword
        decl["apiKey"] = spec
        for attr, key in (("message", "message"), ("code", "code")):
            value = next((k.__dict__[attr] for k in cls.__mro__[:cls.__mro__.index(base)] if attr in k.__dict__), None)
            if value is not None:
                decl[key] = to_json_value(value)
        if not problems:
            self.known_classes[name] = _path(cls)
        self.permission_decls[name] = decl
        self.permission_deps[name] = set()
        self.permission_problems[cls] = problems
        return name

    def _user_model_variant(self, cls, problems):
        """CurrentUserOrAdminOrReadOnly on a view of the user model: ``obj == request.user`` counts."""
        path = _path(cls)
        base = self.permission_class(cls)
        name = f"{base}_onUserModel"
        if name not in self.permission_decls:
            self._used_names.add(name)
            self._known_permission(cls, name, USER_MODEL_VARIANTS[path])
        if "jwtStateless" in self._view_auth_kinds:
            problems.append(Problem(cls, f"{path} on a view of the user model with JWTStatelessUserAuthentication: "
                                    "type(obj) is type(request.user) depends on which class authenticated",
                                    "leave the view to the origin (--leave-to-origin VIEW)"))
        return name

    def _model_variant(self, cls, name, problems):
        """The class as the view's model decides it (drfgate.modelfacts): ``hasattr(obj, 'x')``
        and a comparison with the user that Django's ``==`` makes always False replaced by their
        constants, declared as a variant ``<name>_on<Model>`` proved against the class's code;
        the class's own name when nothing changes; a problem when the model does not decide."""
        model = self._view_model
        if model is None and self._view_class is None:
            return name  # the defaults, read before any view: each view decides its own
        stateless = "jwtStateless" in self._view_auth_kinds
        resolved, facts = {}, {}
        for key, (method, text) in self.model_templates[cls].items():
            try:
                # TokenUser's __eq__ compares ids: no comparison is decided for JWTStatelessUserAuthentication.
                resolved[key], facts[key] = modelfacts.resolve(text, model, self._view_class, compare=not stateless)
            except modelfacts.Undecided as exc:
                where = f" on {model._meta.label}" if model is not None else ""
                problems.append(Problem(cls.__dict__.get(method, cls),
                                        f"permission class {name}: {method}() {text!r} is not decided{where}: {exc}",
                                        "declare its conditions (@drfgate.condition), or leave the view to the origin "
                                        "(--leave-to-origin VIEW)"))
                return name
        if not any(facts.values()):
            return name
        decl = dict(self.permission_decls.get(name, {}))
        decl.update(resolved)
        cache = (cls, model._meta.label, json.dumps(decl, sort_keys=True))
        if cache in self._variants:
            return self._variants[cache]
        proofs = {}
        for key, text in resolved.items():
            method = self.model_templates[cls][key][0]
            errors = condition_errors(text, object_level=key == "hasObjectPermission")
            proof = None if errors else self._prove_variant(cls, method, text, model, facts[key])
            proofs[key] = proof
            if errors or (proof is not None and not proof.proved):
                why = errors[0] if errors else (f"disagrees with the code on {len(proof.disagreements)} of "
                                                f"{proof.cases} generated inputs, e.g. {proof.disagreements[0]}")
                problems.append(Problem(cls.__dict__.get(method, cls),
                                        f"permission class {name} on {model._meta.label}: {method}() as the model "
                                        f"decides it, {text!r}, {why}",
                                        "declare its conditions, or leave the view to the origin"))
                return name
        variant = f"{name}_on{model._meta.object_name}"
        if variant in self._used_names:
            variant = f"{name}_on{model._meta.app_label}_{model._meta.object_name}"
        while variant in self._used_names:
            variant += "_"
        self._used_names.add(variant)
        self.permission_decls[variant] = decl
        self.permission_deps[variant] = set(self.permission_deps.get(name, ()))
        self.model_variants[variant] = (name, model._meta.label, resolved, proofs)
        self._variants[cache] = variant
        return variant

    @staticmethod
    def _prove_variant(cls, method, text, model, facts):
        """Proves a variant's condition against the class's code on objects of the model's shape
        (drfgate.modelfacts.proof_objects); None without the compiled core."""
        from . import core
        from .prove import _Facts, _objects, prove, user_objects

        if not core.available():
            return None
        if method == "has_permission":
            return prove(cls, method, text)
        objects = user_objects() if model._meta.concrete_model is get_user_model()._meta.concrete_model \
            else _objects(_Facts(text), random.Random(0))
        return prove(cls, method, text, objects=modelfacts.proof_objects(objects, facts))

    def permission_expression(self, perm, problems):
        """The expression string of one ``permission_classes`` entry (a class, an instance, or a
        composition of either), with the minimal parentheses Python's precedence needs."""
        return self._expr(perm, problems)[0]

    def _expr(self, perm, problems):
        op_and, op_or, op_not = drf_permissions.AND, drf_permissions.OR, drf_permissions.NOT
        # A composition: OperandHolder/SingleOperandHolder (classes) or AND/OR/NOT (instances).
        if isinstance(perm, drf_permissions.OperandHolder):
            operator, operands = perm.operator_class, (perm.op1_class, perm.op2_class)
        elif isinstance(perm, drf_permissions.SingleOperandHolder):
            operator, operands = perm.operator_class, (perm.op1_class,)
        elif isinstance(perm, (op_and, op_or)):
            operator, operands = type(perm), (perm.op1, perm.op2)
        elif isinstance(perm, op_not):
            operator, operands = op_not, (perm.op1,)
        else:
            cls = perm if isinstance(perm, type) else type(perm)
            if not (isinstance(cls, type) and issubclass(cls, drf_permissions.BasePermission)):
                # Duck-typed permission (no BasePermission base): still a class with code.
                if not isinstance(cls, type):
                    problems.append(Problem(type(perm), f"unrecognised permission entry {perm!r}"))
                    return "?", _PREC_ATOM
            name = self.permission_class(cls)
            problems.extend(self.permission_problems.get(cls, []))
            if not isinstance(perm, type) and vars(perm):
                # The class's declaration is what `cls()` holds; an instance get_permissions()
                # made otherwise (`HasRole("admin")`, a map set after) holds what DRF reads.
                made = self.permission_instances.get(cls)
                declared = made if made is not None else cls
                differing = [a for a in INSTANCE_STATE if a in vars(perm)
                             and getattr(perm, a) != getattr(declared, a, None)]
                if differing:
                    problems.append(Problem(
                        cls, f"an instance of permission class {name} carries its own {', '.join(differing)} "
                        f"(not what {cls.__name__}() holds): the policy declares one per class",
                        "set it on the class (or a subclass of its own), or leave its views to the origin"))
                other = sorted(a for a in vars(perm) if a not in INSTANCE_STATE
                               and (made is None or a not in vars(made) or vars(made)[a] != vars(perm)[a]))
                if other:
                    self.warnings.append(
                        f"{source_location(cls)}: an instance of {cls.__name__} carries state "
                        f"{other}; drf-gate sees only the class declaration"
                    )
            if _path(cls) in USER_MODEL_VARIANTS and self._view_model is not None \
                    and self._view_model is get_user_model():
                name = self._user_model_variant(cls, problems)
            if cls in self.model_templates:
                name = self._model_variant(cls, name, problems)
            return name, _PREC_ATOM
        if operator is op_not:
            text, prec = self._expr(operands[0], problems)
            return "~" + (text if prec >= _PREC_NOT else f"({text})"), _PREC_NOT
        prec = _PREC_AND if operator is op_and else _PREC_OR
        symbol = " & " if operator is op_and else " | "
        left, lp = self._expr(operands[0], problems)
        right, rp = self._expr(operands[1], problems)
        # Python's `&` and `|` are left-associative: a right operand of the same precedence
        # needs parentheses to keep DRF's tree.
        left = left if lp >= prec else f"({left})"
        right = right if rp > prec else f"({right})"
        return left + symbol + right, prec

    # ---- authentication classes -------------------------------------------------------------

    def authentication_class(self, cls, problems):
        if cls in self.auth_names:
            # Its problems again: each view using it is one (the first may be left to the origin).
            problems.extend(self._auth_problems.get(cls, ()))
            return self.auth_names[cls]
        knox = next((k for k in cls.__mro__ if _path(k) == KNOX_AUTHENTICATION), None)
        if knox is not None and not any(m in k.__dict__ for k in cls.__mro__[:cls.__mro__.index(knox)] for m in KNOX_METHODS):
            if cls is knox:
                self.auth_names[cls] = "KnoxTokenAuthentication"
                return "KnoxTokenAuthentication"
            name = self._unique_name(cls)
            self.auth_names[cls] = name
            self.auth_decls[name] = {"base": "KnoxTokenAuthentication"}
            return name
        name = self._unique_name(cls)
        self.auth_names[cls] = name
        builtin = next((b for b in cls.__mro__[1:] if b in BUILTIN_AUTHENTICATION), None)
        header_overridden = any(
            "authenticate_header" in k.__dict__ for k in cls.__mro__ if k not in BUILTIN_AUTHENTICATION and k is not object
            and k is not drf_authentication.BaseAuthentication
        )
        # Any method of its own (an `authenticate_credentials` refusing expired tokens, an
        # `authenticate` reading another header): not the built-in's behaviour, so a custom
        # class (its resolver decides, or leaves the request to the origin), not `base`.
        own_code = builtin is not None and any(
            not attr.startswith("__") and (callable(value) or isinstance(value, (staticmethod, classmethod, property)))
            for k in cls.__mro__[:cls.__mro__.index(builtin)] for attr, value in vars(k).items()
        )
        own = []
        header = self._authenticate_header(cls, name, own)
        self._auth_problems[cls] = own
        problems.extend(own)
        decl = {}
        if builtin is not None and not header_overridden and not own_code:
            base_name = BUILTIN_AUTHENTICATION[builtin]
            decl["base"] = base_name
            if issubclass(cls, drf_authentication.TokenAuthentication) and cls.keyword != builtin.keyword:
                decl["keyword"] = cls.keyword
            realm = getattr(cls, "www_authenticate_realm", None)
            if realm is not None and realm != getattr(builtin, "www_authenticate_realm", None):
                decl["realm"] = realm
        else:
            decl["wwwAuthenticate"] = header
        self.auth_decls[name] = decl
        return name

    def _authenticate_header(self, cls, name, problems):
        """``cls().authenticate_header(request)``, the class's `WWW-Authenticate` (None: DRF's 403
        instead of 401), asked for a few different requests: the policy holds one value per
        class, so one that answers by the request (its path, method, a header: 401 for an app's
        requests, 403 for a browser's) is a problem. It was exported with the answer for `GET /`."""
        requests = (self.factory.get("/"), self.factory.post("/api/", HTTP_AUTHORIZATION="Token x"),
                    self.factory.get("/api/x/1/", HTTP_ACCEPT="text/html", HTTP_X_REQUESTED_WITH="XMLHttpRequest",
                                     HTTP_USER_AGENT="Mozilla/5.0", HTTP_X_API_KEY="x"),
                    self.factory.delete("/x/", secure=True))
        answers = []
        for request in requests:
            try:
                answers.append(cls().authenticate_header(Request(request)))
            except Exception as exc:  # noqa: BLE001 - any failure is reported with its location
                problems.append(Problem(cls, f"calling {name}().authenticate_header(request) failed: {exc!r}"))
                return None
        if any(answer != answers[0] for answer in answers):
            problems.append(Problem(cls, f"{name}.authenticate_header(request) answers by the request "
                                         f"({', '.join(sorted({repr(a) for a in answers}))}): the policy holds one "
                                         "WWW-Authenticate per class (401 or 403)",
                                    "leave its views to the origin (--leave-to-origin VIEW)"))
        return answers[0]

    # ---- views --------------------------------------------------------------------------

    def _instance(self, route, action, method):
        """An instance of the route's view, set up as DRF's dispatch would for this action."""
        view = route.callback.cls(**route.initkwargs)
        path = route.template.replace("{", "").replace("}", "")
        request = Request(self.factory.generic(method, path))
        request.user = AnonymousUser()
        view.request, view.args, view.kwargs, view.format_kwarg = request, (), {}, None
        view.headers = {}
        if isinstance(view, ViewSetMixin):
            view.action_map = dict(route.actions or {})
            view.action = action
        return view

    def _decide(self, view, problems):
        """(authentication names, permission expressions) that DRF would use for this instance."""
        try:
            auth = [self.authentication_class(type(a), problems) for a in view.get_authenticators()]
            perms = [self.permission_expression(p, problems) for p in view.get_permissions()]
        except Exception as exc:  # noqa: BLE001 - DRF's 500 for this request; the view is a problem
            cls = type(view)
            if cls in self._reads_request:
                return None, None  # it reads what this request lacks (the object): one problem says so
            owner = next((k for k in cls.__mro__ if "get_permissions" in k.__dict__), cls)
            problems.append(Problem(owner.__dict__.get("get_permissions", cls),
                                    f"{_path(cls)}: get_permissions()/get_authenticators() raise {exc!r} for "
                                    f"{view.request.method} (action {getattr(view, 'action', None)!r}): DRF answers "
                                    "500", "leave its views to the origin (--leave-to-origin VIEW)"))
            return None, None
        self._check_user_independent(view, (auth, perms), problems)
        return auth, perms

    # What a get_permissions()/get_authenticators() of the project's own may read besides the
    # method (probed per method), the user (read again for staff) and self.action: the query
    # string, headers, body, URL kwargs, the object. The exporter's requests carry none of them.
    _REQUEST_READS = re.compile(r"\brequest\.(?!method\b|user\b)(\w+)|\bself\.(kwargs|args|format_kwarg|get_object)\b")

    def _request_dependent(self, cls):
        """A ``get_permissions()`` choosing by ``self.request.query_params`` (``?mine=1`` gives
        ``IsAuthenticated``, else ``AllowAny``: DRF answers an anonymous ``GET /x/?mine=1`` 401, the
        edge gave the list read without it: 200), headers, the body or the URL kwargs: the policy
        cannot say so. Read from the source: the exporter's requests carry none of them."""
        out = []
        for method in ("get_permissions", "get_authenticators"):
            owner = next((k for k in cls.__mro__ if method in k.__dict__), None)
            if owner is None or owner.__module__.split(".")[0] in ("rest_framework", "django"):
                continue
            found = Exporter._REQUEST_READS.search(_source(owner.__dict__[method]))
            if found:
                self._reads_request.add(cls)
                read = f"request.{found.group(1)}" if found.group(1) else f"self.{found.group(2)}"
                out.append(Problem(owner.__dict__[method], f"{_path(owner)}.{method}() reads {read}: the classes "
                                                           "it returns depend on what the policy cannot say",
                                   "leave its views to the origin (--leave-to-origin VIEW)"))
        return out

    def _check_user_independent(self, view, decided, problems):
        """The classes were read with an anonymous request; a `get_permissions()` or
        `get_authenticators()` of the project's own may choose by `request.user` (staff get
        AllowAny), which the policy cannot say: read them again for other users."""
        cls = type(view)
        own = [m for m in ("get_permissions", "get_authenticators")
               if (k := next((k for k in cls.__mro__ if m in k.__dict__), None)) is not None
               and k.__module__.split(".")[0] not in ("rest_framework", "django")]
        if not own or cls in self._user_dependent:
            return
        # A staff superuser, a plain user, staff without superuser, an inactive user: code like
        # `is_authenticated and not is_staff` picks a third list for the plain user only.
        anonymous, differs = view.request.user, False
        for pk, is_staff, is_superuser, is_active in ((1, True, True, True), (2, False, False, True),
                                                       (3, True, False, True), (4, False, False, False)):
            user = get_user_model()()
            user.pk, user.is_staff, user.is_superuser, user.is_active = pk, is_staff, is_superuser, is_active
            view.request.user = user
            try:
                again = ([self.authentication_class(type(a), []) for a in view.get_authenticators()],
                         [self.permission_expression(p, []) for p in view.get_permissions()])
            except Exception:  # noqa: BLE001 - code that fails for a user is code that reads the user
                again = None
            finally:
                view.request.user = anonymous
            differs = differs or again != decided
        if differs:
            self._user_dependent.add(cls)
            problems.append(Problem(cls.__dict__.get(own[0], cls), f"{_path(cls)}.{own[0]}() returns other classes "
                                                                  "for another request.user: the policy cannot say so",
                                    "leave its views to the origin (--leave-to-origin VIEW)"))

    def collect_routes(self):
        """Group the URLconf's DRF endpoints by policy view name, in URLconf order."""
        views, names_by_key, chains = {}, {}, set()
        for template, regex, p, namespace, clean, chain in iter_url_patterns(
            get_resolver(self.urlconf) if self.urlconf else None
        ):
            if chain in chains:
                # The same patterns as an earlier endpoint: Django resolves that one, never this
                # (a NestedDefaultRouter's API root after its parent's, `router.urls + nested.urls`).
                continue
            chains.add(chain)
            cls = getattr(p.callback, "cls", None)
            if not (isinstance(cls, type) and issubclass(cls, APIView)):
                continue
            if _is_format_suffix(p):
                continue  # `.json` suffix routes: left to the origin (the Worker passes them through)
            initkwargs = dict(getattr(p.callback, "initkwargs", {}) or {})
            actions = getattr(p.callback, "actions", None)
            if issubclass(cls, ViewSetMixin):
                name = initkwargs.get("basename") or p.name or cls.__name__
                detail = bool(initkwargs.get("detail"))
                key = (cls, name, namespace)
            else:
                name = p.name or cls.__name__
                detail = None
                key = (cls, name, namespace, template)
            if namespace:
                name = f"{namespace}:{name}"
            if not clean:
                # drf-gate's pattern cannot match exactly what Django matches here: no route, so
                # the Worker passes these URLs to the origin (a route matching more would answer
                # for URLs Django does not resolve).
                self.warnings.append(f"route {template} of {name} uses regex syntax or a path converter drf-gate "
                                     f"does not match exactly; left to the origin")
            if key not in names_by_key:
                unique, n = name, 2
                while unique in views:
                    unique, n = f"{name}-{n}", n + 1
                names_by_key[key] = unique
                views[unique] = []
            route = _Route(template, regex, p.callback, detail, actions, initkwargs)
            route.routable = clean
            route.order = len(chains)  # its place in Django's resolution order
            views[names_by_key[key]].append(route)
        return views

    def export_view(self, name, routes):
        """(view policy, route entries, problems) of one view or viewset."""
        problems = []
        first = routes[0]
        cls = first.callback.cls
        is_viewset = issubclass(cls, ViewSetMixin)
        # The view's own default: its classes' attributes, as APIView.get_permissions() reads them
        # (without the per-route initkwargs an @action(permission_classes=...) adds).
        plain_kwargs = {k: v for k, v in first.initkwargs.items() if k in _ROUTER_INITKWARGS}
        base_view = self._instance(
            _Route(first.template, first.regex, first.callback, first.detail, first.actions, plain_kwargs), None, "GET"
        )
        model = self._model(cls, base_view, routes)
        narrowed = self._queryset_kwarg_forms(base_view, routes)
        self._view_model, self._view_class = model, cls
        default_auth = [self.authentication_class(type(a), problems) for a in APIView.get_authenticators(base_view)]
        self._view_auth_kinds = {"jwtStateless" for a in APIView.get_authenticators(base_view)
                                 if jwt_authentication is not None
                                 and isinstance(a, jwt_authentication.JWTStatelessUserAuthentication)}
        try:
            default_perms = [self.permission_expression(p, problems) for p in APIView.get_permissions(base_view)]
        except Exception:  # noqa: BLE001 - permission_classes that only the view's get_permissions() reads
            # (a dict by action): DRF never calls APIView's; start from what the view gives a
            # request without an action (the per-method reading below settles the view's list).
            default_perms = self._decide(base_view, problems)[1] or []
        problems.extend(self._before_authentication(cls))
        problems.extend(self._language(cls))
        problems.extend(self._pipeline_overrides(cls))
        problems.extend(self._request_dependent(cls))
        policy = {}
        if model is not None:
            policy["model"] = f"{model._meta.app_label}.{model._meta.object_name}"
        if default_auth != self.global_auth:
            policy["authentication"] = default_auth
        actions, route_entries = {}, []
        # A "me" view (get_object() is request.user), or a get_object() of the project's own that
        # runs no object permission: no object stage at the edge (getObject false everywhere).
        user_object = get_object_is_user(cls) or get_object_runs_no_object_permission(cls)
        for route in routes:
            if is_viewset:
                mapping = {m.upper(): a for m, a in route.actions.items() if m in HANDLER_METHODS}
                detail = route.detail
            else:
                mapping = {m.upper(): m for m in HANDLER_METHODS if m in cls.http_method_names and hasattr(cls, m)}
                detail = self._plain_view_detail(cls, mapping)
            template = _narrow_template(route.template, narrowed) if getattr(route, "routable", True) else None
            if template is None and getattr(route, "routable", True):
                self.warnings.append(f"route {route.template} of {name}: get_queryset() filters by a URL kwarg whose "
                                     f"field raises on values the route admits (DRF's 500) and no drf-gate pattern "
                                     f"admits only its values; left to the origin")
            if template is not None:
                route_entries.append(
                    {"pattern": template, "regex": route.regex, "view": name, "detail": detail, "actions": mapping}
                )
            # An @action with extra methods (`@star.mapping.delete def unstar`) shares its URL with
            # them, like a plain view's handlers: one route, one Allow header ("POST, DELETE, OPTIONS").
            extras = [a for a in dict.fromkeys(mapping.values()) if a not in STANDARD_ACTIONS]
            group = name if not is_viewset else (extras[0] if len(extras) > 1 else None)
            for method, action in mapping.items():
                entry = actions.setdefault(action, {"methods": [], "detail": detail})
                if group is not None:
                    # One URL, several handlers: the actions share a route (and its Allow header).
                    entry["route"] = group
                entry["methods"].append(method)
                view = self._instance(route, action if is_viewset else None, method)
                # As DRF gives them; those equal to the view's are dropped below.
                entry["authentication"], entry["permissions"] = self._decide(view, problems)
                if "getObject" not in entry:
                    # A "me" view's get_object() is request.user: no 404, no object permissions.
                    calls = False if user_object else handler_calls_get_object(
                        cls, action if is_viewset else method.lower())
                    default = STANDARD_GET_OBJECT.get(action, detail) if is_viewset else detail
                    if calls is not None and calls != default:
                        entry["getObject"] = calls
                    handler = getattr(cls, action if is_viewset else method.lower(), None)
                    if calls is False and not user_object and re.search(r"\bget_object\s*\(", _source(handler)):
                        self.warnings.append(
                            f"{name}.{action}: {source_location(handler)} calls get_object() after other code or "
                            "only on some paths: exported getObject false, so the edge answers its view stage "
                            "only and forwards the rest, and can() does not run its object permissions")
                default = STANDARD_GET_OBJECT.get(action, detail) if is_viewset else detail
                if entry.get("getObject", default) and not user_object and lookup_kwarg_missing(cls, route.template):
                    # DRF's get_object() asserts the lookup kwarg is in the URL: an AssertionError
                    # (DRF's 500) once the permissions passed, no object permission. The origin's.
                    entry["getObject"] = False
                    self.warnings.append(
                        f"{name}.{action}: get_object() on the route {route.template}, which has no "
                        f"'{lookup_kwarg_missing(cls, route.template)}' (DRF's AssertionError, a 500): "
                        "exported getObject false, the edge answers its view stage only")
                if entry.get("getObject") == default:
                    del entry["getObject"]
        if is_viewset:
            # OPTIONS runs as action 'metadata' (drf-gate's `metadata` action carries only OPTIONS
            # permissions: authenticators are chosen before `self.action` is set).
            actions["metadata"] = {"permissions": self._decide(self._instance(first, "metadata", "OPTIONS"), problems)[1]}
        view_perms, method_problems = self._per_method(cls, routes, is_viewset, actions, default_auth, default_perms)
        if cls not in self._user_dependent:
            problems.extend(method_problems)
        if view_perms != self.global_perms:
            policy["permissions"] = view_perms
        for entry in actions.values():
            if entry.get("authentication") == default_auth:
                del entry["authentication"]
            if entry.get("permissions") == view_perms:
                del entry["permissions"]
            if "routePermissions" in entry and entry["routePermissions"] == entry.get("permissions", view_perms):
                del entry["routePermissions"]
        if actions.get("metadata") == {}:
            del actions["metadata"]
        policy["actions"] = {a: self._action_entry(a, e, is_viewset) for a, e in actions.items()}
        if getattr(cls, "_ignore_model_permissions", False):
            policy["ignoreModelPermissions"] = True
        throttles = [getattr(t, "__name__", repr(t)) for t in getattr(cls, "throttle_classes", None) or ()]
        # A get_throttles()/check_throttles() of the project's own (throttles for some actions
        # only, `throttle_classes` left empty) may throttle too.
        own_throttles = any(
            (k := next((k for k in cls.__mro__ if m in k.__dict__), None)) is not None
            and k.__module__.split(".")[0] not in ("rest_framework", "django")
            for m in ("get_throttles", "check_throttles"))
        if throttles or own_throttles:
            # DRF checks throttles after the permissions, before the handler lookup and
            # get_object(): the edge forwards its 405s and object-stage answers (docs/policy.md).
            policy["throttled"] = True
        filtering = []
        queryset = queryset_condition(cls, name, filtering)
        if queryset is not None:
            policy["queryset"] = queryset
        view_list = policy.get("permissions", self.global_perms)
        looked_up = [e.get("permissions", view_list) for a, e in actions.items() if a != "metadata" and e.get(
            "getObject", STANDARD_GET_OBJECT.get(a, e["detail"]) if is_viewset else e["detail"])]
        if filtering and any(self._object_stage_can_deny(p or []) for p in looked_up) and not policy.get("throttled"):
            # get_object() finds only what get_queryset() returns: DRF's 404 where the edge ran the
            # object permissions on the object the resolver found and answered 403. (Where no
            # object permission can deny, the edge only allows, and the origin answers: a warning.)
            problems.append(Problem(next(k for k in cls.__mro__ if "get_queryset" in k.__dict__).get_queryset,
                                    filtering[0], "declare it (drfgate_queryset = \"...\"), or leave its views to "
                                                  "the origin (--leave-to-origin VIEW)"))
        else:
            self.warnings.extend(filtering)
        # get_object() is `filter_queryset(get_queryset())`: each filter backend (but ordering)
        # runs between the view and the object permissions. SearchFilter's `?search=` and
        # django-filter's fields hide the object (DRF's 404; a bad value is django-filter's 400)
        # only when the request carries them: the edge leaves those requests' lookup and object
        # stages to the origin (`filterParams`). A backend that filters every request
        # (djangorestframework-guardian's ObjectPermissionsFilter: every object the user may not
        # view) hides objects where the edge ran the object permissions on the resolver's (403).
        filter_params, backends = filter_parameters(cls, model)
        if filter_params:
            policy["filterParams"] = filter_params
        if backends and any(self._object_stage_can_deny(p or []) for p in looked_up) and not policy.get("throttled"):
            problems.append(Problem(cls, f"{name}: filter_backends ({'; '.join(backends)}) filter the "
                                         "object lookup before the object permissions (DRF's 404, or a filter's "
                                         "400, where the edge answers the object permissions)",
                                    "leave its views to the origin (--leave-to-origin VIEW)"))
        renderers = [_class_name(c) for c in getattr(cls, "renderer_classes", api_settings.DEFAULT_RENDERER_CLASSES)]
        if renderers != self.global_renderers:
            policy["renderers"] = renderers
        # As written: Django dispatches request.method.lower() only if it is in the list, so an
        # upper-case name ("GET") matches nothing, and the policy must say so.
        method_names = list(cls.http_method_names)
        # @api_view renames the class after the function; its qualname stays WrappedAPIView.
        from_set = getattr(cls, "__qualname__", "").endswith("WrappedAPIView")
        if from_set:
            # The set's order is not reproducible: write Django's order, so exports are stable.
            order = {m: i for i, m in enumerate(_DEFAULT_HTTP_METHOD_NAMES)}
            method_names.sort(key=lambda m: order.get(m, len(order)))
        if method_names != _DEFAULT_HTTP_METHOD_NAMES:
            policy["httpMethodNames"] = method_names
            if from_set:
                self.warnings.append(
                    f"{name}: an @api_view view; DRF builds its http_method_names from a set, so the "
                    f"order of its Allow header changes between server processes (PYTHONHASHSEED)"
                )
        for problem in problems:
            problem.views.add(name)
        return policy, route_entries, problems

    # Methods DRF runs the view's get_permissions()/get_authenticators() for on a route: each
    # handler's, HEAD, OPTIONS, and methods without a handler (the 405 comes after the
    # permissions); BREW stands for a method no code names.
    PROBE_METHODS = ("GET", "HEAD", "OPTIONS", "POST", "PUT", "PATCH", "DELETE", "TRACE", "BREW")

    def _object_stage_can_deny(self, expressions):
        """Whether a permission list may deny at the object stage: a `~` (NOT inverts the built-ins'
        True), DjangoObjectPermissions, or a class declaring hasObjectPermission (or an API key
        check), itself or through its base."""
        for expr in expressions:
            if "~" in expr:
                return True
            for name in re.findall(r"[A-Za-z_][\w.]*", expr):
                seen = set()
                while name and name not in seen:
                    seen.add(name)
                    if name == "DjangoObjectPermissions":
                        return True
                    decl = self.permission_decls.get(name, {})
                    if decl.get("hasObjectPermission", "True") != "True" or "apiKey" in decl or name == "HasAPIKey":
                        return True
                    name = decl.get("base")
        return False

    @staticmethod
    def _route_handlers(cls, route, is_viewset):
        """Method -> the policy's action on this route; HEAD follows GET (ViewSetMixin.as_view
        and Django's View.setup both make it so, with request.method still HEAD)."""
        if is_viewset:
            names = {m.upper(): a for m, a in (route.actions or {}).items() if m in HANDLER_METHODS}
        else:
            names = {m.upper(): m for m in HANDLER_METHODS if m in cls.http_method_names and hasattr(cls, m)}
        if "GET" in names:
            names["HEAD"] = names["GET"]
        return names

    def _per_method(self, cls, routes, is_viewset, actions, default_auth, default_perms):
        """(the view's permissions, problems): where DRF's classes for a request differ from
        those the policy can give it.

        The policy has one list per action (``actions`` holds them as DRF gives them), one for
        OPTIONS on a viewset's list and detail routes (``metadata``), one per @action route and
        plain view for OPTIONS and the methods without a handler (``routePermissions`` of its first
        action), the view's list for those methods on the list and detail routes, and one
        authentication list per route. A ``get_permissions()`` choosing by ``self.request.method``
        (``== "GET"`` rather than ``in SAFE_METHODS``) can give HEAD, OPTIONS or a method DRF then
        answers 405 other classes than these (observed: an anonymous ``HEAD`` allowed at the edge,
        401 from DRF). The view's list and each route's are taken from DRF here when all the
        requests they serve agree; the class's ``permission_classes`` otherwise."""
        probes = []
        for route in routes:
            handlers = self._route_handlers(cls, route, is_viewset)
            drf = {}
            for method in self.PROBE_METHODS:
                action = None
                if is_viewset:
                    action = "metadata" if method == "OPTIONS" else handlers.get(method)
                raised = []
                drf[method] = self._decide(self._instance(route, action, method), raised)
                if drf[method] == (None, None):
                    return default_perms, raised
            own = not is_viewset or any(a not in STANDARD_ACTIONS for a in handlers.values())
            head = actions.get(next(iter(handlers.values()))) if own and handlers else None
            unhandled = {tuple(drf[m][1]) for m in self.PROBE_METHODS if m not in handlers}
            if head is not None and len(unhandled) == 1:
                head["routePermissions"] = list(unhandled.pop())
            probes.append((route, handlers, drf, head))
        standard = {tuple(drf[m][1]) for _, handlers, drf, head in probes if head is None
                    for m in self.PROBE_METHODS if m not in handlers and m != "OPTIONS"}
        view_perms = list(standard.pop()) if len(standard) == 1 else default_perms
        for route, handlers, drf, head in probes:
            route_auth = head["authentication"] if head is not None else default_auth
            for method in self.PROBE_METHODS:
                if method in handlers:
                    edge_perms, via = actions[handlers[method]]["permissions"], handlers[method]
                elif head is not None:
                    edge_perms = head.get("routePermissions", head["permissions"])
                    via = "the route's methods without a handler"
                elif method == "OPTIONS":
                    edge_perms, via = actions["metadata"]["permissions"], "metadata"
                else:
                    edge_perms, via = view_perms, "the view's methods without a handler"
                auth, perms = drf[method]
                for what, got, edge in (("get_authenticators", auth, route_auth), ("get_permissions", perms, edge_perms)):
                    if got != edge:
                        owner = next((k for k in cls.__mro__ if what in k.__dict__), cls)
                        return view_perms, [Problem(
                            owner.__dict__.get(what, cls),
                            f"{_path(cls)}.{what}() gives {method} {route.template} {got}; the policy can only "
                            f"give it {edge} (those of {via}): it chooses by request.method",
                            "compare with SAFE_METHODS (HEAD and OPTIONS are safe too), or leave its views to the "
                            "origin (--leave-to-origin VIEW)")]
        return view_perms, []

    @staticmethod
    def _before_authentication(cls):
        """What DRF's `initial()` runs before authentication that the policy cannot say: content
        negotiation other than DRF's default reading `?format=`, and versioning that can raise
        (`ALLOWED_VERSIONS` set: 404 "Invalid version in query parameter.", 406 for the Accept
        header, ...). The edge would answer those requests with the authentication's outcome."""
        from rest_framework.negotiation import DefaultContentNegotiation
        from rest_framework.versioning import (AcceptHeaderVersioning, HostNameVersioning, NamespaceVersioning,
                                               QueryParameterVersioning, URLPathVersioning)

        hint = "leave its views to the origin (--leave-to-origin VIEW)"
        out = []
        negotiation = getattr(cls, "content_negotiation_class", DefaultContentNegotiation)
        if negotiation is not DefaultContentNegotiation:
            out.append(Problem(negotiation, f"content negotiation class {_path(negotiation)}: drf-gate negotiates "
                                            "as DRF's DefaultContentNegotiation", hint))
        elif DefaultContentNegotiation.settings.URL_FORMAT_OVERRIDE != "format":
            out.append(Problem(cls, f"URL_FORMAT_OVERRIDE = {DefaultContentNegotiation.settings.URL_FORMAT_OVERRIDE!r}: "
                                    "drf-gate reads the format from ?format= (DRF's default)", hint))
        versioning = getattr(cls, "versioning_class", None)
        builtin = (AcceptHeaderVersioning, HostNameVersioning, NamespaceVersioning, QueryParameterVersioning,
                   URLPathVersioning)
        if versioning is not None and (versioning not in builtin or versioning.allowed_versions):
            out.append(Problem(versioning, f"versioning class {_path(versioning)} with ALLOWED_VERSIONS "
                                           f"{list(getattr(versioning, 'allowed_versions', None) or [])}: DRF "
                                           "refuses other versions before authentication; the policy cannot say so",
                               hint))
        return out

    @staticmethod
    def _pipeline_overrides(cls):
        """A view that overrides a step of DRF's request pipeline (a `permission_denied` raising
        Http404 to hide what exists, a `handle_exception` shaping bodies, ...) answers otherwise
        than the policy says; so does another EXCEPTION_HANDLER, or JSON settings other than
        DRF's defaults (`COMPACT_JSON = False` writes `{"detail": "..."}`)."""
        hint = "leave its views to the origin (--leave-to-origin VIEW)"
        out = []
        for method in _PIPELINE_METHODS:
            owner = next((k for k in cls.__mro__ if method in k.__dict__), None)
            if method == "get_authenticate_header" and not getattr(cls, "authentication_classes", None):
                continue  # read only for NotAuthenticated/AuthenticationFailed: none without authenticators
            if method == "get_object" and (get_object_is_user(cls) or get_object_runs_no_object_permission(cls)):
                continue  # no object permission DRF runs: exported getObject false
            if owner is not None and owner.__module__.split(".")[0] not in ("rest_framework", "django"):
                member = owner.__dict__[method]
                what = f"{method}()" if callable(member) or isinstance(member, property) else method
                out.append(Problem(member if callable(member) else owner, f"{_path(owner)}.{what} overrides DRF's "
                                   "request pipeline: drf-gate cannot say what it does", hint))
        for renderer in getattr(cls, "renderer_classes", None) or ():
            if getattr(renderer, "__module__", None) != "rest_framework.renderers":
                # Exported by class name: a project's own `JSONRenderer` (a charset, an indent)
                # would be read as DRF's.
                out.append(Problem(renderer, f"renderer {getattr(renderer, '__module__', '?')}."
                                             f"{getattr(renderer, '__qualname__', renderer)}: drf-gate renders as "
                                             "DRF's own renderer classes only", hint))
        handler = api_settings.EXCEPTION_HANDLER
        if getattr(handler, "__module__", None) != "rest_framework.views" or handler.__name__ != "exception_handler":
            out.append(Problem(handler, f"EXCEPTION_HANDLER {getattr(handler, '__module__', '?')}."
                                        f"{getattr(handler, '__qualname__', handler)}: drf-gate renders DRF's default "
                                        "exception handler's bodies", hint))
        for name, default in (("COMPACT_JSON", True), ("UNICODE_JSON", True), ("STRICT_JSON", True)):
            if getattr(api_settings, name) != default:
                out.append(Problem(cls, f"REST_FRAMEWORK {name} = {getattr(api_settings, name)!r}: drf-gate writes "
                                        f"JSON as DRF's default ({name} = {default})", hint))
        return out

    @staticmethod
    def _language(cls):
        """DRF's and simplejwt's messages are translated into the active language
        (`LANGUAGE_CODE` without LocaleMiddleware: `fr` makes NotAuthenticated "Informations
        d'authentification non fournies."); the edge writes DRF's English messages."""
        from django.utils import translation
        from rest_framework.exceptions import NotAuthenticated

        if not settings.USE_I18N:
            return []
        with translation.override(settings.LANGUAGE_CODE):
            text = str(NotAuthenticated.default_detail)
        if settings.LANGUAGE_CODE.lower().split("-")[0] == "en" and text == "Authentication credentials were not provided.":
            return []
        return [Problem(cls, f"LANGUAGE_CODE = {settings.LANGUAGE_CODE!r} with USE_I18N: DRF's messages are "
                             f"translated (NotAuthenticated: {text!r}); drf-gate writes them in English",
                        "leave its views to the origin (--leave-to-origin VIEW), or set LANGUAGE_CODE to an "
                        "English variant")]

    @staticmethod
    def _action_entry(action, entry, is_viewset):
        out = {}
        if action == "metadata":
            return {k: v for k, v in entry.items() if k == "permissions"}
        standard = STANDARD_ACTIONS.get(action) if is_viewset else None
        if standard != (entry["methods"], entry["detail"]):
            out["detail"] = entry["detail"]
            out["methods"] = entry["methods"]
        for key in ("getObject", "authentication", "permissions", "routePermissions", "route"):
            if key in entry:
                out[key] = entry[key]
        return out

    @staticmethod
    def _plain_view_detail(cls, mapping):
        """A plain (non-viewset) view is a detail route when its handlers call get_object()."""
        from rest_framework import mixins

        if get_object_is_user(cls):
            return False  # `/me/`: get_object() looks nothing up

        detail_mixins = (mixins.RetrieveModelMixin, mixins.UpdateModelMixin, mixins.DestroyModelMixin)
        return any(issubclass(cls, m) for m in detail_mixins)

    def _model(self, cls, view, routes=()):
        """The model of the view's queryset (its lookup miss is `No <Model> matches the given
        query.`). A `get_queryset()` filtering by `request.user` raises for AnonymousUser
        (nomad-back's `Availability.objects.filter(user=user)`): it is asked again as a user, an
        instance that is never saved nor queried (a queryset is lazy). One filtering by a URL kwarg
        (a nested route's `Review.objects.filter(product_id=self.kwargs['product_pk'])`, a
        KeyError without kwargs) is asked again with the routes' kwargs set to `1`: storefront's
        nested reviews had no model, and the edge's miss said `Not found.` where DRF says
        `No Review matches the given query.`."""
        queryset = getattr(cls, "queryset", None)
        names = [name for r in routes for name in re.findall(r"{(\w+)(?::\w+)?}", r.template)]
        # `1`, then a UUID (storefront's cart items filter by a UUID `cart_pk`: `1` raises).
        samples = [{name: value for name in names} for value in _KWARG_SAMPLES.values()] if names else []
        if queryset is None and hasattr(view, "get_queryset"):
            attempts = [(None, {}), (self._unsaved_user(), {})] + [
                (user, sample) for sample in samples for user in (None, self._unsaved_user())]
            for user, kwargs in attempts:
                try:
                    if user is not None:
                        view.request.user = user
                    view.kwargs = kwargs
                    queryset = view.get_queryset()
                    break
                except Exception:  # noqa: BLE001 - no model is a valid outcome for many views
                    queryset = None
                finally:
                    view.request.user = AnonymousUser()
                    view.kwargs = {}
        return getattr(queryset, "model", None)

    def _queryset_kwarg_forms(self, view, routes):
        """The URL kwargs ``get_queryset()`` filters by with a field that raises on text: kwarg ->
        ``":int"``/``":uuid"`` (the values it takes), or None when neither is known to fit.
        storefront's cart items filter by ``cart_id=self.kwargs['cart_pk']``, a UUID: on
        ``/carts/1/items/1/`` the ValidationError is raised by ``get_queryset()``, outside
        ``get_object_or_404``'s catch (DRF's 500, where the edge's lookup miss said 404). A
        kwarg only the object lookup reads is not one (``get_object_or_404`` makes that a 404).
        Asked with sample values (lazy querysets, never run), as ``_model`` asks."""
        if not hasattr(view, "get_queryset"):
            return {}
        names = list(dict.fromkeys(n for r in routes for n in re.findall(r"{(\w+)(?::\w+)?}", r.template)))
        if not names or len(names) > 4:
            return {}

        def raises(kwargs, user):
            """True: a value's error (DRF's 500); False: a queryset; None: something else."""
            try:
                if user is not None:
                    view.request.user = user
                view.kwargs = kwargs
                view.get_queryset()
                return False
            except (TypeError, ValueError, ValidationError):
                return True
            except Exception:  # noqa: BLE001 - a KeyError on another route's kwarg
                return None
            finally:
                view.request.user = AnonymousUser()
                view.kwargs = {}

        samples = [_KWARG_SAMPLES[":int"], _KWARG_SAMPLES[":uuid"]]
        # As anonymous, then as a user (`filter(owner=AnonymousUser())` is a TypeError too).
        for user in (None, self._unsaved_user()):
            outcomes = [(dict(zip(names, values)), raises(dict(zip(names, values)), user))
                        for values in itertools.product(samples, repeat=len(names))]
            base = next((kwargs for kwargs, raised in outcomes if raised is False), None)
            if base is not None:
                break
        else:
            # Every sample raises a value's error, and without the kwargs it is not one (a
            # KeyError): no pattern is known to admit only the values the field takes.
            values_fail = all(raised for _, raised in outcomes)
            return {n: None for n in names} if values_fail and raises({}, user) is None else {}
        return {n: ":int" if base[n] == _KWARG_SAMPLES[":int"] else ":uuid"
                for n in names if raises({**base, n: _KWARG_PROBE_TEXT}, user)}

    @staticmethod
    def _unsaved_user():
        """A user as related filters take it (one with a pk, as if saved); never saved."""
        from django.contrib.auth import get_user_model

        model = get_user_model()
        user = model(**{model._meta.pk.attname: 0}) if model._meta.pk.get_internal_type().endswith(
            "IntegerField") or model._meta.pk.get_internal_type().endswith("AutoField") else model()
        user._state.adding = False
        return user

    # ---- the whole policy ---------------------------------------------------------------------

    def _declares_perms_map(self, name):
        """Whether the class ``name`` of the policy, or a custom class it derives from, declares a
        ``permsMap`` (else the core's built-in map, DRF's own, is the one it reads)."""
        while name in self.permission_decls:
            if "permsMap" in self.permission_decls[name]:
                return True
            name = self.permission_decls[name].get("base")
        return False

    def _shared_perms_map_problems(self, views):
        """DRF's ``perms_map`` dicts changed while the project ran (the export instantiates its
        permission classes, as DRF does per request). ``self.perms_map['GET'] = [...]`` in a
        subclass's ``__init__`` (storefront-django's FullDjangoModelPermission) changes the dict
        every DjangoModelPermissions shares: DRF's answers then depend on which views were
        requested since the server started, where the policy says DRF's map."""
        out = []
        for base in (drf_permissions.DjangoModelPermissions, drf_permissions.DjangoObjectPermissions):
            original = _drf_perms_map(base.__name__)
            if original is None or base.__dict__.get("perms_map") == original:
                continue
            culprits = [c for c in self.permission_names if isinstance(c, type) and issubclass(c, base)
                        and "__init__" in c.__dict__]
            # `perms_map = DjangoModelPermissions.perms_map` then `perms_map['GET'] = [...]` in a
            # class body (oneavk/drf_app): changed at import, before any request.
            aliases = [c for c in self.permission_names if isinstance(c, type) and issubclass(c, base)
                       and c is not base and c.__dict__.get("perms_map") is base.perms_map]
            hint = ("give the subclass a perms_map of its own (perms_map = {**DjangoModelPermissions.perms_map, "
                    "'GET': [...]}) instead of assigning into DRF's")
            if culprits or not aliases:
                out.append(Problem(
                    culprits[0].__init__ if culprits else base,
                    f"{base.__name__}.perms_map, which every {base.__name__} view shares, was changed while the "
                    f"project ran{' (by ' + culprits[0].__qualname__ + '.__init__())' if culprits else ''}: DRF's "
                    "answers then depend on the views requested before", hint))
                continue
            # Changed at import (URLconf and settings load before any request): every view reads
            # the changed map from the start. A class declaring it (the alias, with its permsMap)
            # is exact; one reading DRF's dict without declaring it (DRF's own class, a subclass
            # with no map of its own) would be the core's built-in map.
            exprs = [*self.global_perms, *self._view_expressions(views)]
            names = {n for expr in exprs for n in re.findall(r"[A-Za-z_][\w.]*", expr)}
            stale = sorted(n for c, n in self.permission_names.items() if n in names and isinstance(c, type)
                           and issubclass(c, base) and getattr(c, "perms_map", None) is base.perms_map
                           and not self._declares_perms_map(n))
            if stale:
                out.append(Problem(
                    aliases[0],
                    f"{aliases[0].__name__}.perms_map is {base.__name__}.perms_map itself, changed at import: "
                    f"every {base.__name__} view, with DRF's own class too, reads the changed map, where the "
                    f"policy's {stale[0]} is DRF's", hint))
        return out

    @staticmethod
    def _view_expressions(views):
        """Every permission expression of the exported views and their actions."""
        for view in views.values():
            yield from view.get("permissions", [])
            for action in view["actions"].values():
                yield from action.get("permissions", [])

    def _shadowed(self, entry, order, earlier_routes, callback=None):
        """Whether Django serves (some of) a route's URLs with an earlier route: then this one
        is not exported, and the edge routes them as Django does (to the earlier route, or to
        the origin when its view is left there). phub-backend: a viewset registered at `r''` and
        the DefaultRouter's API root are both `^$`; the edge answered the viewset's URLs as the
        root (`POST` 405, an anonymous `GET` 200 where DRF said 401), the viewset exported or not.
        Caught: the same regex, a literal path (`users/me/`) an earlier pattern matches, or a URL
        of the route (sample values in its parameters) Django resolves to another view (with
        ``callback``, the route's): a plain Django view listed first (`path("api/x/", plain_view)`
        before a DRF route of the same URL, a catch-all `re_path(r"^api/")`) is the origin's."""
        for earlier, regex, name in earlier_routes:
            if earlier >= order:
                continue
            literal = not re.search(r"{\w+(?::\w+)?}", entry["pattern"])
            try:
                matches = literal and re.match(re.sub(r"\(\?<(\w+)>", r"(?P<\1>", regex), entry["pattern"])
            except re.error:  # a JS-only construct: the same regex is still caught below
                matches = False
            if regex == entry["regex"] or matches:
                where = "left to the origin" if name in self._left_names else "exported"
                self.warnings.append(f"route {entry['pattern']} of {entry['view']}: Django serves its URLs with "
                                     f"{name} ({where}); so does the edge")
                return True
        other = self._resolved_elsewhere(entry["pattern"], callback) if callback is not None else None
        if other is not None:
            self.warnings.append(f"route {entry['pattern']} of {entry['view']}: Django serves {other[0]} with "
                                 f"{other[1]}; left to the origin")
            return True
        return False

    def _resolved_elsewhere(self, pattern, callback):
        """(url, what) for a URL of the route Django resolves to another callback than its own."""
        for url in _sample_urls(pattern):
            try:
                match = resolve(url, urlconf=self.urlconf)
            except Resolver404:
                continue
            if match.func is not callback:
                cls = getattr(match.func, "cls", None)
                func = getattr(match.func, "__wrapped__", match.func)
                what = (f"the DRF view {cls.__module__}.{cls.__qualname__}" if isinstance(cls, type)
                        else f"the plain view {getattr(func, '__module__', '?')}.{getattr(func, '__qualname__', '?')}")
                return url, what
        return None

    def export(self):
        problems = []
        self.global_auth = [self.authentication_class(c, problems) for c in api_settings.DEFAULT_AUTHENTICATION_CLASSES]
        self.global_perms = [self.permission_expression(c, problems) for c in api_settings.DEFAULT_PERMISSION_CLASSES]
        self.global_renderers = [_class_name(c) for c in api_settings.DEFAULT_RENDERER_CLASSES]
        views, routes, left = {}, [], []
        orders, origin_routes, callbacks = {}, [], {}  # URLconf positions; every route, exported or not
        for name, view_routes in self.collect_routes().items():
            policy, entries, view_problems = self.export_view(name, view_routes)
            orders.update({(name, r.regex): r.order for r in view_routes})
            callbacks.update({(name, r.regex): r.callback for r in view_routes})
            origin_routes.extend((r.order, r.regex, name) for r in view_routes)
            if name in self.leave_to_origin:
                left.append(name)
                continue
            if view_problems:
                problems.extend(view_problems)
                continue
            views[name] = policy
            routes.extend(entries)
        self._left_names = set(left) | {n for n, _ in orders if n not in views}
        routes = [e for e in routes if not self._shadowed(e, orders[(e["view"], e["regex"])], origin_routes,
                                                          callbacks[(e["view"], e["regex"])])]
        used = set(self.global_auth)
        for view in views.values():
            used.update(view.get("authentication", []))
            for action in view["actions"].values():
                used.update(action.get("authentication", []))
        self._remote_user_headers = {cls.header for cls in self._remote_user_classes(used)}
        for name, view in views.items():
            problems.extend(self._backend_problems(name, view))
            problems.extend(self._jwt_user_field_problems(name, view))
            problems.extend(self._remote_user_problems(name, view))
            problems.extend(self._object_user_comparison_problems(name, view))
        problems.extend(self._shared_perms_map_problems(views))
        problems.extend(_patched_drf_problems())
        unknown = self.leave_to_origin - set(left)
        if unknown:
            raise ExportError([f"--leave-to-origin names no view: {', '.join(sorted(unknown))}"])
        if problems:
            unique = {}
            for p in problems:
                unique.setdefault(str(p), p)  # the same cause found twice (an action, then a probe)
            raise ExportError(list(unique.values()))
        out = {
            "authentication": self.global_auth,
            "permissions": self.global_perms,
            "renderers": self.global_renderers,
        }
        used_auth = set(self.global_auth)
        for view in views.values():
            used_auth.update(view.get("authentication", []))
            for action in view["actions"].values():
                used_auth.update(action.get("authentication", []))
        auth_decls = {n: d for n, d in self.auth_decls.items() if n in used_auth}
        if auth_decls:
            out["authenticationClasses"] = auth_decls
        classes = self._used_classes(out["permissions"], views)
        if classes:
            out["classes"] = classes
        out["settings"] = export_settings(self.include_secrets)
        if not any(_uses_base(n, auth_decls, "KnoxTokenAuthentication") for n in used_auth):
            # REST_KNOX only says how knox's class reads tokens: a project with knox installed but
            # no view using it (the tests' venv) gets the same policy as one without knox.
            out["settings"].pop("knox", None)
        if len(self._remote_user_headers) == 1 and self._remote_user_headers != {"REMOTE_USER"}:
            out["settings"]["remoteUser"] = {"header": next(iter(self._remote_user_headers))}
        if self._remote_user_headers:
            # Said either way: the core's default is Django's RemoteUserBackend, which creates a
            # user the edge's store has not seen (the edge forwards a miss).
            out["settings"].setdefault("remoteUser", {})["createUnknownUser"] = self._remote_user_creates
        # The origin's middleware: a separate module (drfgate/middleware.py).
        out["middleware"] = export_middleware()
        out["views"] = views
        out["routes"] = routes
        if left:
            out["leftToOrigin"] = left
        return out

    def _backend_problems(self, name, view):
        """AUTHENTICATION_BACKENDS the edge does not answer for (see AUTH_BACKENDS) on a view that
        meets them: BasicAuthentication runs ``django.contrib.auth.authenticate()``; ``has_perm``
        (DjangoModelPermissions, DjangoObjectPermissions, a condition naming it) asks every backend."""
        from django.utils.module_loading import import_string

        auth = set(view.get("authentication", self.global_auth))
        perms = list(view.get("permissions", self.global_perms))
        for action in view["actions"].values():
            auth.update(action.get("authentication", ()))
            perms += action.get("permissions", []) + action.get("routePermissions", [])
        bases = set(auth)
        for a in auth:
            bases.add(self.auth_decls.get(a, {}).get("base"))
        classes = self._used_classes(perms, {})
        texts = perms + [json_text for decl in classes.values() for json_text in map(str, decl.values())]
        asks = {"authenticate"} if "BasicAuthentication" in bases else set()
        if any("DjangoModelPermissions" in t or "DjangoObjectPermissions" in t or "has_perm" in t for t in texts):
            asks.add("has_perm")
        out = []
        for path in settings.AUTHENTICATION_BACKENDS:
            refused = asks & AUTH_BACKENDS.get(path, {"authenticate", "has_perm"})
            key = (path, tuple(sorted(refused)))
            if refused and key not in self._backend_problems_seen:
                try:
                    where = import_string(path)
                except ImportError:
                    where = settings
                self._backend_problems_seen[key] = Problem(where, f"AUTHENTICATION_BACKENDS has {path}: drf-gate's edge answers "
                                         f"{' and '.join(sorted(refused))}() as ModelBackend (and guardian's "
                                         "ObjectPermissionBackend) do", "leave the view to the origin "
                                         "(--leave-to-origin VIEW)")
                out.append(self._backend_problems_seen[key])
            if refused:
                self._backend_problems_seen[key].views.add(name)
        return out

    def _remote_user_classes(self, names):
        """The RemoteUserAuthentication classes (the built-in or a subclass drf-gate runs as it)
        among these policy names."""
        return [cls for cls, n in self.auth_names.items() if n in names and isinstance(cls, type)
                and issubclass(cls, drf_authentication.RemoteUserAuthentication)
                and (n == "RemoteUserAuthentication" or self.auth_decls.get(n, {}).get("base") == "RemoteUserAuthentication")]

    def _remote_user_problems(self, name, view):
        """RemoteUserAuthentication calls ``authenticate(request, remote_user=...)``, which only a
        RemoteUserBackend takes. Observed: with ModelBackend alone, ``REMOTE_USER=remo`` is
        anonymous (403 "Authentication credentials were not provided."), where the edge
        authenticated the resolver's user; a backend of the project's own may answer anything.
        The edge reads one header (``settings.remoteUser.header``) for every class."""
        from django.contrib.auth.backends import AllowAllUsersRemoteUserBackend, RemoteUserBackend
        from django.utils.module_loading import import_string

        auth = set(view.get("authentication", self.global_auth))
        for action in view["actions"].values():
            auth.update(action.get("authentication", ()))
        classes = self._remote_user_classes(auth)
        if not classes:
            return []
        backends = []
        for path in settings.AUTHENTICATION_BACKENDS:
            try:
                backend = import_string(path)
            except ImportError:
                backend = None
            if isinstance(backend, type) and issubclass(backend, RemoteUserBackend):
                backends.append(backend)
        causes = []
        if not backends:
            causes.append(("remote-user-none", "AUTHENTICATION_BACKENDS has no RemoteUserBackend: DRF's "
                                               "RemoteUserAuthentication never authenticates, the edge would"))
        for backend in backends:
            if backend not in (RemoteUserBackend, AllowAllUsersRemoteUserBackend):
                causes.append((f"remote-user-{_path(backend)}", f"AUTHENTICATION_BACKENDS has {_path(backend)}: "
                                                                "drf-gate answers remote users as RemoteUserBackend"))
        if len(self._remote_user_headers) > 1:
            causes.append(("remote-user-headers", "RemoteUserAuthentication classes read different headers: "
                                                  "drf-gate's edge reads one (settings.remoteUser.header)"))
        out = []
        for key, what in causes:
            if key not in self._backend_problems_seen:
                self._backend_problems_seen[key] = Problem(classes[0], what, "leave the view to the origin "
                                                                            "(--leave-to-origin VIEW)")
                out.append(self._backend_problems_seen[key])
            self._backend_problems_seen[key].views.add(name)
        if any(getattr(b, "create_unknown_user", False) for b in backends):
            self._remote_user_creates = True  # settings.remoteUser.createUnknownUser
        return out

    def _jwt_user_field_problems(self, name, view):
        """simplejwt's ``get_user`` runs ``User.objects.get(**{USER_ID_FIELD: claim})`` and catches
        DoesNotExist only: a claim the field cannot take is a 500 (a UUID pk and ``"12"``:
        ValidationError; an integer field and ``"abc"``: ValueError). The edge forwards such claims
        for the fields ``jwt_user_id_kind`` classifies (``userIdKind``); for any other field it
        would answer the resolver's not-found, 401 "User not found"."""
        auth = set(view.get("authentication", self.global_auth))
        for action in view["actions"].values():
            auth.update(action.get("authentication", ()))
        if not any(a == "JWTAuthentication" or self.auth_decls.get(a, {}).get("base") == "JWTAuthentication"
                   for a in auth):
            return []
        from rest_framework_simplejwt.settings import api_settings as jwt

        field_name = jwt.USER_ID_FIELD
        user_model = get_user_model()
        kind, field = jwt_user_id_kind()
        if kind is not None:
            return []
        key = ("jwt-user-field", field_name)
        if key not in self._backend_problems_seen:
            self._backend_problems_seen[key] = Problem(
                user_model, f"SIMPLE_JWT USER_ID_FIELD = {field_name!r} is {type(field).__name__ if field else 'no field'} "
                            f"of {user_model._meta.label}: DRF answers a token whose claim that field cannot take "
                            "with a 500, the edge with 401 \"User not found\"",
                "leave the view to the origin (--leave-to-origin VIEW)")
        problem = self._backend_problems_seen[key]
        problem.views.add(name)
        return [problem] if len(problem.views) == 1 else []

    def _object_user_comparison_problems(self, name, view):
        """``obj.author == request.user`` where ``author`` is no user: Django's ``Model.__eq__`` is
        False across models (and a scalar never equals a user), where the edge compares the
        context's id with the user's id (ananotopuria/book_store: ``author`` a FK to ``Author``,
        so author 1 "was" user 1). The exporter knows the view's model; the condition does not."""
        from django.apps import apps
        from django.core.exceptions import FieldDoesNotExist

        from .translate import OBJECT_IS_USER

        perms = list(view.get("permissions", self.global_perms))
        for action in view["actions"].values():
            perms += action.get("permissions", []) + action.get("routePermissions", [])
        texts = [(n, d.get("hasObjectPermission", "")) for n, d in self._used_classes(perms, {}).items()]
        texts.append((None, view.get("queryset", "")))
        user_model = get_user_model()._meta.concrete_model
        by_name = {n: c for c, n in self.permission_names.items() if isinstance(c, type)}
        try:
            model = apps.get_model(view["model"]) if view.get("model") else None
        except LookupError:
            model = None
        if model is None:
            # `obj == request.user` holds only for a user's row: with no model known, the edge
            # would compare any object's id with the user's.
            out = []
            for cls_name, text in texts:
                m = OBJECT_IS_USER.search(text or "")
                if m:
                    key = ("obj-user", cls_name, None, m.group(0))
                    if key not in self._backend_problems_seen:
                        self._backend_problems_seen[key] = Problem(
                            by_name.get(cls_name) or user_model, f"{m.group(0)!r} on a view whose model is not known: "
                            f"Django's == is True only for a row of {user_model._meta.label}, where drf-gate compares ids",
                            "give the view a queryset, or leave it to the origin (--leave-to-origin VIEW)")
                        out.append(self._backend_problems_seen[key])
                    self._backend_problems_seen[key].views.add(name)
            return out
        pattern = r"\bobj((?:\.\w+)*)\s*(?:==|!=)\s*request\.user\b(?!\.)|\brequest\.user\s*(?:==|!=)\s*obj((?:\.\w+)*)"
        out = []
        for cls_name, text in texts:
            for m in re.finditer(pattern, text or ""):
                parts = [p for p in (m.group(1) or m.group(2) or "").split(".") if p]
                target, kind = model, model._meta.concrete_model
                try:
                    for part in parts:
                        field = target._meta.pk if part == "pk" else target._meta.get_field(part)
                        target = field.related_model if field.is_relation else None
                        kind = target._meta.concrete_model if target is not None else type(field).__name__
                        if target is None:
                            break
                except (FieldDoesNotExist, AttributeError):
                    continue  # a property or method: nothing the exporter can say
                if kind is user_model or (parts and target is None and field.is_relation):
                    continue
                what = kind._meta.label if isinstance(kind, type) else f"a {kind}"
                key = ("obj-user", cls_name, model._meta.label, m.group(0))
                if key not in self._backend_problems_seen:
                    self._backend_problems_seen[key] = Problem(
                        by_name.get(cls_name) or model,
                        f"{m.group(0)!r} on {model._meta.label}: obj{''.join('.' + p for p in parts)} is {what}, not "
                        f"{user_model._meta.label}, so Django's == is always False there, where drf-gate compares ids",
                        "compare with the user the object points to, or leave the view to the origin "
                        "(--leave-to-origin VIEW)")
                    out.append(self._backend_problems_seen[key])
                self._backend_problems_seen[key].views.add(name)
        return out

    def _used_classes(self, global_perms, views):
        exprs = [*global_perms, *self._view_expressions(views)]
        pending = set()
        for expr in exprs:
            pending.update(re.findall(r"[A-Za-z_][\w.]*", expr))
        used = set()
        while pending:
            name = pending.pop()
            if name in self.permission_decls and name not in used:
                used.add(name)
                pending.update(self.permission_deps.get(name, ()))
        return {n: d for n, d in self.permission_decls.items() if n in used}


# Which standard actions DRF's mixins run get_object() in, first thing.
STANDARD_GET_OBJECT = {"list": False, "create": False, "retrieve": True, "update": True, "partial_update": True,
                       "destroy": True}
# Statements a handler may run before get_object() without answering first: `partial =
# kwargs.pop("partial", False)` (UpdateModelMixin.update).
_QUIET_CALLS = {("kwargs", "pop"), ("kwargs", "get")}


def _is_call(node, obj, name):
    """`obj.name(...)`, `obj` a Name or (for "super") a call `super()`."""
    if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == name):
        return False
    target = node.func.value
    if obj == "super":
        return isinstance(target, ast.Call) and isinstance(target.func, ast.Name) and target.func.id == "super"
    return isinstance(target, ast.Name) and target.id == obj


def _source(func):
    try:
        return inspect.getsource(getattr(func, "__func__", func))
    except (OSError, TypeError):
        return ""


# Request attributes whose first read parses the body: DRF's 400 (ParseError) or 415 comes first.
_PARSING_READS = {"data", "POST", "FILES", "stream", "body"}
# Expressions evaluated before get_object() in the same statement that cannot answer first.
_INERT = (ast.Name, ast.Constant, ast.Tuple, ast.List, ast.Dict, ast.Starred, ast.keyword, ast.expr_context)


def _evaluation_order(node):
    """The nodes of an expression statement in the order Python evaluates them (a call after its
    function and arguments); a branch (`if` expression, `or`, a comprehension) as one node: what
    runs inside it depends on the request."""
    if isinstance(node, (ast.Lambda, ast.IfExp, ast.BoolOp, ast.comprehension, ast.ListComp, ast.SetComp,
                         ast.DictComp, ast.GeneratorExp, ast.NamedExpr)):
        yield node
        return
    for child in ast.iter_child_nodes(node):
        yield from _evaluation_order(child)
    yield node


def handler_calls_get_object(cls, name):
    """Whether the handler ``name`` of a view class runs ``self.get_object()`` before anything
    else can answer (so the lookup's 404 and the object permissions decide, as drf-gate's
    ``getObject`` says): None for DRF's own handler (the policy's default holds), True when its
    first statement calls it (after ``kwargs.pop``/``kwargs.get`` assignments) or hands over to
    DRF's with ``super()``, False otherwise (an @action that never looks the object up answers
    200 for any pk; one that parses ``request.data`` first answers 400). False only leaves the
    object stage to the origin.

    >>> from rest_framework import viewsets
    >>> class Posts(viewsets.ModelViewSet):
    ...     def publish(self, request, pk=None):
    ...         return Response(status=204)
    >>> handler_calls_get_object(Posts, "publish"), handler_calls_get_object(Posts, "retrieve")
    (False, None)
    """
    owner = next((k for k in cls.__mro__ if name in k.__dict__), None)
    if owner is None or owner.__module__.split(".")[0] in ("rest_framework", "django"):
        # DRF's partial_update() is self.update(): an update() of the project's own decides.
        return handler_calls_get_object(cls, "update") if name == "partial_update" and owner is not None else None
    func = owner.__dict__[name]
    func = getattr(func, "__func__", func)
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(func)))
    except (OSError, TypeError, SyntaxError):
        return False
    body = tree.body[0].body if tree.body and isinstance(tree.body[0], (ast.FunctionDef, ast.AsyncFunctionDef)) else []
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
        body = body[1:]  # the docstring
    for stmt in body:
        if not isinstance(stmt, (ast.Assign, ast.AnnAssign, ast.Expr, ast.Return)):
            return False
        # What runs first: `obj = self.get_object()` as much as `serializer(self.get_object())`;
        # not `get_serializer(data=request.data, instance=self.get_object())` (a malformed body's
        # 400 comes first), nor one under an `if` or after `or`.
        for node in _evaluation_order(stmt.value) if stmt.value is not None else ():
            if _is_call(node, "self", "get_object"):
                return True
            if _is_call(node, "super", name):
                parent = cls.__mro__[cls.__mro__.index(owner) + 1:]
                inherited = next((k for k in parent if name in k.__dict__), None)
                if inherited is None:
                    return False
                result = handler_calls_get_object(inherited, name)
                return STANDARD_GET_OBJECT.get(name, False) if result is None else result
            # A plain view's `get` handing over to the mixin's `self.retrieve(...)`.
            action = next((a for a in STANDARD_GET_OBJECT if a != name and _is_call(node, "self", a)), None)
            if action is not None:
                result = handler_calls_get_object(cls, action)
                return STANDARD_GET_OBJECT[action] if result is None else result
            quiet = (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "super"
                     and not node.args) or any(_is_call(node, obj, attr) for obj, attr in _QUIET_CALLS)
            inert = isinstance(node, _INERT) or (isinstance(node, ast.Attribute) and node.attr not in _PARSING_READS)
            if not (quiet or inert):
                return False
        if isinstance(stmt, ast.Return):
            return False
    return False


def _uses_base(name, decls, base):
    """Whether the authentication class ``name`` is the built-in ``base`` or declared on it
    (``{"base": ...}``, through other declared classes)."""
    seen = set()
    while name not in seen:
        if name == base:
            return True
        seen.add(name)
        name = decls.get(name, {}).get("base")
    return False


def lookup_kwarg_missing(cls, template):
    """The lookup kwarg DRF's own ``get_object()`` asserts is in the URL, when the route's
    ``template`` has none (an ``@action(detail=False)`` or a plain view routed without it), else
    None. A ``get_object()`` of the project's own is not DRF's: None.

    >>> from rest_framework import viewsets
    >>> lookup_kwarg_missing(viewsets.ModelViewSet, "/posts/latest/"), lookup_kwarg_missing(
    ...     viewsets.ModelViewSet, "/posts/{pk}/")
    ('pk', None)
    """
    from rest_framework.generics import GenericAPIView

    if not isinstance(cls, type) or not issubclass(cls, GenericAPIView):
        return None
    owner = next((k for k in cls.__mro__ if "get_object" in k.__dict__), None)
    if owner is not GenericAPIView:
        return None
    kwarg = cls.lookup_url_kwarg or cls.lookup_field
    return None if kwarg in re.findall(r"{(\w+)(?::\w+)?}", template) else kwarg


def get_object_runs_no_object_permission(cls):
    """Whether the view's ``get_object()`` is the project's own and can only look something up:
    no ``check_object_permissions``, no ``raise``, no ``super()``, no method of the view but
    ``get_queryset``/``filter_queryset`` (toptechschool's ``get_object_or_404(Profile,
    user=self.request.user)``). DRF then runs no object permission, and its lookup's 404 (or
    500) comes from the handler, after the permissions: ``getObject: false`` says exactly that.

    >>> from rest_framework import generics
    >>> class Profile(generics.RetrieveAPIView):
    ...     def get_object(self):
    ...         return get_object_or_404(Post, owner=self.request.user)
    >>> get_object_runs_no_object_permission(Profile)
    True
    """
    owner = next((k for k in cls.__mro__ if "get_object" in k.__dict__), None)
    if owner is None or owner.__module__.split(".")[0] in ("rest_framework", "django"):
        return False
    func = owner.__dict__["get_object"]
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(getattr(func, "__func__", func))))
    except (OSError, TypeError, SyntaxError):
        return False
    for node in ast.walk(tree):
        if isinstance(node, (ast.Raise, ast.Lambda, ast.Yield, ast.Await)) or (
                isinstance(node, ast.Name) and node.id == "super"):
            return False
        if isinstance(node, ast.Attribute) and node.attr in ("check_object_permissions", "has_object_permission",
                                                             "permission_denied", "get_permissions"):
            return False
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and isinstance(
                node.func.value, ast.Name) and node.func.value.id == "self" and node.func.attr not in (
                "get_queryset", "filter_queryset"):
            return False
    return True


def get_object_is_user(cls):
    """Whether the view's ``get_object()`` is the project's own and only returns
    ``self.request.user`` (a "me" endpoint): DRF then looks nothing up (no 404) and runs no object
    permission, which is what ``getObject: false`` says.

    >>> from rest_framework import generics
    >>> class Me(generics.RetrieveAPIView):
    ...     def get_object(self):
    ...         return self.request.user
    >>> get_object_is_user(Me), get_object_is_user(generics.RetrieveAPIView)
    (True, False)
    """
    owner = next((k for k in cls.__mro__ if "get_object" in k.__dict__), None)
    if owner is None or owner.__module__.split(".")[0] in ("rest_framework", "django"):
        return False
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(getattr(owner.__dict__["get_object"], "__func__",
                                                                   owner.__dict__["get_object"]))))
    except (OSError, TypeError, SyntaxError):
        return False
    stmt = tree.body[0] if len(tree.body) == 1 else None
    if isinstance(stmt, ast.FunctionDef):
        body = stmt.body[1:] if isinstance(stmt.body[0], ast.Expr) and isinstance(stmt.body[0].value, ast.Constant) \
            else stmt.body
        value = body[0].value if len(body) == 1 and isinstance(body[0], ast.Return) else None
    elif isinstance(stmt, ast.Assign) and isinstance(stmt.value, ast.Lambda) and [
            a.arg for a in stmt.value.args.args] == ["self"]:
        value = stmt.value.body  # get_object = lambda self: self.request.user
    else:
        value = None
    return ast.dump(value) == ast.dump(ast.parse("self.request.user", mode="eval").body) if value else False


def filter_parameters(cls, model):
    """The query parameters (by prefix) a view's `filter_backends` filter by, and the backends
    that may filter without them (each with why).

    SearchFilter filters only when `request.query_params.get(search_param, '')` has terms;
    django-filter's DjangoFilterBackend builds its FilterSet from `request.query_params`, and a
    filter skips a value in EMPTY_VALUES, which an absent parameter is (unless the filter is
    `required`: the form is invalid, DRF's 400). A filter's parameters all begin with its name
    (RangeWidget's `price_min`, `price_max`). What a project's own code does is not known: a
    backend, FilterSet, filter or widget of its own counts as filtering every request.
    OrderingFilter only orders.
    """
    params, always = [], []
    for backend in getattr(cls, "filter_backends", ()) or ():
        if backend is OrderingFilter:
            continue
        if isinstance(backend, type) and issubclass(backend, SearchFilter):
            own = _overrides(backend, SearchFilter, ("filter_queryset", "get_search_terms"))
            if own or not isinstance(backend.search_param, str):
                always.append(f"{_path(backend)}: its own {', '.join(own) or 'search_param'}")
            else:
                params.append(backend.search_param)
            continue
        found = _django_filter_parameters(cls, backend, model)
        if isinstance(found, str):
            always.append(f"{_path(backend) if isinstance(backend, type) else repr(backend)}{found}")
        else:
            params.extend(found)
    return sorted(set(params)), always


# DRF's modules whose classes every request goes through (views, authentication, permissions).
_DRF_PIPELINE_MODULES = ("views", "viewsets", "generics", "mixins", "request", "authentication", "permissions",
                         "negotiation", "renderers", "response", "exceptions")


# Patches of DRF's classes known to change nothing DRF answers, by the module that defines the
# replacing function and its qualified name. sentry-sdk's DjangoIntegration (2.x, on the first
# request) wraps `APIView.initial` to keep a weak reference to the DRF request and
# `Request._authenticate` in a tracing span; both return what DRF's own returns or raises.
_KNOWN_TRANSPARENT_PATCHES = frozenset({
    "sentry_sdk.integrations.django._patch_drf.<locals>.sentry_patched_drf_initial",
    "sentry_sdk.integrations.django._patch_drf.<locals>.sentry_patched_drf_authenticate",
})


def _is_transparent_patch(func, code):
    """Whether a replacing function is declared to add nothing to DRF's answers: listed (as
    ``module.qualname``, or its whole module) in ``DRFGATE_TRANSPARENT_PATCHES``, or one of the
    known library patches. The module is the one whose globals the code runs in, which
    ``functools.wraps`` does not change::

        DRFGATE_TRANSPARENT_PATCHES = ["myproject.tracing"]
    """
    from django.conf import settings

    module = getattr(func, "__globals__", {}).get("__name__", "")
    name = f"{module}.{getattr(code, 'co_qualname', code.co_name)}"
    listed = set(getattr(settings, "DRFGATE_TRANSPARENT_PATCHES", ()) or ()) | _KNOWN_TRANSPARENT_PATCHES
    return name in listed or module in listed


def _patched_drf_problems():
    """DRF's own classes with a method the project put there (``APIView.initialize_request =
    ...`` in an AppConfig.ready(): model-united-nations-of-luebeck/CMS-backend reads
    ``request.user`` there, outside DRF's exception handling, so every failed authentication is
    a 500 where the edge answers DRF's 401/403). Found by where each function's code was
    written (``functools.wraps`` copies a name and module, not the code), for every view; a
    library's patch too, named by its file and line, unless it is declared transparent
    (``DRFGATE_TRANSPARENT_PATCHES``, or sentry-sdk's of ``APIView.initial``)."""
    import importlib

    out = []
    drf_dir = os.path.dirname(inspect.getfile(drf_permissions))
    for short in _DRF_PIPELINE_MODULES:
        module = importlib.import_module(f"rest_framework.{short}")
        for cls in vars(module).values():
            if not isinstance(cls, type) or cls.__module__ != module.__name__:
                continue
            for attr, member in vars(cls).items():
                func = getattr(member, "__func__", getattr(member, "fget", member))
                code = getattr(func, "__code__", None)
                if (code is not None and not os.path.abspath(code.co_filename).startswith(drf_dir + os.sep)
                        and not _is_transparent_patch(func, code)):
                    # The code's own name and place: functools.wraps gives the function DRF's.
                    by = getattr(code, "co_qualname", code.co_name)
                    out.append(Problem(code, f"rest_framework.{short}.{cls.__name__}.{attr} is replaced by {by}: every "
                                             "DRF view runs it, and drf-gate cannot say what it does",
                                       "leave the project's API to the origin, remove the patch, or, if it changes "
                                       "nothing DRF answers, list it in DRFGATE_TRANSPARENT_PATCHES"))
    return out


def _overrides(cls, base, names):
    """The methods of `names` that `cls` (a subclass of `base`) does not inherit from `base`."""
    return [n for n in names if getattr(cls, n, None) is not getattr(base, n, None)]


def _defined_in(cls, name, package):
    """Whether the class that gives `cls` its attribute `name` is of `package` (django-filter's
    own FilterSet for DRF has its own `form`)."""
    owner = next((k for k in cls.__mro__ if name in k.__dict__), None)
    return owner is not None and owner.__module__.startswith(package)


def _django_filter_parameters(cls, backend, model):
    """django-filter's filter names for `backend` on view `cls`, or (a text) why it may filter
    every request."""
    try:
        from django.http import QueryDict
        from django_filters.constants import EMPTY_VALUES
        from django_filters.rest_framework import DjangoFilterBackend
    except ImportError:  # no django-filter: not its backend
        return ""
    if not (isinstance(backend, type) and issubclass(backend, DjangoFilterBackend)):
        return ""
    own = _overrides(backend, DjangoFilterBackend,
                     ("filter_queryset", "get_filterset", "get_filterset_kwargs", "get_filterset_class"))
    if own or backend.raise_exception is not True:
        return f": its own {', '.join(own) or 'raise_exception'}"
    if model is None:
        return ": the view's model is not known"
    queryset = model._default_manager.all()
    try:
        filterset_class = backend().get_filterset_class(cls(), queryset)
    except Exception as exc:  # noqa: BLE001  the project's code
        return f": get_filterset_class() raised {type(exc).__name__}"
    if filterset_class is None:
        return []  # neither filterset_class nor filterset_fields: the backend filters nothing
    own = [n for n in ("filter_queryset", "qs", "is_valid", "errors", "form", "get_form_class", "__init__")
           if not _defined_in(filterset_class, n, "django_filters.")]
    if own:
        return f": {_path(filterset_class)} has its own {', '.join(own)}"
    form = filterset_class._meta.form  # Meta.form: its clean() or prefix would change what is read
    if not form.__module__.startswith(("django.forms.", "django_filters.")):
        return f": {_path(filterset_class)} has a form of the project's own ({_path(form)})"
    names = []
    for name, item in filterset_class.base_filters.items():
        if item.extra.get("required"):
            return f": {_path(filterset_class)}.{name} is required (django-filter's 400 without it)"
        if item.method is None and not type(item).__module__.startswith("django_filters."):
            return f": {_path(filterset_class)}.{name} is a filter of the project's own ({_path(type(item))})"
        widget = type(item.field.widget)
        if not widget.__module__.startswith(("django_filters.", "django.forms.")):
            return f": {_path(filterset_class)}.{name} has a widget of the project's own ({_path(widget)})"
        names.append(name)
    # What the FilterSet does without parameters, asked of django-filter itself: a valid form,
    # every value empty, the queryset unchanged.
    try:
        filterset = filterset_class(data=QueryDict(""), queryset=queryset, request=None)
        valid = filterset.is_valid()
        empty = valid and all(value in EMPTY_VALUES for value in filterset.form.cleaned_data.values())
        unchanged = valid and str(filterset.qs.query) == str(queryset.query)
    except Exception as exc:  # noqa: BLE001  the project's code
        return f": {_path(filterset_class)} raised {type(exc).__name__} without parameters"
    if not (valid and empty and unchanged):
        return f": {_path(filterset_class)} filters without parameters"
    return names


def queryset_condition(cls, name, warnings):
    """The view's ``get_queryset()`` filter as a drf-gate condition (docs/policy.md, ``queryset``).

    Declared on the view like a permission class's conditions: ``drfgate_queryset = "..."`` or
    ``@drfgate.queryset("...")``. A view that overrides ``get_queryset()`` without declaring it
    gets a warning: the edge and the UI cannot know which objects it hides (they answer 403 or
    allow where the server answers 404).

    >>> class Posts: drfgate_queryset = "obj.published or obj.owner == request.user"
    >>> queryset_condition(Posts, "posts", [])
    'obj.published or obj.owner == request.user'
    """
    declared = getattr(cls, "drfgate_queryset", None)
    if declared is not None:
        if not isinstance(declared, str):
            warnings.append(f"{name}.drfgate_queryset must be a str (a drf-gate condition); ignored")
            return None
        return declared
    for klass in cls.__mro__:
        if "get_queryset" in klass.__dict__ and not klass.__module__.startswith("rest_framework."):
            warnings.append(
                f"{name}: {klass.__qualname__}.get_queryset() filters objects but declares no drf-gate "
                f"condition (drfgate_queryset = \"...\"): the edge and the UI answer 403 or allow where "
                f"the server answers 404"
            )
            break
    return None


def export_policy(leave_to_origin=(), include_secrets=False, urlconf=None):
    """The drf-gate policy of the current Django project, as a dict.

    Raises :class:`ExportError` listing every undeclared custom class (with file:line) unless
    the views using it are named in ``leave_to_origin``.

    >>> policy = export_policy()                         # doctest: +SKIP
    >>> policy["views"]["posts"]["actions"]["publish"]   # doctest: +SKIP
    {'detail': True, 'methods': ['POST'], 'permissions': ['IsVerifiedUser', 'IsAdminUser | IsOwner']}
    """
    return Exporter(leave_to_origin, include_secrets, urlconf).export()
