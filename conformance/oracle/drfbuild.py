"""Turns a drf-gate policy into real DRF classes: authentication classes, permission classes
(composed with DRF's own `&`, `|`, `~`), and viewsets routed as a DRF router routes them."""
import ast

from django.apps import apps
from django.db.models import Q
from django.utils.module_loading import import_string
from rest_framework import authentication as drf_auth
from rest_framework import exceptions, permissions
from rest_framework.filters import SearchFilter
from rest_framework.permissions import SAFE_METHODS
from rest_framework.response import Response
from rest_framework.viewsets import GenericViewSet
from rest_framework_simplejwt import authentication as jwt_auth

from . import dispatch

BUILTIN_PERMISSIONS = {
    name: getattr(permissions, name)
    for name in [
        "AllowAny",
        "BasePermission",
        "IsAuthenticated",
        "IsAdminUser",
        "IsAuthenticatedOrReadOnly",
        "DjangoModelPermissions",
        "DjangoModelPermissionsOrAnonReadOnly",
        "DjangoObjectPermissions",
    ]
}

BUILTIN_AUTHENTICATION = {
    "session": drf_auth.SessionAuthentication,
    "SessionAuthentication": drf_auth.SessionAuthentication,
    "basic": drf_auth.BasicAuthentication,
    "BasicAuthentication": drf_auth.BasicAuthentication,
    "token": drf_auth.TokenAuthentication,
    "TokenAuthentication": drf_auth.TokenAuthentication,
    "jwt": jwt_auth.JWTAuthentication,
    "JWTAuthentication": jwt_auth.JWTAuthentication,
    "jwtStateless": jwt_auth.JWTStatelessUserAuthentication,
    "JWTStatelessUserAuthentication": jwt_auth.JWTStatelessUserAuthentication,
    "remoteUser": drf_auth.RemoteUserAuthentication,
    "RemoteUserAuthentication": drf_auth.RemoteUserAuthentication,
}

# What each built-in authenticates with: the harness uses it to send a real credential.
AUTH_KIND = {
    drf_auth.SessionAuthentication: "session",
    drf_auth.BasicAuthentication: "basic",
    drf_auth.TokenAuthentication: "token",
    jwt_auth.JWTAuthentication: "jwt",
    jwt_auth.JWTStatelessUserAuthentication: "jwtStateless",
    drf_auth.RemoteUserAuthentication: "remoteUser",
}

STANDARD_ACTIONS = {
    # name: (method, detail, get_object)
    "list": ("GET", False, False),
    "create": ("POST", False, False),
    "retrieve": ("GET", True, True),
    "update": ("PUT", True, True),
    "partial_update": ("PATCH", True, True),
    "destroy": ("DELETE", True, True),
}
DEFAULT_ACTIONS = list(STANDARD_ACTIONS)
METHOD_ORDER = ["get", "post", "put", "patch", "delete", "head", "options", "trace"]


class TestHeaderAuthentication(drf_auth.BaseAuthentication):
    """The harness's custom authentication: `X-Test-User: <ClassName> <user id>` authenticates
    that user through that class, whatever its flags (the only way to authenticate an inactive
    user). Other values of the header are not this class's scheme (None)."""

    policy_name = None
    www_authenticate = None

    def authenticate(self, request):
        from django.contrib.auth import get_user_model

        value = request.META.get("HTTP_X_TEST_USER")
        if not value:
            return None
        name, _, uid = value.partition(" ")
        if name != self.policy_name:
            return None
        user = get_user_model().objects.get(pk=int(uid))
        return (user, None)

    def authenticate_header(self, request):
        return self.www_authenticate


class PolicyError(Exception):
    pass


def _condition(source, with_obj):
    code = compile(source, "<condition>", "eval")
    env = {"__builtins__": {}, "SAFE_METHODS": SAFE_METHODS}
    if with_obj:
        def has_object_permission(self, request, view, obj):
            return eval(code, env, {"request": request, "view": view, "obj": obj})
        return has_object_permission

    def has_permission(self, request, view):
        return eval(code, env, {"request": request, "view": view})
    return has_permission


