"""Case specs: every expressible row of docs/drf-semantics.md §7.3, targeted edge cases for each §8 rule,
and a seeded random generator. A spec describes a situation; only running DRF (execute.py) gives
its expected outcome."""
import copy
import json
import random

W = "testapp.Widget"
G = "testapp.Gadget"
ALL_METHODS = ["GET", "HEAD", "OPTIONS", "POST", "PUT", "PATCH", "DELETE", "TRACE", "FOO"]
UNSAFE = ["POST", "PUT", "PATCH", "DELETE"]


def U(uid, name, **kw):
    return {"id": uid, "username": name, "password": f"pw-{name}", **kw}


ALICE = U(101, "alice")
BOB = U(102, "bob")


def policy(auth=None, perms=None, classes=None, auth_classes=None, view=None, views=None, model=W, settings=None):
    p = {}
    if auth is not None:
        p["authentication"] = auth
    if perms is not None:
        p["permissions"] = perms
    if auth_classes:
        p["authenticationClasses"] = auth_classes
    if classes:
        p["classes"] = classes
    if settings:
        p["settings"] = copy.deepcopy(settings)
    p["views"] = views if views is not None else {"widgets": dict({"model": model}, **(view or {}))}
    return p


def say_harness_remote_user_backend(pol):
    """The harness's backend (dispatch.ExistingRemoteUserBackend) creates no user: a policy using
    `remoteUser` says so, as the exporter would; the core's default is Django's RemoteUserBackend,
    which does (a miss then forwarded)."""
    if '"remoteUser"' in json.dumps([pol.get("authentication"), pol.get("views")]):
        pol.setdefault("settings", {}).setdefault("remoteUser", {}).setdefault("createUnknownUser", False)


def spec(source, pol, method="GET", detail=False, action=None, actor=None, auth_via=None, users=None,
         obj=None, raw=None, view="widgets", context_action=False, form="list", jwt_claims=None,
         must_pass_csrf=False):
    """actor: a user spec (becomes role 'actor') or None; obj: object spec for detail routes."""
    say_harness_remote_user_backend(pol)
    users = dict(users or {})
    if actor is not None:
        users["actor"] = actor
    if detail and obj is None:
        obj = {"id": 7, "owner": "actor" if actor else None, "published": False, "title": "t"}
    s = {"source": source, "policy": pol, "view": view, "route": {"detail": detail, "action": action},
         "method": method, "users": users, "actor": "actor" if actor is not None else None,
         "authVia": auth_via, "object": obj, "raw": raw, "contextAction": context_action,
         "objectPermsForm": form}
    if jwt_claims is not None:
        s["jwtClaims"] = jwt_claims
    if must_pass_csrf:
        s["mustPassCsrf"] = True
    return s


def raw_auth(header, **kw):
    r = {"headers": {"Authorization": header}}
    r.update(kw)
    return r


# =============================================================================================
# §7.3: the case table
# =============================================================================================
def table_cases():
    out = []

    def row(n, *specs):
        for s in specs:
            s["source"] = f"table:7.3#{n}"
            out.append(s)

    basic_auth = policy(["basic"], ["IsAuthenticated"])
    token_auth = policy(["token"], ["IsAuthenticated"])
    jwt_pol = policy(["jwt"], ["IsAuthenticated"])
    inactive = U(101, "alice", is_active=False)
    row(1, spec("", basic_auth))
    row(2, spec("", basic_auth, actor=ALICE, raw=raw_auth("Basic [[b64:{username}:wrong]]")))
    row(3, spec("", basic_auth, actor=ALICE, raw=raw_auth("Basic")))
    row(4, spec("", basic_auth, actor=ALICE, raw=raw_auth("Basic a b")))
    row(5, spec("", basic_auth, actor=ALICE, raw=raw_auth("Basic =a=")),
        spec("", basic_auth, actor=ALICE, raw=raw_auth("Basic [[b64:nocolon]]")))
    row(6, spec("", basic_auth, actor=inactive, raw=raw_auth("Basic [[b64:{username}:{password}]]")))
    row(7, spec("", basic_auth, actor=ALICE, raw=raw_auth("bAsIc [[b64:{username}:{password}]]")),
        spec("", basic_auth, actor=ALICE, raw=raw_auth("Basic\t[[b64:{username}:{password}]]")),
        spec("", basic_auth, actor=ALICE, raw=raw_auth("Basic [[b64:{username}:{password}]]!!")))
    row(8, spec("", basic_auth, actor=ALICE, raw=raw_auth("Bearer abc")))
    row(9, spec("", token_auth, actor=ALICE, raw=raw_auth("Token")))
    row(10, spec("", token_auth, actor=ALICE, raw=raw_auth("Token a b")))
    row(11, spec("", token_auth, actor=ALICE, raw=raw_auth("Token nope")))
    row(12, spec("", token_auth, actor=inactive, raw=raw_auth("Token {token}")))
    row(13, spec("", token_auth, actor=ALICE, raw=raw_auth("Token abc\u00b8")))
    sb = policy(["session", "basic"], ["IsAuthenticated"])
    row(14, spec("", sb))
    row(15, spec("", sb, actor=ALICE, raw=raw_auth("Basic [[b64:{username}:wrong]]")))
    row(16, spec("", policy(["token", "basic"], ["IsAuthenticated"]), actor=ALICE,
                 raw=raw_auth("Basic [[b64:{username}:wrong]]")))
    row(17, spec("", policy([], ["IsAuthenticated"])))
    msg = {"Msg": {"hasPermission": "False", "message": "Custom msg"}}
    row(18, spec("", policy(["basic"], ["Msg"], msg), actor=ALICE, auth_via="basic"))
    row(19, spec("", policy(["basic"], ["Msg"], msg)))
    row(20, spec("", policy(["basic"], ["Msg | IsAdminUser"], msg), actor=ALICE, auth_via="basic"))
    row(21, spec("", policy(["basic"], ["DictMsg"], {"DictMsg": {
        "hasPermission": "False", "message": {"error": "nope", "why": ["a", "b"]}}}), actor=ALICE, auth_via="basic"))
    row(22, spec("", policy(["basic"], ["First", "Second"], {
        "First": {"hasPermission": "False", "message": "first"},
        "Second": {"hasPermission": "False", "message": "second"}}), actor=ALICE, auth_via="basic"))
    row(23, spec("", policy(["basic"], ["IsAdminUser"]), actor=U(101, "alice", is_superuser=True), auth_via="basic"))
    ior = policy(["basic"], ["IsAuthenticatedOrReadOnly"])
    row(24, *[spec("", ior, method=m) for m in ["GET", "HEAD", "OPTIONS", "POST"]])
    notauth = policy(["basic"], ["~IsAuthenticated"])
    row(25, spec("", notauth), spec("", notauth, actor=ALICE, auth_via="basic"))
    dmp = policy(["basic"], ["DjangoModelPermissions"])
    row(26, spec("", dmp))
    row(27, spec("", dmp, actor=ALICE, auth_via="basic"))
    row(28, spec("", dmp, method="POST", actor=ALICE, auth_via="basic"))
    row(29, spec("", dmp, method="POST", actor=U(101, "alice", perms=["testapp.add_widget"]), auth_via="basic"))
    row(30, spec("", dmp, method="PATCH", detail=True, actor=U(101, "alice", groupPerms=["testapp.change_widget"]),
                 auth_via="basic"))
    row(31, spec("", dmp, method="DELETE", detail=True, actor=U(101, "alice", is_superuser=True), auth_via="basic"))
    row(32, spec("", dmp, method="FOO", actor=ALICE, auth_via="basic"),
        spec("", dmp, method="TRACE", actor=ALICE, auth_via="basic"))
    row(33, spec("", dmp, method="FOO"))
    row(34, spec("", dmp, method="PUT", actor=ALICE, auth_via="basic"),
        spec("", dmp, method="PUT", actor=U(101, "alice", perms=["testapp.change_widget"]), auth_via="basic"))
    row(35, spec("", dmp, detail=True, actor=ALICE, auth_via="basic", obj={"id": 999, "exists": False}))
    anonro = policy(["basic"], ["DjangoModelPermissionsOrAnonReadOnly"])
    row(37, spec("", anonro), spec("", anonro, method="POST"))
    vop = {"ViewObjectPermissions": view_object_permissions()}
    dop = policy(["basic"], ["ViewObjectPermissions"], vop)
    model_perms = ["testapp.view_widget", "testapp.change_widget", "testapp.delete_widget"]
    row(38, spec("", dop, detail=True, actor=U(101, "alice", perms=model_perms, objPerms=["testapp.view_widget"]),
                 auth_via="basic"))
    row(39, spec("", dop, detail=True, actor=U(101, "alice", perms=model_perms, objPerms=["testapp.change_widget"]),
                 auth_via="basic"))
    row(40, spec("", dop, method="DELETE", detail=True,
                 actor=U(101, "alice", perms=model_perms, objPerms=["testapp.view_widget"]), auth_via="basic"))
    row(41, spec("", dop, method="DELETE", detail=True,
                 actor=U(101, "alice", perms=model_perms, objPerms=["testapp.change_widget"]), auth_via="basic"))
    row(42, spec("", dop, detail=True, actor=U(101, "alice", objPerms=["testapp.view_widget"]), auth_via="basic"))
    objdeny = {"ObjDeny": {"hasObjectPermission": "False"}}
    row(43, spec("", policy(["basic"], ["IsAuthenticatedOrReadOnly & ObjDeny"], objdeny), detail=True))
    row(44, spec("", policy(["basic"], ["AllowAny | ObjDeny"], objdeny), detail=True))
    row(45, spec("", policy(["basic"], ["~IsAuthenticated"]), detail=True))
    getonly = {"actions": ["list"]}
    row(46, spec("", policy(["basic"], ["IsAuthenticated"], view=getonly), method="POST"))
    row(47, spec("", policy(["basic"], ["AllowAny"], view=getonly), method="POST"))
    row(48, spec("", basic_auth, raw={"headers": {"Accept": "text/html"}}))
    row(51, spec("", jwt_pol))
    row(52, spec("", jwt_pol, actor=ALICE, raw=raw_auth("Bearer")),
        spec("", jwt_pol, actor=ALICE, raw=raw_auth("Bearer a b")))
    row(53, spec("", jwt_pol, actor=ALICE, raw=raw_auth("bearer {jwt}")),
        spec("", jwt_pol, actor=ALICE, raw=raw_auth("Token {jwt}")))
    row(54, *[spec("", jwt_pol, actor=ALICE, raw=raw_auth("Bearer {jwt:%s}" % v))
              for v in ["garbage", "badsig", "hs512", "algnone", "nbf", "iat", "subint", "jtiint", "twosegments"]])
    row(55, spec("", jwt_pol, actor=ALICE, raw=raw_auth("Bearer {jwt:expired}")))
    row(56, *[spec("", jwt_pol, actor=ALICE, raw=raw_auth("Bearer {jwt:%s}" % v))
              for v in ["noexp", "nojti", "notype", "refresh"]])
    row(57, spec("", jwt_pol, actor=ALICE, raw=raw_auth("Bearer {jwt:nouserid}")))
    row(58, spec("", jwt_pol, actor=ALICE, raw=raw_auth("Bearer {jwt:unknownuser}")),
        spec("", jwt_pol, actor=inactive, raw=raw_auth("Bearer {jwt}")))
    row(59, spec("", policy(["session", "jwt"], ["IsAuthenticated"]), actor=ALICE,
                 raw=raw_auth("Bearer {jwt:expired}")))
    sess = policy(["session"], ["IsAuthenticated"])
    row(60, spec("", sess, actor=ALICE, auth_via="session"))
    post = dict(method="POST", actor=ALICE)
    row(61, spec("", sess, raw={"login": True}, **post))
    row(62, spec("", sess, raw={"login": True, "cookies": {"csrftoken": "{csrf}"}}, **post))
    row(63, spec("", sess, raw={"login": True, "cookies": {"csrftoken": "{csrf}"}, "headers": {"X-CSRFToken": "{csrf}"}}, **post),
        spec("", sess, raw={"login": True, "cookies": {"csrftoken": "{csrf}"},
                            "headers": {"X-CSRFToken": "{csrfmasked}"}}, **post))
    row(64, *[spec("", sess, raw={"login": True, "cookies": {"csrftoken": "{csrf}"}, "headers": {"X-CSRFToken": v}}, **post)
              for v in ["x" * 32, "abc", "!" * 32]])
    form = "application/x-www-form-urlencoded"
    row(65, *[spec("", sess, raw={"login": True, "cookies": {"csrftoken": "{csrf}"}, "body": f"csrfmiddlewaretoken={v}",
                                  "contentType": form}, **post) for v in ["y" * 32, "short"]])
    row(66, spec("", sess, raw={"login": True, "cookies": {"csrftoken": "{csrf}"}, "headers": {
        "X-CSRFToken": "{csrf}", "Origin": "https://evil.com"}}, **post))
    good = {"csrftoken": "{csrf}"}
    row(67, *[spec("", sess, raw={"login": True, "cookies": good, "secure": True,
                                  "headers": dict({"X-CSRFToken": "{csrf}"}, **h)}, **post)
              for h in [{}, {"Referer": "http://testserver/x"}, {"Referer": "https://evil.com/x"},
                        {"Referer": "not a url"}, {"Referer": "https://testserver/x"}]])
    trusted = policy(["session"], ["IsAuthenticated"], settings={"csrf": {"trustedOrigins": ["https://*.example.com"]}})
    row(68, *[spec("", trusted, raw={"login": True, "cookies": good,
                                  "headers": {"X-CSRFToken": "{csrf}", "Origin": o}}, **post)
              for o in ["https://a.example.com", "https://example.com", "http://a.example.com"]])
    row(69, spec("", sess, raw={"login": True, "cookies": {"csrftoken": "short"}, "headers": {"X-CSRFToken": "{csrf}"}}, **post))
    row(70, spec("", sess, raw={"login": True, "body": "{bad", "contentType": "application/json"}, **post),
        spec("", sess, raw={"login": True, "cookies": good, "headers": {"X-CSRFToken": "{csrf}"}, "body": "{bad",
                            "contentType": "application/json"}, **post))
    return out


def view_object_permissions(model_perms_on_safe=True):
    """DRF's own test class: DjangoObjectPermissions with view perms for safe methods."""
    view = ["%(app_label)s.view_%(model_name)s"] if model_perms_on_safe else []
    return {"base": "DjangoObjectPermissions", "permsMap": {
        "GET": view, "OPTIONS": view, "HEAD": view,
        "POST": ["%(app_label)s.add_%(model_name)s"],
        "PUT": ["%(app_label)s.change_%(model_name)s"],
        "PATCH": ["%(app_label)s.change_%(model_name)s"],
        "DELETE": ["%(app_label)s.delete_%(model_name)s"]}}


# =============================================================================================
# §8: targeted edge cases
# =============================================================================================
CUSTOM_AUTH = {
    "HeaderAuth401": {"wwwAuthenticate": "Custom realm=\"harness\""},
    "HeaderAuth403": {"wwwAuthenticate": None},
    "BearerToken": {"base": "token", "keyword": "Bearer"},
    "BasicZone": {"base": "basic", "realm": "zone \u00e9"},
    "JwtEdge": {"base": "jwt", "realm": "edge"},
}
FIRST_CLASSES = ["session", "basic", "token", "jwt", "jwtStateless", "remoteUser", "SessionAuthentication",
                 "BasicAuthentication", "TokenAuthentication", "JWTAuthentication",
                 "JWTStatelessUserAuthentication", "RemoteUserAuthentication"] + list(CUSTOM_AUTH)


