"""Compare drf-gate with the real DRF project, request by request.

For every exported view, a matrix of requests (routes x methods x credentials) is sent through
Django's test client. While DRF handles each request, its own decisions are recorded: the
authentication outcome (which becomes the drf-gate *context*), and how far the request got
(authentication, view permissions, handler lookup, object lookup and object permissions). The
contexts are written to a JSON file and replayed through drf-gate by a separate command
(``node python/drfgate/replay.mjs CASES.json``, which prints the decisions); every case where the
two disagree is reported.

Each request runs in a transaction that is rolled back, so the database is unchanged.

Replay interface (``--replay-cmd``): the command gets the cases file as its last argument::

    {"policy": {...}, "cases": [{"id": 0, "request": {"method", "path", "headers"},
                                "credential": "alice/token", "route": "/api/posts/{pk}/",
                                "context": {...docs/policy.md §2...},
                                "origin": {"allowed", "status", "body", "headers"}}]}

and prints ``{"results": [{"id": 0, "decision": {...}, "routed": true} | {"id": 0, "error": {...}}]}``:
``routed`` false when no route of the policy matches the request's path (the core's router:
the edge passes it to the origin, so DRF's answer stands).
"""
import contextlib
import json
import logging
import os
import re
import shlex
import subprocess
import tempfile
import traceback
import uuid
import warnings
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from django.db.models import EmailField
from django.test import Client
from rest_framework import exceptions
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.views import APIView

from .export import STANDARD_GET_OBJECT, Exporter, source_location

METHODS = ["GET", "HEAD", "OPTIONS", "POST", "PUT", "PATCH", "DELETE"]
# The headers DRF's response decision sets; only these are compared. (Middleware adds others, such
# as `Vary: Cookie` when the session is read, or the security headers; they are recorded, not compared.)
DECISION_HEADERS = ("content-type", "www-authenticate", "allow", "retry-after")
USER_FIELDS = {"id", "pk", "username", "is_active", "is_staff", "is_superuser", "is_authenticated",
               "is_anonymous", "has_perm", "has_perms"}
CSRF_SECRET = "drfgateCheckCsrfSecret0123456789"  # 32 chars of [a-zA-Z0-9]
# The generated users' password, sent by Basic credentials; hashed with FAST_HASHER for the run
# (the project's hasher, PBKDF2's 10^6 rounds, would cost ~0.5 s per Basic request).
GENERATED_PASSWORD = "drfgate-check-password"
FAST_HASHER = "django.contrib.auth.hashers.MD5PasswordHasher"
TEST_HOST = "testserver"  # Django's test client's host; added to ALLOWED_HOSTS for the run
GENERATED_PREFIX = "drfgate-check-"
DEFAULT_REPLAY = os.path.join(os.path.dirname(os.path.abspath(__file__)), "replay.mjs")


# --------------------------------------------------------------------------------------------
# Recording DRF's own decisions


class _Record:
    def __init__(self, builder=None):
        self.builder = builder
        self.request = None  # the outer DRF Request (OPTIONS metadata clones it)
        self.view = None
        self.auth = None  # ("succeeded", authenticator) | ("none",) | ("failed", exc)
        # The user's context as DRF authenticated it: a handler may change or delete the user
        # (`request.user.delete()` leaves it without a pk) before the case is built.
        self.user = None
        self.user_obj = None  # the user object, asked for its permissions on the looked-up object
        self.object = _NOT_LOOKED_UP
        self.view_passed = False
        self.no_handler = False
        self.get_object_called = False
        self.object_passed = False


_NOT_LOOKED_UP = object()
_BAD_LOOKUP = object()
_LOOKUP_RAISED = object()  # get_queryset() raised (DRF's 500 once get_object() runs)
_QUERYSET_VALUE_ERROR = object()  # get_queryset() raised on a URL kwarg's value (also DRF's 500)
_current = [None]


@contextlib.contextmanager
def instrument():
    """Patch DRF so that each request's decisions land in ``_current[0]``."""
    originals = {
        (Request, "_authenticate"): Request._authenticate,
        (APIView, "initial"): APIView.initial,
        (APIView, "check_permissions"): APIView.check_permissions,
        (APIView, "http_method_not_allowed"): APIView.http_method_not_allowed,
        (GenericAPIView, "get_object"): GenericAPIView.get_object,
    }

    def _authenticate(request):
        rec = _current[0]
        try:
            originals[(Request, "_authenticate")](request)
        except exceptions.APIException as exc:
            if rec is not None and rec.auth is None:
                rec.auth = ("failed", exc)
            raise
        except Exception as exc:
            # An authentication class's own code raised (DRF's 500): which class, for _case.
            if rec is not None and rec.auth is None:
                rec.auth = ("raised", _raising_authenticator(exc), exc)
            raise
        if rec is not None and rec.auth is None:
            authenticator = request._authenticator
            rec.auth = ("succeeded", authenticator) if authenticator is not None else ("none",)
            if authenticator is not None and rec.builder is not None:
                rec.user = rec.builder.user(request._user)
                rec.user_obj = request._user

    def initial(view, request, *args, **kwargs):
        rec = _current[0]
        if rec is not None and rec.request is None:
            rec.request, rec.view = request, view
        return originals[(APIView, "initial")](view, request, *args, **kwargs)

    def check_permissions(view, request):
        rec = _current[0]
        outer = rec is not None and request is rec.request
        if outer:
            rec.object = _lookup(view)
        originals[(APIView, "check_permissions")](view, request)
        if outer:
            rec.view_passed = True

    def http_method_not_allowed(view, request, *args, **kwargs):
        rec = _current[0]
        if rec is not None and request is rec.request:
            # DRF's dispatch() calls it when the view has no handler for the method. A handler
            # that calls it itself (dj-rest-auth's LogoutView.get without ACCOUNT_LOGOUT_ON_GET)
            # was reached: the permissions allowed, the origin's handler answers the 405.
            method = request.method.lower()
            handler = getattr(view, method, None) if method in view.http_method_names else None
            if getattr(handler, "__func__", None) in (None, http_method_not_allowed,
                                                      originals[(APIView, "http_method_not_allowed")]):
                rec.no_handler = True
        return originals[(APIView, "http_method_not_allowed")](view, request, *args, **kwargs)

    def get_object(view):
        rec = _current[0]
        outer = rec is not None and view.request is rec.request
        if outer:
            rec.get_object_called = True
        obj = originals[(GenericAPIView, "get_object")](view)
        if outer:
            rec.object_passed = True
        return obj

    patches = {
        (Request, "_authenticate"): _authenticate,
        (APIView, "initial"): initial,
        (APIView, "check_permissions"): check_permissions,
        (APIView, "http_method_not_allowed"): http_method_not_allowed,
        (GenericAPIView, "get_object"): get_object,
    }
    for (cls, attr), fn in patches.items():
        setattr(cls, attr, fn)
    try:
        yield
    finally:
        for (cls, attr), fn in originals.items():
            setattr(cls, attr, fn)