class Builder:
    def __init__(self, policy):
        self.policy = policy
        self.classes = policy.get("classes", {}) or {}
        self.auth_decls = policy.get("authenticationClasses", {}) or {}
        self._perm_cache = {}
        self._auth_cache = {}
        self._building = set()

    # --- permissions -------------------------------------------------------------------------
    def perm_class(self, name):
        if name in self._perm_cache:
            return self._perm_cache[name]
        if name.startswith("rest_framework.permissions."):
            short = name[len("rest_framework.permissions."):]
            if short in BUILTIN_PERMISSIONS:
                return BUILTIN_PERMISSIONS[short]
            raise PolicyError(f"unknown class {name}")
        if name in self.classes:
            if name in self._building:
                raise PolicyError(f"cycle at {name}")
            self._building.add(name)
            try:
                cls = self._build_custom(name, self.classes[name])
            finally:
                self._building.discard(name)
            self._perm_cache[name] = cls
            return cls
        if name in BUILTIN_PERMISSIONS:
            return BUILTIN_PERMISSIONS[name]
        raise PolicyError(f"unknown class {name}")

    def _build_custom(self, name, decl):
        if "expression" in decl:
            return self.expression(decl["expression"])
        base = self.perm_class(decl.get("base", "BasePermission"))
        if not isinstance(base, type):
            raise PolicyError(f"{name}: base is a composition")
        attrs = {"__module__": "oracle.policy"}
        if "hasPermission" in decl:
            attrs["has_permission"] = _condition(decl["hasPermission"], False)
        if "hasObjectPermission" in decl:
            attrs["has_object_permission"] = _condition(decl["hasObjectPermission"], True)
        if "message" in decl:
            attrs["message"] = decl["message"]
        if "code" in decl:
            attrs["code"] = decl["code"]
        if "permsMap" in decl:
            attrs["perms_map"] = {m: list(v) for m, v in decl["permsMap"].items()}
        if "authenticatedUsersOnly" in decl:
            attrs["authenticated_users_only"] = decl["authenticatedUsersOnly"]
        return type(name, (base,), attrs)

    def expression(self, text):
        tree = ast.parse(text.strip(), mode="eval")
        return self._eval(tree.body)

    def _eval(self, node):
        if isinstance(node, ast.Name):
            return self.perm_class(node.id)
        if isinstance(node, ast.Attribute):
            parts = []
            while isinstance(node, ast.Attribute):
                parts.append(node.attr)
                node = node.value
            if not isinstance(node, ast.Name):
                raise PolicyError("bad name")
            parts.append(node.id)
            return self.perm_class(".".join(reversed(parts)))
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitAnd):
            return self._eval(node.left) & self._eval(node.right)
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
            return self._eval(node.left) | self._eval(node.right)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Invert):
            return ~self._eval(node.operand)
        raise PolicyError(f"unsupported expression node {type(node).__name__}")

    def perm_list(self, entries):
        return [self.expression(e) for e in entries]

    # --- authentication ----------------------------------------------------------------------
    def auth_class(self, name):
        if name in self._auth_cache:
            return self._auth_cache[name]
        if name in self.auth_decls:
            decl = self.auth_decls[name]
            if "base" in decl:
                base = self._configured(BUILTIN_AUTHENTICATION[decl["base"]])
                attrs = {}
                if "keyword" in decl:
                    attrs["keyword"] = decl["keyword"]
                if "realm" in decl:
                    attrs["www_authenticate_realm"] = decl["realm"]
                cls = type(name, (base,), attrs)
            else:
                cls = type(name, (TestHeaderAuthentication,),
                           {"policy_name": name, "www_authenticate": decl.get("wwwAuthenticate")})
        elif name in BUILTIN_AUTHENTICATION:
            cls = self._configured(BUILTIN_AUTHENTICATION[name])
        else:
            raise PolicyError(f"unknown authentication class {name}")
        self._auth_cache[name] = cls
        return cls

    def _configured(self, cls):
        """A built-in class with the class-level options of the policy's `settings` (token
        keyword, realms, the RemoteUser META key), as a project would subclass it."""
        settings = self.policy.get("settings") or {}
        attrs = {}
        if issubclass(cls, drf_auth.TokenAuthentication) and "keyword" in (settings.get("token") or {}):
            attrs["keyword"] = settings["token"]["keyword"]
        if issubclass(cls, drf_auth.BasicAuthentication) and "realm" in (settings.get("basic") or {}):
            attrs["www_authenticate_realm"] = settings["basic"]["realm"]
        if issubclass(cls, jwt_auth.JWTAuthentication) and "realm" in (settings.get("jwt") or {}):
            attrs["www_authenticate_realm"] = settings["jwt"]["realm"]
        if issubclass(cls, drf_auth.RemoteUserAuthentication) and "header" in (settings.get("remoteUser") or {}):
            attrs["header"] = settings["remoteUser"]["header"]
        return type(cls.__name__, (cls,), attrs) if attrs else cls

    def auth_kind(self, name):
        """How the harness authenticates through this class: session/basic/token/jwt/... or
        ("header", name) for a harness class."""
        cls = self.auth_class(name)
        if issubclass(cls, TestHeaderAuthentication):
            return "header"
        for base, kind in AUTH_KIND.items():
            if cls is base or issubclass(cls, base):
                # JWTStatelessUserAuthentication subclasses JWTAuthentication: check it first
                if issubclass(cls, jwt_auth.JWTStatelessUserAuthentication):
                    return "jwtStateless"
                return kind
        raise PolicyError(name)

    def auth_list(self, names):
        return [self.auth_class(n) for n in names]

    # --- views -------------------------------------------------------------------------------
    def actions_of(self, vdecl):
        actions = vdecl.get("actions")
        if actions is None:
            actions = DEFAULT_ACTIONS
        if isinstance(actions, list):
            actions = {a: {} for a in actions}
        out = {}
        for name, decl in actions.items():
            if name in STANDARD_ACTIONS:
                method, detail, get_object = STANDARD_ACTIONS[name]
                out[name] = dict(methods=[method], detail=detail, getObject=get_object, standard=True,
                                 permissions=decl.get("permissions"), authentication=decl.get("authentication"))
            else:
                detail = decl["detail"]
                out[name] = dict(methods=[m.upper() for m in decl.get("methods", ["GET"])], detail=detail,
                                 getObject=decl.get("getObject", detail), standard=False,
                                 permissions=decl.get("permissions"), authentication=decl.get("authentication"))
        return out

    def build_view(self, vname):
        vdecl = self.policy["views"][vname]
        model = apps.get_model(vdecl["model"])
        auth_names = list(vdecl.get("authentication", self.policy.get("authentication", ["session", "basic"])))
        perm_entries = list(vdecl.get("permissions", self.policy.get("permissions", ["AllowAny"])))
        actions = self.actions_of(vdecl)

        attrs = {
            "__module__": "oracle.policy",
            "queryset": model.objects.all(),
            "authentication_classes": self.auth_list(auth_names),
            "permission_classes": self.perm_list(perm_entries),
            "auth_names": tuple(auth_names),
            "perm_entries": tuple(perm_entries),
        }
        if self.policy.get("renderers"):
            attrs["renderer_classes"] = [import_string(name if "." in name else f"rest_framework.renderers.{name}")
                                         for name in self.policy["renderers"]]
        if vdecl.get("httpMethodNames") is not None:
            attrs["http_method_names"] = list(vdecl["httpMethodNames"])
        if vdecl.get("ignoreModelPermissions"):
            attrs["_ignore_model_permissions"] = True
        if vdecl.get("queryset") is not None:
            attrs["get_queryset"] = _get_queryset(model, vdecl["queryset"])
        if vdecl.get("filterParams"):
            # What the exporter writes for DRF's SearchFilter: its `search_param` (SEARCH_PARAM).
            assert vdecl["filterParams"] == [SearchFilter.search_param], vdecl["filterParams"]
            attrs["filter_backends"] = [SearchFilter]
            attrs["search_fields"] = ["title"]

        std_perms = {}
        std_auth = {}
        for name, a in actions.items():
            attrs[name] = _handler(a["getObject"])
            if a["standard"]:
                if a["permissions"] is not None:
                    std_perms[name] = self.perm_list(a["permissions"])
                if a["authentication"] is not None:
                    std_auth[name] = (self.auth_list(a["authentication"]), tuple(a["authentication"]))

        if std_perms:
            def get_permissions(self):
                classes = std_perms.get(self.action, self.permission_classes)
                return [permission() for permission in classes]
            attrs["get_permissions"] = get_permissions
        if std_auth:
            def get_authenticators(self):
                method = self.request.method.lower()
                action = "metadata" if method == "options" else self.action_map.get(method)
                classes, _ = std_auth.get(action, (self.authentication_classes, None))
                return [auth() for auth in classes]
            attrs["get_authenticators"] = get_authenticators

            def current_auth_names(self):
                method = self.request.method.lower()
                action = "metadata" if method == "options" else self.action_map.get(method)
                return std_auth.get(action, (None, self.auth_names))[1]
            attrs["current_auth_names"] = current_auth_names

        cls = type(f"{vname}_ViewSet", (CaseViewSet,), attrs)

        routes = {}
        for detail in (False, True):
            mapping = {}
            for name, a in actions.items():
                if a["standard"] and a["detail"] == detail:
                    mapping[a["methods"][0].lower()] = name
            if mapping:
                routes[(vname, detail, None)] = cls.as_view(mapping, basename=vname, detail=detail)
        for name, a in actions.items():
            if a["standard"]:
                continue
            mapping = {m.lower(): name for m in a["methods"]}
            initkwargs = {"basename": vname, "detail": a["detail"]}
            # @action(permission_classes=..., authentication_classes=...): the router passes
            # them as initkwargs for the action's whole route.
            if a["permissions"] is not None:
                initkwargs["permission_classes"] = self.perm_list(a["permissions"])
            if a["authentication"] is not None:
                initkwargs["authentication_classes"] = self.auth_list(a["authentication"])
                initkwargs["auth_names"] = tuple(a["authentication"])
            routes[(vname, a["detail"], name)] = cls.as_view(mapping, **initkwargs)
        return cls, routes, actions