def edge_cases():
    out = []

    def edge(rule, *specs):
        for s in specs:
            s["source"] = f"edge:{rule}"
            out.append(s)

    msg = {"Msg": {"hasPermission": "False", "message": "Custom msg", "code": "custom"}}
    # 1. 401 vs 403: only the first class's authenticate_header decides.
    for first in FIRST_CLASSES:
        for second in (None, "basic", "HeaderAuth401"):
            auth = [first] + ([second] if second and second != first else [])
            pol = policy(auth, ["IsAuthenticated"], auth_classes=CUSTOM_AUTH)
            edge("401-vs-403", spec("", pol), spec("", pol, method="POST", detail=True))
            pol = policy(auth, ["Msg"], msg, auth_classes=CUSTOM_AUTH)
            edge("401-vs-403", spec("", pol), spec("", pol, actor=ALICE, auth_via=auth[-1]))
    # 2. NotAuthenticated vs PermissionDenied: decided by the successful authenticator.
    inactive = U(101, "alice", is_active=False)
    for auth in ([], ["HeaderAuth401"], ["basic", "HeaderAuth403"], ["HeaderAuth403", "basic"]):
        for perms in (["IsAuthenticated"], ["Msg"], ["DjangoModelPermissions"], ["IsAdminUser"], ["Msg", "IsAuthenticated"]):
            pol = policy(auth, perms, msg, auth_classes=CUSTOM_AUTH)
            edge("not-authenticated-vs-denied", spec("", pol), spec("", pol, method="POST"))
            if auth and auth[-1].startswith("Header"):
                edge("not-authenticated-vs-denied",
                     spec("", pol, actor=inactive, auth_via=auth[-1]),
                     spec("", pol, actor=inactive, auth_via=auth[-1], method="POST"),
                     spec("", pol, actor=U(101, "alice", is_active=False, is_staff=True, is_superuser=True,
                                           perms=["testapp.add_widget"]), auth_via=auth[-1], method="POST"))
    # 3. An authenticator's exception ends the chain, even on AllowAny.
    for perms in (["AllowAny"], []):
        edge("auth-exception-ends-chain",
             spec("", policy(["basic", "HeaderAuth401"], perms, auth_classes=CUSTOM_AUTH), actor=ALICE,
                  raw={"headers": {"Authorization": "Basic [[b64:{username}:wrong]]", "X-Test-User": "HeaderAuth401 {uid}"}}),
             spec("", policy(["token", "basic"], perms), actor=ALICE, raw=raw_auth("Token nope")),
             spec("", policy(["session", "basic"], perms), actor=ALICE, method="POST",
                  raw={"login": True, "headers": {"Authorization": "Basic [[b64:{username}:{password}]]"}}),
             spec("", policy(["jwt", "basic"], perms), actor=ALICE, raw=raw_auth("Bearer {jwt:expired}")),
             spec("", policy(["BearerToken", "jwt"], perms, auth_classes=CUSTOM_AUTH), actor=ALICE,
                  raw=raw_auth("Bearer {jwt}")))
    # 4. Composite permissions never carry message or code; a single class (even in parentheses or
    #    through an `expression` alias) does.
    classes = {"Msg": {"hasPermission": "False", "message": "Custom msg", "code": "c1"},
               "Msg2": {"hasPermission": "False", "message": {"k": "v"}},
               "Alias": {"expression": "Msg"},
               "Either": {"expression": "Msg | Msg2"},
               "Sub": {"base": "Msg"},
               "SubNoMsg": {"base": "Msg", "message": "sub message"}}
    for entry in ["Msg & Msg2", "Msg | Msg2", "~AllowAny", "(Msg)", "((Msg2))", "Alias", "Either", "~~Msg",
                  "Sub", "SubNoMsg", "Msg2 & AllowAny", "AllowAny & Msg2", "~IsAuthenticated | Msg"]:
        pol = policy(["basic"], [entry], classes)
        edge("composite-no-message", spec("", pol, actor=ALICE, auth_via="basic"), spec("", pol))
    # 5. OR at object level re-checks has_permission per operand, lazily; NOT negates the object check.
    lazy = {
        "NeedsVerified": {"hasPermission": "request.user.email_verified"},  # AttributeError for anonymous
        "ObjOnly": {"hasPermission": "False", "hasObjectPermission": "True"},
        "ViewOnly": {"hasPermission": "True", "hasObjectPermission": "False"},
        "AuthObjBoom": {"hasPermission": "request.user.is_authenticated",
                        "hasObjectPermission": "request.user.email_verified"},
        "Owner": {"hasObjectPermission": "obj.owner == request.user", "message": "not the owner"},
    }
    for entry in ["IsAuthenticated & NeedsVerified", "IsAuthenticated | AllowAny", "ObjOnly | ViewOnly",
                  "ViewOnly | ObjOnly", "ObjOnly | AllowAny", "AuthObjBoom | AllowAny", "~Owner", "~ViewOnly",
                  "~ObjOnly", "~IsAuthenticated", "~AllowAny | Owner", "Owner | IsAdminUser", "ViewOnly & ObjOnly",
                  "~(ViewOnly & ObjOnly)", "~(ObjOnly | ViewOnly)", "Owner & ~IsAdminUser"]:
        pol = policy(["basic"], [entry], lazy)
        for actor in (None, ALICE, U(101, "alice", is_staff=True)):
            for owner in ("actor", None):
                edge("or-object-laziness", spec("", pol, detail=True, actor=actor, auth_via="basic" if actor else None,
                                                obj={"id": 7, "owner": owner if actor else None, "title": "t"}))
    # 6. DjangoModelPermissions.
    edge("dmp-no-view-perm-on-get", *[spec("", policy(["basic"], ["DjangoModelPermissions"], model=m), method=meth,
                                           detail=d, actor=ALICE, auth_via="basic")
                                      for m in (W, G) for meth in ("GET", "HEAD", "OPTIONS") for d in (False, True)])
    for meth in ("TRACE", "FOO"):
        for d in (False, True):
            for actor in (None, ALICE):
                edge("dmp-unknown-method-405", spec("", policy(["basic"], ["DjangoModelPermissions"]), method=meth,
                                                    detail=d, actor=actor, auth_via="basic" if actor else None))
    claims = {"is_staff": True, "is_superuser": True, "username": "alice", "email_verified": True, "level": 3,
              "department": "ops"}
    for perms in (["DjangoModelPermissions"], ["DjangoModelPermissionsOrAnonReadOnly"], ["IsAdminUser"],
                  ["IsAuthenticated"], ["Owner"], ["Verified"], ["UserIs101"], ["HasPerm"]):
        pol = policy(["jwtStateless"], perms, {
            "Owner": {"hasObjectPermission": "obj.owner == request.user"},
            "Verified": {"hasPermission": "request.user.email_verified"},
            "UserIs101": {"hasPermission": "request.user.id == 101"},
            "HasPerm": {"hasPermission": "request.user.has_perms([])"}})
        for c in (claims, {}):
            edge("token-user", spec("", pol, actor=U(101, "alice", is_superuser=True, perms=["testapp.add_widget"]),
                                    auth_via="jwtStateless", jwt_claims=c, detail=True, method="GET"),
                 spec("", pol, actor=U(101, "alice", is_active=False), auth_via="jwtStateless", jwt_claims=c,
                      method="POST"))
    ign = {"ignoreModelPermissions": True}
    for actor in (None, ALICE):
        for meth in ("GET", "POST", "FOO"):
            edge("dmp-ignore-model-permissions", spec("", policy(["basic"], ["DjangoModelPermissions"], view=ign),
                                                      method=meth, actor=actor, auth_via="basic" if actor else None))
    partial_map = {"NoDelete": {"base": "DjangoModelPermissions", "permsMap": {
        "GET": [], "HEAD": [], "POST": ["%(app_label)s.add_%(model_name)s"],
        "DELETE": ["%(app_label)s.delete_%(model_name)s", "%(app_label)s.view_%(model_name)s"]}},
        "AnonAllowed": {"base": "DjangoModelPermissions", "authenticatedUsersOnly": False},
        "AnonObj": {"base": "DjangoObjectPermissions", "authenticatedUsersOnly": False}}
    for cls in partial_map:
        for meth in ALL_METHODS:
            for actor in (None, U(101, "alice", perms=["testapp.delete_widget", "testapp.add_widget"],
                                  objPerms=["testapp.delete_widget"])):
                edge("dmp-perms-map", spec("", policy(["basic"], [cls], partial_map), method=meth, detail=True,
                                           actor=actor, auth_via="basic" if actor else None))
    # 7. DjangoObjectPermissions: model-level AND object-level; 404 vs 403.
    vop = {"ViewObjectPermissions": view_object_permissions(), "DefaultObjectPermissions": {"base": "DjangoObjectPermissions"}}
    all_model = ["testapp.view_widget", "testapp.change_widget", "testapp.delete_widget", "testapp.add_widget"]
    profiles = [
        U(101, "alice", perms=all_model),
        U(101, "alice", perms=all_model, objPerms=["testapp.view_widget"]),
        U(101, "alice", perms=all_model, objPerms=["testapp.change_widget"]),
        U(101, "alice", perms=all_model, objPerms=["testapp.delete_widget", "testapp.view_widget"]),
        U(101, "alice", perms=all_model, groupObjPerms=["testapp.view_widget", "testapp.change_widget"]),
        U(101, "alice", objPerms=["testapp.view_widget", "testapp.change_widget", "testapp.delete_widget"]),
        U(101, "alice", perms=all_model, otherObjPerms=["testapp.view_widget", "testapp.change_widget"]),
        U(101, "alice", is_superuser=True),
    ]
    for cls in ("ViewObjectPermissions", "DefaultObjectPermissions", "DjangoObjectPermissions"):
        for i, actor in enumerate(profiles):
            for meth in ("GET", "HEAD", "PUT", "PATCH", "DELETE"):
                edge("dop-404-vs-403", spec("", policy(["basic"], [cls], vop), method=meth, detail=True, actor=actor,
                                            auth_via="basic", form="map" if i % 2 else "list"))
    for meth in ("GET", "DELETE"):
        edge("dop-404-vs-403", spec("", policy(["basic"], ["ViewObjectPermissions"], vop), method=meth, detail=True,
                                    actor=U(101, "alice", perms=all_model), auth_via="basic",
                                    obj={"id": 999, "exists": False}))
    # 8. Order: 406, authentication, permissions, throttles, 405; object perms after the lookup.
    od = {"ObjDeny": {"hasObjectPermission": "False", "message": "object denied"}}
    for actor in (None, ALICE):
        av = "basic" if actor else None
        for perms in (["IsAuthenticated"], ["ObjDeny"], ["AllowAny"]):
            pol = policy(["basic"], perms, od, view={"actions": ["list", "retrieve"]})
            for meth, d in (("POST", False), ("PUT", True), ("DELETE", True), ("TRACE", True), ("GET", True)):
                edge("order", spec("", pol, method=meth, detail=d, actor=actor, auth_via=av))
            edge("order", spec("", pol, detail=True, actor=actor, auth_via=av, obj={"id": 999, "exists": False}))
            pol = policy(["basic"], perms, od, view={"actions": {
                "create": {}, "list": {},
                "publish": {"detail": True, "methods": ["POST"]},
                "touch": {"detail": True, "methods": ["POST"], "getObject": False},
                "export": {"detail": False, "methods": ["GET"]}}})
            edge("order", spec("", pol, method="POST", actor=actor, auth_via=av),
                 spec("", pol, method="POST", detail=True, action="publish", actor=actor, auth_via=av),
                 spec("", pol, method="POST", detail=True, action="publish", actor=actor, auth_via=av,
                      obj={"id": 999, "exists": False}),
                 spec("", pol, method="POST", detail=True, action="touch", actor=actor, auth_via=av),
                 spec("", pol, method="HEAD", action="export", actor=actor, auth_via=av))
    edge("order", spec("", policy(["basic"], ["IsAuthenticated"]), raw={"headers": {"Accept": "application/xml"}}),
         spec("", policy(["basic"], ["IsAuthenticated"]), raw={"headers": {"Accept": "application/json; indent=4"}}))
    # 9. Superuser short-circuit only when active; IsAdminUser reads only is_staff.
    for flags in ({"is_superuser": True}, {"is_superuser": True, "is_active": False}, {"is_staff": True},
                  {"is_staff": True, "is_active": False}, {"is_superuser": True, "is_staff": True, "is_active": False}):
        actor = U(101, "alice", **flags)
        for perms in (["IsAdminUser"], ["DjangoModelPermissions"], ["ViewObjectPermissions"], ["HasChange"],
                      ["HasChangeObj"]):
            pol = policy(["HeaderAuth403"], perms, dict(vop, HasChange={"hasPermission": "request.user.has_perm('testapp.change_widget')"},
                         HasChangeObj={"hasObjectPermission": "request.user.has_perm('testapp.change_widget', obj)"}),
                         auth_classes=CUSTOM_AUTH)
            for meth in ("GET", "PATCH"):
                edge("superuser-active-only", spec("", pol, method=meth, detail=True, actor=actor, auth_via="HeaderAuth403"))
    # 10. Scheme matching.
    edge("scheme-matching",
         spec("", policy(["basic"], ["IsAuthenticated"]), actor=ALICE, raw=raw_auth("BASIC [[b64:{username}:{password}]]")),
         spec("", policy(["token"], ["IsAuthenticated"]), actor=ALICE, raw=raw_auth("tOkEn {token}")),
         spec("", policy(["BearerToken"], ["IsAuthenticated"], auth_classes=CUSTOM_AUTH), actor=ALICE,
              raw=raw_auth("bearer {token}")),
         spec("", policy(["jwt"], ["IsAuthenticated"]), actor=ALICE, raw=raw_auth("BEARER {jwt}")),
         spec("", policy(["basic"], ["IsAuthenticated"]), actor=ALICE, raw=raw_auth("Basic [[b64:{username}:{password}]]===")),
         spec("", policy(["basic"], ["IsAuthenticated"]), actor=ALICE, raw=raw_auth("Basic [[b64:{username}:{password}:extra]]")),
         spec("", policy(["basic"], ["IsAuthenticated"]), actor=ALICE, raw=raw_auth("Basic [[b64:{username}:\u00e9]]")),
         spec("", policy(["basic"], ["IsAuthenticated"]), actor=ALICE, raw=raw_auth("")),
         spec("", policy(["remoteUser"], ["IsAuthenticated"]), actor=ALICE, raw={"meta": {"REMOTE_USER": "{username}"}}),
         spec("", policy(["remoteUser"], ["IsAuthenticated"]), actor=ALICE, raw={"meta": {"REMOTE_USER": "nobody"}}),
         spec("", policy(["remoteUser"], ["IsAuthenticated"]), actor=ALICE, raw={"headers": {"Remote-User": "{username}"}}))
    # 11. simplejwt error bodies under every authentication order.
    for auth in (["jwt"], ["jwtStateless"], ["session", "jwt"], ["JwtEdge"], ["basic", "jwt"]):
        for v in ("expired", "garbage", "nouserid", "unknownuser", "notype", "intuserid", "nulluserid", "aud"):
            edge("simplejwt-errors", spec("", policy(auth, ["AllowAny"], auth_classes=CUSTOM_AUTH), actor=ALICE,
                                          raw=raw_auth("Bearer {jwt:%s}" % v)))
    # 12. CSRF only for session-authenticated unsafe methods (TRACE is CSRF-safe, not DRF-safe).
    for meth in ALL_METHODS:
        edge("csrf", spec("", policy(["session"], ["IsAuthenticatedOrReadOnly"]), method=meth, detail=True, actor=ALICE,
                          raw={"login": True}))
        edge("csrf", spec("", policy(["session"], ["IsAuthenticatedOrReadOnly"]), method=meth, detail=True,
                          actor=ALICE, auth_via="session"))
    # 14. JSON bytes: compact, non-ASCII unescaped, U+2028/2029 escaped, quotes, key order.
    messages = ["Accès refusé — ✓ 日本語 🙂", 'He said "no" \\ back', "line\u2028sep\u2029para", "", "tab\there\nnewline",
                "\u0000nul\u001f", "</script>&<>", {"z": 1, "a": [True, False, None], "m": {"ß": "ü"}},
                ["only", "a", "list"], [], {}, {"ratio": 0.1, "big": 1e100, "neg": -0.0, "int": 9007199254740991},
                {"detail": "looks like detail", "code": "x"}, None]
    for i, m in enumerate(messages):
        cls = {"M": {"hasPermission": "False", "message": m}, "OM": {"hasObjectPermission": "False", "message": m}}
        edge("json-bytes", spec("", policy(["basic"], ["M"], cls), actor=ALICE, auth_via="basic"),
             spec("", policy(["session"], ["OM"], cls), detail=True, actor=ALICE, auth_via="session", method="DELETE"))
    for meth in ("FOO", "PROPFIND", "M-SEARCH", "X_Y"):
        edge("json-bytes", spec("", policy(["basic"], ["AllowAny"]), method=meth))
    # Per-action permissions and authentication (get_permissions by action; @action kwargs).
    pv = {"actions": {
        "list": {"permissions": ["AllowAny"]}, "create": {"permissions": ["IsAdminUser"]},
        "retrieve": {"permissions": ["IsAuthenticated"]},
        "destroy": {"permissions": ["DjangoModelPermissions"]}, "update": {},
        "publish": {"detail": True, "methods": ["POST", "PUT"], "permissions": ["IsAdminUser"],
                    "authentication": ["token"]},
        "feed": {"detail": False, "methods": ["GET"], "permissions": ["AllowAny"]},
    }}
    pol = policy(["basic"], ["IsAuthenticated"], view=pv, auth_classes=CUSTOM_AUTH)
    for actor in (None, ALICE, U(101, "alice", is_staff=True)):
        for meth, d, act in (("GET", False, None), ("POST", False, None), ("GET", True, None), ("DELETE", True, None),
                             ("PUT", True, None), ("OPTIONS", True, None), ("OPTIONS", False, None),
                             ("PATCH", True, None), ("POST", True, "publish"), ("PUT", True, "publish"),
                             ("GET", False, "feed"), ("HEAD", False, "feed"), ("HEAD", True, None)):
            route_auth = {"publish": "token"}
            action = act or {"GET": "retrieve" if d else "list", "HEAD": "retrieve" if d else "list"}.get(meth)
            av = route_auth.get(action, "basic") if actor else None
            edge("per-action", spec("", pol, method=meth, detail=d, action=act, actor=actor, auth_via=av,
                                    context_action=True))
    # Lookup-miss messages name the model.
    for m in (W, G):
        edge("lookup-miss", spec("", policy(["basic"], ["AllowAny"], model=m), detail=True, obj={"id": 999, "exists": False}))
    # Hostile input (issue 14). JSON bodies are decoded with their declared charset, as DRF's
    # JSONParser does (codecs.getreader(request.encoding)); the test client sends the body as
    # UTF-8 bytes, so e.g. U+0081 arrives as C2 81 and cp1252 fails on 0x81.
    sess = policy(["session"], ["IsAuthenticated"])
    for charset, body in [
        ("utf-16", "{}"), ("utf-16", '{"a": 1}'), ("UTF-16", "{"), ("utf-32", "{}"), ("utf-32", "{}xx"),
        ("utf-16-le", "{}"), ("utf_16be", "{}"), ("utf-16-le", "{,}"), ("cp1252", '{"a": "\u0081"}'),
        ("cp1252", '{"a": "\u00e9", ]'), ("windows-1252", '{"\u00e9": 1'), ("latin-1", '{"a": "\u00e9",}'),
        ("x-unknown", '{"a": ]'), ("x-unknown", '{"\u00e9": ]'), ("ascii", '{"a": "\u00e9"}'), ("utf-8-sig", "{]"),
        ("utf-8", '{"\u00e9": ]'), ("iso-8859-15", "[1,]"), ("koi8-r", '{"\u0451": ]'), ("cp1251", '"\u0451'),
        ("undefined", "{}"), ("Utf.8", '{"\u00e9": ]'), ("utf 8", '{"\u00e9": ]'), ("l1", '{"\u00e9": ]'),
    ]:
        edge("json-charset", spec("", sess, raw={"login": True, "cookies": {"csrftoken": "{csrf}"}, "headers": {
            "X-CSRFToken": "{csrf}"}, "body": body, "contentType": f"application/json; charset={charset}"},
            method="POST", actor=ALICE))
    # Headers beyond what the usual servers pass to Django (100 fields, 8190-byte lines): the
    # test client passes them, real servers answer 400/431 themselves; the edge forwards, which
    # the replays count as agreeing. Just within the limits the edge decides as DRF does.
    token_auth = policy(["token"], ["IsAuthenticated"])
    for count, size in ((97, 10), (120, 10), (1, 8150), (1, 9000)):
        extra = {f"X-Pad-{i}": "p" * size for i in range(count)}
        edge("header-limits", spec("", token_auth, actor=ALICE, raw={"headers": dict(extra, Authorization="Token nope")}))
    return out


def queryset_cases():
    """A view's `get_queryset()` filter (`queryset`): get_object() finds only what it holds for,
    so an object outside it is a 404 naming the model, before object permissions run (403)."""
    out = []
    staff = U(103, "carol", is_staff=True)
    owner_classes = {"IsOwnerOrReadOnly": {
        "hasObjectPermission": "request.method in SAFE_METHODS or obj.owner == request.user",
        "message": "Only the owner may change it."}}
    for condition in ("obj.published or obj.owner == request.user",
                      "obj.owner == request.user or request.user.is_staff",
                      "obj.published and obj.title != 'hidden'"):
        for model in (W, G):
            for perms in (["AllowAny"], ["IsAuthenticatedOrReadOnly", "IsOwnerOrReadOnly"]):
                pol = policy(["basic"], perms, owner_classes, model=model, view={"queryset": condition})
                for actor in (None, ALICE, staff):
                    for owner in ("actor", "bob", None):
                        if owner == "actor" and actor is None:
                            continue
                        for published in (False, True):
                            for method in ("GET", "PUT", "DELETE"):
                                obj = {"id": 7, "owner": owner, "published": published,
                                       "title": "hidden" if method == "PUT" else "t"}
                                s = spec("edge:queryset", pol, method=method, detail=True, actor=actor,
                                         auth_via="basic" if actor else None, obj=obj,
                                         users={"bob": BOB})
                                out.append(s)
                # The list route does not call get_object(); a lookup miss stays a miss.
                out.append(spec("edge:queryset", pol, method="GET"))
                out.append(spec("edge:queryset", pol, method="GET", detail=True, obj={"id": 999, "exists": False}))
    return out