def _raising_authenticator(exc):
    """The authenticator DRF's ``Request._authenticate`` was asking when ``exc`` rose through it
    (inside its ``authenticate()``, or unpacking what that returned), else None."""
    tb = exc.__traceback__
    while tb is not None:
        frame = tb.tb_frame
        if frame.f_code.co_name == "_authenticate" and isinstance(frame.f_locals.get("self"), Request):
            return frame.f_locals.get("authenticator")
        tb = tb.tb_next
    return None


def _lookup(view):
    """The object get_object() would find for this request (before any permission check)."""
    if not isinstance(view, GenericAPIView):
        return _NOT_LOOKED_UP
    kwarg = view.lookup_url_kwarg or view.lookup_field
    if kwarg not in view.kwargs:
        return _NOT_LOOKED_UP
    try:
        try:
            queryset = view.filter_queryset(view.get_queryset())
        except (TypeError, ValueError, ValidationError):
            # Not a lookup miss: get_object() runs get_queryset() outside get_object_or_404's
            # catch (storefront's `filter(cart_id=self.kwargs['cart_pk'])` of a UUID and `1`).
            return _QUERYSET_VALUE_ERROR
        return queryset.filter(**{view.lookup_field: view.kwargs[kwarg]}).first()
    except (TypeError, ValueError, ValidationError):
        return _BAD_LOOKUP
    except DatabaseError:
        raise  # the request's transaction is broken: what DRF then does is no longer its own
    except Exception:  # noqa: BLE001 - the project's get_queryset() fails here (a KeyError on a
        # kwarg another route gives): raising it would answer before DRF's own permission check.
        return _LOOKUP_RAISED


# --------------------------------------------------------------------------------------------
# Contexts


def _paths(expressions, prefix):
    found = set()
    for expr in expressions:
        found.update(m.group(1) for m in re.finditer(rf"\b{prefix}((?:\.[A-Za-z_]\w*)+)", expr))
    return sorted(p.lstrip(".") for p in found)


class ContextBuilder:
    """Turns a recorded DRF request into a drf-gate context (docs/policy.md §2)."""

    def __init__(self, policy, exporter):
        conditions = []
        for decl in policy.get("classes", {}).values():
            conditions += [decl.get("hasPermission", ""), decl.get("hasObjectPermission", "")]
        for view in policy.get("views", {}).values():
            conditions.append(view.get("queryset", ""))  # a view's queryset condition reads obj too
        self.user_attributes = [p.split(".")[0] for p in _paths(conditions, r"request\.user")]
        self.user_attributes = sorted(set(self.user_attributes) - USER_FIELDS)
        self.object_paths = _paths(conditions, "obj")
        self.exporter = exporter  # maps authenticator classes to policy names
        self.classes = policy.get("authenticationClasses", {})
        self.views = policy.get("views", {})

    def user(self, user):
        if user is None or not user.is_authenticated:
            return None
        token_user = not hasattr(user, "_meta")  # simplejwt TokenUser
        out = {
            # A UUID or other non-JSON pk as its text (the edge's ids are JSON values).
            "id": _json_scalar(user.pk) if not token_user else user.id,
            "username": user.get_username() if not token_user else user.username,
            "isActive": bool(user.is_active),
            "isStaff": bool(user.is_staff),
            "isSuperuser": bool(user.is_superuser),
            "permissions": [] if token_user else sorted(user.get_all_permissions()),
        }
        if token_user:
            out["tokenUser"] = True
        attributes = {}
        for name in self.user_attributes:
            if name == "groups" and not token_user:
                # Group membership by name: `'editors' in request.user.groups`.
                attributes[name] = sorted(user.groups.values_list("name", flat=True))
            else:
                attributes[name] = _json_scalar(getattr(user, name, None))
        if attributes:
            out["attributes"] = attributes
        return out

    def object(self, obj):
        out = {"id": _json_scalar(obj.pk)}
        for path in self.object_paths:
            target, value = out, obj
            parts = path.split(".")
            for i, part in enumerate(parts):
                value = getattr(value, part, None)
                last = i == len(parts) - 1
                if last:
                    target[part] = _json_scalar(value.pk if hasattr(value, "_meta") else value)
                else:
                    existing = target.get(part)
                    if not isinstance(existing, dict):
                        target[part] = {"id": existing} if existing is not None else {}
                    target = target[part]
        return out

    @staticmethod
    def object_permissions(user, obj):
        """What the backends grant ``user`` on ``obj`` (guardian's ObjectPermissionBackend; never
        ModelBackend): the context's ``objectPermissions`` for the checked object. Read as
        ``has_perm(perm, obj)`` reads them, so a user granted object permissions was denied
        at the edge where DRF's DjangoObjectPermissions allowed."""
        if user is None or not hasattr(user, "_meta") or not user.is_active:
            return []
        try:
            return sorted(user.get_all_permissions(obj))
        except Exception:  # noqa: BLE001 - a backend refusing the object (guardian's WrongAppError)
            return []

    def authentication(self, rec):
        kind = rec.auth[0]
        if kind == "succeeded":
            return {"succeeded": self.exporter.authentication_class(type(rec.auth[1]), [])}
        if kind == "none":
            return {"none": True}
        exc = rec.auth[1]
        for cls in (exceptions.AuthenticationFailed, exceptions.PermissionDenied, exceptions.ParseError):
            if isinstance(exc, cls):
                name = cls.__name__
                break
        else:
            name = type(exc).__name__
        failed = {"exception": name, "detail": json.loads(json.dumps(exc.detail))}
        code = getattr(exc.detail, "code", None)
        if code is not None:
            failed["code"] = code
        return {"failed": failed}