# The ORM filters a project writes for the documented `queryset` conditions: the oracle runs
# them as real querysets. Any other condition filters by evaluating it per object.
ORM_QUERYSETS = {
    "obj.published or obj.owner == request.user": lambda request: (
        Q(published=True) | Q(owner=request.user) if request.user.is_authenticated else Q(published=True)
    ),
    "obj.owner == request.user or request.user.is_staff": lambda request: (
        Q() if request.user.is_staff else Q(owner=request.user) if request.user.is_authenticated else Q(pk__in=[])
    ),
}


def _get_queryset(model, source):
    """`get_queryset()` filtered by the view's `queryset` condition."""
    if source in ORM_QUERYSETS:
        orm = ORM_QUERYSETS[source]

        def get_queryset(self):
            return model.objects.filter(orm(self.request))
        return get_queryset
    code = compile(source, "<queryset>", "eval")
    env = {"__builtins__": {}, "SAFE_METHODS": SAFE_METHODS}

    def get_queryset(self):
        keep = [obj.pk for obj in model.objects.all()
                if eval(code, env, {"request": self.request, "view": self, "obj": obj})]
        return model.objects.filter(pk__in=keep)
    return get_queryset


def _handler(get_object):
    def handler(self, request, *args, **kwargs):
        if get_object:
            self.get_object()
        return Response()
    return handler


class CaseViewSet(GenericViewSet):
    auth_names = ()
    perm_entries = ()

    def current_auth_names(self):
        return self.auth_names

    def perform_authentication(self, request):
        dispatch.OBSERVED["action"] = getattr(self, "action", None)
        try:
            request.user
        except exceptions.APIException as exc:
            dispatch.OBSERVED["auth"] = ("failed", exc)
            raise
        authenticator = request._authenticator
        if authenticator is None:
            dispatch.OBSERVED["auth"] = ("none",)
        else:
            names = self.current_auth_names()
            index = list(request.authenticators).index(authenticator)
            dispatch.OBSERVED["auth"] = ("succeeded", names[index], request.user)

    def filter_queryset(self, queryset):
        if self.filter_backends:
            # get_object() ran the backends: the query parameters they saw, as Django parsed them.
            dispatch.OBSERVED["filter_query"] = list(self.request.query_params)
        return super().filter_queryset(queryset)

    def options(self, request, *args, **kwargs):
        # An allowed request answers 200 with no body (drf-gate's "allowed"); the metadata body
        # is the application's business.
        return Response()