def filter_cases():
    """A view's `filterParams` (DRF's SearchFilter, `search_fields = ["title"]`): get_object()
    filters by `?search=` before the lookup and the object permissions (a hidden object is 404, a
    NUL in the term 400). Without the parameter SearchFilter does not filter: DRF's answer is the
    edge's; with it, where get_object() ran, the edge must leave the answer to the origin."""
    out = []
    owner_classes = {"IsOwnerOrReadOnly": {
        "hasObjectPermission": "request.method in SAFE_METHODS or obj.owner == request.user",
        "message": "Only the owner may change it."}}
    queries = (None, "page=2", "format=json", "search=zzz", "search=t", "search=", "se%61rch=t+zz", "search=%00",
               "searching=1")
    for perms in (["IsAuthenticatedOrReadOnly", "IsOwnerOrReadOnly"], ["AllowAny"]):
        pol = policy(["token"], perms, owner_classes, view={"filterParams": ["search"]})
        for actor in (None, ALICE):
            for owner in ("actor", "bob"):
                if owner == "actor" and actor is None:
                    continue
                for query in queries:
                    for method in ("GET", "PUT"):
                        raw = {"headers": {"Authorization": "Token {token}"} if actor else {}, "query": query}
                        out.append(spec("edge:filter-params", pol, method=method, detail=True, actor=actor,
                                        obj={"id": 7, "owner": owner, "title": "t"}, users={"bob": BOB},
                                        raw=raw))
            for query in queries:
                # A lookup miss, and the list (which filters, but decides nothing at the edge).
                raw = {"headers": {"Authorization": "Token {token}"} if actor else {}, "query": query}
                out.append(spec("edge:filter-params", pol, method="PUT", detail=True, actor=actor,
                                obj={"id": 999, "exists": False}, raw=dict(raw)))
                out.append(spec("edge:filter-params", pol, method="GET", actor=actor, raw=dict(raw)))
    return out


# =============================================================================================
# Random generator
# =============================================================================================
VIEW_ATOMS = [
    "request.method in SAFE_METHODS", "request.method == 'POST'", "request.method not in ('DELETE', 'PUT')",
    "request.user.is_authenticated", "request.user.is_anonymous", "request.user.is_staff",
    "request.user.is_superuser", "request.user.is_active",
    "request.user.is_authenticated and request.user.email_verified",
    "request.user.is_authenticated and request.user.level >= 2",
    "request.user.is_authenticated and request.user.department == 'ops'",
    "request.user.has_perm('testapp.add_widget')", "request.user.has_perm('testapp.change_gadget')",
    "request.user.has_perms(['testapp.change_widget', 'testapp.view_widget'])", "request.user.has_perms([])",
    "request.user.username == 'alice'", "request.user.id == 101", "request.user.pk is not None",
    "request.user.id is None", "view.action == 'publish'", "view.action in ('list', 'retrieve')",
    "view.action is None", "view.action != 'destroy'", "True", "False", "None", "1", "0", "''", "'x'", "[]",
    "request.user.username", "request.user.level",  # unguarded: DRF 500s for anonymous users
]
OBJ_ATOMS = [
    "obj.owner == request.user", "obj.owner != request.user", "obj.owner_id == request.user.id", "obj.published",
    "not obj.published", "obj.title == 'draft'", "obj.owner is None", "obj.owner is not None and obj.owner.is_staff",
    "obj.owner is not None and obj.owner.username == request.user.username",
    "request.user.has_perm('testapp.change_widget', obj)", "request.user.has_perm('testapp.view_gadget', obj)",
    "request.user.has_perms(['testapp.view_widget', 'testapp.change_widget'], obj)", "obj.id > 5", "obj.pk == 7",
    "obj.owner.level >= 1",  # unguarded: DRF 500s when there is no owner
    "obj.published or request.method in SAFE_METHODS", "obj.title in ('t', 'draft')",
]
MESSAGES = ["Custom msg", "Accès refusé ✓", 'quote "q" and \\', "日本語のメッセージ", "line\u2028break",
            {"error": "nope", "why": ["a", "b"]}, ["x", "y"], {"détail": {"nested": [1, 2.5, None, False]}}, ""]
CODES = ["denied", "not_owner", "ünï", "x y"]
ACTOR_PROFILES = ["anonymous", "plain", "staff", "superuser", "staffsuper", "inactive", "inactivesuper",
                  "inactivestaff", "perms", "groupperms", "objperms", "verified"]


class RandomGen:
    def __init__(self, seed):
        self.rng = random.Random(seed)

    def chance(self, p):
        return self.rng.random() < p

    def cond(self, atoms, depth=0):
        r = self.rng
        if depth >= 2 or r.random() < 0.55:
            a = r.choice(atoms)
            return f"({a})" if (" and " in a or " or " in a) and r.random() < 0.7 else a
        k = r.random()
        if k < 0.2:
            return f"not ({self.cond(atoms, depth + 1)})"
        op = "and" if k < 0.6 else "or"
        return f"({self.cond(atoms, depth + 1)}) {op} ({self.cond(atoms, depth + 1)})"

    def perm_map(self):
        r = self.rng
        view = ["%(app_label)s.view_%(model_name)s"]
        safe = view if r.random() < 0.6 else []
        m = {"GET": safe, "HEAD": safe, "OPTIONS": safe if r.random() < 0.8 else [],
             "POST": ["%(app_label)s.add_%(model_name)s"],
             "PUT": ["%(app_label)s.change_%(model_name)s"], "PATCH": ["%(app_label)s.change_%(model_name)s"],
             "DELETE": ["%(app_label)s.delete_%(model_name)s"]}
        for k in list(m):
            if r.random() < 0.08:
                del m[k]
        if r.random() < 0.1:
            m["TRACE"] = []
        return m

    def custom_classes(self):
        r = self.rng
        classes = {}
        for i in range(r.randint(0, 4)):
            name = f"C{i}"
            kind = r.random()
            decl = {}
            if kind < 0.55:
                if r.random() < 0.8:
                    decl["hasPermission"] = self.cond(VIEW_ATOMS)
                if r.random() < 0.5:
                    decl["hasObjectPermission"] = self.cond(VIEW_ATOMS + OBJ_ATOMS * 2)
            elif kind < 0.85:
                decl["base"] = r.choice(["DjangoModelPermissions", "DjangoObjectPermissions",
                                         "DjangoModelPermissionsOrAnonReadOnly"])
                if r.random() < 0.7:
                    decl["permsMap"] = self.perm_map()
                if r.random() < 0.3:
                    decl["authenticatedUsersOnly"] = r.random() < 0.5
            elif kind < 0.93 and classes:
                decl["base"] = r.choice(sorted(c for c in classes if "expression" not in classes[c]))
                if r.random() < 0.5:
                    decl["hasPermission"] = self.cond(VIEW_ATOMS)
            elif classes:
                decl = {"expression": self.expr(sorted(classes) + ["IsAuthenticated", "IsAdminUser"], 2)}
                classes[name] = decl
                continue
            else:
                decl["hasPermission"] = self.cond(VIEW_ATOMS)
            if r.random() < 0.5:
                decl["message"] = r.choice(MESSAGES)
            if r.random() < 0.3:
                decl["code"] = r.choice(CODES)
            classes[name] = decl
        return classes

    def expr(self, leaves, depth):
        def build(d):
            if d == 0 or self.rng.random() < 0.45:
                return ("leaf", self.rng.choice(leaves))
            k = self.rng.random()
            if k < 0.25:
                return ("~", build(d - 1))
            return ("&" if k < 0.6 else "|", build(d - 1), build(d - 1))
        return render(build(depth), self.rng)

    def leaves(self, classes):
        builtin = ["AllowAny", "BasePermission", "IsAuthenticated", "IsAdminUser", "IsAuthenticatedOrReadOnly",
                   "DjangoModelPermissions", "DjangoModelPermissionsOrAnonReadOnly", "DjangoObjectPermissions"]
        out = builtin + sorted(classes) * 3
        if self.chance(0.2):
            out.append("rest_framework.permissions." + self.rng.choice(builtin))
        return out

    def perm_list(self, leaves):
        return [self.expr(leaves, self.rng.randint(0, 4)) for _ in range(self.rng.randint(0, 3))]

    def auth_list(self):
        pool = ["session", "basic", "token", "jwt", "jwtStateless", "remoteUser", "HeaderAuth401", "HeaderAuth403",
                "BearerToken", "BasicZone", "JwtEdge", "SessionAuthentication", "TokenAuthentication"]
        return self.rng.sample(pool, self.rng.choices([0, 1, 2, 3], [1, 3, 3, 2])[0])

    def actions(self, leaves, auth_pool):
        r = self.rng
        if r.random() < 0.3:
            return None
        std = [a for a in ["list", "create", "retrieve", "update", "partial_update", "destroy"] if r.random() < 0.75]
        out = {a: {} for a in std}
        for a in std:
            if r.random() < 0.15:
                out[a]["permissions"] = self.perm_list(leaves)
        for name in ("publish", "export", "archive")[: r.randint(0, 3)]:
            detail = r.random() < 0.6
            decl = {"detail": detail, "methods": r.sample(["GET", "POST", "PUT", "PATCH", "DELETE"], r.randint(1, 2))}
            if r.random() < 0.5:
                decl["permissions"] = self.perm_list(leaves)
            if r.random() < 0.2:
                decl["authentication"] = self.auth_list()
            if detail and r.random() < 0.2:
                decl["getObject"] = False
            out[name] = decl
        if not out:
            out = {"list": {}}
        if r.random() < 0.5 and all(not v for v in out.values()):
            return sorted(out)
        return out

    def actor(self, model):
        r = self.rng
        p = r.choice(ACTOR_PROFILES)
        if p == "anonymous":
            return None
        m = model.split(".")[1].lower()
        pool = [f"testapp.{a}_{m}" for a in ("add", "change", "delete", "view")] + ["testapp.change_widget",
                                                                                   "testapp.view_gadget"]
        u = U(101, r.choice(["alice", "ann", "ünïcode"]))
        u["is_staff"] = p in ("staff", "staffsuper", "inactivestaff") or r.random() < 0.1
        u["is_superuser"] = p in ("superuser", "staffsuper", "inactivesuper") or r.random() < 0.05
        u["is_active"] = not p.startswith("inactive")
        u["email_verified"] = p == "verified" or r.random() < 0.4
        u["level"] = r.randint(0, 3)
        u["department"] = r.choice(["", "ops", "sales"])
        if p == "perms" or r.random() < 0.4:
            u["perms"] = r.sample(pool, r.randint(1, 4))
        if p == "groupperms" or r.random() < 0.2:
            u["groupPerms"] = r.sample(pool, r.randint(1, 3))
        if p == "objperms" or r.random() < 0.35:
            u["objPerms"] = r.sample(pool[:4], r.randint(1, 3))
        if r.random() < 0.1:
            u["groupObjPerms"] = r.sample(pool[:4], r.randint(1, 2))
        if r.random() < 0.1:
            u["otherObjPerms"] = r.sample(pool[:4], r.randint(1, 2))
        return u

    def case(self):
        r = self.rng
        classes = self.custom_classes()
        leaves = self.leaves(classes)
        model = r.choice([W, W, G])
        pol = {}
        if r.random() < 0.8:
            pol["authentication"] = self.auth_list()
        if r.random() < 0.6:
            pol["permissions"] = self.perm_list(leaves)
        pol["authenticationClasses"] = CUSTOM_AUTH
        if classes:
            pol["classes"] = classes
        view = {"model": model}
        if r.random() < 0.4:
            view["authentication"] = self.auth_list()
        if r.random() < 0.5:
            view["permissions"] = self.perm_list(leaves)
        actions = self.actions(leaves, None)
        if actions is not None:
            view["actions"] = actions
        if r.random() < 0.05:
            view["ignoreModelPermissions"] = True
        if r.random() < 0.15:
            view["queryset"] = self.cond(OBJ_ATOMS)
        views = {"items": view}
        if r.random() < 0.2:
            views["other"] = {"model": W, "permissions": ["IsAdminUser"]}
        pol["views"] = views

        # The request.
        act = normalize(actions)
        custom = [n for n, a in act.items() if not a["standard"]]
        if custom and r.random() < 0.3:
            name = r.choice(custom)
            a = act[name]
            methods = list(a["methods"]) + (["HEAD"] if "GET" in a["methods"] else [])
            if r.random() < 0.15:  # a method the action does not handle, or OPTIONS: 405 / metadata
                methods = ALL_METHODS
            method, detail, raction = r.choice(methods), a["detail"], name
        else:
            has_list = any(a["standard"] and not a["detail"] for a in act.values())
            has_detail = any(a["standard"] and a["detail"] for a in act.values())
            detail = has_detail and (not has_list or r.random() < 0.55)
            routed = [a["methods"][0] for a in act.values() if a["standard"] and a["detail"] == detail]
            if r.random() < 0.6 and routed:
                method = r.choice(routed + (["HEAD"] if "GET" in routed else []))
            else:
                method = r.choice(ALL_METHODS)
            raction = None
        # Which authentication list applies to this request, for picking the class to use.
        auth_names = effective_auth(pol, view, act, detail, raction, method)
        actor = self.actor(model)
        auth_via = None
        jwt_claims = None
        if actor is not None:
            usable = [n for n in auth_names if actor["is_active"] or n.startswith("Header") or n in (
                "jwtStateless",)]
            if usable and r.random() < 0.93:
                auth_via = r.choice(usable)
            elif auth_names and r.random() < 0.5:
                auth_via = r.choice(auth_names)  # may be rejected by DRF: becomes a raw case
            else:
                actor = None
            if auth_via == "jwtStateless":
                jwt_claims = {}
                for k, v in (("is_staff", actor["is_staff"]), ("is_superuser", actor["is_superuser"]),
                             ("username", actor["username"]), ("email_verified", actor["email_verified"]),
                             ("level", actor["level"]), ("department", actor["department"])):
                    if r.random() < 0.9:
                        jwt_claims[k] = v
        raw = None
        if auth_via is not None and r.random() < 0.12:
            raw = self.raw_credentials(auth_via, method)
            if raw is not None:
                auth_via = None
        obj = None
        if detail:
            if r.random() < 0.1:
                obj = {"id": 999, "exists": False}
            else:
                obj = {"id": r.choice([7, 3]), "owner": r.choice(["actor", "actor", "bob", None]) if actor else
                       r.choice(["bob", None]), "published": r.random() < 0.5, "title": r.choice(["t", "draft", "Ünï"])}
        users = {"bob": U(102, "bob", is_staff=r.random() < 0.3, level=r.randint(0, 3))}
        return spec("random", pol, method=method, detail=detail, action=raction, actor=actor, auth_via=auth_via,
                    users=users, obj=obj, view="items", context_action=r.random() < 0.5,
                    form="map" if r.random() < 0.3 else "list", jwt_claims=jwt_claims, raw=raw)

    def raw_credentials(self, auth_via, method):
        """The actor's credentials for `auth_via`, sent raw: right, wrong or malformed."""
        r = self.rng
        base = CUSTOM_AUTH.get(auth_via, {}).get("base", auth_via)
        kind = {"SessionAuthentication": "session", "TokenAuthentication": "token"}.get(base, base)
        keyword = CUSTOM_AUTH.get(auth_via, {}).get("keyword", "Token")
        if kind == "basic":
            header = r.choice(["Basic [[b64:{username}:{password}]]", "Basic [[b64:{username}:wrong]]", "Basic",
                               "Basic [[b64:{username}]]", "basic [[b64:{username}:{password}]]"])
        elif kind == "token":
            header = r.choice([keyword + " {token}", keyword + " nope", keyword, keyword.lower() + " {token} x"])
        elif kind in ("jwt", "jwtStateless"):
            header = "Bearer {jwt:%s}" % r.choice(["valid", "expired", "badsig", "garbage", "nouserid", "notype"])
        elif kind == "session":
            raw = {"login": True}
            if method not in ("GET", "HEAD", "OPTIONS", "TRACE"):
                raw["cookies"] = {"csrftoken": "{csrf}"}
                raw["headers"] = {"X-CSRFToken": r.choice(["{csrf}", "{csrfmasked}", "x" * 32, "short"])}
            return raw
        elif kind == "remoteUser":
            return {"meta": {"REMOTE_USER": r.choice(["{username}", "nobody", ""])}}
        elif auth_via.startswith("Header"):
            return {"headers": {"X-Test-User": r.choice([auth_via + " {uid}", "Other {uid}"])}}
        else:
            return None
        return {"headers": {"Authorization": header}}


def render(node, rng):
    """Python source for an expression tree, parenthesized by precedence (~ > & > |), sometimes
    with redundant parentheses."""
    prec = {"|": 1, "&": 2, "~": 3, "leaf": 4}

    def go(n, parent_prec, right_side):
        kind = n[0]
        if kind == "leaf":
            s = n[1]
        elif kind == "~":
            s = "~" + go(n[1], 3, False)
        else:
            s = f"{go(n[1], prec[kind], False)} {kind} {go(n[2], prec[kind], True)}"
        p = prec[kind]
        need = p < parent_prec or (right_side and p == parent_prec and kind != "leaf")
        if need or (kind != "leaf" and rng.random() < 0.1):
            s = f"({s})"
        return s
    return go(node, 0, False)


def normalize(actions):
    std = {"list": ("GET", False), "create": ("POST", False), "retrieve": ("GET", True), "update": ("PUT", True),
           "partial_update": ("PATCH", True), "destroy": ("DELETE", True)}
    if actions is None:
        actions = list(std)
    if isinstance(actions, list):
        actions = {a: {} for a in actions}
    out = {}
    for n, d in actions.items():
        if n in std:
            out[n] = {"standard": True, "methods": [std[n][0]], "detail": std[n][1], **d}
        else:
            out[n] = {"standard": False, "methods": d.get("methods", ["GET"]), **d}
    return out


def effective_auth(pol, view, act, detail, raction, method):
    base = view.get("authentication", pol.get("authentication", ["session", "basic"]))
    if raction:
        return act[raction].get("authentication") or base
    m = method.upper()
    if m == "OPTIONS":
        return base
    for n, a in act.items():
        if a["standard"] and a["detail"] == detail:
            ms = set(a["methods"]) | ({"HEAD"} if "GET" in a["methods"] else set())
            if m in ms:
                return a.get("authentication") if a.get("authentication") is not None else base
    return base


def referenced_auth(pol):
    names = set(pol.get("authentication", []))
    for v in pol["views"].values():
        names |= set(v.get("authentication", []))
        acts = v.get("actions")
        if isinstance(acts, dict):
            for a in acts.values():
                names |= set(a.get("authentication") or [])
    return names