def _wire_headers(cred):
    """The credential's request headers as sent on the wire (META names -> header names)."""
    from django.http.request import HttpHeaders

    out = {}
    for key, value in cred.headers.items():
        out[HttpHeaders.parse_header_name(key) or key] = value
    cookies = "; ".join(f"{k}={m.value}" for k, m in cred.client.cookies.items())
    if cookies:
        out["Cookie"] = cookies
    return out


def _json_scalar(value):
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)


# --------------------------------------------------------------------------------------------
# The matrix


class Credential:
    def __init__(self, label, client, headers=None):
        self.label, self.client, self.headers = label, client, dict(headers or {})


def group_names(policy):
    """Group names the policy's conditions test (``'editors' in request.user.groups``)."""
    names = set()
    for decl in policy.get("classes", {}).values():
        for key in ("hasPermission", "hasObjectPermission"):
            for m in re.finditer(r"""(['"])((?:(?!\1).)*)\1\s+(?:not\s+)?in\s+request\.user\.groups\b""", decl.get(key, "")):
                names.add(m.group(2))
    return sorted(names)


def make_users(policy):
    """Users that cover what permission classes test, created inside the caller's transaction.

    Plain, staff, superuser, inactive, one with every permission of the policy's models, one
    member of each group the conditions name. A user model that cannot be created this way
    (required fields without defaults) gives no generated users, and the check says so.
    """
    from django.apps import apps
    from django.contrib.auth.models import Group, Permission

    User = get_user_model()
    field_names = {f.name for f in User._meta.get_fields()}
    template = User._default_manager.exclude(
        **{f"{User.USERNAME_FIELD}__startswith": GENERATED_PREFIX}).order_by("pk").first()

    def create(suffix, **flags):
        name = GENERATED_PREFIX + suffix
        # An email USERNAME_FIELD gets an address: nomad-back's save() runs full_clean(), which
        # refused the bare name ("Enter a valid email address."), so no user was generated.
        login = User._meta.get_field(User.USERNAME_FIELD)
        values = {User.USERNAME_FIELD: f"{name}@example.invalid" if isinstance(login, EmailField) else name}
        pk = _generated_pk(User, name)
        if pk is not None:
            values[User._meta.pk.attname] = pk
        values.update(_required_values(User, name, template, exclude=values))
        user = User(**values)
        user.set_password(GENERATED_PASSWORD)  # Basic credentials; the run lists FAST_HASHER first
        for key, value in flags.items():
            if key in field_names:
                setattr(user, key, value)
        user.save()
        return user

    out = []
    try:
        with transaction.atomic():
            out.append(create("user"))
            out.append(create("staff", is_staff=True))
            out.append(create("superuser", is_staff=True, is_superuser=True))
            out.append(create("inactive", is_active=False))
            models = []
            for view in policy.get("views", {}).values():
                if view.get("model"):
                    try:
                        models.append(apps.get_model(view["model"]))
                    except LookupError:
                        pass
            if models and "user_permissions" in field_names:
                from django.contrib.contenttypes.models import ContentType

                perms_user = create("perms")
                types = [ContentType.objects.get_for_model(m) for m in models]
                perms_user.user_permissions.set(Permission.objects.filter(content_type__in=types))
                out.append(perms_user)
                if _guardian_backend():
                    out.append(_object_perms_user(create("objperms"), models, types))
            if "groups" in field_names:
                for i, name in enumerate(group_names(policy)):
                    member = create(f"group{i}")
                    member.groups.add(Group.objects.get_or_create(name=name)[0])
                    out.append(member)
    except Exception as exc:  # noqa: BLE001 - a custom user model: check with the existing users
        warnings.warn(f"drfgate_check cannot make users of {User._meta.label} ({exc!r}); "
                      "only existing users are checked")
        return []
    return out


def _guardian_backend():
    """Whether has_perm(perm, obj) can answer True: guardian's ObjectPermissionBackend is in
    AUTHENTICATION_BACKENDS (ModelBackend answers every object check False)."""
    from django.apps import apps

    return apps.is_installed("guardian") and "guardian.backends.ObjectPermissionBackend" in settings.AUTHENTICATION_BACKENDS


def _object_perms_user(user, models, types):
    """A user with every model permission and, through guardian, every permission of each model on
    its first row only (the rows the check requests are the first few): DjangoObjectPermissions
    and ``has_perm(..., obj)`` conditions then pass on one object and fail on the next for the
    same user. Without it no generated user held an object permission, so none was exercised."""
    from django.contrib.auth.models import Permission
    from guardian.shortcuts import assign_perm

    user.user_permissions.set(Permission.objects.filter(content_type__in=types))
    for model in models:
        first = model._default_manager.order_by("pk").first()
        if first is not None:
            for perm in Permission.objects.filter(content_type=types[models.index(model)]):
                assign_perm(perm.codename, user, first)
    return user


_TEXT_FIELDS = ("CharField", "TextField", "SlugField")


