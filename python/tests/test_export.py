"""drfgate_export against the sample blog project: expectations come from the project's own code."""
import copy
import functools
import inspect
import io
import json
import os
import tempfile
import unittest
import uuid
from unittest import mock

from django.conf import settings
from django.core.management import CommandError, call_command
from django.test import override_settings
from django.test import SimpleTestCase
from django.urls import get_resolver
from rest_framework import authentication, exceptions, permissions, viewsets
from rest_framework.response import Response
from rest_framework.settings import api_settings

from blog import permissions as blog_permissions
from blog import views as blog_views
from drfgate import core
from drfgate.export import (Exporter, ExportError, export_policy, get_object_is_user, handler_calls_get_object,
                            get_object_runs_no_object_permission, lookup_kwarg_missing, _sample_urls)

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
COMMITTED_POLICY = os.path.join(REPO, "examples", "blog", "policy.json")


class NoDeclaration(permissions.BasePermission):
    def has_permission(self, request, view):  # the line the export must point at
        return request.auth is not None and "write" in request.auth.scopes  # not translatable


class ApiKeyAuthentication(authentication.BaseAuthentication):
    def authenticate(self, request):
        return None

    def authenticate_header(self, request):
        return 'Api-Key realm="blog"'


class AppHeaderAuthentication(authentication.BaseAuthentication):
    """A WWW-Authenticate for clients that send a token only (browsers get 403, apps 401)."""

    def authenticate(self, request):
        return None

    def authenticate_header(self, request):
        return "Token" if request.META.get("HTTP_AUTHORIZATION") else None


class BearerTokenAuthentication(authentication.TokenAuthentication):
    keyword = "Bearer"


def handler(exc, context):
    """An EXCEPTION_HANDLER of the project's own (ProblemTests)."""
    return None


class Handlers(viewsets.ModelViewSet):
    """Handler shapes for handler_calls_get_object."""

    def retrieve(self, request, *args, **kwargs):
        return super().retrieve(request, *args, **kwargs)

    def update(self, request, *args, **kwargs):
        partial = kwargs.pop("partial", False)
        instance = self.get_object()
        return Response({"partial": partial, "id": instance.pk})

    def destroy(self, request, *args, **kwargs):
        if not request.data.get("confirm"):  # a 400 for malformed JSON comes first
            return Response(status=400)
        self.get_object().delete()
        return Response(status=204)

    def publish(self, request, pk=None):
        """A docstring."""
        return Response({"post": self.get_serializer(self.get_object()).data})

    def refresh(self, request, pk=None):
        # request.data is read (a malformed body's 400) before get_object() runs.
        serializer = self.get_serializer(data=request.data, instance=self.get_object())
        return Response({"valid": serializer.is_valid()})

    def archive(self, request, *args, **kwargs):
        return self.destroy(request, *args, **kwargs)  # DRF's destroy: get_object() first

    def purge(self, request, *args, **kwargs):
        return self.list(request, *args, **kwargs)

    def show(self, request, *args, **kwargs):
        return self.partial_update(request, *args, **kwargs)  # DRF's: update() -> get_object() first