def declare_auth_classes(pol):
    """Declares exactly the harness's custom authentication classes the policy uses."""
    used = {n: CUSTOM_AUTH[n] for n in sorted(referenced_auth(pol)) if n in CUSTOM_AUTH}
    pol.pop("authenticationClasses", None)
    if used:
        # keep the documented key order: authentication, permissions, authenticationClasses, ...
        rest = {k: pol.pop(k) for k in list(pol) if k not in ("authentication", "permissions")}
        pol["authenticationClasses"] = used
        pol.update(rest)


# =============================================================================================
# The policy's `settings`: the real configuration of the oracle's Django
# =============================================================================================
from .djsetup import ALLOWED_HOSTS, SECRET_KEY  # noqa: E402  what the oracle's Django runs with
_KIND = {"session": "session", "SessionAuthentication": "session", "jwt": "jwt", "JWTAuthentication": "jwt",
         "jwtStateless": "jwt", "JWTStatelessUserAuthentication": "jwt"}


def complete_settings(pol):
    """Puts what the oracle's Django is configured with into the policy's `settings`, for the
    classes the policy uses: simplejwt's SIGNING_KEY (Django's SECRET_KEY by default) and
    ALLOWED_HOSTS. A spec's own settings win."""
    kinds = set()
    for name in referenced_auth(pol):
        decl = (pol.get("authenticationClasses") or {}).get(name)
        kinds.add(_KIND.get(decl.get("base") if decl and "base" in decl else name))
    settings = copy.deepcopy(pol.get("settings") or {})
    if "jwt" in kinds:
        jwt = settings.setdefault("jwt", {})
        if jwt.get("algorithm", "HS256").startswith("HS"):
            jwt.setdefault("signingKey", SECRET_KEY)
    if "session" in kinds:
        settings.setdefault("csrf", {}).setdefault("allowedHosts", ALLOWED_HOSTS)
    if settings:
        views = pol.pop("views")
        pol.pop("settings", None)
        pol["settings"] = settings
        pol["views"] = views


_KEYS = {}


def jwt_keys(algorithm):
    """(private PEM, public PEM) for RS*/ES*, made once per run with cryptography."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec, rsa
    family = "RS" if algorithm.startswith("RS") else algorithm
    if family not in _KEYS:
        if family == "RS":
            key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        else:
            key = ec.generate_private_key(ec.SECP384R1() if algorithm == "ES384" else ec.SECP256R1())
        private = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                    serialization.NoEncryption()).decode()
        public = key.public_key().public_bytes(serialization.Encoding.PEM,
                                               serialization.PublicFormat.SubjectPublicKeyInfo).decode()
        _KEYS[family] = (private, public)
    return _KEYS[family]


def minted_count():
    import json
    import os
    path = os.environ.get("DRF_GATE_MINTED")
    if not path:
        return 0
    with open(path, encoding="utf-8") as f:
        return len(json.load(f))


# =============================================================================================
# Raw requests the formats now express: lookup errors, action routes, CSRF bodies and settings,
# JWT keys and settings, CSRF tokens minted by drf-gate
# =============================================================================================
def edge_raw_cases():
    out = []

    def edge(rule, *specs):
        for s in specs:
            s["source"] = f"edge:{rule}"
            out.append(s)

    bad_pk = {"id": "abc", "exists": False, "lookupError": True}
    # §7.3 row 36: a pk that does not fit the field is a bare Http404 ("Not found.").
    for perms in (["AllowAny"], ["IsAuthenticated"], ["DjangoObjectPermissions"], ["IsAuthenticatedOrReadOnly"]):
        for actor in (None, ALICE):
            for meth in ("GET", "DELETE", "PATCH"):
                edge("lookup-error", spec("", policy(["basic"], perms), method=meth, detail=True, actor=actor,
                                          auth_via="basic" if actor else None, obj=dict(bad_pk)))
    la = policy(["basic"], ["AllowAny"], view={"actions": {"list": {}, "retrieve": {},
                                                           "touch": {"detail": True, "methods": ["POST"], "getObject": False},
                                                           "publish": {"detail": True, "methods": ["POST"]}}})
    for act in ("touch", "publish"):
        edge("lookup-error", spec("", la, method="POST", detail=True, action=act, obj=dict(bad_pk)))

    # An @action route with a method the action does not handle, and OPTIONS there: the route's
    # initkwargs permission classes run first, then 405 (or the metadata answer).
    od = {"ObjDeny": {"hasObjectPermission": "False", "message": "object denied"},
          "Msg": {"hasPermission": "False", "message": "Custom msg"}}
    for perms in (None, ["IsAdminUser"], ["Msg"], ["AllowAny"], ["ObjDeny"]):
        acts = {"list": {}, "retrieve": {},
                "publish": {"detail": True, "methods": ["POST"]},
                "export": {"detail": False, "methods": ["GET", "PUT"]},
                "touch": {"detail": True, "methods": ["PATCH"], "getObject": False}}
        if perms is not None:
            for a in ("publish", "export", "touch"):
                acts[a]["permissions"] = perms
        pol = policy(["basic"], ["IsAuthenticated"], od, view={"actions": acts})
        for actor in (None, ALICE, U(101, "alice", is_staff=True)):
            av = "basic" if actor else None
            for act, d, methods in (("publish", True, ["GET", "PUT", "DELETE", "OPTIONS", "HEAD", "FOO"]),
                                    ("export", False, ["POST", "OPTIONS", "DELETE", "TRACE"]),
                                    ("touch", True, ["GET", "OPTIONS", "POST"])):
                for meth in methods:
                    edge("action-route-method", spec("", pol, method=meth, detail=d, action=act, actor=actor,
                                                     auth_via=av))

    # CSRF with bodies: DRF parses the body for request.POST during the check.
    sess = policy(["session"], ["IsAuthenticated"])
    form = "application/x-www-form-urlencoded"
    good = {"csrftoken": "{csrf}"}
    hdr = {"X-CSRFToken": "{csrf}"}
    bodies = [
        ('{"a": 1}', "application/json", hdr), ('{"a": 1}', "application/json", {}),
        ("[1, 2.5, null]", "application/json; charset=utf-8", hdr), ("", "application/json", hdr),
        ("{bad", "application/json", {}), ('{"a": NaN}', "application/json", hdr),
        ('{"a": 1} x', "application/json", hdr), ('"\\ud800"', "application/json", hdr),
        ("csrfmiddlewaretoken={csrf}", form, {}), ("csrfmiddlewaretoken={csrfmasked}", form, {}),
        ("a=1&csrfmiddlewaretoken={csrf}&b=2", form, {}), ("csrfmiddlewaretoken=" + "z" * 32, form, hdr),
        ("csrfmiddlewaretoken=", form, hdr), ("a=1", form, hdr), ("a=1", form, {}),
        ("csrfmiddlewaretoken=short", form, hdr), ("csrfmiddlewaretoken={csrf}", form + "; charset=utf-8", {}),
        ("csrfmiddlewaretoken=%41bCdEfGhIjKlMnOpQrStUvWxYz012345", form, {}),
        ("csrfmiddlewaretoken={csrf}&csrfmiddlewaretoken=" + "q" * 32, form, {}),
        ("text", "text/plain", hdr), ("text", "", hdr), ("<a/>", "application/xml", {}),
        ('--XyZ\r\nContent-Disposition: form-data; name="csrfmiddlewaretoken"\r\n\r\n{csrf}\r\n--XyZ--\r\n',
         "multipart/form-data; boundary=XyZ", {}),
        ('--XyZ\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n--XyZ--\r\n',
         "multipart/form-data; boundary=XyZ", hdr),
        ("csrfmiddlewaretoken={csrf}", "multipart/form-data", {}),
    ]
    for body, ctype, headers in bodies:
        for meth in ("POST", "PUT"):
            edge("csrf-body", spec("", sess, method=meth, actor=ALICE,
                                   raw={"login": True, "cookies": good, "headers": dict(headers), "body": body,
                                        "contentType": ctype}))
    # CSRF settings: cookie and header names, CSRF_USE_SESSIONS, trusted origins, cookie domain,
    # ALLOWED_HOSTS.
    named = policy(["session"], ["IsAuthenticated"], settings={"csrf": {
        "cookieName": "xsrf", "headerName": "HTTP_X_XSRF_TOKEN"}})
    for cookies, headers in (({"xsrf": "{csrf}"}, {"X-XSRF-TOKEN": "{csrf}"}), ({"csrftoken": "{csrf}"}, {"X-XSRF-TOKEN": "{csrf}"}),
                             ({"xsrf": "{csrf}"}, {"X-CSRFToken": "{csrf}"}), ({"xsrf": "{csrf}"}, {"X-XSRF-TOKEN": "x" * 32})):
        edge("csrf-settings", spec("", named, method="POST", actor=ALICE,
                                   raw={"login": True, "cookies": cookies, "headers": headers}))
    in_session = policy(["session"], ["IsAuthenticated"], settings={"csrf": {"useSessions": True}})
    for login_secret, cookies, headers in ((True, {}, hdr), (True, {}, {"X-CSRFToken": "{csrfmasked}"}),
                                           (False, {}, hdr), (True, good, {"X-CSRFToken": "y" * 32}),
                                           (True, {}, {})):
        edge("csrf-settings", spec("", in_session, method="POST", actor=ALICE,
                                   raw={"login": True, "sessionCsrf": login_secret, "cookies": cookies,
                                        "headers": dict(headers)}))
    for csrf_settings, secure, extra in (
            ({"trustedOrigins": ["https://app.example.com"]}, False, {"Origin": "https://app.example.com"}),
            ({"trustedOrigins": ["https://app.example.com"]}, False, {"Origin": "https://app.example.com:443"}),
            ({"trustedOrigins": ["https://app.example.com"]}, True, {"Referer": "https://app.example.com/page"}),
            ({"trustedOrigins": ["http://*.example.com"]}, True, {"Referer": "https://x.example.com/"}),
            ({"cookieDomain": ".example.com"}, True, {"Referer": "https://www.example.com/"}),
            ({"cookieDomain": ".example.com"}, True, {"Referer": "https://testserver/"}),
            ({"allowedHosts": ["testserver", "api.example.com"]}, False, {"Origin": "http://api.example.com"}),
            ({"allowedHosts": ["testserver"]}, False, {"Origin": "http://testserver"}),
            ({"allowedHosts": [".testserver", "testserver"]}, True, {"Referer": "https://testserver/x"}),
            ({}, False, {"Origin": "null"}), ({}, True, {"Origin": "https://testserver"})):
        pol = policy(["session"], ["IsAuthenticated"], settings={"csrf": csrf_settings})
        edge("csrf-settings", spec("", pol, method="POST", actor=ALICE,
                                   raw={"login": True, "cookies": good, "secure": secure,
                                        "headers": dict(hdr, **extra)}))
    # Session cookie name.
    pol = policy(["session", "basic"], ["IsAuthenticated"], settings={"session": {"cookieName": "sid"}})
    edge("session-settings", spec("", pol, actor=ALICE, raw={"login": True}),
         spec("", pol, method="POST", actor=ALICE, raw={"login": True, "cookies": good}),
         spec("", pol, method="POST", actor=ALICE, raw={"login": True, "cookies": good, "headers": hdr}))

    # CSRF tokens minted by drf-gate's mint_csrf_token: the real Django must accept each.
    n = minted_count()
    for i in range(n):
        secret = "{csrfmintedsecret:%d}" % i
        token = "{csrfminted:%d}" % i
        for meth in ("POST", "DELETE"):
            edge("csrf-minted", spec("", sess, method=meth, actor=ALICE, must_pass_csrf=True,
                                     raw={"login": True, "cookies": {"csrftoken": secret}, "headers": {"X-CSRFToken": token}}))
        edge("csrf-minted",
             spec("", sess, method="POST", actor=ALICE, must_pass_csrf=True,
                  raw={"login": True, "cookies": {"csrftoken": secret}, "body": "csrfmiddlewaretoken=" + token,
                       "contentType": form}),
             spec("", in_session, method="PATCH", actor=ALICE,
                  raw={"login": True, "sessionCsrf": True, "headers": {"X-CSRFToken": token}}),
             # a token minted for another secret is rejected
             spec("", sess, method="POST", actor=ALICE,
                  raw={"login": True, "cookies": {"csrftoken": "{csrfmintedsecret:%d}" % ((i + 1) % n)},
                       "headers": {"X-CSRFToken": token}}))

    # JWT: HS/RS/ES keys and SIMPLE_JWT settings, tokens signed by PyJWT in the harness.
    variants = ["valid", "expired", "badsig", "hs512", "algnone", "garbage", "nbf", "iat", "aud", "noexp",
                "nojti", "notype", "refresh", "nouserid", "unknownuser", "intuserid", "twosegments", "kidint"]
    for alg in ("HS384", "HS512", "RS256", "RS384", "RS512", "ES256", "ES384"):
        jwt = {"algorithm": alg}
        if alg.startswith("HS"):
            jwt["signingKey"] = SECRET_KEY + "-" + alg
        else:
            private, public = jwt_keys(alg)
            jwt["signingKey"], jwt["verifyingKey"] = private, public
        for auth in (["jwt"], ["jwtStateless"]) if alg in ("RS256", "ES256") else (["jwt"],):
            pol = policy(auth, ["IsAuthenticated"], settings={"jwt": jwt})
            for v in variants:
                edge("jwt-keys", spec("", pol, actor=ALICE, raw=raw_auth("Bearer {jwt:%s}" % v)))
    hs = {"signingKey": SECRET_KEY}
    jwt_settings = [
        ({"audience": "drf-gate"}, ["valid", "aud", "audok", "audlist"]),
        ({"audience": ["x", "drf-gate"]}, ["audok", "audlist", "aud"]),
        ({"issuer": "https://issuer.example.com"}, ["valid", "iss", "issother"]),
        ({"leeway": 60}, ["expired", "expiring", "nbfsoon", "nbf"]),
        ({"authHeaderTypes": ["JWT", "Bearer"]}, ["valid"]),
        ({"userIdClaim": "uid"}, ["valid", "nouserid", "unknownuser"]),
        ({"userIdField": "username"}, ["valid", "unknownuser"]),
        ({"tokenTypeClaim": None}, ["notype", "refresh", "valid"]),
        ({"jtiClaim": None}, ["nojti", "valid"]),
        ({"authTokenClasses": ["AccessToken", "SlidingToken"]}, ["refresh", "sliding", "garbage"]),
        ({"authTokenClasses": ["UntypedToken"]}, ["refresh", "notype", "valid"]),
        ({"checkUserIsActive": False}, ["valid"]),
        ({"realm": "edge"}, ["garbage"]),
        ({}, ["floatuserid", "spaceduserid", "nulluserid"]),
    ]
    for extra, vs in jwt_settings:
        pol = policy(["jwt"], ["IsAuthenticated"], settings={"jwt": dict(hs, **extra)})
        for v in vs:
            for scheme in ("Bearer", "JWT"):
                if scheme == "JWT" and "authHeaderTypes" not in extra:
                    continue
                edge("jwt-settings", spec("", pol, actor=ALICE, raw=raw_auth(scheme + " {jwt:%s}" % v)))
        if "checkUserIsActive" in extra:
            edge("jwt-settings", spec("", pol, actor=U(101, "alice", is_active=False), raw=raw_auth("Bearer {jwt}")))
    # Token keyword, Basic realm, RemoteUser header from settings.
    edge("class-settings",
         spec("", policy(["token"], ["IsAuthenticated"], settings={"token": {"keyword": "Bearer"}}), actor=ALICE,
              raw=raw_auth("Bearer {token}")),
         spec("", policy(["token"], ["IsAuthenticated"], settings={"token": {"keyword": "Bearer"}}), actor=ALICE,
              raw=raw_auth("Token {token}")),
         spec("", policy(["token"], ["IsAuthenticated"], settings={"token": {"keyword": "Bearer"}}), actor=ALICE,
              raw=raw_auth("Bearer nope")),
         spec("", policy(["basic"], ["IsAuthenticated"], settings={"basic": {"realm": "zone"}}), actor=ALICE,
              raw=raw_auth("Basic [[b64:{username}:wrong]]")),
         spec("", policy(["remoteUser"], ["IsAuthenticated"], settings={"remoteUser": {"header": "HTTP_X_REMOTE_USER"}}),
              actor=ALICE, raw={"headers": {"X-Remote-User": "{username}"}}),
         spec("", policy(["remoteUser"], ["IsAuthenticated"], settings={"remoteUser": {"header": "HTTP_X_REMOTE_USER"}}),
              actor=ALICE, raw={"meta": {"REMOTE_USER": "{username}"}}))
    # Inactive users and wrong passwords through every credential class.
    inactive = U(101, "alice", is_active=False)
    for actor in (ALICE, inactive):
        edge("credentials",
             spec("", policy(["basic"], ["AllowAny"]), actor=actor, raw=raw_auth("Basic [[b64:{username}:{password}]]")),
             spec("", policy(["basic"], ["AllowAny"]), actor=actor, raw=raw_auth("Basic [[b64:{username}:{password}x]]")),
             spec("", policy(["basic"], ["AllowAny"]), actor=actor, raw=raw_auth("Basic [[b64:ALICE:{password}]]")),
             spec("", policy(["token"], ["AllowAny"]), actor=actor, raw=raw_auth("Token {token}")),
             spec("", policy(["remoteUser", "basic"], ["IsAuthenticated"]), actor=actor, raw={"meta": {"REMOTE_USER": "{username}"}}),
             spec("", policy(["session", "basic"], ["IsAuthenticated"]), actor=actor, raw={"login": True}),
             spec("", policy(["jwt"], ["AllowAny"]), actor=actor, raw=raw_auth("Bearer {jwt}")),
             spec("", policy(["jwtStateless"], ["IsAuthenticated"]), actor=actor, raw=raw_auth("Bearer {jwt}")))
    # User ids at and beyond 2^53 (SQLite stores 64-bit pks): simplejwt's User.objects.get(id=<claim>)
    # must find the exact user (a JavaScript number rounds 2^53 + 1 to 2^53, the other user), and
    # ids past the 64-bit range are Django's EmptyResultSet ("User not found").
    big = {"IsTwo53": {"hasPermission": "request.user.id == 9007199254740992"},
           "IsTwo53Plus1": {"hasPermission": "request.user.id == 9007199254740993"},
           "AboveTwo53": {"hasPermission": "request.user.id > 9007199254740992"}}
    two53, two53p1 = U(2 ** 53, "two53"), U(2 ** 53 + 1, "two53p1")
    for auth in (["jwt"], ["jwtStateless"]):
        for perms in (["IsAuthenticated"], ["IsTwo53"], ["IsTwo53Plus1"], ["AboveTwo53"]):
            pol = policy(auth, perms, big)
            for actor, other in ((two53, two53p1), (two53p1, two53)):
                for v in ("valid", "intuserid", "floatuserid", "spaceduserid", "nextuserid", "prevuserid",
                          "overflowuserid", "hugeuserid"):
                    edge("big-ids", spec("", pol, actor=actor, users={"other": other},
                                         raw=raw_auth("Bearer {jwt:%s}" % v)))
    # Claims beyond u64 (Python ints are exact at any size; a JSON number is not): the lookup
    # User.objects.get(<field>=<int>) (no integer pk holds them: "User not found"; a username is
    # str(int), found), and the stateless TokenUser compared with exact constants.
    huge = [2 ** 64, 2 ** 64 + 1, -2 ** 63 - 1, 10 ** 30, 10 ** 40]
    exact = {"IsTwo64Plus1": {"hasPermission": "request.user.id == 18446744073709551617"},
             "AboveTwo64": {"hasPermission": "request.user.id > 18446744073709551616"},
             "BelowMinI64": {"hasPermission": "request.user.id < -9223372036854775808"},
             "OrgIsTwo64Plus1": {"hasPermission": "request.user.org == 18446744073709551617"}}
    for n in huge:
        named = U(103, str(n))
        for extra, actor in (({}, ALICE), ({"userIdField": "username"}, named), ({"userIdField": "username"}, ALICE)):
            pol = policy(["jwt"], ["IsAuthenticated"], settings={"jwt": dict(hs, **extra)})
            edge("huge-ids", spec("", pol, actor=actor, raw=raw_auth("Bearer {jwt:userid=%d}" % n)))
        for perms in (["IsAuthenticated"], ["IsTwo64Plus1"], ["AboveTwo64"], ["BelowMinI64"]):
            edge("huge-ids", spec("", policy(["jwtStateless"], perms, exact), actor=ALICE,
                                  raw=raw_auth("Bearer {jwt:userid=%d}" % n)))
        edge("huge-ids", spec("", policy(["jwtStateless"], ["OrgIsTwo64Plus1"], exact), actor=ALICE,
                              raw=raw_auth("Bearer {jwt:orgclaim=%d}" % n)))
    return out


# =============================================================================================
# Content negotiation (polhunt): Accept and ?format= against one, two and odd renderer lists
# =============================================================================================
ACCEPTS = [
    None, "", " ", "*/*", "application/json", "Application/JSON", "application/*", "*/json", "*/xml", "*",
    "application", "json", "/", "application/xml", "text/html", "text/plain, application/json",
    "application/xml, */*;q=0.1", "text/html;q=1, application/json;q=0.1", "text/html; charset=utf-8, application/json",
    "application/json; charset=utf-8", "application/json;q=0", "application/json; indent=4", "application/json;indent=0",
    "application/json; indent=-1", "application/json; indent=9", "application/json; indent=100",
    "application/json; indent=abc", "application/json; indent= 4", 'application/json; indent="3"',
    "application/json; indent=4.0", "application/json; indent=+3", "application/json; indent=1_0",
    "application/json; INDENT=2", "application/json; indent=4; indent=2", "application/json; indent",
    "application/json; indent*=5", "application/json; indent*=utf-8''6", "*/*; indent=4", "application/*; indent=2",
    "*/*;q=0.8, application/json; indent=2", "application/json; indent=2, application/json; indent=2",
    "text/html; indent=3, application/json", "application/json,", ",application/json", ";indent=4",
    "application/json;", "application/json ;indent=3", "\tapplication/json\t", "application/json; version=1.0",
    "multipart/form-data", "multipart/form-data; boundary=BoUnDaRyStRiNg", "multipart/*", "text/*",
    "application/json; indent=\t7", "application/json; indent=0x4", "application/json; indent=07",
    # RFC 2231 parameters: Django decodes `name*=encoding'lang'value` with unquote(value, encoding).
    "application/json; indent*=utf-8''%36", "application/json; indent*=UTF8''%35", "application/json; indent*=latin-1''%37",
    "application/json; indent*=ascii''%C2%B2", "application/json; indent*=bogus''6", "application/json; indent*=utf-8'en'%33",
    "application/json; indent*=utf-8''%D9%A3", "application/json; indent*=\"utf-8''2\"", "application/json; indent*=4",
    "application/json; indent*=utf-8''%3", "application/json; indent*=utf-8''%36%FF", "application/json; indent*=u8''%32",
    "multipart/form-data; boundary*=utf-8''BoUnDaRy%53tRiNg", "application/json; in'de'nt*=6",
]
FORMATS = [None, "format=json", "format=api", "format=xml", "format=", "format", "format=JSON", "format=json&format=xml",
           "format=xml&format=json", "format=%6Aso%6E", "format=js+on", "x=1&format=json", "FORMAT=xml", "format=json%00",
           "format=%E9", "format=json;format=xml", "&&format=api&&"]
RENDERER_SETS = [
    None,
    ["rest_framework.renderers.JSONRenderer", "rest_framework.renderers.BrowsableAPIRenderer"],
    ["rest_framework.renderers.BrowsableAPIRenderer", "rest_framework.renderers.JSONRenderer"],
    ["rest_framework.renderers.MultiPartRenderer", "rest_framework.renderers.JSONRenderer"],
    ["rest_framework.renderers.JSONRenderer", "rest_framework.renderers.TemplateHTMLRenderer",
     "rest_framework.renderers.AdminRenderer"],
]


def negotiation_cases():
    """DRF negotiates before authentication: the renderer (406, ?format= 404, indent) and its
    headers (Vary: Accept with more than one renderer) decide the denial's bytes; a query string
    with more fields than DATA_UPLOAD_MAX_NUMBER_FIELDS is Django's 400 (the edge forwards)."""
    out = []

    def add(s, origin=False):
        s["source"] = "edge:negotiation"
        s["acceptTwin"] = True
        if origin:
            s["originAnswers"] = True
        out.append(s)

    for i, renderers in enumerate(RENDERER_SETS):
        pol = policy(["basic"], ["IsAuthenticated"])
        if renderers:
            pol["renderers"] = renderers
        for j, accept in enumerate(ACCEPTS):
            raw = {"headers": {} if accept is None else {"Accept": accept}}
            # Every Accept under the two-renderer list; a spread of them under the others.
            if i in (0, 1) or j % 3 == i % 3:
                add(spec("", pol, raw=raw))
        for k, query in enumerate(FORMATS):
            for accept in (None, "application/json; indent=2", "text/html", "application/xml"):
                if (k + len(accept or "")) % 2 and i not in (0, 1):
                    continue
                raw = {"headers": {} if accept is None else {"Accept": accept}}
                if query is not None:
                    raw["query"] = query
                add(spec("", pol, raw=raw))
    # A denial of each kind under negotiated indent and Vary: 403, 404 (lookup), 405, object 403.
    two = ["rest_framework.renderers.JSONRenderer", "rest_framework.renderers.BrowsableAPIRenderer"]
    od = {"ObjDeny": {"hasObjectPermission": "False", "message": {"why": ["owner", 1.5]}}}
    for renderers in (None, two):
        for accept in (None, "application/json; indent=3", "*/*; indent=1"):
            pol = policy(["basic"], ["ObjDeny"], od, view={"actions": ["list", "retrieve", "destroy"]})
            if renderers:
                pol["renderers"] = renderers
            raw = {"headers": {} if accept is None else {"Accept": accept}}
            for meth, d, o in (("GET", True, None), ("DELETE", True, None), ("PUT", True, None), ("POST", False, None),
                               ("GET", True, {"id": 999, "exists": False}), ("TRACE", False, None)):
                add(spec("", pol, method=meth, detail=d, actor=ALICE, obj=o,
                         raw=dict(raw, headers=dict(raw["headers"], Authorization="Basic [[b64:{username}:{password}]]"))))
    # Query strings at and past DATA_UPLOAD_MAX_NUMBER_FIELDS (counted as separators + 1).
    for query in ("a&" * 999 + "a", "a&" * 1000 + "a", "&" * 999, "&" * 1000, "format=json" + "&x" * 1000,
                  "format=xml&" + ";" * 2000, "a=" + "b" * 5000):
        pol = policy(["basic"], ["IsAuthenticated"])
        add(spec("", pol, raw={"headers": {}, "query": query}), origin=True)
        add(spec("", pol, method="POST", raw={"headers": {"Accept": "application/xml"}, "query": query}), origin=True)
    return out