def _required_values(User, name, template, exclude=()):
    """Values for the fields a generated user must have (``REQUIRED_FIELDS``, and every concrete
    field without a default that may be neither null nor blank): a text field gets the user's name
    (an address for an email field), another field the first real user's value, which the
    project's own rules accepted (softdesk's ``age``, which its ``save()`` requires >= 15)."""
    out = {}
    required = set(getattr(User, "REQUIRED_FIELDS", []))
    for field in User._meta.concrete_fields:
        if field.attname in exclude or field.name in exclude or field.primary_key or field.is_relation:
            continue
        if field.name not in required and (field.null or field.blank or field.has_default()):
            continue
        kind = field.get_internal_type()  # an EmailField's is "CharField"
        if isinstance(field, EmailField):
            out[field.name] = f"{name}@example.invalid"
        elif kind in _TEXT_FIELDS:
            # Its end if too long (nomad-back's `phone`, 20 characters): the suffix tells the users apart.
            out[field.name] = name[-field.max_length:] if field.max_length else name
        elif template is not None and not field.unique:
            out[field.name] = getattr(template, field.attname)
    return out


def _generated_pk(User, name):
    """The pk of a generated user when the model's own is neither automatic nor defaulted (None:
    the database or the field makes it). A CharField pk left empty made every generated user one
    row ('' each time, the second save an UPDATE of the first)."""
    from django.db.models import Max

    field = User._meta.pk
    if field.is_relation or field.has_default() or field.get_internal_type() in (
            "AutoField", "BigAutoField", "SmallAutoField"):
        return None
    if field.get_internal_type() == "UUIDField":
        return uuid.uuid4()
    if field.get_internal_type() in ("IntegerField", "BigIntegerField", "SmallIntegerField", "PositiveIntegerField",
                                     "PositiveBigIntegerField", "PositiveSmallIntegerField"):
        return (User._default_manager.aggregate(top=Max(field.attname))["top"] or 0) + 1
    if field.get_internal_type() in ("CharField", "SlugField", "TextField", "EmailField"):
        return f"{name}@example.invalid" if field.get_internal_type() == "EmailField" else name
    raise ValueError(f"its pk {field.name} ({type(field).__name__}) has no default drfgate_check can fill")


def _token_model():
    from django.apps import apps

    if not apps.is_installed("rest_framework.authtoken"):
        return None
    from rest_framework.authtoken.models import Token

    return Token


def _class_chain(classes, name):
    """The names from an authentication class of the policy up its declared ``base`` chain to a
    built-in one, with each declaration (None for the built-in)."""
    for _ in range(len(classes) + 1):
        decl = classes.get(name)
        yield name, decl
        if decl is None:
            return
        name = decl.get("base")


def _token_keywords(policy, used):
    """The header keywords of the token authentication classes used (TokenAuthentication's, and a
    subclass's own ``keyword = "Bearer"``). Every token was sent as ``Token <key>``, which a
    ``Bearer`` subclass reads as no credentials: no token request was authenticated."""
    classes = policy.get("authenticationClasses", {})
    default = policy.get("settings", {}).get("token", {}).get("keyword", "Token")
    out = []
    for name in sorted(used):
        keyword = None
        for base, decl in _class_chain(classes, name):
            if base in ("TokenAuthentication", "token"):
                keyword = keyword or default
                if keyword not in out:
                    out.append(keyword)
                break
            keyword = keyword or (decl or {}).get("keyword")
    return out


def _knox_prefix(policy, used):
    """The header prefix knox's TokenAuthentication reads (``REST_KNOX['AUTH_HEADER_PREFIX']``)
    when a class used is it or a subclass, else None: a knox project's token requests need knox
    tokens (``AuthToken.objects.create``), which DRF's ``Token`` rows are not."""
    classes = policy.get("authenticationClasses", {})
    if any(base in ("KnoxTokenAuthentication", "knox") for name in used for base, _ in _class_chain(classes, name)):
        return policy.get("settings", {}).get("knox", {}).get("authHeaderPrefix", "Token")
    return None


def _reads_basic(policy, used):
    """Whether a class used reads Basic credentials: BasicAuthentication, a subclass (``base``), or
    a class of its own whose ``authenticate_header`` says ``Basic``. Without Basic requests its
    ``succeeded`` outcome was never compared (nomad-back: "Basic NOT COVERED")."""
    classes = policy.get("authenticationClasses", {})
    for name in used:
        for base, decl in _class_chain(classes, name):
            if base in ("BasicAuthentication", "basic"):
                return True
            header = (decl or {}).get("wwwAuthenticate")
            if isinstance(header, str) and header.split(" ", 1)[0].lower() == "basic":
                return True
    return False