class ExportTests(SimpleTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.policy = export_policy()

    def test_global_defaults_follow_rest_framework_settings(self):
        self.assertEqual(
            self.policy["authentication"], [c.__name__ for c in api_settings.DEFAULT_AUTHENTICATION_CLASSES]
        )
        self.assertEqual(self.policy["permissions"], [c.__name__ for c in api_settings.DEFAULT_PERMISSION_CLASSES])

    def test_publish_is_the_composed_expression(self):
        publish = self.policy["views"]["posts"]["actions"]["publish"]
        self.assertEqual(publish["permissions"], ["IsVerifiedUser", "IsAdminUser | IsOwner"])
        self.assertEqual((publish["detail"], publish["methods"]), (True, ["POST"]))

    def test_view_default_is_permission_classes(self):
        posts = self.policy["views"]["posts"]
        self.assertEqual(posts["permissions"], [c.__name__ for c in blog_views.PostViewSet.permission_classes])
        self.assertEqual(posts["model"], "blog.Post")

    def test_overrides_only_where_get_permissions_differs(self):
        actions = self.policy["views"]["posts"]["actions"]
        view = blog_views.PostViewSet()
        for action in ("list", "create", "retrieve", "update", "partial_update", "destroy", "publish"):
            view.action = action
            view.request = None
            differs = [type(p) for p in view.get_permissions()] != list(blog_views.PostViewSet.permission_classes)
            self.assertEqual("permissions" in actions[action], differs, action)
        self.assertEqual(actions["create"]["permissions"], ["IsAuthenticated", "IsVerifiedUser"])
        self.assertEqual(actions["list"], {})

    def test_view_authentication_classes(self):
        comments = self.policy["views"]["comments"]
        self.assertEqual(
            comments["authentication"], [c.__name__ for c in blog_views.CommentViewSet.authentication_classes]
        )
        self.assertNotIn("authentication", self.policy["views"]["posts"])  # same as the default
        self.assertEqual(comments["permissions"], ["DjangoModelPermissions"])

    def test_custom_classes_carry_their_declarations(self):
        classes = self.policy["classes"]
        verified = classes["IsVerifiedUser"]
        self.assertEqual(verified["message"], blog_permissions.IsVerifiedUser.message)
        self.assertEqual(verified["hasPermission"], blog_permissions.IsVerifiedUser.drfgate_has_permission)
        owner = classes["IsOwner"]
        self.assertEqual(
            (owner["message"], owner["code"]), (blog_permissions.IsOwner.message, blog_permissions.IsOwner.code)
        )
        self.assertEqual(owner["hasObjectPermission"], "obj.owner == request.user")
        self.assertEqual(
            classes["IsOwnerOrReadOnly"],
            {"hasObjectPermission": "request.method in SAFE_METHODS or obj.owner == request.user"},
        )

    def test_model_permission_subclass_has_base_and_perms_map(self):
        decl = self.policy["classes"]["ViewModelPermissions"]
        self.assertEqual(decl["base"], "DjangoModelPermissions")
        self.assertEqual(decl["permsMap"], {k: list(v) for k, v in blog_permissions.ViewModelPermissions.perms_map.items()})
        self.assertNotIn("authenticatedUsersOnly", decl)
        self.assertEqual(
            self.policy["views"]["post-reports"]["permissions"], ["IsAuthenticated", "IsAdminUser | ViewModelPermissions"]
        )

    def test_only_used_classes_are_exported(self):
        self.assertEqual(
            set(self.policy["classes"]),
            {"IsOwnerOrReadOnly", "IsOwner", "IsVerifiedUser", "IsAdminOrReadOnly", "ViewModelPermissions"},
        )

    def test_read_only_viewset_and_plain_views(self):
        views = self.policy["views"]
        self.assertEqual(views["post-reports"]["actions"], {"list": {}, "retrieve": {}})
        self.assertEqual(
            views["me"]["actions"],
            {"get": {"detail": False, "methods": ["GET"], "route": "me"},
             "patch": {"detail": False, "methods": ["PATCH"], "route": "me"}},
        )
        # @api_view(['GET']): http_method_names is ['get', 'options'] in a set's order.
        self.assertEqual(sorted(views["health"]["httpMethodNames"]), ["get", "options"])
        self.assertEqual(views["health"]["permissions"], ["AllowAny"])  # @api_view + @permission_classes
        self.assertEqual((views["token_obtain_pair"]["authentication"], views["token_obtain_pair"]["permissions"]), ([], []))
        self.assertTrue(views["api-root"]["ignoreModelPermissions"])
        self.assertNotIn("ignoreModelPermissions", views["posts"])

    def test_routes_cover_every_drf_url(self):
        routes = {r["pattern"]: r for r in self.policy["routes"]}
        self.assertEqual(
            routes["/api/posts/{pk}/publish/"],
            {"pattern": "/api/posts/{pk}/publish/", "regex": "^/api/posts/(?<pk>[^/.]+)/publish/$",
             "view": "posts", "detail": True, "actions": {"POST": "publish"}},
        )
        self.assertEqual(routes["/api/posts/"]["actions"], {"GET": "list", "POST": "create"})
        self.assertFalse(routes["/api/me/"]["detail"])
        resolver = get_resolver()
        for pattern in routes:
            match = resolver.resolve(pattern.replace("{pk}", "1"))
            view = self.policy["views"][routes[pattern]["view"]]
            self.assertTrue(view["actions"], pattern)
            self.assertTrue(hasattr(match.func, "cls"), pattern)
        # Every DRF endpoint of the URLconf is routed (format-suffix twins aside).
        self.assertEqual(len(routes), 14)

    def test_settings(self):
        settings = self.policy["settings"]
        self.assertEqual(settings["token"], {"keyword": "Token"})
        self.assertEqual(settings["jwt"]["authHeaderTypes"], ["Bearer"])
        self.assertEqual(settings["jwt"]["issuer"], "https://blog.example.com")
        self.assertEqual(settings["jwt"]["leeway"], 5)
        self.assertNotIn("signingKey", settings["jwt"])
        self.assertEqual(settings["csrf"]["headerName"], "HTTP_X_CSRFTOKEN")
        self.assertEqual(settings["csrf"]["trustedOrigins"], ["https://blog.example.com", "https://*.blog.example.com"])
        self.assertIn("signingKey", export_policy(include_secrets=True)["settings"]["jwt"])

    def test_committed_policy_is_current(self):
        with open(COMMITTED_POLICY, encoding="utf-8") as f:
            committed = json.load(f)
        self.maxDiff = None
        self.assertEqual(committed, self.policy, "examples/blog/policy.json is stale: run drfgate_export")


class ExpressionTests(SimpleTestCase):
    def expr(self, perm):
        return Exporter().permission_expression(perm, [])

    def test_minimal_parentheses_follow_python_precedence(self):
        A, B, C = permissions.IsAuthenticated, permissions.IsAdminUser, permissions.AllowAny
        cases = {
            "IsAuthenticated | IsAdminUser & AllowAny": A | B & C,
            "(IsAuthenticated | IsAdminUser) & AllowAny": (A | B) & C,
            "IsAuthenticated & IsAdminUser & AllowAny": A & B & C,
            "IsAuthenticated & (IsAdminUser & AllowAny)": A & (B & C),
            "IsAuthenticated | (IsAdminUser | AllowAny)": A | (B | C),
            "~IsAuthenticated & IsAdminUser": ~A & B,
            "~(IsAuthenticated | IsAdminUser)": ~(A | B),
            "~~IsAuthenticated": ~~A,
            "IsAuthenticated & ~IsAdminUser | IsAdminUser": A & ~B | B,
        }
        for expected, perm in cases.items():
            self.assertEqual(self.expr(perm), expected)
            # Instances (what get_permissions() returns) print the same.
            self.assertEqual(self.expr(perm()), expected)

    def test_printed_expression_rebuilds_the_same_tree(self):
        A, B, C = permissions.IsAuthenticated, permissions.IsAdminUser, permissions.AllowAny
        namespace = {"IsAuthenticated": A, "IsAdminUser": B, "AllowAny": C}
        for perm in (A | B & C, (A | B) & C, A & (B | C), A | (B | C), (A & B) | (C & A)):  # (NOT has no __eq__)
            self.assertEqual(eval(self.expr(perm), namespace), perm)  # OperandHolder __eq__


class CommentOnOwnPost(permissions.BasePermission):
    """ananotopuria/book_store's shape: obj.post is a Post, which Django never finds equal to a user."""

    def has_object_permission(self, request, view, obj):
        return obj.post == request.user


class CommentAuthor(permissions.BasePermission):
    def has_object_permission(self, request, view, obj):
        return obj.author == request.user


class DeclaresPostIsUser(permissions.BasePermission):
    """The comparison declared, not translated: the project's claim, not the exporter's to change."""

    drfgate_has_object_permission = "obj.post == request.user"

    def has_object_permission(self, request, view, obj):
        return obj.post == request.user


class SelfOrAuthor(permissions.BasePermission):
    """HDanDev/SoftDesk's IsSelf shape, one class for a view of users and views of their rows."""

    def has_object_permission(self, request, view, obj):
        return obj == request.user or (hasattr(obj, 'author') and obj.author == request.user)


class HasSummary(permissions.BasePermission):
    def has_object_permission(self, request, view, obj):
        return hasattr(obj, 'summary')


class ProblemTests(SimpleTestCase):
    def only_problem(self, get_permissions):
        """The one problem the export reports with TagViewSet.get_permissions replaced."""
        with mock.patch.object(blog_views.TagViewSet, "get_permissions", get_permissions, create=True):
            with self.assertRaises(ExportError) as ctx:
                export_policy()
        (problem,) = ctx.exception.problems
        return str(problem)

    def test_undeclared_class_fails_with_file_and_line(self):
        with mock.patch.object(blog_views.TagViewSet, "permission_classes", [NoDeclaration]):
            with self.assertRaises(ExportError) as ctx:
                export_policy()
        (problem,) = ctx.exception.problems
        line = inspect.getsourcelines(NoDeclaration.has_permission)[1]
        self.assertTrue(problem.location.endswith(f"test_export.py:{line}"), problem.location)
        self.assertIn("NoDeclaration overrides has_permission()", str(problem))
        self.assertEqual(problem.views, {"tags"})

    def test_comparing_a_non_user_relation_with_request_user_is_false_on_that_model(self):
        # ananotopuria/book_store: `obj.author == request.user`, author a FK to Author. Django's ==
        # is always False there (the edge compared ids): exported as the model decides it, the
        # class's variant for the view's model, proved against the class's code.
        with mock.patch.object(blog_views.CommentViewSet, "permission_classes", [CommentOnOwnPost]):
            policy = export_policy()
        self.assertEqual(policy["views"]["comments"]["permissions"], ["CommentOnOwnPost_onComment"])
        self.assertEqual(policy["classes"]["CommentOnOwnPost_onComment"], {"hasObjectPermission": "False"})
        self.assertNotIn("CommentOnOwnPost", policy["classes"])
        with mock.patch.object(blog_views.CommentViewSet, "permission_classes", [CommentAuthor]):
            policy = export_policy()
        self.assertEqual(policy["views"]["comments"]["permissions"], ["CommentAuthor"])
        self.assertEqual(policy["classes"]["CommentAuthor"], {"hasObjectPermission": "obj.author == request.user"})
        # Declared by the project: still a problem, located at the class.
        with mock.patch.object(blog_views.CommentViewSet, "permission_classes", [DeclaresPostIsUser]):
            with self.assertRaises(ExportError) as ctx:
                export_policy()
        (problem,) = ctx.exception.problems
        self.assertIn("'obj.post == request.user' on blog.Comment: obj.post is blog.Post, not accounts.User", str(problem))
        self.assertTrue(problem.location.endswith(f"test_export.py:{inspect.getsourcelines(DeclaresPostIsUser)[1]}"))

    def test_hasattr_of_the_object_is_decided_per_view_model(self):
        # One class on three models: Comment has `author` (a FK to the user, on every row), Post
        # and Tag have none; `obj == request.user` is False on all three (none is the user model).
        perms = [permissions.IsAuthenticated, SelfOrAuthor]
        with mock.patch.object(blog_views.CommentViewSet, "permission_classes", perms), \
                mock.patch.object(blog_views.TagViewSet, "permission_classes", perms), \
                mock.patch.object(blog_views.PostReportViewSet, "permission_classes", perms):
            exporter = Exporter()
            policy = exporter.export()
        self.assertEqual(policy["views"]["comments"]["permissions"], ["IsAuthenticated", "SelfOrAuthor_onComment"])
        self.assertEqual(policy["views"]["tags"]["permissions"], ["IsAuthenticated", "SelfOrAuthor_onTag"])
        self.assertEqual(policy["views"]["post-reports"]["permissions"], ["IsAuthenticated", "SelfOrAuthor_onPost"])
        self.assertEqual(policy["classes"]["SelfOrAuthor_onComment"], {"hasObjectPermission": "obj.author == request.user"})
        self.assertEqual(policy["classes"]["SelfOrAuthor_onTag"], {"hasObjectPermission": "False"})
        self.assertNotIn("SelfOrAuthor", policy["classes"])
        report = "\n".join(exporter.translation_report())
        self.assertIn("SelfOrAuthor.has_object_permission", report)
        self.assertIn("decided per view model", report)
        if core.available():
            self.assertRegex(report, r"SelfOrAuthor_onComment: SelfOrAuthor on blog.Comment, as the model decides it, "
                                     r"proved on \d+ generated inputs: obj.author == request.user")

    def test_hasattr_the_model_does_not_decide_is_a_problem(self):
        from blog.models import Post

        with mock.patch.object(Post, "summary", property(lambda self: self.title[:10]), create=True), \
                mock.patch.object(blog_views.PostReportViewSet, "permission_classes", [HasSummary]):
            with self.assertRaises(ExportError) as ctx:
                export_policy()
        (problem,) = ctx.exception.problems
        self.assertIn("hasattr(obj, 'summary')", str(problem))
        self.assertIn("blog.Post.summary is a property: its access may raise AttributeError", str(problem))
        self.assertEqual(problem.views, {"post-reports"})
        # A name the queryset may give its objects (an annotation) is not decided either.
        from django.db.models import Count

        with mock.patch.object(blog_views.PostReportViewSet, "queryset", Post.objects.annotate(summary=Count("comments"))), \
                mock.patch.object(blog_views.PostReportViewSet, "permission_classes", [HasSummary]):
            with self.assertRaisesRegex(ExportError, "its queryset annotates 'summary'"):
                export_policy()
        # A derived class of such a class is not decided per model: a problem, not a guess.
        class Derived(HasSummary):
            pass

        with mock.patch.object(blog_views.PostReportViewSet, "permission_classes", [Derived]):
            with self.assertRaisesRegex(ExportError, "derives from HasSummary"):
                export_policy()

    def test_command_exits_1_and_names_the_location(self):
        err = io.StringIO()
        with mock.patch.object(blog_views.TagViewSet, "permission_classes", [NoDeclaration]):
            with self.assertRaises(CommandError) as ctx:
                call_command("drfgate_export", stderr=err, stdout=io.StringIO())
        self.assertEqual(ctx.exception.returncode, 1)
        self.assertIn("test_export.py:", err.getvalue())

    def test_leave_to_origin_omits_the_view(self):
        with mock.patch.object(blog_views.TagViewSet, "permission_classes", [NoDeclaration]):
            policy = export_policy(leave_to_origin=["tags"])
        self.assertEqual(policy["leftToOrigin"], ["tags"])
        self.assertNotIn("tags", policy["views"])
        self.assertNotIn("tags", {r["view"] for r in policy["routes"]})
        self.assertNotIn("NoDeclaration", policy.get("classes", {}))

    def test_what_runs_before_authentication_is_a_problem(self):
        # DRF negotiates and determines the version before authenticating: a refused version
        # (404 "Invalid version in query parameter.") or a format under another query name must
        # not be answered with the authentication's 401 at the edge (docs/drf-semantics.md §10).
        from rest_framework import negotiation, versioning
        from django.test import override_settings

        class Versions(versioning.QueryParameterVersioning):
            allowed_versions = ["v1"]

        class Negotiation(negotiation.DefaultContentNegotiation):
            pass

        for attr, value, text in (("versioning_class", Versions, "ALLOWED_VERSIONS ['v1']"),
                                  ("content_negotiation_class", Negotiation, "drf-gate negotiates as DRF's")):
            with mock.patch.object(blog_views.TagViewSet, attr, value):
                with self.assertRaises(ExportError) as ctx:
                    export_policy()
                (problem,) = ctx.exception.problems
                self.assertIn(text, str(problem))
                self.assertEqual(problem.views, {"tags"})
                self.assertNotIn("tags", export_policy(leave_to_origin=["tags"])["views"])
        # DRF's own versioning classes without ALLOWED_VERSIONS accept any version.
        with mock.patch.object(blog_views.TagViewSet, "versioning_class", versioning.QueryParameterVersioning):
            self.assertIn("tags", export_policy()["views"])
        with override_settings(REST_FRAMEWORK=dict(settings.REST_FRAMEWORK, URL_FORMAT_OVERRIDE=None)):
            with self.assertRaises(ExportError) as ctx:
                export_policy()
        self.assertIn("URL_FORMAT_OVERRIDE = None", str(ctx.exception))

    def test_a_language_other_than_english_is_a_problem(self):
        # LANGUAGE_CODE = "fr": DRF's 401 says "Informations d'authentification non fournies."
        from django.test import override_settings

        with override_settings(LANGUAGE_CODE="fr"):
            with self.assertRaises(ExportError) as ctx:
                export_policy()
        self.assertIn("Informations d'authentification non fournies.", str(ctx.exception))
        for code, i18n in (("en-gb", True), ("fr", False)):
            with override_settings(LANGUAGE_CODE=code, USE_I18N=i18n):
                self.assertIn("tags", export_policy()["views"])

    def test_a_view_overriding_the_pipeline_is_a_problem(self):
        # permission_denied raising Http404 (DRF: 404 "Not found." where the policy says 401/403).
        from django.http import Http404
        from django.test import override_settings

        def permission_denied(self, request, message=None, code=None):
            raise Http404

        with mock.patch.object(blog_views.TagViewSet, "permission_denied", permission_denied, create=True):
            with self.assertRaises(ExportError) as ctx:
                export_policy()
        (problem,) = ctx.exception.problems
        self.assertIn("permission_denied() overrides DRF's request pipeline", str(problem))
        self.assertEqual(problem.views, {"tags"})
        # A project's own renderer named like DRF's (exported by name).
        from rest_framework.renderers import JSONRenderer as DrfJSONRenderer

        class JSONRenderer(DrfJSONRenderer):
            charset = "utf-8"

        with mock.patch.object(blog_views.TagViewSet, "renderer_classes", [JSONRenderer], create=True):
            with self.assertRaises(ExportError) as ctx:
                export_policy()
        self.assertIn("drf-gate renders as DRF's own renderer classes only", str(ctx.exception))
        # COMPACT_JSON = False: DRF writes {"detail": "..."} with a space.
        with override_settings(REST_FRAMEWORK=dict(settings.REST_FRAMEWORK, COMPACT_JSON=False)):
            with self.assertRaises(ExportError) as ctx:
                export_policy()
        self.assertIn("COMPACT_JSON = False", str(ctx.exception))
        with override_settings(REST_FRAMEWORK=dict(settings.REST_FRAMEWORK, EXCEPTION_HANDLER="tests.test_export.handler")):
            with self.assertRaises(ExportError) as ctx:
                export_policy()
        self.assertIn("EXCEPTION_HANDLER tests.test_export.handler", str(ctx.exception))

    def test_allowed_methods_of_the_view_is_a_problem(self):
        # nomad-back's `allowed_methods = ['PATCH', 'DELETE']  # remove PUT`: DRF's Allow header on
        # every answer (PUT still dispatches); the edge wrote the route's methods (540 disagreements).
        with mock.patch.object(blog_views.TagViewSet, "allowed_methods", ["GET"], create=True):
            with self.assertRaises(ExportError) as ctx:
                export_policy()
        (problem,) = ctx.exception.problems
        self.assertIn("TagViewSet.allowed_methods overrides DRF's request pipeline", str(problem))
        self.assertEqual(problem.views, {"tags"})

    def test_leave_to_origin_must_name_a_view(self):
        with self.assertRaises(ExportError):
            export_policy(leave_to_origin=["no-such-view"])

    def test_custom_authentication_classes(self):
        with mock.patch.object(
            blog_views.TagViewSet, "authentication_classes", [ApiKeyAuthentication, BearerTokenAuthentication]
        ):
            policy = export_policy()
        self.assertEqual(policy["views"]["tags"]["authentication"], ["ApiKeyAuthentication", "BearerTokenAuthentication"])
        self.assertEqual(
            policy["authenticationClasses"],
            {
                "ApiKeyAuthentication": {"wwwAuthenticate": 'Api-Key realm="blog"'},
                "BearerTokenAuthentication": {"base": "TokenAuthentication", "keyword": "Bearer"},
            },
        )

    def test_an_authenticate_header_answering_by_the_request_is_a_problem(self):
        # DRF asks the first class's authenticate_header(request) on every NotAuthenticated: a
        # class answering by a header gives 401 to one client and 403 to another for the same
        # URL (below, from DRF); it was exported with its answer for `GET /` (here: 403 for all).
        from django.test import Client

        with mock.patch.object(blog_views.TagViewSet, "authentication_classes", [AppHeaderAuthentication]):
            browser = Client().post("/api/tags/")
            app = Client().post("/api/tags/", HTTP_AUTHORIZATION="Token x")
            with self.assertRaises(ExportError) as ctx:
                export_policy()
            self.assertEqual(export_policy(leave_to_origin=["tags"])["leftToOrigin"], ["tags"])
        self.assertEqual((browser.status_code, browser.headers.get("WWW-Authenticate")), (403, None))
        self.assertEqual((app.status_code, app.headers.get("WWW-Authenticate")), (401, "Token"))
        problem = next(p for p in ctx.exception.problems if "AppHeaderAuthentication.authenticate_header" in str(p))
        self.assertIn("answers by the request ('Token', None)", str(problem))

    def test_a_builtin_subclass_with_its_own_code_is_a_custom_class(self):
        # An expiring token (DRF: 401 "Token has expired.") is not DRF's TokenAuthentication.
        class ExpiringTokenAuthentication(authentication.TokenAuthentication):
            def authenticate_credentials(self, key):
                raise exceptions.AuthenticationFailed("Token has expired.")

        class QuietToken(authentication.TokenAuthentication):
            keyword = "Bearer"

        with mock.patch.object(blog_views.TagViewSet, "authentication_classes",
                               [ExpiringTokenAuthentication, QuietToken]):
            policy = export_policy()
        self.assertEqual(policy["authenticationClasses"]["ExpiringTokenAuthentication"], {"wwwAuthenticate": "Token"})
        self.assertEqual(policy["authenticationClasses"]["QuietToken"], {"base": "TokenAuthentication", "keyword": "Bearer"})

    def test_filter_backends_before_object_permissions(self):
        # get_object() runs filter_queryset(): with SearchFilter, `?search=` matching nothing is
        # DRF's 404 before IsOwnerOrReadOnly's 403 (tests.test_check, from DRF). Only with the
        # parameters: `filterParams` leaves those requests' object stage to the origin. A backend
        # that may filter without them is a problem where an object permission can deny.
        import django_filters
        from django_filters.rest_framework import DjangoFilterBackend
        from rest_framework.filters import BaseFilterBackend, OrderingFilter, SearchFilter

        from django import forms

        from blog.models import Post

        class OwnFilter(BaseFilterBackend):  # djangorestframework-guardian's ObjectPermissionsFilter's shape
            def filter_queryset(self, request, queryset, view):
                return queryset.filter(owner=request.user)

        class RequiredTitle(django_filters.FilterSet):
            title = django_filters.CharFilter(required=True)

            class Meta:
                model = Post
                fields = ["title"]

        class OwnQueryset(django_filters.FilterSet):
            class Meta:
                model = Post
                fields = ["title"]

            def filter_queryset(self, queryset):
                return super().filter_queryset(queryset).filter(published=True)

        class PrefixedForm(forms.Form):  # reads `f-title`, not `title`
            prefix = "f"

        class OwnForm(django_filters.FilterSet):
            class Meta:
                model = Post
                fields = ["title"]
                form = PrefixedForm

        class Prefixed(SearchFilter):
            search_param = "q"

        def posts(backends, **attrs):
            attrs = {"filterset_class": None, "filterset_fields": None, **attrs}
            with mock.patch.object(blog_views.PostViewSet, "filter_backends", backends), \
                    mock.patch.multiple(blog_views.PostViewSet, create=True, **attrs):
                return export_policy()["views"]["posts"]

        self.assertEqual(posts([SearchFilter])["filterParams"], ["search"])
        self.assertEqual(posts([Prefixed, OrderingFilter])["filterParams"], ["q"])
        self.assertNotIn("filterParams", posts([OrderingFilter]))
        self.assertEqual(posts([DjangoFilterBackend], filterset_fields=["title", "published"])["filterParams"],
                         ["published", "title"])
        self.assertNotIn("filterParams", posts([DjangoFilterBackend]))  # no filterset: filters nothing
        for backends, attrs, why in (
                ([OwnFilter], {}, "OwnFilter"),
                ([DjangoFilterBackend], {"filterset_class": RequiredTitle}, "title is required"),
                ([DjangoFilterBackend], {"filterset_class": OwnQueryset}, "has its own filter_queryset"),
                ([DjangoFilterBackend], {"filterset_class": OwnForm}, "has a form of the project's own")):
            with self.assertRaises(ExportError) as ctx:
                posts(backends, **attrs)
            self.assertTrue(any("posts: filter_backends" in str(p) and why in str(p)
                                for p in ctx.exception.problems), ctx.exception.problems)
        # A view whose object stage cannot deny only allows (the origin answers).
        with mock.patch.object(blog_views.TagViewSet, "filter_backends", [OwnFilter]):
            export_policy()

    def test_throttled_views_say_so(self):
        # DRF throttles after the permissions: a 405 becomes 429 once over the rate.
        from rest_framework.throttling import AnonRateThrottle

        self.assertNotIn("throttled", export_policy()["views"]["tags"])
        with mock.patch.object(blog_views.TagViewSet, "throttle_classes", [AnonRateThrottle]):
            self.assertIs(export_policy()["views"]["tags"]["throttled"], True)
        # Throttles chosen in code, throttle_classes left empty (CheckTests.test_get_throttles_throttles).
        with mock.patch.object(blog_views.TagViewSet, "get_throttles", lambda self: [AnonRateThrottle()], create=True):
            self.assertIs(export_policy()["views"]["tags"]["throttled"], True)

    def test_simplejwt_classes_of_the_project_are_refused(self):
        from rest_framework_simplejwt import tokens

        class AccessToken(tokens.AccessToken):
            def verify(self):
                raise tokens.TokenError("revoked")

        with override_settings(SIMPLE_JWT=dict(getattr(settings, "SIMPLE_JWT", {}), AUTH_TOKEN_CLASSES=[
                f"{__name__}.AccessToken"])):
            with mock.patch.dict(globals(), {"AccessToken": AccessToken}):
                with self.assertRaises(ExportError) as ctx:
                    export_policy()
        self.assertIn("SIMPLE_JWT names classes of the project's own", str(ctx.exception))
        export_policy()  # simplejwt's own classes export

    def test_get_permissions_choosing_by_user_is_a_problem(self):
        # Read with an anonymous request only, the staff's list was never seen (the edge applied the other's).
        def get_permissions(self):
            if self.request.user.is_staff:
                return [permissions.AllowAny()]
            return [permissions.IsAdminUser()]

        with mock.patch.object(blog_views.TagViewSet, "get_permissions", get_permissions, create=True):
            with self.assertRaises(ExportError) as ctx:
                export_policy()
        self.assertIn("get_permissions() returns other classes for another request.user", str(ctx.exception))
        self.assertEqual(len(ctx.exception.problems), 1)

        # A third list for plain users only: anonymous and staff both get the first.
        def plain_users_own(self):
            user = self.request.user
            if user.is_authenticated and not user.is_staff:
                return [permissions.IsAuthenticated(), blog_permissions.IsOwner()]
            return [permissions.IsAdminUser()]

        with mock.patch.object(blog_views.TagViewSet, "get_permissions", plain_users_own, create=True):
            with self.assertRaises(ExportError) as ctx:
                export_policy()
        self.assertIn("get_permissions() returns other classes for another request.user", str(ctx.exception))

    def test_get_permissions_choosing_by_method_is_a_problem(self):
        # `== "GET"` leaves HEAD out: DRF runs list with request.method HEAD and answers an anonymous
        # HEAD /api/tags/ 401 where the edge applied GET's AllowAny (200); OPTIONS and a 405'd PUT too.
        def by_method(self):
            return [permissions.AllowAny()] if self.request.method == "GET" else [permissions.IsAuthenticated()]

        def by_safe_methods(self):
            return [permissions.AllowAny() if self.request.method in permissions.SAFE_METHODS
                    else permissions.IsAuthenticated()]

        self.assertIn("get_permissions() gives HEAD /api/tags/ ['IsAuthenticated']; the policy can only give it "
                      "['AllowAny'] (those of list)", self.only_problem(by_method))
        with mock.patch.object(blog_views.TagViewSet, "get_permissions", by_safe_methods, create=True):
            tags = export_policy()["views"]["tags"]
        self.assertEqual(tags["actions"]["list"]["permissions"], ["AllowAny"])
        self.assertEqual(tags["actions"]["metadata"]["permissions"], ["AllowAny"])

    def test_authentication_backends_the_edge_does_not_answer_for(self):
        # AllowAllUsersModelBackend authenticates an inactive user: DRF's Basic answers 401 "User
        # inactive or deleted." where the edge (ModelBackend) answers "Invalid username/password."
        # (tests.test_check.CheckTests.test_allow_all_users_backend_and_basic).
        allow_all = ["django.contrib.auth.backends.AllowAllUsersModelBackend"]
        with override_settings(AUTHENTICATION_BACKENDS=allow_all):
            export_policy()  # no view of the blog uses BasicAuthentication
            with mock.patch.object(blog_views.TagViewSet, "authentication_classes", [authentication.BasicAuthentication]):
                with self.assertRaises(ExportError) as ctx:
                    export_policy()
        (problem,) = ctx.exception.problems
        self.assertEqual(problem.views, {"tags"})
        self.assertIn("AllowAllUsersModelBackend: drf-gate's edge answers authenticate() as ModelBackend", str(problem))
        # A backend of the project's own may answer has_perm() otherwise: the views asking it.
        with override_settings(AUTHENTICATION_BACKENDS=["django.contrib.auth.backends.ModelBackend", "tests.test_export.Handlers"]):
            with self.assertRaises(ExportError) as ctx:
                export_policy()
        (problem,) = ctx.exception.problems
        self.assertIn("answers has_perm()", str(problem))
        self.assertEqual(problem.views, {"comments", "post-reports"})

    def test_remote_user_authentication_needs_its_backend_and_header(self):
        # ModelBackend alone takes no remote_user: DRF answers REMOTE_USER=remo as anonymous (403),
        # where the edge authenticated the resolver's user. A subclass's header was not exported.
        class HeaderRemoteUser(authentication.RemoteUserAuthentication):
            header = "HTTP_X_AUTH_USER"

        with mock.patch.object(blog_views.TagViewSet, "authentication_classes", [HeaderRemoteUser]):
            with self.assertRaises(ExportError) as ctx:
                export_policy()
            (problem,) = ctx.exception.problems
            self.assertIn("AUTHENTICATION_BACKENDS has no RemoteUserBackend", str(problem))
            with override_settings(AUTHENTICATION_BACKENDS=["django.contrib.auth.backends.RemoteUserBackend"]):
                exporter = Exporter()
                policy = exporter.export()
        # RemoteUserBackend creates the users it has not seen: the edge must forward a miss.
        self.assertEqual(policy["settings"]["remoteUser"], {"header": "HTTP_X_AUTH_USER", "createUnknownUser": True})
        self.assertFalse(any("create_unknown_user" in w for w in exporter.warnings))

    def test_jwt_user_id_field_the_edge_cannot_answer_for(self):
        # simplejwt catches DoesNotExist only: a claim the field cannot take is DRF's 500 (a UUID
        # pk and "12": ValidationError), where the edge answered the resolver's 401 "User not found".
        jwt = dict(getattr(settings, "SIMPLE_JWT", {}))
        with override_settings(SIMPLE_JWT={**jwt, "USER_ID_FIELD": "username"}):
            export_policy()  # a CharField takes any claim (str() of it)
        with override_settings(SIMPLE_JWT={**jwt, "USER_ID_FIELD": "last_login"}):
            with self.assertRaises(ExportError) as ctx:
                export_policy()
        (problem,) = ctx.exception.problems
        self.assertIn("USER_ID_FIELD = 'last_login' is DateTimeField of accounts.User", str(problem))
        self.assertIn("posts", problem.views)

    def test_jwt_user_id_kind_is_exported(self):
        # A UUID pk: the edge forwards a claim uuid.UUID rejects ("12": DRF's 500) and answers
        # the resolver's not-found for any other (tests/jwt_user_id.rs replays real Django).
        from django.contrib.auth import get_user_model
        from django.db import models

        jwt = dict(getattr(settings, "SIMPLE_JWT", {}))
        user_model = get_user_model()
        with override_settings(SIMPLE_JWT={**jwt, "USER_ID_FIELD": "pk"}):
            self.assertNotIn("userIdKind", export_policy()["settings"]["jwt"])  # an integer pk: the default
            uuid_pk = models.UUIDField(primary_key=True)
            uuid_pk.set_attributes_from_name("id")
            with mock.patch.object(user_model._meta, "pk", uuid_pk):
                policy = export_policy()
        self.assertEqual(policy["settings"]["jwt"]["userIdKind"], "uuid")
        self.assertEqual(policy["settings"]["jwt"]["userIdField"], "pk")
        with override_settings(SIMPLE_JWT={**jwt, "USER_ID_FIELD": "email"}):
            self.assertNotIn("userIdKind", export_policy()["settings"]["jwt"])  # text: the default
        with override_settings(SIMPLE_JWT={**jwt, "USER_ID_FIELD": "email_verified"}):
            with self.assertRaises(ExportError) as ctx:
                export_policy()
        self.assertIn("is BooleanField of accounts.User", str(ctx.exception.problems[0]))

    def test_permission_classes_by_action_as_a_dict(self):
        # A per-action base class keeps permission_classes as a dict that only its get_permissions()
        # reads (DRF never calls APIView's): the export crashed ("'str' object is not callable").
        def by_dict(self):
            perms = self.permission_classes.get(self.action, [~permissions.AllowAny])
            return [(permissions.IsAdminUser | p)() for p in perms]

        with mock.patch.object(blog_views.TagViewSet, "permission_classes", {"list": [permissions.AllowAny]}), \
                mock.patch.object(blog_views.TagViewSet, "get_permissions", by_dict, create=True):
            tags = export_policy()["views"]["tags"]
        self.assertEqual(tags["permissions"], ["IsAdminUser | ~AllowAny"])
        self.assertEqual(tags["actions"]["list"], {"permissions": ["IsAdminUser | AllowAny"]})

    def test_get_permissions_raising_for_a_method_is_a_problem(self):
        # A per-action mixin doing getattr(self, self.action): OPTIONS runs action "metadata" (no
        # such attribute), a method without a handler action None: DRF answers 500; the export crashed.
        def by_handler(self):
            handler = getattr(self, self.action)
            return [p() for p in getattr(handler, "permission_classes", self.permission_classes)]

        self.assertIn("raise AttributeError(\"'TagViewSet' object has no attribute 'metadata'\") for OPTIONS "
                      "(action 'metadata'): DRF answers 500", self.only_problem(by_handler))

    def test_get_permissions_reading_the_query_string_is_a_problem(self):
        # DRF answers an anonymous GET /api/tags/?mine=1 401 (IsAuthenticated); the policy, read
        # without a query string, said AllowAny (200).
        def by_query(self):
            return [permissions.IsAuthenticated() if self.request.query_params.get("mine") else permissions.AllowAny()]

        self.assertIn("get_permissions() reads request.query_params", self.only_problem(by_query))

        def by_object(self):  # DRF looks the object up first: the policy cannot choose by it
            return [permissions.AllowAny() if self.action == "retrieve" and self.get_object().name == "news"
                    else permissions.IsAdminUser()]

        self.assertIn("get_permissions() reads self.get_object", self.only_problem(by_object))

    def test_an_undeclared_get_queryset_on_a_view_that_looks_objects_up_is_a_problem(self):
        # get_object() finds only what get_queryset() returns: DRF answers 404 for a tag outside it
        # (CheckTests.test_get_queryset_hides_objects) where the edge ran the object permissions on
        # the object its resolver found (403, or allowed). Only a warning before.
        from blog.models import Tag

        def get_queryset(self):
            return Tag.objects.filter(name="news")

        with mock.patch.object(blog_views.TagViewSet, "get_queryset", get_queryset, create=True):
            # No object permission can deny: the edge only allows (the origin answers); a warning.
            export_policy()
        with mock.patch.object(blog_views.TagViewSet, "get_queryset", get_queryset, create=True), \
                mock.patch.object(blog_views.TagViewSet, "permission_classes", [blog_permissions.IsOwner]):
            with self.assertRaises(ExportError) as ctx:
                export_policy()
            (problem,) = ctx.exception.problems
            self.assertIn("get_queryset() filters objects but declares no drf-gate condition", str(problem))
            with mock.patch.object(blog_views.TagViewSet, "drfgate_queryset", "obj.name == 'news'", create=True):
                self.assertEqual(export_policy()["views"]["tags"]["queryset"], "obj.name == 'news'")

    def test_session_engine_is_exported(self):
        # Sessions outside the database (a signed cookie, the cache) are not in the edge's store:
        # the policy names the engine and the edge forwards a miss (conformance edge:lookup-authority).
        self.assertNotIn("engine", export_policy()["settings"]["session"])
        for engine in ("signed_cookies", "cache", "cached_db"):
            with override_settings(SESSION_ENGINE=f"django.contrib.sessions.backends.{engine}"):
                policy = export_policy()
            self.assertEqual(policy["settings"]["session"]["engine"], f"django.contrib.sessions.backends.{engine}")

    def test_output_file(self):
        with tempfile.TemporaryDirectory() as tmp:
            out = os.path.join(tmp, "policy.json")
            call_command("drfgate_export", output=out, stderr=io.StringIO())
            with open(out, encoding="utf-8") as f:
                self.assertEqual(json.load(f), export_policy())


class ViewPermsInInit(permissions.DjangoModelPermissions):
    """storefront-django's FullDjangoModelPermission: assigns into the dict every
    DjangoModelPermissions shares (no perms_map of its own)."""

    def __init__(self):
        self.perms_map["GET"] = ["%(app_label)s.view_%(model_name)s"]


class SharedPermsMapTests(SimpleTestCase):
    def test_a_class_changing_the_shared_perms_map_is_a_problem(self):
        from drfgate.export import _drf_perms_map

        self.assertEqual(_drf_perms_map("DjangoModelPermissions"), dict(permissions.DjangoModelPermissions.perms_map))
        self.assertIsNone(_drf_perms_map("IsAuthenticated"))
        with mock.patch.dict(permissions.DjangoModelPermissions.perms_map), \
                mock.patch.object(blog_views.TagViewSet, "permission_classes", [ViewPermsInInit]):
            with self.assertRaises(ExportError) as ctx:
                export_policy()
        text = str(ctx.exception)
        self.assertIn("DjangoModelPermissions.perms_map, which every DjangoModelPermissions view shares, was changed "
                      "while the project ran (by ViewPermsInInit.__init__())", text)
        self.assertIn("test_export.py:", text)
        self.assertEqual(permissions.DjangoModelPermissions.perms_map["GET"], [])  # restored by patch.dict


class SharedPermsMapAtImportTests(SimpleTestCase):
    def test_a_class_body_changing_the_shared_perms_map_declares_it(self):
        # oneavk/drf_app: `perms_map = DjangoModelPermissions.perms_map` then an assignment into it,
        # at import: no view's answer depends on the ones before, every one reads the changed map.
        # The class that declares it is exact; DRF's own class, read as the core's built-in, is not.
        with mock.patch.dict(permissions.DjangoModelPermissions.perms_map):
            class AliasesTheSharedMap(permissions.DjangoModelPermissions):
                perms_map = permissions.DjangoModelPermissions.perms_map
                perms_map["GET"] = ["%(app_label)s.view_%(model_name)s"]

            # The blog's comments use DRF's own class: moved to the alias, then put back below.
            with mock.patch.object(blog_views.TagViewSet, "permission_classes", [AliasesTheSharedMap]), \
                    mock.patch.object(blog_views.CommentViewSet, "permission_classes", [AliasesTheSharedMap]):
                decl = export_policy()["classes"]["AliasesTheSharedMap"]
                with mock.patch.object(blog_views.PostViewSet, "permission_classes",
                                       [permissions.DjangoModelPermissions]):
                    with self.assertRaises(ExportError) as ctx:
                        export_policy()
        self.assertEqual(decl["permsMap"]["GET"], ["%(app_label)s.view_%(model_name)s"])
        self.assertIn("AliasesTheSharedMap.perms_map is DjangoModelPermissions.perms_map itself, changed at import: "
                      "every DjangoModelPermissions view, with DRF's own class too, reads the changed map, where the "
                      "policy's DjangoModelPermissions is DRF's", str(ctx.exception))
        self.assertEqual(permissions.DjangoModelPermissions.perms_map["GET"], [])  # restored by patch.dict


class ViewPermsInInitCopy(permissions.DjangoModelPermissions):
    """The common fix of the above (a StackOverflow answer; model-united-nations-of-luebeck's
    MUNOLDjangoModelPermission, zuzagasik/rental's CustomDjangoModelPermissions): a map of the
    instance's own, which is what DRF reads; the class still holds DjangoModelPermissions'."""

    def __init__(self):
        self.perms_map = copy.deepcopy(self.perms_map)
        self.perms_map["GET"] = ["%(app_label)s.view_%(model_name)s"]
        self.message = "You may not see these."


class HasRoleOf(permissions.DjangoModelPermissions):
    """An __init__ with arguments: each instance get_permissions() makes holds its own map."""

    def __init__(self, perm):
        self.perms_map = {**self.perms_map, "GET": [perm]}


class InstanceStateTests(SimpleTestCase):
    def test_what_an_init_of_the_project_sets_is_the_declaration(self):
        with mock.patch.object(blog_views.TagViewSet, "permission_classes", [ViewPermsInInitCopy]):
            policy = export_policy()
        decl = policy["classes"]["ViewPermsInInitCopy"]
        self.assertEqual(decl["base"], "DjangoModelPermissions")
        self.assertEqual(decl["permsMap"]["GET"], ["%(app_label)s.view_%(model_name)s"])
        self.assertEqual(decl["permsMap"]["DELETE"], ["%(app_label)s.delete_%(model_name)s"])
        self.assertEqual(decl["message"], "You may not see these.")
        self.assertEqual(permissions.DjangoModelPermissions.perms_map["GET"], [])  # the shared map untouched

    def test_instances_holding_other_state_than_the_class_are_a_problem(self):
        with mock.patch.object(blog_views.TagViewSet, "get_permissions",
                               lambda self: [HasRoleOf("blog.view_tag")], create=True):
            with self.assertRaises(ExportError) as ctx:
                export_policy()
        self.assertIn("an instance of permission class HasRoleOf carries its own perms_map (not what HasRoleOf() "
                      "holds): the policy declares one per class", str(ctx.exception))
        self.assertIn("test_export.py:", str(ctx.exception))


class PatchedDrfTests(SimpleTestCase):
    def test_a_drf_method_the_project_replaced_is_a_problem(self):
        # model-united-nations-of-luebeck/CMS-backend's AppConfig.ready(): request.user read in
        # initialize_request, outside DRF's exception handling (a bad token is a 500 there).
        from rest_framework.views import APIView

        original = APIView.initialize_request

        def reads_the_user(self, request, *args, **kwargs):
            drf_request = original(self, request, *args, **kwargs)
            drf_request.user  # noqa: B018 - authenticates here
            return drf_request

        for patch in (reads_the_user, functools.wraps(original)(reads_the_user)):
            with mock.patch.object(APIView, "initialize_request", patch):
                with self.assertRaises(ExportError) as ctx:
                    export_policy()
            self.assertIn("rest_framework.views.APIView.initialize_request is replaced by PatchedDrfTests."
                          "test_a_drf_method_the_project_replaced_is_a_problem.<locals>.reads_the_user: every DRF view "
                          "runs it, and drf-gate cannot say what it does", str(ctx.exception))
            self.assertIn("test_export.py:", str(ctx.exception))
        export_policy()  # DRF's own again

    def test_a_patch_declared_transparent_is_not_a_problem(self):
        # Tracing libraries (sentry-sdk, OpenTelemetry) wrap DRF's methods and call them.
        from rest_framework.views import APIView

        original = APIView.initial

        @functools.wraps(original)
        def traced_initial(self, request, *args, **kwargs):
            return original(self, request, *args, **kwargs)

        code = traced_initial.__code__
        qualname = f"{__name__}.{getattr(code, 'co_qualname', code.co_name)}"
        with mock.patch.object(APIView, "initial", traced_initial):
            with self.assertRaises(ExportError):
                export_policy()
            for listed in ([qualname], [__name__]):
                with self.settings(DRFGATE_TRANSPARENT_PATCHES=listed):
                    export_policy()
            with self.settings(DRFGATE_TRANSPARENT_PATCHES=[qualname + "_other", __name__ + "_other"]):
                with self.assertRaises(ExportError):
                    export_policy()


class UrlconfShapesTests(SimpleTestCase):
    """@action(permission_classes=...), extra methods, namespaces, generic views, converters."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.policy = export_policy(urlconf="tests.urls_extra")

    def test_action_decorator_permission_classes(self):
        archive = self.policy["views"]["v2:archive"]
        self.assertEqual(archive["permissions"], ["AllowAny"])
        self.assertEqual(archive["actions"]["stats"], {"detail": False, "methods": ["GET"], "permissions": ["IsAdminUser"]})
        # cover never calls get_object(): DRF answers any pk (200 for /archive/1003/cover-image/, no
        # such post), and runs no object permission; the edge looked the object up (404).
        self.assertEqual(archive["actions"]["cover"], {"detail": True, "methods": ["GET", "DELETE"], "getObject": False})
        self.assertEqual(archive["actions"]["list"], {})

    def test_get_object_on_a_route_without_the_lookup_kwarg(self):
        # DRF's get_object() asserts `pk` is in the URL: an @action(detail=False) calling it is
        # DRF's AssertionError (500) for whoever passes the permissions; it was exported getObject true.
        self.assertEqual(self.policy["views"]["v2:archive"]["actions"]["latest"],
                         {"detail": False, "methods": ["GET"], "permissions": ["IsOwner"]})
        self.assertEqual(lookup_kwarg_missing(blog_views.PostViewSet, "/api/posts/{pk}/"), None)
        self.assertEqual(lookup_kwarg_missing(blog_views.PostViewSet, "/api/posts/{id:int}/"), "pk")

    def test_the_model_of_a_queryset_filtered_by_the_user(self):
        # get_queryset() raising for AnonymousUser (`filter(owner=user)`): no model, so the edge's
        # miss said `Not found.` where DRF says `No Post matches the given query.` (test_check).
        self.assertEqual(self.policy["views"]["my-post"]["model"], "blog.Post")
        # get_queryset() reading a nested route's kwarg (a KeyError without it): storefront's
        # reviews had no model, so the edge's miss said `Not found.` (tests.test_check).
        self.assertEqual(self.policy["views"]["post-comment"]["model"], "blog.Comment")

    def test_a_url_kwarg_get_queryset_filters_by_narrows_the_route(self):
        # storefront's cart items: get_queryset() filters by the parent kwarg (DRF's 500 on a text
        # there), so the route admits only the field's values; the lookup kwarg keeps `{pk}`
        # (get_object_or_404 makes a text its 404). tests.urls_extra's `[^/.]+` parent.
        replies = [r["pattern"] for r in self.policy["routes"] if r["view"] == "post-reply"]
        self.assertEqual(replies, ["/v3/posts/{post_pk:int}/replies/", "/v3/posts/{post_pk:int}/replies/{pk}/"])
        # A field neither `1` nor a UUID fits (a date): no pattern is narrow enough, so the route
        # is left out with a warning.
        from blog.models import Post
        from drfgate.export import _narrow_template, _Route

        class ByDay(viewsets.ReadOnlyModelViewSet):
            def get_queryset(self):
                return Post.objects.filter(created__date=self.kwargs["day"])

        exporter = Exporter()
        callback = ByDay.as_view({"get": "list"})
        route = _Route("/days/{day}/posts/", "^days/(?P<day>[^/.]+)/posts/$", callback, False, {"get": "list"}, {})
        forms = exporter._queryset_kwarg_forms(exporter._instance(route, "list", "GET"), [route])
        self.assertEqual(forms, {"day": None})
        self.assertIsNone(_narrow_template(route.template, forms))
        # A kwarg `1` does not fit but a UUID does (storefront's cart_pk): the model is asked with
        # a UUID too (it had none: `Not found.` where DRF says `No CartItem matches ...`).

        class ByToken(viewsets.ReadOnlyModelViewSet):
            def get_queryset(self):
                return Post.objects.filter(title=str(uuid.UUID(self.kwargs["token"])))

        route = _Route("/t/{token}/posts/", "^t/(?P<token>[^/.]+)/posts/$", ByToken.as_view({"get": "list"}), False,
                       {"get": "list"}, {})
        view = exporter._instance(route, "list", "GET")
        self.assertIs(exporter._model(ByToken, view, [route]), Post)
        self.assertEqual(exporter._queryset_kwarg_forms(view, [route]), {"token": ":uuid"})

    def test_a_route_django_serves_with_an_earlier_one(self):
        # /shelf/{post_pk}/: the viewset's list and the API root, both `^$` (Django serves the
        # viewset's). The edge answered the root's (AllowAny: 200 where DRF said 401; phub-backend,
        # with the viewset left to the origin: POST 405 where DRF said 400).
        # The root's route is never exported: the edge matched it before the viewset's.
        shelf = [r["view"] for r in self.policy["routes"] if r["pattern"] == "/shelf/{post_pk:int}/"]
        self.assertEqual(shelf, ["shelf"])
        exporter = Exporter(leave_to_origin=["shelf"], urlconf="tests.urls_extra")
        left = [r["view"] for r in exporter.export()["routes"] if r["pattern"] == "/shelf/{post_pk:int}/"]
        self.assertEqual(left, [])
        self.assertTrue(any(w.startswith("route /shelf/{post_pk:int}/ of api-root") and "left to the origin" in w
                            for w in exporter.warnings), exporter.warnings)
        # An earlier regex Python's re cannot read (`\p{L}`) does not stop the export.
        exporter._left_names = set()
        entry = {"pattern": "/tags/new/", "regex": "^/tags/new/$", "view": "tag-new"}
        self.assertFalse(exporter._shadowed(entry, 5, [(1, r"^/tags/(?<name>\p{L}+)/$", "tag")]))
        self.assertTrue(exporter._shadowed(entry, 5, [(1, r"^/tags/(?<name>[^/]+)/$", "tag")]))

    def test_a_plain_django_view_before_a_drf_route(self):
        # `path("status/", plain_view)` listed before a DRF route of the same URL (and a catch-all
        # `re_path(r"^checks/", plain_view)` before `checks/<int:pk>/`): Django serves the plain
        # view, yet the DRF routes were exported, so the edge answered 403 for the DRF view.
        from django.test import Client

        with override_settings(ROOT_URLCONF="tests.urls_extra"):
            for url in ("/status/", "/checks/7/"):
                response = Client().get(url)
                self.assertEqual((response.status_code, response.content), (200, b'{"plain": true}'))
        patterns = [r["pattern"] for r in self.policy["routes"]]
        self.assertNotIn("/status/", patterns)
        self.assertNotIn("/checks/{pk:int}/", patterns)
        exporter = Exporter(urlconf="tests.urls_extra")
        exporter.export()
        self.assertIn("route /status/ of status: Django serves /status/ with the plain view "
                      "tests.urls_extra.plain_status; left to the origin", exporter.warnings)
        self.assertIn("route /checks/{pk:int}/ of check-detail: Django serves /checks/1/ with the plain view "
                      "tests.urls_extra.plain_status; left to the origin", exporter.warnings)
        # Not a route a plain view's regex misses (sample values of each converter).
        self.assertEqual(_sample_urls("/a/{x}/b/{y:uuid}/"),
                         ["/a/1/b/00000000-0000-0000-0000-000000000001/", "/a/a/b/00000000-0000-0000-0000-000000000001/"])

    def test_http_method_names_as_written(self):
        # An upper-case name is exported as written: the compiler matches it with nothing, as Django does.
        self.assertEqual(self.policy["views"]["v2:shouting"]["httpMethodNames"], ["GET", "head", "options", "delete"])

    def test_routes(self):
        routes = {r["pattern"]: r for r in self.policy["routes"]}
        self.assertEqual(routes["/v2/archive/{pk}/cover-image/"]["actions"], {"GET": "cover", "DELETE": "cover"})
        # <int:pk> matches [0-9]+ only: the edge must not route /posts/abc/ (Django's own 404).
        self.assertEqual(routes["/posts/{pk:int}/"]["regex"], "^/posts/(?<pk>[0-9]+)/$")
        self.assertTrue(routes["/posts/{pk:int}/"]["detail"])  # a RetrieveUpdateAPIView calls get_object()
        # [0-9]{4} is no form drf-gate's pattern has: no route (the Worker forwards), and a warning.
        self.assertNotIn("/legacy/{year}/", routes)
        exporter = Exporter(urlconf="tests.urls_extra")
        exporter.export()
        self.assertIn("route /legacy/{year}/ of legacy uses regex syntax or a path converter drf-gate does not "
                      "match exactly; left to the origin", exporter.warnings)

    @unittest.skipUnless(core.available(), "the compiled core (drfgate._native) is not built")
    def test_a_route_django_never_reaches_is_not_exported(self):
        # Two DefaultRouters' urls in one include: both API roots are `^v3/$`, and Django serves the
        # first. Exported as one view with three GETs and two routes, the core refused the policy
        # (`get` and `?` both handle GET on the same route).
        roots = [r for r in self.policy["routes"] if r["pattern"] == "/v3/"]
        self.assertEqual(len(roots), 1)
        self.assertEqual(self.policy["views"][roots[0]["view"]]["actions"]["get"]["methods"], ["GET"])
        core.Gate(self.policy)

    def test_extra_methods_of_an_action_share_its_route(self):
        # DRF answers every request on /archive/{pk}/pin/ with `Allow: POST, DELETE, OPTIONS`; as two
        # routes the edge wrote "POST, OPTIONS" for one and "DELETE, OPTIONS" for the other.
        actions = self.policy["views"]["v2:archive"]["actions"]
        self.assertEqual(actions["pin"], {"detail": True, "methods": ["POST"], "permissions": ["IsAdminUser"],
                                          "route": "pin"})
        self.assertEqual(actions["unpin"], {"detail": True, "methods": ["DELETE"], "getObject": False,
                                            "permissions": ["IsAdminUser"], "route": "pin"})

    def test_plain_view_choosing_by_method(self):
        # POST's own list, and the route's (OPTIONS, 405'd methods) as DRF computes it: the
        # policy compiles (it was refused: "actions on route `feed` must agree") and decides each.
        self.assertEqual(self.policy["views"]["feed"]["actions"]["post"]["permissions"], ["IsAdminUser"])
        self.assertNotIn("routePermissions", self.policy["views"]["feed"]["actions"]["get"])

    def test_which_handlers_call_get_object_first(self):
        calls = {name: handler_calls_get_object(Handlers, name)
                 for name in ("list", "retrieve", "update", "partial_update", "destroy", "publish", "archive", "purge",
                              "show", "refresh")}
        self.assertEqual(calls, {"list": None, "retrieve": True, "update": True, "partial_update": True,
                                 "destroy": False, "publish": True, "archive": False, "purge": False, "show": True,
                                 "refresh": False})

    def test_a_body_read_before_get_object_in_one_call(self):
        # get_serializer(data=request.data, instance=self.get_object()): DRF answers a malformed
        # body 400 before IsOwner's 403 (test_check); it was exported getObject true.
        self.assertEqual(self.policy["views"]["v2:archive"]["actions"]["retitle"],
                         {"detail": True, "methods": ["POST"], "getObject": False, "permissions": ["IsOwner"]})
        self.assertEqual(self.policy["views"]["v2:archive"]["actions"]["review"]["getObject"], False)

    def test_which_get_object_overrides_are_request_user(self):
        from rest_framework import generics

        class Documented(generics.RetrieveAPIView):
            def get_object(self):
                """The requesting user."""
                return self.request.user

        class Profile(generics.RetrieveAPIView):
            def get_object(self):
                return self.request.user.profile  # a lookup of its own: may raise

        class Checked(generics.RetrieveAPIView):
            def get_object(self):
                obj = self.request.user
                self.check_object_permissions(self.request, obj)  # object permissions on the user
                return obj

        class Inherited(Documented):
            pass

        self.assertEqual([get_object_is_user(c) for c in (Documented, Profile, Checked, Inherited)],
                         [True, False, False, True])

    def test_a_get_object_that_only_looks_up(self):
        # toptechschool's ProfileAPIView (`get_object_or_404(Profile, user=self.request.user)`):
        # no object permission runs in DRF; it was refused ("overrides DRF's request pipeline").
        self.assertEqual(self.policy["views"]["account"]["actions"]["get"],
                         {"detail": True, "methods": ["GET"], "getObject": False, "route": "account"})
        from rest_framework import generics

        class Checked(generics.RetrieveAPIView):
            def get_object(self):
                obj = self.get_queryset().get(pk=1)
                self.check_object_permissions(self.request, obj)
                return obj

        class Raising(generics.RetrieveAPIView):
            def get_object(self):
                raise PermissionError

        self.assertEqual([get_object_runs_no_object_permission(c) for c in (Checked, Raising)], [False, False])

    def test_me_endpoints(self):
        # get_object() returning self.request.user: DRF looks nothing up and runs no object
        # permission (200 for /users/999/). The export was refused ("overrides DRF's request pipeline").
        users = self.policy["views"]["v2:user"]["actions"]
        self.assertEqual(users["retrieve"], {"getObject": False})
        self.assertEqual(users["me"], {"detail": False, "methods": ["GET"]})
        me = self.policy["views"]["me"]["actions"]
        self.assertEqual(me["get"], {"detail": False, "methods": ["GET"], "route": "me"})

    def test_generic_view(self):
        view = self.policy["views"]["post-detail"]
        self.assertEqual(view["permissions"], ["IsAuthenticated & ~IsAdminUser"])
        self.assertEqual(view["model"], "blog.Post")
        self.assertEqual(
            view["actions"],
            {"get": {"detail": True, "methods": ["GET"], "route": "post-detail"},
             "put": {"detail": True, "methods": ["PUT"], "route": "post-detail"},
             "patch": {"detail": True, "methods": ["PATCH"], "route": "post-detail"}},
        )