def empty_header_cases():
    """Each request header the emulation reads, sent with an empty value (helper hunt10). workerd
    drops such a line before the Worker sees it, and the origin behind the Worker never sees it:
    the workerd replay path does not compare these (DRF answered them with the line), their
    `forwarded_twins` without it are compared there. Every case carries `Accept`."""
    out = []

    def edge(*specs):
        for s in specs:
            s["source"] = "edge:empty-headers"
            out.append(s)

    accept = {"Accept": "application/json"}
    good = {"csrftoken": "{csrf}"}
    sess = policy(["session"], ["IsAuthenticated"])
    # The CSRF token header: empty is "has incorrect length", absent "CSRF token missing.".
    for secure, origin in ((False, "http://testserver"), (True, "https://testserver")):
        for token in ("", None, "{csrf}"):
            headers = dict(accept, Origin=origin)
            if token is not None:
                headers["X-CSRFToken"] = token
            for meth in ("POST", "DELETE"):
                edge(spec("", sess, method=meth, actor=ALICE, detail=meth == "DELETE",
                          raw={"login": True, "cookies": dict(good), "secure": secure, "headers": headers}))
        # The token in the form body instead: the header is not read.
        edge(spec("", sess, method="POST", actor=ALICE,
                  raw={"login": True, "cookies": dict(good), "secure": secure, "headers": dict(accept, Origin=origin),
                       "body": "csrfmiddlewaretoken={csrf}", "contentType": "application/x-www-form-urlencoded"}))
        # Referer is read on https only without Origin; with one, an empty Referer changes nothing.
        edge(spec("", sess, method="POST", actor=ALICE,
                  raw={"login": True, "cookies": dict(good), "secure": secure,
                       "headers": dict(accept, Origin=origin, Referer="", **{"X-CSRFToken": "{csrf}"})}))
        # An empty Content-Type on a form body: request.POST is empty, the header is read.
        edge(spec("", sess, method="POST", actor=ALICE,
                  raw={"login": True, "cookies": dict(good), "secure": secure,
                       "headers": dict(accept, Origin=origin, **{"X-CSRFToken": "{csrf}"}),
                       "body": "csrfmiddlewaretoken={csrf}", "contentType": ""}))
    # Authorization, Cookie and the remote-user header, empty, under each class that reads them.
    for auth in (["basic"], ["token"], ["jwt"], ["session", "basic"], ["basic", "session"]):
        pol = policy(auth, ["IsAuthenticated"], view={"actions": ["list", "retrieve", "create"]})
        for meth in ("GET", "POST"):
            edge(spec("", pol, method=meth, raw={"headers": dict(accept, Authorization="")}),
                 spec("", pol, method=meth, raw={"headers": dict(accept), "cookieHeader": ""}))
    ru_header = policy(["remoteUser", "basic"], ["IsAuthenticated"], settings={"remoteUser": {"header": "HTTP_X_REMOTE_USER"}})
    edge(spec("", ru_header, actor=ALICE, raw={"headers": dict(accept, **{"X-Remote-User": ""})}))
    # An empty Host: the middleware family (CommonMiddleware, which the policies here do not model).
    return out


# =============================================================================================
# http_method_names (polhunt): which methods reach a handler, 405 after the permission checks,
# and Allow; Django compares the lower-cased method with the list as written
# =============================================================================================
def http_method_names_cases():
    out = []
    name_sets = [["get", "head", "options"], ["get", "post"], ["post", "put", "patch", "delete", "options", "trace"], [],
                 ["delete", "get", "post", "options", "foo"], ["GET", "head", "Options", "post"],
                 ["get", "get", "patch", "head"]]
    methods = ["GET", "HEAD", "OPTIONS", "POST", "PUT", "PATCH", "DELETE", "TRACE", "FOO"]
    view_perms = {"actions": {"list": {}, "create": {"permissions": ["IsAdminUser"]}, "retrieve": {}, "update": {},
                              "partial_update": {}, "destroy": {},
                              "publish": {"detail": True, "methods": ["POST", "GET"], "permissions": ["AllowAny"]}}}
    for names in name_sets:
        for method in methods:
            for detail in (False, True):
                for actor, perms in ((None, ["IsAuthenticated"]), (ALICE, ["IsAdminUser"]), (None, ["AllowAny"])):
                    pol = policy(["basic"], perms, view=dict(view_perms, httpMethodNames=names))
                    out.append(spec("edge:http-method-names", pol, method=method, detail=detail, actor=actor,
                                    auth_via="basic" if actor else None, context_action=method in ("GET", "POST")))
            for actor in (None, ALICE):
                pol = policy(["basic"], ["IsAuthenticated"], view=dict(view_perms, httpMethodNames=names))
                out.append(spec("edge:http-method-names", pol, method=method, detail=True, action="publish",
                                actor=actor, auth_via="basic" if actor else None))
    return out


# =============================================================================================
# Raw credentials and header forms (helper rawhunt): the Authorization header's whitespace,
# keywords and base64 forms for every credential class; JWTs written by hand (claim types,
# duplicate keys, non-ASCII, odd base64 on the wire); header names WSGI and ASGI map differently.
# =============================================================================================
def _b64_text(text, encoding="utf-8", alphabet="std", pad=True):
    import base64
    raw = text.encode(encoding)
    out = base64.urlsafe_b64encode(raw) if alphabet == "url" else base64.b64encode(raw)
    out = out.decode("ascii")
    return out if pad else out.rstrip("=")