def _basic(username, password):
    import base64

    return {"HTTP_AUTHORIZATION": "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode("ascii")}


def _client():
    """A test client that returns the server's 500 for an exception in the project's code (a
    handler's KeyError) instead of raising it: DRF has decided by then, and the check goes on."""
    return Client(enforce_csrf_checks=True, raise_request_exception=False)


def build_credentials(policy, users=None, extra_users=()):
    """Anonymous, wrong credentials, then each user by token, JWT and session."""
    Token = _token_model()

    used = set(policy.get("authentication", []))
    for view in policy["views"].values():
        used.update(view.get("authentication", []))
        for action in view["actions"].values():
            used.update(action.get("authentication", []))
    keywords = _token_keywords(policy, used) or ["Token"]
    knox_prefix = _knox_prefix(policy, used)
    # simplejwt's AUTH_HEADER_TYPES / AUTH_HEADER_NAME: a JWT sent as `Bearer` to a project reading
    # `JWT` (storefront-django) is no credentials, so no JWT request was authenticated.
    jwt_settings = policy.get("settings", {}).get("jwt", {})
    jwt_type = (jwt_settings.get("authHeaderTypes") or ["Bearer"])[0]
    jwt_header = jwt_settings.get("authHeaderName") or "HTTP_AUTHORIZATION"
    basic = _reads_basic(policy, used)
    creds = [
        Credential("anonymous", _client()),
        Credential("wrong-token", _client(), {"HTTP_AUTHORIZATION": f"{keywords[0]} " + "0" * 40}),
        Credential("garbage-jwt", _client(), {jwt_header: f"{jwt_type} not.a.jwt"}),
    ]
    if basic:
        creds.append(Credential("wrong-basic", _client(), _basic(GENERATED_PREFIX + "nobody", "wrong")))
    User = get_user_model()
    qs = User.objects.order_by("pk")
    if users:
        qs = qs.filter(**{f"{User.USERNAME_FIELD}__in": users})
    qs = qs.exclude(**{f"{User.USERNAME_FIELD}__startswith": GENERATED_PREFIX})
    session_csrf_missing_done = False
    for user in list(qs) + list(extra_users):
        token = None
        if Token is not None:
            token = Token.objects.filter(user=user).first()
            if token is None and user.get_username().startswith(GENERATED_PREFIX):
                token = Token.objects.create(user=user)
        if token is not None:
            for keyword in keywords:
                label = "token" if keyword == "Token" else f"token-{keyword}"
                creds.append(Credential(f"{user.get_username()}/{label}", _client(),
                                        {"HTTP_AUTHORIZATION": f"{keyword} {token.key}"}))
        if knox_prefix is not None:
            from knox.models import AuthToken

            # A day, not the project's TOKEN_TTL (None never expires); rolled back with the run.
            _, key = AuthToken.objects.create(user=user, expiry=timedelta(days=1))
            creds.append(Credential(f"{user.get_username()}/knox", _client(), {"HTTP_AUTHORIZATION": f"{knox_prefix} {key}"}))
        if "JWTAuthentication" in used:
            from rest_framework_simplejwt.tokens import AccessToken

            with warnings.catch_warnings():  # simplejwt warns about tokens for inactive users
                warnings.simplefilter("ignore")
                token = AccessToken.for_user(user)
            # A day, not the project's ACCESS_TOKEN_LIFETIME: no token may expire mid-check.
            token.set_exp(lifetime=timedelta(days=1))
            jwt = str(token)
            creds.append(
                Credential(f"{user.get_username()}/jwt", _client(), {jwt_header: f"{jwt_type} {jwt}"})
            )
        if basic and user.get_username().startswith(GENERATED_PREFIX):
            # Only generated users' passwords are known; an inactive one is DRF's 401 "Invalid
            # username/password." (ModelBackend refuses it).
            creds.append(Credential(f"{user.get_username()}/basic", _client(), _basic(user.get_username(), GENERATED_PASSWORD)))
        if "SessionAuthentication" in used and user.is_active:
            client = _client()
            client.force_login(user)
            client.cookies[settings.CSRF_COOKIE_NAME] = CSRF_SECRET
            creds.append(Credential(f"{user.get_username()}/session", client, {settings.CSRF_HEADER_NAME: CSRF_SECRET}))
            if not session_csrf_missing_done and not user.is_staff:
                # One session without the CSRF header: DRF fails authentication with 403.
                creds.append(Credential(f"{user.get_username()}/session-no-csrf", client))
                session_csrf_missing_done = True
    return creds


def build_paths(policy, objects=3):
    """(path, route) pairs: list routes as they are; detail routes for a few rows and a missing pk."""
    from django.apps import apps

    out = []
    for route in policy["routes"]:
        pattern = route["pattern"]
        # `{pk}` or, from a path() route, `{pk:int}` (the converter is the edge's, not a name).
        params = re.findall(r"{(\w+)(?::\w+)?}", pattern)
        if not params:
            out.append((pattern, route))
            continue
        model_name = policy["views"][route["view"]].get("model")
        values = []
        nested = _nested_paths(pattern, params, route.get("detail"), apps.get_model(model_name), objects) if model_name else []
        if nested:
            out.extend((path, route) for path in nested)
            continue
        if model_name and params == [params[0]]:
            model = apps.get_model(model_name)
            field = params[0]
            for obj in model._default_manager.order_by("pk")[:objects]:
                values.append(getattr(obj, field, obj.pk))
            values.append(_lookup_miss(model._default_manager.order_by("-pk").first()))
        if values:
            for value in values:
                out.append((re.sub(r"{%s(?::\w+)?}" % params[0], str(value), pattern, count=1), route))
        else:
            out.extend((path, route) for path in _sample_paths(pattern, objects))
    return out


def _parent_field(model, kwarg):
    """The foreign key of ``model`` a nested route's parent kwarg names (drf-nested-routers'
    ``post_pk`` / ``parent_lookup_post``, a plain ``post_id``); else None."""
    from django.core.exceptions import FieldDoesNotExist

    name = re.sub(r"_(pk|id)$", "", kwarg.removeprefix("parent_lookup_"))
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return None
    return field if field.many_to_one else None


def _nested_paths(pattern, params, detail, model, objects):
    """Paths of a nested route (``/posts/{post_pk}/comments/{pk}/``) from the child rows: each of
    the first ``objects`` under its own parent, under another parent (another parent's child:
    DRF's 404 when ``get_queryset()`` filters by the parent kwarg), and a missing child under a
    real parent; a nested list route, each parent of those rows and a missing one. Empty when a
    parent kwarg names no foreign key of the model (or the route has none). With one sample
    value for every kwarg, a child was requested under its own parent only by chance, and a
    list under its children's pks.

    >>> _nested_paths("/x/{a}/y/{pk}/", ["a", "pk"], True, get_user_model(), 2)
    []
    """
    from django.urls import Resolver404, resolve

    parents, lookup = (params[:-1], params[-1]) if detail else (params, None)
    keys = [_parent_field(model, name) for name in parents]
    if not keys or None in keys:
        return []
    fields = [key.attname for key in keys]
    rows = list(model._default_manager.order_by("pk")[:objects])
    last = model._default_manager.order_by("-pk").first()

    def fill(values):
        path = pattern
        for name, value in zip(params, values):
            path = re.sub(r"{%s(?::\w+)?}" % name, str(value), path, count=1)
        return path

    candidates = []
    for row in rows:
        own = [getattr(row, f) for f in fields]
        if lookup is None:
            candidates.append(fill(own))
            continue
        key = getattr(row, lookup, row.pk)
        candidates.append(fill(own + [key]))
        other = model._default_manager.exclude(**{fields[0]: own[0]}).order_by("pk").first()
        if other is not None:
            candidates.append(fill([getattr(other, f) for f in fields] + [key]))
    if rows:
        first = [getattr(rows[0], f) for f in fields]
        if lookup is not None:
            candidates.append(fill(first + [_lookup_miss(last)]))
        else:  # a parent no row is
            candidates.append(fill(first[:-1] + [_lookup_miss(keys[-1].related_model._default_manager.order_by("-pk").first())]))
    out = []
    for path in dict.fromkeys(candidates):
        try:
            resolve(path)
        except Resolver404:
            continue
        out.append(path)
    return out


def _sample_paths(pattern, objects):
    """Paths of a route whose values no model gives (a plain view's ``<int:blog_id>``, a
    ``<str:username>``, a view whose queryset only ``get_queryset()`` makes, nested kwargs): each
    parameter the same sample value, kept when Django's URLconf resolves the path. Without them
    the view was NOT COVERED. ``1``..``objects`` and a high number, then a text.

    >>> _sample_paths("/no/such/{pk:int}/", 2)
    []
    """
    from django.urls import Resolver404, resolve

    out = []
    for value in [str(i) for i in range(1, objects + 1)] + ["999999", GENERATED_PREFIX + "missing"]:
        path = re.sub(r"{\w+(?::\w+)?}", value, pattern)
        try:
            resolve(path)
        except Resolver404:
            continue
        out.append(path)
    return out[: objects + 1]


def _lookup_miss(last):
    """A pk no row has (after ``last``, the row with the highest pk): past an integer pk, a fresh
    UUID for a UUID pk (blog-stack-backend: ``UUID + 1000`` stopped the check), else a text."""
    pk = last.pk if last is not None else 0
    if isinstance(pk, int):
        return pk + 1000
    if isinstance(pk, uuid.UUID):
        return uuid.uuid4()
    return GENERATED_PREFIX + "missing"


def run_matrix(policy, credentials, paths, methods=METHODS):
    """Send every request through Django; return the cases (context + origin outcome), the
    requests skipped and those that are the origin's (an :class:`OriginsRequest` each)."""
    exporter = Exporter()
    builder = ContextBuilder(policy, exporter)
    cases, skipped, origins = [], [], []
    # 4xx warnings are the point here; a 500 from the project's code is one line per error in the
    # command's output (server_errors), not a traceback per request.
    request_logger = logging.getLogger("django.request")
    level = request_logger.level
    request_logger.setLevel(logging.CRITICAL)
    with instrument(), _restore_level(request_logger, level):
        for path, route in paths:
            for method in methods:
                for cred in credentials:
                    rec = _Record(builder)
                    _current[0] = rec
                    try:
                        with transaction.atomic():
                            body = "{}" if method in ("POST", "PUT", "PATCH") else ""
                            response = cred.client.generic(
                                method, path, body, content_type="application/json", **cred.headers
                            )
                            transaction.set_rollback(True)
                    finally:
                        _current[0] = None
                    case = _case(len(cases), path, route, method, cred, rec, response, builder)
                    if isinstance(case, OriginsRequest):
                        origins.append(f"{method} {path} as {cred.label}: {case}")
                    elif isinstance(case, str):
                        skipped.append(f"{method} {path} as {cred.label}: {case}")
                    else:
                        cases.append(case)
    return cases, skipped, origins


@contextlib.contextmanager
def _restore_level(logger, level):
    try:
        yield
    finally:
        logger.setLevel(level)


def _server_error(exc_info):
    """``"KeyError: 'product_pk' (store/views/review_viewset.py:10)"`` for an exception the
    project's code raised while Django handled the request (its 500), else None."""
    if not exc_info or exc_info[1] is None:
        return None
    exc = exc_info[1]
    frames = traceback.extract_tb(exc.__traceback__)
    where = f" ({os.path.relpath(frames[-1].filename)}:{frames[-1].lineno})" if frames else ""
    return f"{type(exc).__name__}: {exc}{where}"


def server_errors(cases):
    """(error, requests, first request) per distinct server error of the project's code."""
    out = {}
    for case in cases:
        error = case["origin"].get("serverError")
        if error:
            count, first = out.get(error, (0, case))
            out[error] = (count + 1, first)
    return [(error, count, first) for error, (count, first) in out.items()]


_STANDARD_ACTIONS = {"list", "create", "retrieve", "update", "partial_update", "destroy"}


class OriginsRequest(str):
    """Why a request is the origin's and not compared: what DRF answered, no edge can."""


def _case(case_id, path, route, method, cred, rec, response, builder):
    if rec.auth is not None and rec.auth[0] == "raised":
        authenticator = rec.auth[1]
        name = builder.exporter.authentication_class(type(authenticator), []) if authenticator is not None else None
        decl = builder.classes.get(name) if name is not None else None
        if isinstance(decl, dict) and "base" not in decl:
            # A custom class's code raised (DRF's 500): the edge asks the integrator's resolver
            # for that class, which has no outcome to give, so the request is the origin's.
            return OriginsRequest(f"{name} ({source_location(type(authenticator))}) raised while DRF authenticated "
                                  f"(DRF's 500): {_server_error((type(rec.auth[2]), rec.auth[2], None))}")
    if rec.view is None or rec.auth is None or rec.auth[0] == "raised":
        return "DRF did not reach authentication"
    view = rec.view
    context = {"view": route["view"], "method": method, "detail": route["detail"]}
    action = route["actions"].get("GET" if method == "HEAD" else method)
    if action is None:
        # A method the route does not map: name the route by one of its actions (an @action
        # route, or a plain view's handlers); the method then finds no handler, as in DRF.
        custom = [a for a in route["actions"].values() if a not in _STANDARD_ACTIONS]
        action = custom[0] if custom else None
    if action is not None:
        context["action"] = action
    if rec.object is _LOOKUP_RAISED:
        if rec.view_passed and not rec.no_handler and rec.get_object_called:
            return "the view's get_queryset() raised in the object lookup (the server's 500)"
        rec.object = _NOT_LOOKED_UP  # DRF answered before the lookup: the context needs no object
    if rec.object is _QUERYSET_VALUE_ERROR:
        if not (rec.view_passed and not rec.no_handler and rec.get_object_called):
            rec.object = _NOT_LOOKED_UP  # DRF answered before the lookup
        else:
            # DRF's answer (its 500) is the origin's; the edge's lookup would say 404, so the
            # case says what the edge holds (a lookup error) unless its router forwards the URL.
            rec.object = _BAD_LOOKUP
    if rec.object is _BAD_LOOKUP:
        context["lookupError"] = True
    context["authentication"] = builder.authentication(rec)
    context["user"] = rec.user if rec.auth[0] == "succeeded" else None
    if rec.object is not _NOT_LOOKED_UP and rec.object is not _BAD_LOOKUP:
        context["object"] = builder.object(rec.object) if rec.object is not None else None
        if context["user"] is not None and rec.object is not None:
            held = builder.object_permissions(rec.user_obj, rec.object)
            if held:
                context["user"] = {**context["user"], "objectPermissions": held}
    # An action exported `"getObject": false` leaves the object stage to the origin: a handler
    # that may answer first and looks the object up after (storefront-django's destroy: an order
    # check, then super().destroy()) is DRF's 404 from the origin, the edge's "allowed" (forward).
    # So does a custom action's default, `detail` (an @action(detail=False) calling get_object():
    # DRF's AssertionError, a 500, once the permissions passed).
    entry = builder.views.get(route["view"], {}).get("actions", {})
    entry = entry.get(action, {}) if isinstance(entry, dict) else {}
    own_lookup = entry.get("getObject", STANDARD_GET_OBJECT.get(action, entry.get("detail", route["detail"]))) is False
    allowed = rec.view_passed and not rec.no_handler and (own_lookup or not rec.get_object_called or rec.object_passed)
    headers = {k: v for k, v in response.headers.items() if k.lower() in DECISION_HEADERS}
    return {
        "id": case_id,
        "request": {"method": method, "path": path, "headers": _wire_headers(cred)},
        "credential": cred.label,
        "route": route["pattern"],
        "context": context,
        "allowFromSet": type(view).__qualname__.endswith("WrappedAPIView"),
        "origin": {
            "allowed": allowed,
            "status": response.status_code,
            "body": response.content.decode("utf-8", "replace"),
            "headers": headers,
            "allHeaders": dict(response.headers.items()),
            "drfAction": getattr(view, "action", None),
            "serverError": _server_error(getattr(response, "exc_info", None)),
        },
    }


# --------------------------------------------------------------------------------------------
# Replay and comparison


def replay(replay_cmd, document, keep=None):
    """Run the replay command on the cases document; return {id: result}."""
    path = keep
    if path is None:
        fd, path = tempfile.mkstemp(prefix="drfgate-cases-", suffix=".json")
        os.close(fd)
    with open(path, "w", encoding="utf-8") as f:
        json.dump(document, f, ensure_ascii=False)
    try:
        proc = subprocess.run(shlex.split(replay_cmd) + [path], capture_output=True, text=True)
    finally:
        if keep is None:
            os.unlink(path)
    if proc.returncode != 0:
        raise RuntimeError(f"replay command failed ({proc.returncode}): {replay_cmd}\n{proc.stderr.strip()}")
    try:
        results = json.loads(proc.stdout)["results"]
    except (ValueError, KeyError) as exc:
        raise RuntimeError(f"replay command printed no results JSON: {exc}\n{proc.stdout[:500]}") from exc
    return {r["id"]: r for r in results}


def _decision_allowed(decision):
    if "allowed" in decision:
        return bool(decision["allowed"])
    return decision.get("status") == 200 and not decision.get("body")


def compare(case, result):
    """A list of differences between DRF (origin) and drf-gate for one case (empty: agree)."""
    origin = case["origin"]
    if result is None:
        return ["no drf-gate result"]
    if "error" in result:
        return [f"drf-gate error: {result['error']}"]
    if result.get("routed") is False:
        # No route of the policy matches the URL (the core's router, in the replay): the edge
        # passes it to the origin (docs/policy.md §1.6), which answers: DRF's own response.
        return []
    decision = result["decision"]
    gate_allowed = _decision_allowed(decision)
    if origin["allowed"] or gate_allowed:
        if origin["allowed"] != gate_allowed:
            return [f"allowed: DRF {origin['allowed']} (status {origin['status']}), drf-gate {gate_allowed} "
                    f"(status {decision.get('status')}, stage {decision.get('stage')})"]
        return []
    diffs = []
    if decision.get("status") != origin["status"]:
        diffs.append(f"status: DRF {origin['status']}, drf-gate {decision.get('status')}")
    body = decision.get("body", "")
    if case["request"]["method"] == "HEAD" and origin["body"] == "":
        body = ""  # HEAD responses carry no body on the wire
    if body != origin["body"]:
        diffs.append(f"body: DRF {origin['body']!r}, drf-gate {body!r}")
    gate_headers = {k.lower(): v for k, v in (decision.get("headers") or {}).items() if k.lower() in DECISION_HEADERS}
    origin_headers = {k.lower(): v for k, v in origin["headers"].items()}
    if case.get("allowFromSet") and "allow" in gate_headers and "allow" in origin_headers:
        # @api_view: DRF orders Allow by a set's iteration order, which changes per process.
        if sorted(gate_headers["allow"].split(", ")) == sorted(origin_headers["allow"].split(", ")):
            gate_headers["allow"] = origin_headers["allow"]
    if gate_headers != origin_headers:
        diffs.append(f"headers: DRF {origin_headers}, drf-gate {gate_headers}")
    return diffs


def replay_native(document, keep=None):
    """Replay the cases in-process through the compiled core (``drfgate._native``)."""
    from .core import ContextError, Gate, PolicyError

    if keep is not None:
        with open(keep, "w", encoding="utf-8") as f:
            json.dump(document, f, ensure_ascii=False)
    try:
        gate = Gate(document["policy"])
    except PolicyError as exc:
        raise RuntimeError(f"drf-gate rejected the policy: {exc}") from None
    results = {}
    for case in document["cases"]:
        try:
            results[case["id"]] = {"id": case["id"], "decision": gate.check(case["context"]),
                                   "routed": gate.route(case["request"]["path"]) is not None}
        except ContextError as exc:
            results[case["id"]] = {"id": case["id"], "error": {"code": exc.code, "path": exc.path,
                                                               "message": exc.message}}
    return results


class CheckResult:
    """What a check did. Unpacks as ``(total, disagreements, skipped)``; ``coverage`` maps
    ``(view, action)`` to counts, ``cases`` holds every case."""

    def __init__(self, cases, disagreements, skipped, generated_users):
        self.cases, self.disagreements, self.skipped = cases, disagreements, skipped
        self.total = len(cases)
        self.generated_users = generated_users
        self.origins = []  # requests only the origin answers (a custom authentication class raised)
        self.coverage = {}
        for case in cases:
            key = (case["context"]["view"], case["context"].get("action") or case["request"]["method"])
            entry = self.coverage.setdefault(key, {"requests": 0, "allowed": 0, "methods": set(), "statuses": {}})
            entry["requests"] += 1
            entry["methods"].add(case["request"]["method"])
            if case["origin"]["allowed"]:
                entry["allowed"] += 1
            else:
                status = case["origin"]["status"]
                entry["statuses"][status] = entry["statuses"].get(status, 0) + 1

    def __iter__(self):
        return iter((self.total, self.disagreements, self.skipped))

    def skipped_share(self):
        attempted = self.total + len(self.skipped)
        return len(self.skipped) / attempted if attempted else 0.0

    def uncovered_views(self, policy):
        covered = {view for view, _ in self.coverage}
        return [name for name in policy.get("views", {}) if name not in covered]

    def unauthenticated_classes(self, policy):
        """The authentication classes the policy uses that authenticated no request of the check
        (drfgate_check sends no credentials they read: `BasicAuthentication`'s passwords are not
        known), so their `succeeded` outcomes were not compared with DRF."""
        used = set(policy.get("authentication", []))
        for view in policy.get("views", {}).values():
            used.update(view.get("authentication", []))
            actions = view.get("actions", {})
            for action in actions.values() if isinstance(actions, dict) else ():
                used.update(action.get("authentication", []))
        succeeded = {case["context"]["authentication"].get("succeeded") for case in self.cases}
        return sorted(used - succeeded)

    def failure(self, max_skipped_share):
        """Why this check must not pass (None when it may): it checked nothing, or skipped too much."""
        if self.total == 0:
            why = f"; {len(self.skipped)} skipped, e.g. {self.skipped[0]}" if self.skipped else ""
            return f"checked nothing: 0 requests reached DRF's decision{why}"
        share = self.skipped_share()
        if share > max_skipped_share:
            return (f"skipped {len(self.skipped)} of {self.total + len(self.skipped)} requests ({share:.0%}), "
                    f"more than the allowed {max_skipped_share:.0%} (--max-skipped)")
        return None

    def coverage_lines(self):
        order = {m: i for i, m in enumerate(METHODS)}
        for (view, action), entry in sorted(self.coverage.items(), key=lambda kv: (kv[0][0], str(kv[0][1]))):
            methods = ",".join(sorted(entry["methods"], key=lambda m: order.get(m, 99)))
            statuses = ", ".join(f"{s}: {n}" for s, n in sorted(entry["statuses"].items()))
            denied = entry["requests"] - entry["allowed"]
            yield (f"{view}.{action} [{methods}]: {entry['requests']} requests, {entry['allowed']} allowed, "
                   f"{denied} denied" + (f" ({statuses})" if statuses else ""))


def run_check(policy, replay_cmd=None, users=None, objects=3, methods=METHODS, keep=None, stdout=None,
              generate_users=True):
    """Run the whole check; return a :class:`CheckResult` (unpacks as ``(total, disagreements, skipped)``).

    ``replay_cmd`` None replays in-process through the compiled core when it is installed (the
    wheel always has it), else through ``node replay.mjs`` and the npm package. The requests are
    sent with the test host ``testserver`` allowed (whatever ``ALLOWED_HOSTS`` says), and with
    generated users (plain, staff, superuser, inactive, with every model permission, and a
    member of each group the conditions name) that exist only inside a rolled-back transaction.
    """
    from django.test.utils import override_settings

    from . import core

    hosts = list(settings.ALLOWED_HOSTS) + [TEST_HOST]
    hashers = [FAST_HASHER] + [h for h in settings.PASSWORD_HASHERS if h != FAST_HASHER]
    with override_settings(ALLOWED_HOSTS=hosts, PASSWORD_HASHERS=hashers), transaction.atomic():
        generated = make_users(policy) if generate_users else []
        credentials = build_credentials(policy, users, extra_users=generated)
        paths = build_paths(policy, objects)
        cases, skipped, origins = run_matrix(policy, credentials, paths, methods)
        transaction.set_rollback(True)
    document = {"policy": policy, "cases": cases}
    if not cases:
        results = {}  # nothing to replay: CheckResult.failure() says so
    elif replay_cmd is None and core.available():
        results = replay_native(document, keep)
    else:
        results = replay(replay_cmd or f"node {DEFAULT_REPLAY}", document, keep)
    disagreements = []
    for case in cases:
        diffs = compare(case, results.get(case["id"]))
        if diffs:
            disagreements.append((case, diffs))
    result = CheckResult(cases, disagreements, skipped, [u.get_username() for u in generated])
    result.origins = origins
    return result