def rawhunt_cases():
    from .rawjwt import template
    out = []

    def edge(rule, *specs):
        for s in specs:
            s["source"] = f"edge:{rule}"
            out.append(s)

    # --- Authorization forms, per credential class -------------------------------------------
    # alice's password is "pw-alice"; "[[b64:...]]" is standard base64 of the UTF-8 text.
    good = _b64_text("alice:pw-alice")
    forms = {
        "token": ["Token {token}", "Token\t{token}", "Token  {token}", " Token {token}", "Token {token} ",
                  "Token {token}\t", "Token\x0b{token}", "Token\x0c{token}", "Token\x1c{token}",
                  "Token\xa0{token}", "Token\x85{token}", "Token", "Token ", "Token {token} x", "Tokens {token}",
                  "Token {token}\xe9", "Token \xe9", "Token {token},{token}", "Token {token}, Token {token}",
                  "Token ,", "Token \x00", "Token {token}\r", "TOKEN {token}", "Token=",
                  "Token \"{token}\"", "Token {token}="],
        "basic": ["Basic " + good, "Basic\t" + good, "Basic  " + good, "basic " + good, " Basic " + good,
                  "Basic " + good + " ", "Basic\xa0" + good, "Basic " + good.rstrip("="),
                  "Basic " + _b64_text("alice:pw-alice", alphabet="url"),
                  "Basic " + good[:4] + " " + good[4:], "Basic " + good[:4] + "\n" + good[4:],
                  "Basic " + good + "==", "Basic " + good + "!", "Basic !" + good, "Basic " + good + "YQ==",
                  "Basic " + _b64_text("alice"), "Basic " + _b64_text(":pw-alice"), "Basic " + _b64_text("alice:"),
                  "Basic " + _b64_text("alice:pw-alice:extra"), "Basic " + _b64_text("alice:pw-alice\n"),
                  "Basic " + _b64_text(" alice:pw-alice"), "Basic " + _b64_text("ALICE:pw-alice"),
                  "Basic " + _b64_text("al\u00efce:pw-alice"), "Basic " + _b64_text("alice:p\u00e9", "latin-1"),
                  "Basic " + _b64_text("alice:p\u00e9", "utf-8"), "Basic " + _b64_text("alice:\u2603"),
                  "Basic =", "Basic ====", "Basic a", "Basic ab", "Basic abc", "Basic abcd", "Basic", "Basic ",
                  "Basic \xe9", "Basic " + good + "\xe9", "Basic " + good.replace("=", "%3D")],
        "jwt": ["Bearer {jwt}", "Bearer\t{jwt}", "Bearer  {jwt}", " Bearer {jwt}", "Bearer {jwt} ", "bearer {jwt}",
                "Bearer\xa0{jwt}", "Bearer", "Bearer ", "Bearer {jwt} x", "Bearer {jwt}\xe9", "Bearer \xe9",
                "JWT {jwt}", "Bearer {jwt},", "Bearer {jwt}.", "Bearer .{jwt}", "Bearer a.b", "Bearer ..",
                "Bearer a.b.c.d", "Bearer {jwt}\x1c", "Bearer \x00"],
    }
    for kind, headers in forms.items():
        for auth in ([kind], [kind, "basic" if kind != "basic" else "token"]):
            for perms in (["IsAuthenticated"], ["AllowAny"]) if len(auth) == 1 else (["IsAuthenticated"],):
                for h in headers:
                    edge("authorization-forms", spec("", policy(auth, perms), actor=ALICE, raw=raw_auth(h)))
    # A custom token keyword with odd characters; Basic realms with quotes.
    for keyword, header in (("Api-Key", "Api-Key {token}"), ("Api-Key", "api-key {token}"),
                            ("K\u00e9y", "K\u00e9y {token}"), ("K\u00e9y", "k\u00c9y {token}"),
                            ("Token", "Token\u00a0{token}")):
        edge("authorization-forms", spec("", policy(["token"], ["IsAuthenticated"], settings={"token": {"keyword": keyword}}),
                                         actor=ALICE, raw=raw_auth(header)))

    # --- JWTs written by hand ----------------------------------------------------------------
    base = '"token_type":"access","exp":$EXP,"iat":$NOW,"jti":"$JTI"'
    def p(uid='"$UID"', extra="", head=base):
        return "{" + head + ',"user_id":' + uid + (("," + extra) if extra else "") + "}"
    payloads = [
        p(), p("$UID"), p("$UID.5"), p("$UID.0"), p("1$UID"), p('"0$UID"'), p('"+$UID"'), p('"1_01"'),
        p('"$UID_"'), p('"\\u0031\\u0030\\u0031"'), p('"\u0661\u0660\u0661"'), p('"\uff11\uff10\uff11"'),
        p('"$UID\\n"'), p('"\\t$UID"'), p('"$UID\\u00a0"'), p('"$UID.0"'), p("1.01e2"), p("101e0"),
        p("false"), p("null"), p('""'), p("[$UID]"), p('{"id":$UID}'), p("-0"), p("-0.0"), p("1e400"),
        '{"user_id":"999",' + base + ',"user_id":"$UID"}', '{"user_id":"$UID",' + base + ',"user_id":"999"}',
        '{"token_type":"refresh",' + base + ',"user_id":"$UID"}', '{' + base + ',"token_type":"refresh","user_id":"$UID"}',
        p(head=base.replace('"access"', '"ACCESS"')), p(head=base.replace('"access"', '"access "')),
        p(head=base.replace('"access"', '"\\u0061ccess"')), p(head=base.replace('"access"', "1")),
        p(head=base.replace('"access"', "null")), p(head=base.replace('"access"', '["access"]')),
        p(head=base.replace("$EXP", "$EXP.5")), p(head=base.replace("$EXP", '"$EXP"')),
        p(head=base.replace("$EXP", "true")), p(head=base.replace("$EXP", "1e20")),
        p(head=base.replace("$EXP", "-1")), p(head=base.replace("$EXP", "null")),
        p(head=base.replace("$EXP", "$NOW.0")), p(head=base.replace("$EXP", "1e3")),
        p(head=base.replace("$EXP", '"abc"')), p(head=base.replace("$EXP", "[1]")),
        p(head=base.replace("$EXP", "99999999999999999999")), p(head=base.replace("$EXP", "253402300800")),
        p(head=base.replace("$EXP", "NaN")), p(head=base.replace("$EXP", "Infinity")),
        p(extra='"nbf":"$NOW"'), p(extra='"nbf":$NOW.5'), p(extra='"nbf":true'), p(extra='"nbf":"x"'),
        p(extra='"nbf":null'), p(extra='"nbf":1e20'), p(extra='"nbf":"\u0661\u0667\u0660\u0660\u0660\u0660\u0660\u0660\u0660\u0660"'),
        p(extra='"nbf":" $NOW "'), p(extra='"nbf":"1_700_000_000"'), p(extra='"nbf":"\uff11\uff17\uff10\uff10\uff10\uff10\uff10\uff10\uff10\uff10"'),
        p(head=base.replace('"iat":$NOW', '"iat":"\u0661\u0667\u0660\u0660\u0660\u0660\u0660\u0660\u0660\u0660"')),
        p(head=base.replace('"iat":$NOW', '"iat":"\u0669\u0669\u0669\u0669\u0669\u0669\u0669\u0669\u0669\u0669"')),
        p(head=base.replace('"iat":$NOW', '"iat":"x"')), p(head=base.replace('"iat":$NOW', '"iat":null')),
        p(head=base.replace('"iat":$NOW', '"iat":1e20')), p(head=base.replace('"iat":$NOW', '"iat":$NOW.5')),
        p(head=base.replace('"iat":$NOW', '"iat":true')), p(head=base.replace('"jti":"$JTI"', '"jti":7')),
        p(head=base.replace('"jti":"$JTI"', '"jti":null')), p(head=base.replace('"jti":"$JTI"', '"jti":""')),
        p(extra='"aud":1'), p(extra='"aud":null'), p(extra='"iss":1'), p(extra='"sub":1'),
        p(extra='"name":"\u00e9\u2603\U0001f600"'), p(extra='"name":"\\ud800"'), p(extra='"n":1e999'),
        " " + p() + " ", "\ufeff" + p(), p() + "x", "[" + p() + "]", '"x"', "null", "{}",
        p().replace(",", ", "), p().replace(":", " : "),
    ]
    headers = [None, '{"alg":"HS256"}', '{"typ":"JWT","alg":"HS256"}', '{"alg":"HS256","typ":"XYZ"}',
               '{"alg":"hs256","typ":"JWT"}', '{"alg":"HS256","kid":"k1"}', '{"alg":"HS256","kid":1}',
               '{"alg":"none","alg":"HS256"}', '{"alg":"HS256","alg":"none"}', '{"alg":"HS256","crit":["exp"]}',
               '{"alg":"HS256","b64":false}', '{"alg":"HS256","jku":"https://evil.example.com"}', "[]", "{}",
               '{"alg":"HS256","typ":"JWT","x":"\u00e9"}', '{"alg":"HS256"} ', '{"alg":null}', '{"alg":1}']
    mangles = [("pad",), ("overpad",), ("stdalphabet",), ("sigjunk",), ("sigdot",), ("sigtrunc",), ("sigextra",),
               ("emptysig",), ("payloadjunk",), ("pad", "stdalphabet")]
    for auth in (["jwt"], ["jwtStateless"]):
        pol = policy(auth, ["IsAuthenticated"])
        for text in payloads:
            edge("jwt-forms", spec("", pol, actor=ALICE, raw=raw_auth("Bearer {jwt:%s}" % template(text))))
        if auth == ["jwtStateless"]:
            continue  # the same decoding as ["jwt"]: only the payloads above differ
        for h in headers:
            edge("jwt-forms", spec("", pol, actor=ALICE, raw=raw_auth("Bearer {jwt:%s}" % template(p(), header=h))))
        for m in mangles:
            edge("jwt-forms", spec("", pol, actor=ALICE, raw=raw_auth("Bearer {jwt:%s}" % template(p(), mangle=m))))
        for sign, h in (("none", '{"alg":"none","typ":"JWT"}'), ("none", None), ("HS512", '{"alg":"HS512"}'),
                        ("HS384", None)):
            edge("jwt-forms", spec("", pol, actor=ALICE,
                                   raw=raw_auth("Bearer {jwt:%s}" % template(p(), header=h, sign=sign))))
    # Audience and issuer settings with claims of odd types.
    for extra, claims in (({"audience": "drf-gate"}, ['"aud":["drf-gate",1]', '"aud":[]', '"aud":"DRF-GATE"',
                                                      '"aud":{"drf-gate":1}', '"aud":null', '"aud":["drf-gate","drf-gate"]',
                                                      '"aud":" drf-gate"', '"aud":1']),
                          ({"issuer": "https://issuer.example.com"}, ['"iss":1', '"iss":null', '"iss":["https://issuer.example.com"]',
                                                                      '"iss":"https://issuer.example.com/"', '"iss":""']),
                          ({"leeway": 1.5}, ['"nbf":$NOW.9', '"nbf":"$NOW"']),
                          ({"audience": ["drf-gate", "other"]}, ['"aud":["other"]', '"aud":"x"', '"aud":[1,"other"]'])):
        pol = policy(["jwt"], ["IsAuthenticated"], settings={"jwt": extra})
        for c in claims:
            edge("jwt-forms", spec("", pol, actor=ALICE, raw=raw_auth("Bearer {jwt:%s}" % template(p(extra=c)))))
    # true as a user id is 1 (alice's tokens leave it out: the oracle's pk 1 is guardian's
    # AnonymousUser, which the identities do not list): here the actor's pk is 1.
    one = U(1, "one")
    for uid in ("true", "1.9", '"1"', "1", '"\u0661"'):
        for auth in (["jwt"], ["jwtStateless"]):
            edge("jwt-forms", spec("", policy(auth, ["IsAuthenticated"]), actor=one,
                                   raw=raw_auth("Bearer {jwt:%s}" % template(p(uid)))))

    # --- Header names WSGI servers drop and ASGI servers keep ('_' for '-') -------------------
    sess = policy(["session"], ["IsAuthenticated"])
    for name in ("X-CSRFToken", "X_CSRFToken", "x_csrftoken", "X-CSRFTOKEN"):
        edge("header-names", spec("", sess, method="POST", actor=ALICE,
                                  raw={"login": True, "cookies": {"csrftoken": "{csrf}"}, "headers": {name: "{csrf}"}}))
    ruh = policy(["remoteUser"], ["IsAuthenticated"], settings={"remoteUser": {"header": "HTTP_X_REMOTE_USER"}})
    for name in ("X-Remote-User", "X_Remote_User", "x-remote_user"):
        edge("header-names", spec("", ruh, actor=ALICE, raw={"headers": {name: "{username}"}}))
    for name in ("X-Test-User", "X_Test_User", "x-test_user"):
        for auth in (["HeaderAuth401"], ["HeaderAuth403", "basic"]):
            edge("header-names", spec("", policy(auth, ["IsAuthenticated"], auth_classes=CUSTOM_AUTH), actor=ALICE,
                                      raw={"headers": {name: "HeaderAuth401 {uid}" if auth[0] == "HeaderAuth401"
                                                       else "HeaderAuth403 {uid}"}}))
    for h in ({"Authorization": "Token {token}", "X_Auth": "x"}, {"AUTHORIZATION": "Token {token}"},
              {"authorization": "Token {token}"}):
        edge("header-names", spec("", policy(["token"], ["IsAuthenticated"]), actor=ALICE, raw={"headers": h}))
    jwt_named = policy(["jwt"], ["IsAuthenticated"], settings={"jwt": {"authHeaderName": "HTTP_X_JWT"}})
    for name in ("X-Jwt", "X_Jwt", "Authorization"):
        edge("header-names", spec("", jwt_named, actor=ALICE, raw={"headers": {name: "Bearer {jwt}"}}))
    return out


def rawhunt_csrf_cases():
    """CSRF for session authentication (helper rawhunt): token and cookie lengths and characters,
    Origin and Referer over HTTP and HTTPS."""
    out = []

    def edge(rule, *specs):
        for s in specs:
            s["source"] = f"edge:{rule}"
            out.append(s)

    sess = policy(["session"], ["IsAuthenticated"])
    good = {"csrftoken": "{csrf}"}
    # The token header's forms (the cookie is the harness's secret).
    for token in ("{csrf}", "{csrfmasked}", " {csrf}", "{csrf} ", "{csrf}\t", "x" * 31, "{csrf}a", "x" * 63, "{csrfmasked}a",
                  "-" * 32, "\u00e9" * 32, "\u00e9" * 64, "", " ", "{csrf}{csrf}", "A" * 32, "a" * 64, "{csrf},{csrf}",
                  "%41" * 32):
        edge("csrf-forms", spec("", sess, method="POST", actor=ALICE,
                                raw={"login": True, "cookies": dict(good), "headers": {"X-CSRFToken": token}}))
    # The cookie's forms (the header carries the harness's secret).
    for cookie in ("{csrfmasked}", "x" * 31, "{csrf}!", "", "\u00e9" * 32, "{csrf} ", '"{csrf}"', "{csrfmasked}x"):
        edge("csrf-forms", spec("", sess, method="POST", actor=ALICE,
                                raw={"login": True, "cookies": {"csrftoken": cookie}, "headers": {"X-CSRFToken": "{csrf}"}}))
    # The token in a form body, under Content-Type forms Django's parse_header_parameters reads.
    form = "application/x-www-form-urlencoded"
    for ctype in ("\x1c" + form, form + "\x1f", " " + form.upper() + " ; charset=utf-8", form + ';charset="utf-8"',
                  form + "; charset=\x1cutf-8", form + ";;", "multipart/form-data; boundary=\"XyZ\"",
                  "multipart/form-data; boundary=XyZ\x1c"):
        body = ("csrfmiddlewaretoken={csrf}" if ctype.lower().strip(" \x1c\x1f").startswith("application")
                else '--XyZ\r\nContent-Disposition: form-data; name="csrfmiddlewaretoken"\r\n\r\n{csrf}\r\n--XyZ--\r\n')
        edge("csrf-forms", spec("", sess, method="POST", actor=ALICE,
                                raw={"login": True, "cookies": dict(good), "body": body, "contentType": ctype}))
    # Origin and Referer, over HTTPS (Referer checked when there is no Origin) and HTTP.
    hdr = {"X-CSRFToken": "{csrf}"}
    # (An empty Origin is left out: the edge leaves it to the origin on purpose, csrf.rs.)
    secure_checks = [{}, {"Origin": "https://testserver"}, {"Origin": "https://TESTSERVER"},
                     {"Origin": "https://testserver:443"}, {"Origin": "https://testserver/"},
                     {"Origin": "https://testserver."}, {"Origin": "http://testserver"}, {"Origin": "https://evil.com"},
                     {"Origin": "null"}, {"Origin": "https://testserver, https://evil.com"},
                     {"Origin": "https://testserver:8443"}, {"Origin": "https://t\u00e9stserver"},
                     {"Referer": "https://testserver/x"}, {"Referer": "http://testserver/x"},
                     {"Referer": "https://testserver:8443/"}, {"Referer": "https://testserver:443/"},
                     {"Referer": "https://evil.com/"}, {"Referer": "not a url"}, {"Referer": "https:///x"},
                     {"Referer": "https://[::1]/"}, {"Referer": "//testserver/"}, {"Referer": "https://user@testserver/"},
                     {"Referer": "HTTPS://TESTSERVER/"}, {"Referer": ""}, {"Referer": "https://testserver"},
                     {"Referer": "https://testserver.:443/"}, {"Referer": "https://[bad/"},
                     {"Referer": "https://testserver/\u00e9"},
                     {"Origin": "https://evil.com", "Referer": "https://testserver/"}]
    for extra in secure_checks:
        edge("csrf-forms", spec("", sess, method="POST", actor=ALICE,
                                raw={"login": True, "cookies": dict(good), "secure": True, "headers": dict(hdr, **extra)}))
    for extra in ({"Origin": "http://testserver"}, {"Origin": "http://testserver:80"}, {"Origin": "http://TestServer"},
                  {"Origin": "https://testserver"}, {"Origin": "http://testserver:8000"}, {"Referer": "http://evil.com/"},
                  {"Origin": "http://evil.com"}, {"Origin": "null"}):
        edge("csrf-forms", spec("", sess, method="POST", actor=ALICE,
                                raw={"login": True, "cookies": dict(good), "headers": dict(hdr, **extra)}))
    # The Cookie header as sent (no cookie map): Django's parse_cookie and http.cookies unquoting.
    for cookie in ("sessionid=<<sid>>; csrftoken={csrf}", "sessionid=<<sid>>;csrftoken={csrf}",
                   'sessionid="<<sid>>"; csrftoken={csrf}', "sessionid=<<sid>>, csrftoken={csrf}",
                   "csrftoken={csrf}; sessionid=<<sid>>; sessionid=bogus", "sessionid=bogus; sessionid=<<sid>>; csrftoken={csrf}",
                   " sessionid = <<sid>> ; csrftoken = {csrf} ", 'sessionid=<<sid>>; csrftoken="{csrf}"',
                   "SESSIONID=<<sid>>; csrftoken={csrf}", 'sessionid=<<sid>>; csrftoken="\\101bCdEfGhIjKlMnOpQrStUvWxYz012345"',
                   'sessionid=<<sid>>; csrftoken="\\AbCdEfGhIjKlMnOpQrStUvWxYz012345"',
                   "sessionid=<<sid>>; csrftoken={csrf}; =x; novalue", "sessionid=<<sid>>;;; csrftoken={csrf}",
                   "sessionid=<<sid>>\t; csrftoken={csrf}", "sessionid=<<sid>>; csrftoken={csrf}\xa0",
                   "sessionid=<<sid>>\x1c; csrftoken={csrf}", "sessionid=<<sid>>; csrftoken={csrf}=",
                   "sessionid=<<sid>>; csrftoken", "sessionid=<<sid>>; csrftoken=", 'sessionid="<<sid>>; csrftoken={csrf}',
                   "sessionid=<<sid>>; csrftoken={csrfmasked}", "sessionid=<<sid>> x; csrftoken={csrf}", "",
                   # UTF-8 bytes as latin-1 characters (what a WSGI server hands Django): Django decodes
                   # the Cookie header as UTF-8 with errors="replace" (get_str_from_wsgi).
                   "sessionid=<<sid>>; csrftoken={csrf}\xc3\xa9", "sessionid=<<sid>>; csrftoken={csrf}\xa0\xa0",
                   "sessionid=<<sid>>; \xc3\xa9=1; csrftoken={csrf}", "sessionid=<<sid>>; csrftoken=\xe2\x80\x83{csrf}"):
        for meth in ("GET", "POST"):
            edge("cookie-forms", spec("", sess, method=meth, actor=ALICE,
                                      raw={"login": True, "cookieHeader": cookie, "headers": dict(hdr)}))
    # REMOTE_USER (RemoteUserBackend: no user created) in META and in a header, odd values.
    ru_meta = policy(["remoteUser"], ["IsAuthenticated"])
    ru_header = policy(["remoteUser", "basic"], ["IsAuthenticated"], settings={"remoteUser": {"header": "HTTP_X_REMOTE_USER"}})
    for value in ("{username}", "", " {username}", "{username} ", "ALICE", "al\u00efce", "{username}\x00", "{username},{username}"):
        edge("remote-user-forms", spec("", ru_meta, actor=ALICE, raw={"meta": {"REMOTE_USER": value}}),
             spec("", ru_header, actor=ALICE, raw={"headers": {"X-Remote-User": value}}))
    return out


def hunt_cases():
    """Request forms no other family varies (helper hunt): lower- and mixed-case methods (WSGI
    upper-cases REQUEST_METHOD), and the Host header the CSRF Origin/Referer checks compare with."""
    out = []

    def edge(rule, *specs):
        for s in specs:
            s["source"] = f"edge:{rule}"
            out.append(s)

    good = {"csrftoken": "{csrf}"}
    hdr = {"X-CSRFToken": "{csrf}"}
    sess = policy(["session"], ["IsAuthenticated"])
    dmp = policy(["basic"], ["DjangoModelPermissions"])
    basic = policy(["basic"], ["IsAuthenticated"], view={"actions": ["list", "retrieve", "create", "destroy"]})
    for meth in ("get", "post", "Post", "delete", "patch", "head", "options", "trace", "foo", "Foo"):
        for detail in (False, True):
            edge("method-case",
                 spec("", basic, method=meth, detail=detail, raw={"headers": {}}),
                 spec("", basic, method=meth, detail=detail, actor=ALICE,
                      raw=raw_auth("Basic [[b64:{username}:{password}]]")),
                 spec("", dmp, method=meth, detail=detail, actor=ALICE,
                      raw=raw_auth("Basic [[b64:{username}:{password}]]")))
        edge("method-case",
             spec("", sess, method=meth, actor=ALICE, raw={"login": True}),
             spec("", sess, method=meth, actor=ALICE, raw={"login": True, "cookies": dict(good), "headers": dict(hdr)}))
    for host, extra, secure in (
            ("testserver:80", {"Origin": "http://testserver:80"}, False),
            ("testserver:80", {"Origin": "http://testserver"}, False),
            ("testserver:8000", {"Origin": "http://testserver:8000"}, False),
            ("testserver:8000", {"Origin": "http://testserver"}, False),
            ("TESTSERVER", {"Origin": "http://TESTSERVER"}, False),
            ("TESTSERVER", {"Origin": "http://testserver"}, False),
            ("testserver.", {"Origin": "http://testserver."}, False),
            ("testserver:443", {"Referer": "https://testserver/x"}, True),
            ("testserver:443", {"Referer": "https://testserver:443/x"}, True),
            ("testserver:8443", {"Referer": "https://testserver:8443/x"}, True),
            ("TestServer", {"Referer": "https://testserver/x"}, True),
            ("testserver", {"Referer": "https://TESTSERVER/x"}, True),
            ("testserver:8443", {"Origin": "https://testserver:8443"}, True)):
        edge("host-forms", spec("", sess, method="POST", actor=ALICE,
                                raw={"login": True, "cookies": dict(good), "secure": secure,
                                     "headers": dict(hdr, Host=host, **extra)}))
    return out


def rcov_cases():
    """Inputs that reach the core's regions no other family reaches (helper rcov, measured with
    conformance/coverage.sh): `SERVER_PORT` against `CSRF_COOKIE_DOMAIN` (the test client's is
    80, 443 when secure, whatever the Host header says), IPv6 and malformed `Host` headers
    (`split_domain_port`), and messages whose floats and control characters Python renders in
    its own way."""
    out = []

    def edge(rule, *specs):
        for s in specs:
            s["source"] = f"edge:{rule}"
            out.append(s)

    good = {"csrftoken": "{csrf}"}
    hdr = {"X-CSRFToken": "{csrf}"}
    # _check_referer with a cookie domain: good_referer gets ":<SERVER_PORT>" unless it is 80/443.
    for domain in ("testserver", ".testserver"):
        for host, referer in (("testserver:8443", "https://testserver:8443/x"), ("testserver:8443", "https://testserver/x"),
                              ("testserver:443", "https://testserver/x"), ("testserver", "https://testserver:8443/x"),
                              ("testserver:80", "https://testserver/x")):
            for key in ("csrf", "session"):
                settings = {"csrf": {"cookieDomain": domain}} if key == "csrf" else {
                    "csrf": {"useSessions": True}, "session": {"cookieDomain": domain}}
                pol = policy(["session"], ["IsAuthenticated"], settings=settings)
                raw = {"login": True, "secure": True, "headers": dict(hdr, Host=host, Referer=referer)}
                if key == "csrf":
                    raw["cookies"] = dict(good)
                else:
                    raw["sessionCsrf"] = True
                edge("server-port", spec("", pol, method="POST", actor=ALICE, raw=raw))
                # The server's own SERVER_PORT (a raw request's `port`): good_referer gets it.
                edge("server-port", spec("", pol, method="POST", actor=ALICE,
                                         raw=dict(raw, meta={"SERVER_PORT": host.partition(":")[2] or "8000"})))
    # Host forms split_domain_port reads: IPv6 literals (ALLOWED_HOSTS names them), ports, a
    # trailing dot. A host ALLOWED_HOSTS refuses is CommonMiddleware's 400 page here (the oracle's
    # stack has it; the middleware family covers that).
    v6 = policy(["session"], ["IsAuthenticated"], settings={"csrf": {"allowedHosts": [
        "testserver", "[::1]", "[2001:db8::1]", "[::ffff:127.0.0.1]", ".example.com"]}})
    for host, origin in (("[::1]", "http://[::1]"), ("[::1]:8000", "http://[::1]:8000"), ("[::1]:8000", "http://[::1]"),
                         ("[::1]", "http://[::2]"), ("[2001:DB8::1]", "http://[2001:DB8::1]"),
                         ("[2001:DB8::1]", "http://[2001:db8::1]"), ("[::ffff:127.0.0.1]", "http://[::ffff:127.0.0.1]"),
                         ("[::FFFF:127.0.0.1]:443", "http://[::ffff:127.0.0.1]:443"),
                         ("www.example.com.", "http://www.example.com."), ("WWW.Example.com.:8000", "http://www.example.com:8000")):
        for secure, extra in ((False, {"Origin": origin}), (True, {"Referer": origin.replace("http:", "https:") + "/x"})):
            edge("host-split", spec("", v6, method="POST", actor=ALICE,
                                    raw={"login": True, "cookies": dict(good), "secure": secure,
                                         "headers": dict(hdr, Host=host, **extra)}))
    # Hosts get_host() refuses (split_domain_port's malformed forms, ALLOWED_HOSTS' misses) or
    # takes in odd forms, with CommonMiddleware left out so DRF's CSRF check meets them (its
    # Origin and Referer checks read get_host(); a refused one matches no good origin).
    for host in ("[::1", "[g::1]", "[:]", "[::1]x", "[::1]:", "x:", "x:8a", "a_b", ":80", "testserver:8000:80",
                 "a..b", "a..example.com", "testserver..", ".testserver", "TESTSERVER.", "testserver:99999",
                 "testserver:080", "[::1]:99999", "[::2]", "example.com", "", "-", "."):
        origin = "http://" + host
        for secure, extra in ((False, {"Origin": origin}), (True, {"Referer": origin.replace("http:", "https:") + "/x"})):
            s = spec("", v6, method="POST", actor=ALICE, raw={"login": True, "cookies": dict(good), "secure": secure,
                                                              "headers": dict(hdr, Host=host, **extra)})
            s["withoutCommonMiddleware"] = True
            edge("host-refused", s)
    # Floats repr() writes in its own forms, and the control characters json.dumps escapes by name.
    floats = [2.0, 100.0, 1e15, 1e16, 1e22, 1e-05, 0.0001, 0.00123, -1.25e-07, 123456.789, 1658206780088562.2,
              5e-324, 1.7976931348623157e308, -2.5, 0.5, 1e-7, 12345678901234567890.0]
    for m in ({"f": floats}, ["\r\b\f\x0b\x7f", {"k\r": "v\b"}], "cr\rbs\bff\f"):
        cls = {"M": {"hasPermission": "False", "message": m}}
        edge("message-forms", spec("", policy(["basic"], ["M"], cls), actor=ALICE, auth_via="basic"))
    # The same messages and empty containers indented (`Accept: ...; indent=N`).
    for m in ([], {}, {"a": [], "b": {}, "c": ["x", {}]}, {"f": [2.0, 1e-05]}):
        cls = {"M": {"hasPermission": "False", "message": m}}
        for accept in ("application/json; indent=4", "application/json; indent=0", "*/*; indent=1"):
            edge("message-forms", spec("", policy(["basic"], ["M"], cls), actor=ALICE, raw={"headers": {
                "Authorization": "Basic [[b64:{username}:{password}]]", "Accept": accept}}))
    # DjangoObjectPermissions without GET in perms_map: a user without the object permission
    # is asked for the read permissions, and `GET` itself is then the 405.
    add, change, delete = ("testapp.add_widget", "testapp.change_widget", "testapp.delete_widget")
    no_get = {"NoGetObject": {"base": "DjangoObjectPermissions", "permsMap": {
        "HEAD": [], "OPTIONS": [], "POST": ["%(app_label)s.add_%(model_name)s"],
        "PUT": ["%(app_label)s.change_%(model_name)s"], "PATCH": ["%(app_label)s.change_%(model_name)s"],
        "DELETE": ["%(app_label)s.delete_%(model_name)s"]}}}
    for meth in ("GET", "HEAD", "PUT", "PATCH", "DELETE", "OPTIONS"):
        for actor in (U(101, "alice", perms=[add, change, delete]),
                      U(101, "alice", perms=[add, change, delete], objPerms=[delete])):
            edge("object-read-check", spec("", policy(["basic"], ["NoGetObject"], no_get), method=meth, detail=True,
                                           actor=actor, auth_via="basic"))
    # A form body past DATA_UPLOAD_MAX_NUMBER_FIELDS read by the CSRF check: Django's 400 page.
    sess = policy(["session"], ["IsAuthenticated"])
    for fields in (999, 1001):
        body = "&".join(f"f{i}=1" for i in range(fields)) + "&csrfmiddlewaretoken={csrf}"
        s = spec("", sess, method="POST", actor=ALICE, raw={"login": True, "cookies": dict(good), "body": body,
                                                            "contentType": "application/x-www-form-urlencoded"})
        s["originAnswers"] = True
        edge("csrf-body-fields", s)
    # HS256 keys of a block (64 bytes) and longer: HMAC hashes a longer key first (hs256.rs's
    # own HMAC); the harness's SECRET_KEY is 57 bytes.
    for key in (SECRET_KEY + "x" * 7, SECRET_KEY + "x" * 8, "k" * 100, "\u00e9" * 40):
        pol = policy(["jwt"], ["IsAuthenticated"], settings={"jwt": {"signingKey": key, "algorithm": "HS256"}})
        for v in ("valid", "badsig", "expired", "refresh"):
            edge("jwt-key-length", spec("", pol, actor=ALICE, raw=raw_auth("Bearer {jwt:%s}" % v)))
    # Methods Python's str.upper() changes beyond ASCII (WSGI's REQUEST_METHOD, Django upper-cases).
    basic = policy(["basic"], ["IsAuthenticated"], view={"actions": ["list", "retrieve", "create", "destroy"]})
    for meth in ("stra\u00dfe", "\u00b5get", "\u00ffes", "g\u00e9t"):
        edge("method-case", spec("", basic, method=meth, raw={"headers": {}}),
             spec("", basic, method=meth, actor=ALICE, raw=raw_auth("Basic [[b64:{username}:{password}]]")))
    # JWT claims with the escapes, numbers and errors json.loads reads apart (pyjson.rs).
    from .rawjwt import template
    base = '"exp":$EXP,"iat":$NOW,"jti":"$JTI","user_id":"$UID"'
    texts = ['{"token_type":"\\u0061ccess",' + base + '}', '{"token_type":"acc\\/ess",' + base + '}',
             '{"token_type":"access",' + base + ',"n":"\\b\\f\\r\\n\\t\\/\\"\\\\"}',
             '{"token_type":"access",' + base + ',"n":"\\ud83d\\ude00"}',
             '{"token_type":"access",' + base + ',"n":"\\ud800\\u0041"}',
             '{"token_type":"access",' + base + ',"n":"\\ud800\\ud800"}',
             '{"token_type":"access",' + base + ',"n":"\\x"}', '{"token_type":"access",' + base + ',"n":"\\u12"}',
             '{"token_type":"access",' + base + ',"n":"a\tb"}', '{"token_type":"access",' + base + ',"n" 1}',
             '{"token_type":"access",' + base + ' "n":1}', '{"token_type":"access",' + base + ',"n":' + "7" * 4301 + '}',
             '{"token_type":"access",' + base + ',"n":' + "7" * 4300 + '}',
             '{"token_type":"access",' + base + ',"n":[1e5,1E+5,-0.0e-0,1.5e300,2e400]}',
             '{"token_type":"access",' + base + ',"n":[1,2,]}', '{"token_type":"access",' + base + ',"n":{"a":1,}}',
             '{"token_type":"access",' + base + '}\n\n\u0000']
    for auth in (["jwt"], ["jwtStateless"]):
        pol = policy(auth, ["IsAuthenticated"])
        for text in texts:
            edge("jwt-json-forms", spec("", pol, actor=ALICE, raw=raw_auth("Bearer {jwt:%s}" % template(text))))
    return out


def credhunt_cases():
    """Credentials no other family varies (helper hunt2): JWT headers and payloads in the other
    encodings `json.loads` of bytes detects (UTF-16/32, BOMs), Basic base64 with junk and
    padding inside, CSRF tokens of the right lengths with characters outside the alphabet."""
    from .rawjwt import template
    out = []

    def edge(rule, *specs):
        for s in specs:
            s["source"] = f"edge:{rule}"
            out.append(s)

    base = '"token_type":"access","exp":$EXP,"iat":$NOW,"jti":"$JTI","user_id":"$UID"'
    claims = "{" + base + "}"
    payloads = [
        (claims, enc) for enc in ("utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-le", "utf-32-be",
                                  "utf-8-sig", "latin-1")
    ] + [
        ("{" + base + ',"name":"\u00e9"}', "utf-16-le"), ("{" + base + ',"name":"\u00e9\u2603"}', "utf-32-be"),
        ("{" + base + ',"name":"\u00e9"}', "latin-1"), ("{" + base + ',"name":"\u00e9"}', "cp1252"),
        ("{" + base + ',"name":"\ud800"}', "utf-16-le"), ("{" + base + ',"name":"\ud800"}', "utf-8"),
        ("{" + base + ',"name":"\ud800"}', "utf-32-le"),
        ("\ufeff" + claims, "utf-16"), ("\ufeff" + claims, "utf-8-sig"), ("\ufeff" + claims, "utf-16-le"),
        ("{" + base + ',"user_id":$UID}', "utf-16-be"), (" " + claims, "utf-16-le"), ("\x00" + claims, "utf-8"),
        ("{}", "utf-16-le"), ("{}", "utf-16-be"), ("[]", "utf-16-le"), ("1", "utf-16-le"),
        # Truncated units, lone surrogates in either order, code points past U+10FFFF.
        (claims, "utf-16-le|-"), (claims, "utf-16-be|00"), (claims, "utf-32-le|-"), (claims, "utf-32-be|0000"),
        (claims, "utf-16-le|00d8"), (claims, "utf-16-le|00dc"), (claims, "utf-16-be|d800"), (claims, "utf-16-le|3dd8"),
        (claims, "utf-16-le|3dd800de"), (claims, "utf-16-le|00d800d8"), (claims, "utf-16-le|00dc00d8"),
        (claims, "utf-32-le|00d80000"), (claims, "utf-32-le|00001100"), (claims, "utf-32-be|00110000"),
        (claims, "utf-32-be|0010ffff"), (claims, "utf-16|2000"), (claims, "utf-32|20000000"),
        ("{" + base + ',"name":"\ud800\udc00"}', "utf-16-be"), ("{" + base + ',"name":"\udc00\ud800"}', "utf-16-le"),
        ("{" + base + ',"name":"\U0001f600"}', "utf-16-le"), ("{" + base + ',"name":"\udfff"}', "utf-32-be"),
        ("{" + base + ',"user_id":"\ud800"}', "utf-16-le"),
    ]
    # Nesting near CPython's recursion limit: whether json.loads raises depends on the server's
    # stack (the oracle's DRF parses 920 levels, fails at 940): in 500..999 the edge must forward.
    # (The depth counted is the whole document's: the claims object is one level.)
    deep = [("{" + base + ',"n":' + "[" * d + "]" * d + "}", d + 1) for d in (100, 498, 499, 850, 920, 940, 998, 999, 3000, 100000)]
    deep += [("{" + base + ',"n":' + '{"a":' * d + "1" + "}" * d + "}", d + 1) for d in (498, 930, 999, 100000)]
    for auth in (["jwt"], ["jwtStateless"]):
        pol = policy(auth, ["IsAuthenticated"])
        for text, enc in payloads:
            edge("jwt-encodings", spec("", pol, actor=ALICE,
                                       raw=raw_auth("Bearer {jwt:%s}" % template(text, encoding=enc))))
        for text, depth in deep:
            s = spec("", pol, actor=ALICE, raw=raw_auth("Bearer {jwt:%s}" % template(text)))
            if 500 <= depth < 1000:
                s["forwardReason"] = f"JSON nested {depth} deep: the server's stack decides"
            edge("jwt-nesting", s)
        for depth in (100, 700, 1000, 100000):
            s = spec("", pol, actor=ALICE, raw=raw_auth("Bearer {jwt:%s}" % template(
                claims, header='{"alg":"HS256","x":' + "[" * (depth - 1) + "]" * (depth - 1) + "}")))
            if 500 <= depth < 1000:
                s["forwardReason"] = f"JSON header nested {depth} deep: the server's stack decides"
            edge("jwt-nesting", s)
        for henc in ("utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-le", "utf-8-sig"):
            edge("jwt-encodings", spec("", pol, actor=ALICE,
                                       raw=raw_auth("Bearer {jwt:%s}" % template(claims, header_encoding=henc))))
    # Basic: base64 Python decodes without validate=True (junk and '=' inside are discarded).
    good = _b64_text("alice:pw-alice")
    for h in ("Basic " + good[:5] + "=" + good[5:], "Basic " + good[:4] + "*" + good[4:],
              "Basic " + good[:4] + "==" + good[4:], "Basic =" + good, "Basic " + good[:4] + "\x00" + good[4:],
              "Basic " + good[:4] + "-_" + good[4:], "Basic " + good[:-1] + "==", "Basic " + good[:-1] + "=*=",
              "Basic " + good.rstrip("=") + "=", "Basic " + good + "=" + good,
              "Basic " + _b64_text("al\x00ice:pw-alice"), "Basic " + _b64_text("alice\x00:pw-alice"),
              "Basic " + _b64_text("alice:pw-alice", "utf-16"), "Basic " + _b64_text("\ufeffalice:pw-alice"),
              "Basic " + _b64_text("alice\u0085:pw-alice")):
        for auth in (["basic"], ["basic", "token"]):
            edge("basic-forms", spec("", policy(auth, ["IsAuthenticated"]), actor=ALICE, raw=raw_auth(h)))
    # Separators bytes.split() does not split on (\x1f, \x7f, \x85, NBSP as UTF-8 bytes), NUL
    # and line ends around the credentials, and Token keys as UTF-8 read through latin-1.
    for auth, headers in ((["token"], ["Token {token}\xc3\xa9", "Token \xc3\xa9", "Token\xc2\xa0{token}",
                                       "Token {token}\x00", "Token\x7f{token}", "Token\x1f{token}", "\x00Token {token}",
                                       "Token\r{token}", "Token {token}\n", "Token " + "a" * 41]),
                          (["basic"], ["Basic " + good + "\x00", "Basic\x1f" + good, "Basic\r" + good,
                                       "Basic " + _b64_text("alice:pw-alice\x00"), "Basic " + good.lower(),
                                       "Basic " + _b64_text("alice:pw-alic\xe9", "latin-1")]),
                          (["jwt"], ["Bearer {jwt}\x00", "Bearer\x1f{jwt}", "Bearer\r{jwt}", "Bearer {jwt}\n",
                                     "Bearer\x0b{jwt}", "\tBearer {jwt}", "Bearer\x85{jwt}"])):
        for h in headers:
            edge("separator-forms", spec("", policy(auth, ["IsAuthenticated"]), actor=ALICE, raw=raw_auth(h)))
    # CSRF tokens of the lengths Django accepts, with characters outside its alphabet.
    sess = policy(["session"], ["IsAuthenticated"])
    for token in ("!" * 64, "A" * 63 + "!", "A" * 31 + "!", "A" * 31 + "\u00e9", "-" * 64, "_" * 64, "A" * 63 + "=",
                  "A" * 63 + " ", "A" * 31 + "\x00"):
        edge("csrf-alphabet", spec("", sess, method="POST", actor=ALICE,
                                   raw={"login": True, "cookies": {"csrftoken": "{csrf}"}, "headers": {"X-CSRFToken": token}}),
             spec("", sess, method="POST", actor=ALICE,
                  raw={"login": True, "cookies": {"csrftoken": token}, "headers": {"X-CSRFToken": "{csrf}"}}))
    # inf and nan claims (no JSON form) read by conditions on simplejwt's TokenUser.
    exact = {"IdNone": {"hasPermission": "request.user.id == None"}, "IdBig": {"hasPermission": "request.user.id > 5"},
             "OrgNone": {"hasPermission": "request.user.org == None"}}
    for perm in ("IdNone", "IdBig", "OrgNone", "IsAuthenticated"):
        for uid, extra in (("1e400", ""), ("-1e400", ""), ("NaN", ""), ('"$UID"', ',"org":1e400'), ('"$UID"', ',"org":NaN')):
            for auth in (["jwtStateless"], ["jwt"]) if perm == "IsAuthenticated" else (["jwtStateless"],):
                edge("jwt-nonfinite", spec("", policy(auth, [perm], exact), actor=ALICE, raw=raw_auth(
                    "Bearer {jwt:%s}" % template("{" + base + ',"user_id":' + uid + extra + "}"))))
    # Lone surrogates in a text user id (the database cannot encode them: the server's 500).
    named = policy(["jwt"], ["IsAuthenticated"], settings={"jwt": {"userIdField": "username"}})
    for uid in ('"\\ud800"', '"alice\\udc00"', '"\\ufffd"', '"alice\\u0000"'):
        edge("jwt-nonfinite", spec("", named, actor=ALICE, raw=raw_auth(
            "Bearer {jwt:%s}" % template("{" + base + ',"user_id":' + uid + "}"))))
    # Origin and Referer forms urlsplit and Django's host checks read (ports, userinfo, case,
    # backslashes, whitespace).
    for secure, extra in [(False, {"Origin": o}) for o in (
            " http://testserver", "http://testserver\t", "HTTP://testserver", "http://testserver:0080", "http://testserver:",
            "http://testserver#x", "http://user:pw@testserver", "http://testserver\\x", "http:testserver",
            "http://testserver:65536", "http://TESTSERVER:80")] + [(True, {"Referer": r}) for r in (
            "https://testserver:0443/", "https://testserver\t/", " https://testserver/", "https://TestServer./",
            "https://testserver:/", "https://testserver:65536/", "https://testserver:abc/", "https:/testserver/",
            "https://testserver\\@evil.com/", "https://evil.com\\@testserver/", "https://a@b@testserver/",
            "https://testserver%00/", "HtTpS://testserver/")]:
        edge("csrf-alphabet", spec("", sess, method="POST", actor=ALICE,
                                   raw={"login": True, "cookies": {"csrftoken": "{csrf}"}, "secure": secure,
                                        "headers": dict({"X-CSRFToken": "{csrf}"}, **extra)}))
    return out


def ctype_cases():
    """`Content-Type` parameters and multipart part headers as Django 5.2 reads them (helper
    hunt12): `parse_header_parameters` is `email.message`'s `get_params` (quoted `;`, `\"`
    escapes, `<...>`, RFC 2231 `name*=` and continuations, the last of a repeated name), an
    RFC 2231 charset `codecs.lookup` refuses is a `ValueError` while Django builds the request
    (the server's 500: forwarded), `MultiPartParser`'s boundary (`[ -~]{0,200}[!-~]`, an ASCII
    `Content-Type`), part header lines split at `\r\n` only, field names `bytes.strip()`ped, and
    names and values (multipart) and %-escapes (forms) decoded with the request's charset."""
    out = []
    sess = policy(["session"], ["IsAuthenticated"])
    good = {"csrftoken": "{csrf}"}
    hdr = {"X-CSRFToken": "{csrf}"}
    mp = "multipart/form-data"
    form = "application/x-www-form-urlencoded"
    disp = 'Content-Disposition: form-data; name="csrfmiddlewaretoken"'

    def part(boundary, headers, value="{csrf}"):
        return f"--{boundary}\r\n{headers}\r\n\r\n{value}\r\n--{boundary}--\r\n"

    def post(ctype, body, headers=None, pol=sess, method="POST", **kw):
        raw = {"login": True, "cookies": dict(good), "body": body, "contentType": ctype}
        if headers:
            raw["headers"] = dict(headers)
        out.append(spec("edge:content-type-params", pol, method=method, actor=ALICE, raw=raw, **kw))

    # The boundary as get_params reads it, against a body delimited by what Django reads.
    b201 = "B" * 200 + "z"
    for ctype, boundary in (
            (mp + '; boundary="a;b"', "a;b"), (mp + '; boundary="a;b"', '"a'), (mp + "; boundary=<XyZ>", "XyZ"),
            (mp + "; boundary=<XyZ>", "<XyZ>"), (mp + "; boundary*=utf-8''XyZ", "XyZ"),
            (mp + "; boundary*=utf-8''%58yZ", "XyZ"), (mp + "; boundary*0=Xy; boundary*1=Z", "XyZ"),
            (mp + "; boundary=AbC; boundary=XyZ", "XyZ"), (mp + "; boundary=AbC; boundary=XyZ", "AbC"),
            (mp + '; boundary="X\\"yZ"', 'X"yZ'), (mp + "; BOUNDARY=XyZ", "XyZ"), (mp + ";boundary = XyZ", "XyZ"),
            (mp + "; boundary=" + "b" * 71, "b" * 71), (mp + "; boundary=" + b201, b201),
            (mp + "; boundary=" + b201 + "z", b201 + "z"), (mp + '; boundary="XyZ "', "XyZ "),
            (mp + "; boundary=XyZ; x=\u00e9", "XyZ"), (mp + "; boundary=XyZ; charset*=bogus''x", "XyZ")):
        post(ctype, part(boundary, disp))
    # Part headers: RFC 2231 names and filenames, escapes, whitespace Django's bytes.strip()
    # keeps, lines joined by a bare \n, a base64 body, repeated names.
    for headers in (disp + "; filename*=utf-8''a.txt", "Content-Disposition: form-data; name*=utf-8''csrfmiddlewaretoken",
                    "Content-Disposition: form-data; name*0=csrfmiddle; name*1=waretoken",
                    'Content-Disposition: form-data; name="csrfmiddlewaretoken\u0085"',
                    'Content-Disposition: form-data; name="csrfmiddlewaretoken\u00a0"',
                    'Content-Disposition: form-data; name="\u00a0csrfmiddlewaretoken"',
                    'Content-Disposition: form-data; name="csrfmiddlewaretoken\x1f"',
                    'Content-Disposition: form-data; name=" csrfmiddlewaretoken\t"',
                    'Content-Disposition: form-data; name="csrfmiddleware\\token"',
                    'Content-Disposition: form-data; name="x;y"; name=csrfmiddlewaretoken',
                    "Content-Disposition: form-data; name=<csrfmiddlewaretoken>",
                    disp + "\nX-Other: 1", "Content-Type: text/plain\n" + disp, disp + '; filename=""',
                    disp + '; filename="\u00e9"', disp + "\rX: 1", "content-disposition: form-data; name=csrfmiddlewaretoken",
                    disp + "\r\nContent-Transfer-Encoding: BASE64"):
        value = "{csrf}"
        if "BASE64" in headers:
            import base64
            value = base64.b64encode(b"0" * 32).decode()
        post(mp + "; boundary=XyZ", part("XyZ", headers, value))
    # A type DRF's MultiPartParser selects that Django's refuses (case, a leading space); part
    # headers past 1024 bytes; a part header line get_params raises ValueError (skipped) or
    # TypeError (the server's 500) on.
    for ctype in ("Multipart/Form-Data; boundary=XyZ", " multipart/form-data; boundary=XyZ"):
        post(ctype, part("XyZ", disp))
    for headers in (disp + "\r\nX-Pad: " + "p" * 1100, disp + "; x*=bogus''y", disp + "; a*0=x; a*=y"):
        post(mp + "; boundary=XyZ", part("XyZ", headers))
    post(form, "csrfmiddlewaretoken=\u00e9" + "%41" * 31)
    # Files do not count against DATA_UPLOAD_MAX_NUMBER_FIELDS (fields and raw items do).
    many = "".join('--XyZ\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n' for _ in range(999))
    files = "".join('--XyZ\r\nContent-Disposition: form-data; name="f"; filename="f.txt"\r\n\r\nx\r\n' for _ in range(3))
    post(mp + "; boundary=XyZ", many + files + part("XyZ", disp))
    # ... a raw item does: 1001 of them and the preamble and epilogue are TooManyFieldsSent (Django's 400 page).
    post(mp + "; boundary=XyZ", many + "--XyZ\r\nX: 1\r\n\r\n\r\n" + part("XyZ", disp))
    out[-1]["originAnswers"] = True
    # Field values and names decoded with the request's charset (errors="replace").
    odd = "a" * 31 + "\u00e9"
    for charset in ("latin-1", "ascii", "utf-8", "cp1252", "koi8-r"):
        post(mp + "; boundary=XyZ; charset=" + charset, part("XyZ", disp, odd))
        post(mp + "; boundary=XyZ; charset=" + charset, part("XyZ", disp, "A" * 64))
        post(form + "; charset=" + charset, "csrfmiddlewaretoken=" + "a" * 31 + "%C3%A9")
        post(form + "; charset=" + charset, "csrfmiddlewaretoken=" + "a" * 31 + "\u00e9")
    for ctype in (form + '; x="; charset=latin-1"', form + "; charset=utf-8; charset=latin-1",
                  form + "; charset=latin-1; charset=utf-8", form + "; charset=<latin-1>", form + "; charset*=utf-8''latin-1"):
        post(ctype, "csrfmiddlewaretoken=" + "a" * 31 + "%C3%A9")
    # JSON bodies with the token in the header: the charset decides whether the body parses.
    for ctype in ("application/json; charset=utf-16; charset=utf-8", "application/json; charset=utf-8; charset=utf-16",
                  'application/json; x="; charset=utf-16"', "application/json; charset=<utf-16>",
                  "application/json; charset*=utf-8''utf-16", "application/json; charset*=bogus''utf-8",
                  "application/json; charset*0=utf; charset*1=-16", 'application/json; charset*=utf-8\'\'"utf-8"',
                  # DRF's max_media_type_length (256) counts characters, not UTF-8 bytes.
                  "application/json; x=" + "\u00e9" * 120, "application/json; x=" + "\u00e9" * 240):
        post(ctype, '{"a": 1}', hdr)
    # A Content-Type Django cannot build the request with: the server's 500 whatever the view
    # (the edge must forward), and one it can.
    for auth, perms in ((["basic"], ["IsAuthenticated"]), (["token"], ["AllowAny"])):
        pol = policy(auth, perms)
        for ctype in ("text/plain; charset*=bogus''x", "text/plain; a*0=x; a*=y", "text/plain; a*=utf-8''x"):
            for method in ("POST", "PUT"):
                out.append(spec("edge:content-type-params", pol, method=method, actor=ALICE,
                                raw={"body": "x", "contentType": ctype}))
    return out


def user_id_kind_cases():
    """simplejwt's `User.objects.get(**{USER_ID_FIELD: claim})` on a UUIDField, an integer pk and
    a CharField (`settings.jwt.userIdKind`, checked against the exporter's reading of the model):
    claims of every JSON shape, users found, missing and inactive. A claim the field cannot take
    is the server's 500 (the edge must forward); one it takes and matches nothing is a 401."""
    from .rawjwt import template
    out = []
    base = '"token_type":"access","exp":$EXP,"iat":$NOW,"jti":"$JTI","user_id":'
    ua, ub, uc = "12345678-1234-5678-9abc-def012345678", "0f0e0d0c-0b0a-0908-0706-050403020100", "00000000-0000-0000-0000-000000000001"
    alice = U(101, "alice", uuid=ua)
    others = {"bob": U(102, "bob", uuid=ub, is_active=False), "carol": U(103, "carol", uuid=uc)}
    hexa = ua.replace("-", "")
    uuid_claims = [
        # The forms uuid.UUID(hex=...) takes: case, braces, urn:/uuid: prefixes, no dashes, int()'s
        # sign, 0x prefix, underscores and any Unicode decimal digit; then near misses.
        f'"{ua}"', f'"{ua.upper()}"', f'"{hexa}"', f'"{{{ua}}}"', f'"urn:uuid:{ua}"', f'"uuid:{ua}"',
        f'"{{{{{hexa}}}}}"', f'"urn:{hexa}"', f'"{ua[:8]}{ua[8:].replace("-", "--")}"', f'"+{hexa[1:]}"',
        f'"0x{hexa[2:]}"', f'"0X{hexa[2:]}"', f'"{hexa[:4]}_{hexa[5:]}"', '"' + "\u0661" * 32 + '"',
        '"' + "\u0661" * 31 + "a" + '"', f'" {hexa[1:]}"', f'"{hexa} "', f'"{ua} "', f'"{hexa[:31]}"', f'"{hexa}0"',
        f'"{hexa[:31]}g"', '"abc"', '""', f'"{ub}"', f'"{uc}"', '"ffffffff-ffff-ffff-ffff-ffffffffffff"',
        f'"-{hexa[1:]}"', f'"0x_{hexa[3:]}"', f'"{hexa[:4]}__{hexa[6:]}"',
        # ints go to uuid.UUID(int=...): 0 <= n < 2**128; floats, lists and objects raise.
        "1", "0", "-1", "true", "false", "null", "1.0", "1.5", "[]", f'["{ua}"]', "{}", f'{{"hex":"{ua}"}}',
        "18446744073709551615", "9223372036854775813", str(int(hexa, 16)), str(2 ** 128), str(2 ** 128 - 1),
    ]
    int_claims = ["101", '"101"', '" 101 "', '"+101"', '"101.0"', "101.0", "101.5", '"abc"', "[101]", "null", "true",
                  '"\u0661\u0660\u0661"', '"1_01"', f'"{ua}"']
    text_claims = ['"alice"', '"bob"', '"Alice"', "101", "null", "true", "[]", '["alice"]', "{}", '"alice "', '""']
    for kind, field, claims in (("uuid", "uuid", uuid_claims), ("integer", "id", int_claims),
                                ("text", "username", text_claims)):
        for active_check in (True, False):
            jwt = {"userIdField": field, "userIdKind": kind}
            if not active_check:
                jwt["checkUserIsActive"] = False
            pol = policy(["jwt"], ["IsAuthenticated"], settings={"jwt": jwt})
            # Without CHECK_USER_IS_ACTIVE the inactive user bob is found and authenticated.
            for claim in claims if active_check else [{"uuid": f'"{ub}"', "integer": "102", "text": '"bob"'}[kind]]:
                s = spec("", pol, actor=alice, users=others, raw=raw_auth("Bearer {jwt:%s}" % template("{" + base + claim + "}")))
                s["source"] = "edge:jwt-user-id-kind"
                if claim == "null" and field not in ("id", "pk"):
                    # `uuid IS NULL`: one NULL row is the user, several a 500; no store can say which.
                    s["forwardReason"] = f"a null claim on {field} (not the pk): Django's IS NULL"
                out.append(s)
    return out


def lookup_authority_cases():
    """Lookups whose miss is not DRF's anonymous user (helper hunt6): RemoteUserBackend with
    `create_unknown_user` (DRF creates the user and authenticates it) and session engines that
    keep no database rows (a signed cookie, the cache). The edge answers what its resolver finds
    and forwards a miss; with the database engines a miss is still DRF's anonymous user."""
    out = []
    bob = {"bob": U(102, "bob", is_active=False)}
    creates = policy(["remoteUser"], ["IsAuthenticated"], settings={"remoteUser": {"createUnknownUser": True}})
    for name, forward in (("{username}", None), ("", None), ("newbie", "RemoteUserBackend creates the user"),
                          ("bob", "RemoteUserBackend: an inactive user the resolver does not return")):
        for method in ("GET", "POST"):
            s = spec("", creates, method=method, actor=ALICE, users=bob, raw={"meta": {"REMOTE_USER": name}})
            if forward:
                s["forwardReason"] = forward
            out.append(s)
    # Without it (Django's RemoteUserBackend subclassed with create_unknown_user = False) a miss is anonymous.
    out.append(spec("", policy(["remoteUser"], ["IsAuthenticated"]), actor=ALICE, raw={"meta": {"REMOTE_USER": "newbie"}}))
    for engine in ("signed_cookies", "cache", "cached_db", "db"):
        rows = engine in ("cached_db", "db")
        pol = policy(["session"], ["IsAuthenticated"], settings={"session": {"engine": f"django.contrib.sessions.backends.{engine}"}})
        anyone = policy(["session"], ["AllowAny"], settings={"session": {"engine": f"django.contrib.sessions.backends.{engine}"}})
        for p in (pol, anyone):
            for method, raw in (("GET", {"login": True}), ("POST", {"login": True, "cookies": {"csrftoken": "{csrf}"},
                                                                    "headers": {"X-CSRFToken": "{csrf}"}}),
                                ("POST", {"login": True}), ("GET", {"cookies": {"sessionid": "x" * 32}}), ("GET", {})):
                s = spec("", p, method=method, actor=ALICE, raw=raw)
                if not rows and (raw.get("login") or "sessionid" in raw.get("cookies", {})):
                    s["forwardReason"] = f"SESSION_ENGINE {engine}: no session rows for the edge's store"
                out.append(s)
    for s in out:
        s["source"] = "edge:lookup-authority"
    return out


def all_specs(seed, n_random):
    specs = table_cases() + edge_cases() + edge_raw_cases() + queryset_cases() + filter_cases()
    specs += rawhunt_cases() + rawhunt_csrf_cases() + hunt_cases() + credhunt_cases() + user_id_kind_cases()
    specs += rcov_cases()
    specs += ctype_cases()
    specs += lookup_authority_cases()
    specs += negotiation_cases()
    specs += http_method_names_cases()
    specs += empty_header_cases()
    gen = RandomGen(seed)
    specs += [gen.case() for _ in range(n_random)]
    return finish(specs)


def accept_twins(specs):
    """Each raw spec without `Accept`, again with one (`*/*` and `application/json` in turn),
    answered by DRF like any other. In workerd a request without `Accept` is the origin's (an
    empty line may have been dropped: DRF's 406), so without these the workerd replay path would
    leave most raw cases to the server; clients send `Accept`. The twins follow the originals,
    whose ids stay as they were."""
    twins = []
    for s in specs:
        raw = s.get("raw")
        if raw is None or any(name.lower() == "accept" for name in raw.get("headers", {})):
            continue
        twin = copy.deepcopy(s)
        twin.pop("acceptTwin", None)
        twin["raw"].setdefault("headers", {})["Accept"] = "application/json" if len(twins) % 2 else "*/*"
        twins.append(twin)
    return specs + twins


def forwarded_twins(specs):
    """Each raw spec with a header sent empty (not `Host`: workerd answers that itself), again
    without those headers: the request as a Worker in workerd forwards it (workerd drops the
    empty line before the Worker runs; the origin behind it never sees it). DRF answers the twin
    like any other case; the workerd replay path does not compare the original (DRF answered it
    with the line), so the twin is where the request the edge decides there meets DRF. The
    twins follow the originals, whose ids stay as they were."""
    twins = []
    for s in specs:
        raw = s.get("raw")
        if raw is None:
            continue
        headers = raw.get("headers", {})
        if any(name.lower() == "host" and value == "" for name, value in headers.items()):
            continue
        empty = [name for name, value in headers.items() if value == ""]
        if not empty and raw.get("cookieHeader") != "":
            continue
        twin = copy.deepcopy(s)
        twin.pop("acceptTwin", None)
        twin["raw"]["headers"] = {name: value for name, value in headers.items() if value != ""}
        if raw.get("cookieHeader") == "":
            twin["raw"].pop("cookieHeader")
        twins.append(twin)
    return specs + twins


def finish(specs):
    """Declares the harness's classes and settings each policy uses, and numbers the specs (raw
    ones without `Accept` twinned with one: `accept_twins`; raw ones with an empty header
    twinned without it: `forwarded_twins`)."""
    specs = forwarded_twins(accept_twins(specs))
    counters = {}
    for s in specs:
        declare_auth_classes(s["policy"])
        complete_settings(s["policy"])
        key = s["source"]
        counters[key] = counters.get(key, 0) + 1
        s["id"] = f"{key}/{counters[key]}"
    return copy.deepcopy(specs)
