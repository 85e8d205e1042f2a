"""drfgate_check against the sample blog project."""
import io
import json
import os
import re
import shlex
import subprocess
import sys
import tempfile
import unittest
from unittest import mock

from django.core.management import call_command
from django.test import TestCase, override_settings
from django.urls import path
from rest_framework import authentication, exceptions, permissions
from rest_framework.response import Response
from rest_framework.views import APIView

from blog import views as blog_views
from blog.models import Post
from drfgate import core
from drfgate.check import DEFAULT_REPLAY, run_check
from drfgate.export import export_policy

HERE = os.path.dirname(os.path.abspath(__file__))
PKG = os.environ.get("DRFGATE_PKG") or os.path.join(HERE, "..", "..", "pkg")
RECORDED = f"{shlex.quote(sys.executable)} {shlex.quote(os.path.join(HERE, 'recorded_replay.py'))}"
USERS = ["alice", "bob", "carol", "dave", "ghost"]


def node_replay_available():
    """The real replay needs node and the built npm package (pkg/)."""
    if not os.path.exists(os.path.join(PKG, "package.json")):
        return False
    probe = {"policy": {"views": {}}, "cases": []}
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(probe, f)
    try:
        proc = subprocess.run(["node", DEFAULT_REPLAY, f.name], capture_output=True, text=True, timeout=60)
        return proc.returncode == 0
    except (OSError, subprocess.SubprocessError):
        return False
    finally:
        os.unlink(f.name)


class BearerToken(authentication.TokenAuthentication):
    keyword = "Bearer"


class ReturnsItsFailure(authentication.BaseAuthentication):
    """A custom class that returns its AuthenticationFailed instead of raising it (a popular
    course's JWT class): DRF's unpacking of it raises a TypeError, a 500."""

    def authenticate(self, request):
        if request.META.get("HTTP_AUTHORIZATION") is None:
            return None
        return exceptions.AuthenticationFailed("JWT Format Invalid")


class PostOwnerOrModerator(permissions.BasePermission):
    """Hand-written object permission shapes: a FK chain to the user, group membership."""

    message = "Only the post's owner or a moderator may change its comments."

    def has_object_permission(self, request, view, obj):
        if request.method in permissions.SAFE_METHODS:
            return True
        return obj.post.owner == request.user or request.user.groups.filter(name="moderators").exists()


class Commenter(permissions.BasePermission):
    """`request.user in obj.<related>.all()`'s shape: a query the exporter cannot translate."""

    def has_object_permission(self, request, view, obj):
        return obj.comments.filter(author=request.user).exists()


class LogoutView(APIView):
    """dj-rest-auth's LogoutView shape (42seoul-gifty/backend-gypark): GET is a handler that answers
    DRF's 405 itself (`self.http_method_not_allowed(...)`) once the permissions allowed."""

    permission_classes = [permissions.AllowAny]

    def get(self, request, *args, **kwargs):
        return self.finalize_response(request, self.http_method_not_allowed(request, *args, **kwargs), *args, **kwargs)

    def post(self, request, *args, **kwargs):
        return Response(status=204)


class LogoutUrls:
    urlpatterns = [path("logout", LogoutView.as_view(), name="logout")]


class CheckTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        call_command("seed_blog", stdout=io.StringIO(), stderr=io.StringIO())

    def setUp(self):
        self.policy = export_policy()

    def check(self, policy=None, replay=RECORDED, **kwargs):
        kwargs.setdefault("users", USERS)
        kwargs.setdefault("generate_users", False)  # tested in test_translate; halves the matrix
        return run_check(policy or self.policy, replay_cmd=replay, **kwargs)

    def test_recorded_contexts(self):
        with tempfile.TemporaryDirectory() as tmp:
            keep = os.path.join(tmp, "cases.json")
            total, disagreements, skipped = self.check(keep=keep, methods=["GET", "POST", "DELETE"])
            with open(keep, encoding="utf-8") as f:
                cases = {(c["request"]["method"], c["request"]["path"], c["credential"]): c
                         for c in json.load(f)["cases"]}
        self.assertEqual((disagreements, skipped), ([], []))
        self.assertEqual(total, len(cases))
        dave = cases[("POST", "/api/posts/1/publish/", "dave/token")]
        self.assertEqual(dave["context"]["action"], "publish")
        self.assertEqual(dave["context"]["authentication"], {"succeeded": "TokenAuthentication"})
        self.assertEqual(dave["context"]["user"]["attributes"], {"email_verified": False})
        post = Post.objects.get(pk=1)
        # owner: the permission classes read it; published: the view's queryset condition does.
        self.assertEqual(dave["context"]["object"], {"id": 1, "owner": post.owner_id, "published": post.published})
        self.assertEqual(dave["origin"]["status"], 403)
        self.assertIn("Please verify your email address", dave["origin"]["body"])
        wrong = cases[("GET", "/api/posts/", "wrong-token")]
        self.assertEqual(wrong["context"]["authentication"],
                         {"failed": {"exception": "AuthenticationFailed", "detail": "Invalid token.",
                                     "code": "authentication_failed"}})
        self.assertEqual(wrong["origin"]["headers"]["WWW-Authenticate"], 'Bearer realm="api"')
        # Alice's draft is invisible to bob: a lookup miss before any object permission.
        draft = cases[("DELETE", "/api/posts/2/", "bob/session")]
        self.assertIsNone(draft["context"]["object"])
        self.assertEqual(draft["origin"]["status"], 404)
        carol = cases[("POST", "/api/comments/", "carol/token")]
        self.assertIn("blog.add_comment", carol["context"]["user"]["permissions"])
        self.assertTrue(carol["origin"]["allowed"])
        no_csrf = cases[("POST", "/api/posts/", "alice/session-no-csrf")]
        self.assertEqual(no_csrf["context"]["authentication"]["failed"]["exception"], "PermissionDenied")

    def test_a_gate_that_allows_everything_disagrees(self):
        total, disagreements, _ = self.check(replay=f"{RECORDED} --allow-all", methods=["GET", "DELETE"])
        self.assertTrue(disagreements)
        self.assertLess(len(disagreements), total)

    def test_changed_permission_classes_are_caught(self):
        """A policy exported before a code change no longer matches DRF: the check says where."""
        with tempfile.TemporaryDirectory() as tmp:
            baseline = os.path.join(tmp, "baseline.json")
            self.check(keep=baseline, methods=["GET", "PATCH", "DELETE"])
            stale = f"{RECORDED} --baseline {shlex.quote(baseline)}"
            _, agree, _ = self.check(replay=stale, methods=["GET", "PATCH", "DELETE"])
            self.assertEqual(agree, [])
            with mock.patch.object(blog_views.PostViewSet, "permission_classes", [permissions.IsAuthenticatedOrReadOnly]):
                _, disagreements, _ = self.check(replay=stale, methods=["GET", "PATCH", "DELETE"])
        self.assertTrue(disagreements)
        paths = {(case["request"]["method"], case["request"]["path"], case["credential"]) for case, _ in disagreements}
        self.assertIn(("DELETE", "/api/posts/3/", "alice/token"), paths)  # alice may now delete bob's post
        self.assertTrue(all(case["context"]["view"] == "posts" for case, _ in disagreements))

    def test_command_exit_status(self):
        out = io.StringIO()
        call_command("drfgate_check", replay_cmd=RECORDED, users=["bob"], methods=["GET"], stdout=out,
                     stderr=io.StringIO())
        self.assertIn("0 disagreements", out.getvalue())
        with self.assertRaises(SystemExit) as ctx:
            call_command("drfgate_check", replay_cmd=f"{RECORDED} --allow-all", users=["bob"], methods=["DELETE"],
                         stdout=out, stderr=io.StringIO())
        self.assertEqual(ctx.exception.code, 1)
        self.assertIn("DISAGREE", out.getvalue())

    @unittest.skipUnless(core.available(), "the compiled core (drfgate._native) is not built")
    def test_drf_gate_agrees_with_drf(self):
        total, disagreements, _ = self.check(replay=None, users=None)
        self.assertEqual([(c["id"], d) for c, d in disagreements], [])
        self.assertGreater(total, 1000)

    @unittest.skipUnless(node_replay_available(), "the drf-gate npm package (pkg/) is not built")
    def test_node_replay_agrees_with_drf(self):
        total, disagreements, _ = self.check(replay=f"node {DEFAULT_REPLAY}", methods=["GET", "DELETE"])
        self.assertEqual([(c["id"], d) for c, d in disagreements], [])
        self.assertGreater(total, 100)

    def test_allow_all_users_backend_and_basic(self):
        """The real-DRF vector behind the exporter's AUTHENTICATION_BACKENDS problem."""
        from django.contrib.auth import get_user_model
        from rest_framework import authentication

        get_user_model().objects.create_user("idle", password="pw", is_active=False)
        header = {"HTTP_AUTHORIZATION": "Basic aWRsZTpwdw=="}  # idle:pw
        bodies = []
        with mock.patch.object(blog_views.TagViewSet, "authentication_classes", [authentication.BasicAuthentication]):
            for backends in (["django.contrib.auth.backends.ModelBackend"],
                             ["django.contrib.auth.backends.AllowAllUsersModelBackend"]):
                with override_settings(AUTHENTICATION_BACKENDS=backends):
                    response = self.client.post("/api/tags/", **header)
                bodies.append((response.status_code, response.content))
        self.assertEqual(bodies, [(401, b'{"detail":"Invalid username/password."}'),
                                  (401, b'{"detail":"User inactive or deleted."}')])

    def test_a_filter_backend_hides_the_object_before_object_permissions(self):
        """The real-DRF vector behind the exporter's filter_backends problem: bob's PUT of alice's
        post 1 is IsOwnerOrReadOnly's 403, and DRF's 404 once `?search=` matches nothing."""
        from django.contrib.auth import get_user_model
        from rest_framework.filters import SearchFilter

        self.client.force_login(get_user_model().objects.get(username="bob"))
        with mock.patch.object(blog_views.PostViewSet, "filter_backends", [SearchFilter]), \
                mock.patch.object(blog_views.PostViewSet, "search_fields", ["title"], create=True):
            plain = self.client.put("/api/posts/1/", "{}", content_type="application/json")
            searched = self.client.put("/api/posts/1/?search=zzz", "{}", content_type="application/json")
        self.assertEqual((plain.status_code, searched.status_code), (403, 404))

    def test_filter_backends_leave_requests_with_their_parameters_to_the_origin(self):
        """SearchFilter and django-filter filter get_object() only by the parameters a request
        carries. Exported with `filterParams`, the edge answers every request without them as DRF
        does (bob's PUT of alice's post: 403) and leaves every one with them to the origin (the
        same PUT with `?search=zzz`: DRF's 404; `?created_before=bad`: django-filter's 400). From
        DRF's test client and the core's check_request on the same requests; without
        `filterParams` the core answers some of them otherwise."""
        import django_filters
        from django.contrib.auth import get_user_model
        from django_filters.rest_framework import DjangoFilterBackend
        from rest_framework.authtoken.models import Token
        from rest_framework.filters import SearchFilter

        from drfgate.check import ContextBuilder

        class PostFilter(django_filters.FilterSet):
            created = django_filters.DateFromToRangeFilter()

            class Meta:
                model = Post
                fields = {"title": ["exact", "icontains"], "published": ["exact"]}

        queries = ["", "?page=2", "?format=json", "?search=zzz", "?search=Hello", "?se%61rch=zzz", "?title=zzz",
                   "?title__icontains=edge", "?published=maybe", "?published=false", "?created_after=2000-01-01",
                   "?created_before=bad", "?search=%00"]
        with mock.patch.object(blog_views.PostViewSet, "filter_backends", [SearchFilter, DjangoFilterBackend]), \
                mock.patch.object(blog_views.PostViewSet, "search_fields", ["title"], create=True), \
                mock.patch.object(blog_views.PostViewSet, "filterset_class", PostFilter, create=True):
            policy = export_policy()
            self.assertEqual(policy["views"]["posts"]["filterParams"],
                             ["created", "published", "search", "title", "title__icontains"])
            builder = ContextBuilder(policy, None)
            requests = []
            for username in ("alice", "bob"):
                user = get_user_model().objects.get(username=username)
                token = Token.objects.get_or_create(user=user)[0].key
                for pk in (1, 2, 3, 999):
                    post = Post.objects.filter(pk=pk).first()
                    for query in queries:
                        for method, action in (("GET", "retrieve"), ("PUT", "update")):
                            response = self.client.generic(method, f"/api/posts/{pk}/{query}", "{}",
                                                           content_type="application/json",
                                                           HTTP_AUTHORIZATION=f"Token {token}")
                            step = {"request": {"method": method, "url": f"http://testserver/api/posts/{pk}/{query}",
                                                "headers": {"Authorization": f"Token {token}"}},
                                    "view": "posts", "action": action,
                                    "object": builder.object(post) if post else None,
                                    "answers": [{"key": {"kind": "token", "key": token},
                                                 "answer": {"user": builder.user(user)}}]}
                            requests.append((query, step, response.status_code, response.content.decode()))

        def outcomes(policy):
            """(answered as DRF, forwarded, answered otherwise) over the requests."""
            policy = json.loads(json.dumps(policy))
            policy.setdefault("settings", {}).setdefault("jwt", {})["signingKey"] = "unused: no JWT is sent"
            gate = core.Gate(policy)
            same, forwarded, wrong = [], [], []
            for query, step, status, body in requests:
                decision = gate.check_request(step)["decision"]
                if decision["allowed"] or not decision.get("respond", True):
                    forwarded.append((query, status))
                elif (decision["status"], decision["body"]) == (status, body):
                    same.append((query, status))
                else:
                    wrong.append((query, step["request"]["method"], step["request"]["url"], status,
                                  decision["status"]))
            return same, forwarded, wrong

        same, forwarded, wrong = outcomes(policy)
        self.assertEqual(wrong, [])
        # Without a parameter the backends read, the edge answers DRF's 403 and 404.
        self.assertEqual({s for q, s in same}, {403, 404})
        self.assertTrue(all(q in ("", "?page=2", "?format=json") for q, _ in same), same)
        # DRF's 404 (a filter hid the post) and 400 (django-filter refused a value, or a NUL in
        # the search) under those parameters went to the origin.
        self.assertTrue({404, 400} <= {s for q, s in forwarded if q not in ("", "?page=2", "?format=json")}, forwarded)
        del policy["views"]["posts"]["filterParams"]
        self.assertNotEqual(outcomes(policy)[2], [])

    def test_get_throttles_throttles(self):
        """The real-DRF vector behind exporting a get_throttles() of the project's own as throttled:
        the 405 of a method without a handler becomes 429 once over the rate."""
        from django.core.cache import cache
        from rest_framework.throttling import AnonRateThrottle

        class OnePerMinute(AnonRateThrottle):
            rate = "1/min"

        cache.clear()
        with mock.patch.object(blog_views.TagViewSet, "permission_classes", [permissions.AllowAny]), \
                mock.patch.object(blog_views.TagViewSet, "get_throttles", lambda self: [OnePerMinute()], create=True):
            statuses = [self.client.put("/api/tags/").status_code for _ in range(2)]
        cache.clear()
        self.assertEqual(statuses, [405, 429])

    def test_get_queryset_hides_objects(self):
        """The real-DRF vector behind the exporter's undeclared get_queryset() problem: a tag that
        exists, outside the queryset, is not found before any object permission runs."""
        from blog.models import Tag

        rust = Tag.objects.get(name="rust")
        with mock.patch.object(blog_views.TagViewSet, "get_queryset",
                               lambda self: Tag.objects.filter(name="news"), create=True):
            response = self.client.get(f"/api/tags/{rust.pk}/")
        self.assertEqual((response.status_code, response.content), (404, b'{"detail":"No Tag matches the given query."}'))

    def test_a_patched_initialize_request_makes_failed_authentication_a_500(self):
        """The real-DRF vector behind the exporter's patched-DRF problem (CMS-backend's
        AppConfig.ready()): `request.user` read in initialize_request authenticates outside
        DRF's handle_exception, so a wrong token is Django's 500 where DRF says 401."""
        from rest_framework.views import APIView

        original = APIView.initialize_request

        def reads_the_user(self, request, *args, **kwargs):
            drf_request = original(self, request, *args, **kwargs)
            drf_request.user  # noqa: B018 - authenticates here
            return drf_request

        self.client.raise_request_exception = False
        self.assertEqual(self.client.get("/api/posts/", HTTP_AUTHORIZATION="Token wrong").status_code, 401)
        with mock.patch.object(APIView, "initialize_request", reads_the_user):
            self.assertEqual(self.client.get("/api/posts/", HTTP_AUTHORIZATION="Token wrong").status_code, 500)

    def test_uuid_pks_become_text(self):
        # A project whose user model has a UUID pk (swapskill): the check stopped with "Object of
        # type UUID is not JSON serializable".
        import uuid
        from types import SimpleNamespace

        from drfgate.check import ContextBuilder

        owner = SimpleNamespace(_meta=None, pk=uuid.UUID(int=7))
        builder = ContextBuilder({"classes": {"IsOwner": {"hasObjectPermission": "obj.owner == request.user"}}}, None)
        obj = SimpleNamespace(pk=uuid.UUID(int=9), owner=owner)
        self.assertEqual(json.loads(json.dumps(builder.object(obj))),
                         {"id": "00000000-0000-0000-0000-000000000009", "owner": "00000000-0000-0000-0000-000000000007"})

    def test_generated_users_get_a_pk_the_model_does_not_make(self):
        import uuid
        from types import SimpleNamespace

        from django.contrib.auth import get_user_model
        from django.db import models

        from drfgate.check import _generated_pk

        def pk_of(field):
            field.set_attributes_from_name("id")
            return _generated_pk(SimpleNamespace(_meta=SimpleNamespace(pk=field),
                                                 _default_manager=get_user_model()._default_manager), "drfgate-check-user")

        self.assertIsNone(pk_of(models.BigAutoField(primary_key=True)))
        self.assertIsNone(pk_of(models.UUIDField(primary_key=True, default=uuid.uuid4)))
        self.assertIsInstance(pk_of(models.UUIDField(primary_key=True)), uuid.UUID)
        self.assertEqual(pk_of(models.CharField(primary_key=True, max_length=40)), "drfgate-check-user")
        top = get_user_model().objects.order_by("-pk")[0].pk
        self.assertEqual(pk_of(models.IntegerField(primary_key=True)), top + 1)
        with self.assertRaisesRegex(ValueError, r"its pk id \(DateField\) has no default"):
            pk_of(models.DateField(primary_key=True))

    def test_generated_users_fill_the_fields_the_model_requires(self):
        # softdesk: `age = PositiveIntegerField()` (no default) and a save() refusing None or < 15;
        # no user could be generated ("cannot make users"), and only the database's were checked.
        from types import SimpleNamespace

        from django.db import models

        from drfgate.check import _required_values

        fields = {"username": models.CharField(max_length=40, unique=True), "age": models.PositiveIntegerField(),
                  "code": models.IntegerField(unique=True), "email": models.EmailField(blank=True),
                  "nickname": models.CharField(max_length=9), "bio": models.TextField(blank=True),
                  "score": models.IntegerField(default=3), "born": models.DateField(null=True)}
        for name, field in fields.items():
            field.set_attributes_from_name(name)
        User = SimpleNamespace(REQUIRED_FIELDS=["email"], _meta=SimpleNamespace(concrete_fields=list(fields.values())))
        real = SimpleNamespace(age=30, code=7, nickname="ann")
        # nickname: its last 9 characters (nomad-back's 20-character `phone` refused the whole name).
        self.assertEqual(_required_values(User, "drfgate-check-user", real, exclude={"username"}),
                         {"age": 30, "email": "drfgate-check-user@example.invalid", "nickname": "heck-user"})
        self.assertNotIn("age", _required_values(User, "drfgate-check-user", None))

    def test_generated_users_of_an_email_username_field(self):
        # nomad-back: USERNAME_FIELD = "email" and a save() running full_clean(), which refused
        # "drfgate-check-user" ("Enter a valid email address."): no user was generated.
        from django.contrib.auth import get_user_model
        from django.db import transaction

        from drfgate.check import make_users

        User = get_user_model()
        with mock.patch.object(User, "USERNAME_FIELD", "email"), transaction.atomic():
            users = make_users(self.policy)
            emails = [u.email for u in users]
            for user in users:
                user.full_clean(exclude=["password"])
            transaction.set_rollback(True)
        self.assertIn("drfgate-check-user@example.invalid", emails)
        self.assertTrue(all(e.startswith("drfgate-check-") for e in emails), emails)

    def test_token_requests_use_the_keyword_of_the_class(self):
        # A TokenAuthentication subclass with `keyword = "Bearer"` (cfe course): every token went
        # as `Token <key>`, no credentials to it, so no token request was authenticated.
        from drfgate.check import _token_keywords

        classes = {"Bearer": {"base": "TokenAuthentication", "keyword": "Bearer"},
                   "BearerTwo": {"base": "Bearer"}, "Jwtish": {"base": "JWTAuthentication"}}
        policy = {"authenticationClasses": classes, "settings": {"token": {"keyword": "Token"}}}
        self.assertEqual(_token_keywords(policy, {"Bearer", "SessionAuthentication"}), ["Bearer"])
        self.assertEqual(_token_keywords(policy, {"BearerTwo", "TokenAuthentication"}), ["Bearer", "Token"])
        self.assertEqual(_token_keywords(policy, {"Jwtish"}), [])
        with mock.patch.object(blog_views.PostViewSet, "authentication_classes", [BearerToken]):
            result = self.check(policy=export_policy(), replay=None, methods=["GET"])
        self.assertEqual(result.disagreements, [])
        bearer = [c for c in result.cases if c["credential"] == "alice/token-Bearer" and c["context"]["view"] == "posts"]
        self.assertTrue(bearer)
        self.assertTrue(all("succeeded" in json.dumps(c["context"]["authentication"]) for c in bearer),
                        bearer[0]["context"]["authentication"])
        wrong = [c["origin"]["body"] for c in result.cases if c["credential"] == "wrong-token"
                 and c["context"]["view"] == "posts"]
        self.assertIn('{"detail":"Invalid token."}', wrong)

    def test_a_class_that_authenticated_no_request_is_named(self):
        # drfgate_check sends no Basic credentials (it knows no password): the check "agreed" on
        # tags while no request of it was authenticated, and said nothing.
        self.assertEqual(self.check(methods=["GET"]).unauthenticated_classes(self.policy), [])
        with mock.patch.object(blog_views.TagViewSet, "authentication_classes", [authentication.BasicAuthentication]):
            policy = export_policy()
            result = self.check(policy=policy, replay=None, methods=["GET"])
        self.assertEqual(result.unauthenticated_classes(policy), ["BasicAuthentication"])

    @unittest.skipUnless(core.available(), "the compiled core (drfgate._native) is not built")
    def test_a_custom_authentication_class_that_raises_is_the_origins(self):
        # iheehee/airbnb_app_backend: its JWTAuthentication, first, returns AuthenticationFailed
        # for any Authorization header it cannot decode; DRF's 500 for every token and JWT request.
        # They were skipped ("DRF did not reach authentication"): 84 of 462, so the check failed.
        from django.test import Client

        classes = [ReturnsItsFailure, authentication.SessionAuthentication]
        with mock.patch.object(blog_views.PostViewSet, "authentication_classes", classes):
            with self.assertLogs("django.request", "ERROR"):
                response = Client(raise_request_exception=False).get("/api/posts/", HTTP_AUTHORIZATION="Token x")
            self.assertEqual(response.status_code, 500)
            policy = export_policy()
            result = self.check(policy=policy, replay=None, methods=["GET", "DELETE"])
        self.assertEqual(result.disagreements, [])
        self.assertEqual([s for s in result.skipped if "/api/posts/" in s], [])
        self.assertIsNone(result.failure(0.1))
        posts = [o for o in result.origins if "/api/posts/" in o]
        self.assertTrue(posts)
        self.assertTrue(all("ReturnsItsFailure (" in o and "raised while DRF authenticated (DRF's 500): TypeError: "
                            in o for o in posts), posts[:2])
        self.assertTrue(all(" as anonymous:" not in o and "/session:" not in o for o in posts), posts[:2])
        # Requests without a header pass through it to the session: compared as before.
        sessions = [c for c in result.cases if c["context"]["view"] == "posts"
                    and c["context"]["authentication"].get("succeeded") == "SessionAuthentication"]
        self.assertTrue(sessions)

    @unittest.skipUnless(core.available(), "the compiled core (drfgate._native) is not built")
    def test_guardian_object_permissions(self):
        # DjangoObjectPermissions with django-guardian: no generated user held an object
        # permission and no context carried one, so has_perms(perms, obj) was never True at the
        # edge. A generated user now holds every permission on each model's first row (guardian),
        # and each case's user carries what the backends grant on the object looked up.
        from django.apps import apps

        if not apps.is_installed("guardian"):
            self.skipTest("django-guardian is not installed (examples/blog/server/setup.sh installs it)")
        from blog.models import Comment, Tag

        class ViewObjectPermissions(permissions.DjangoObjectPermissions):
            perms_map = {**permissions.DjangoObjectPermissions.perms_map, "GET": ["%(app_label)s.view_%(model_name)s"],
                         "HEAD": ["%(app_label)s.view_%(model_name)s"]}

        backends = ["django.contrib.auth.backends.ModelBackend", "guardian.backends.ObjectPermissionBackend"]
        with override_settings(AUTHENTICATION_BACKENDS=backends), \
                mock.patch.object(blog_views.CommentViewSet, "permission_classes", [permissions.DjangoObjectPermissions]), \
                mock.patch.object(blog_views.TagViewSet, "permission_classes", [ViewObjectPermissions]):
            policy = export_policy()
            result = self.check(policy=policy, replay=None, users=["alice"], methods=["GET", "PUT", "DELETE"],
                                generate_users=True)
        self.assertEqual([(c["id"], d) for c, d in result.disagreements], [])
        first = {"comments": Comment.objects.order_by("pk")[0].pk, "tags": Tag.objects.order_by("pk")[0].pk}
        outcomes = {}
        for case in result.cases:
            view, obj = case["context"]["view"], case["context"].get("object")
            if view in first and obj and case["credential"] == "drfgate-check-objperms/token":
                held = "objectPermissions" in case["context"]["user"]
                self.assertEqual(held, obj["id"] == first[view], case["context"])
                key = (view, case["request"]["method"], held)
                outcomes.setdefault(key, set()).add("allowed" if case["origin"]["allowed"] else case["origin"]["status"])
        # One user: allowed on the row it holds permissions on; 403 (built-in map, GET needs none)
        # or 404 (no view permission) on the next.
        self.assertEqual(outcomes[("comments", "PUT", True)], {"allowed"})
        self.assertEqual(outcomes[("comments", "PUT", False)], {403})
        self.assertEqual(outcomes[("comments", "GET", False)], {"allowed"})
        self.assertEqual(outcomes[("tags", "DELETE", True)], {"allowed"})
        self.assertEqual(outcomes[("tags", "GET", False)], {404})
        self.assertEqual(outcomes[("tags", "DELETE", False)], {404})

    @unittest.skipUnless(core.available(), "the compiled core (drfgate._native) is not built")
    def test_a_perms_map_the_instance_holds(self):
        # `self.perms_map = deepcopy(self.perms_map); self.perms_map["GET"] = [view]` in __init__
        # (model-united-nations-of-luebeck/CMS-backend's shape): the class's map was exported,
        # GET needing nothing, where DRF's instance needs view_tag (its 403 was the edge's allow).
        from tests.test_export import ViewPermsInInitCopy

        with mock.patch.object(blog_views.TagViewSet, "permission_classes",
                               [permissions.IsAuthenticated, ViewPermsInInitCopy]):
            self.assert_tags_read_needs_view_tag()

    def assert_tags_read_needs_view_tag(self):
        """Export the blog as patched and check its tags against real DRF: no disagreement, and
        GET refused (403) to a user without view_tag, allowed to the one holding every permission."""
        result = self.check(policy=export_policy(), replay=None, users=["alice"], methods=["GET", "DELETE"],
                            generate_users=True)
        self.assertEqual([(c["id"], d) for c, d in result.disagreements], [])
        outcomes = {(c["request"]["method"], c["origin"]["allowed"] or c["origin"]["status"])
                    for c in result.cases if c["context"]["view"] == "tags"}
        self.assertIn(("GET", 403), outcomes)
        self.assertIn(("GET", True), outcomes)

    @unittest.skipUnless(core.available(), "the compiled core (drfgate._native) is not built")
    def test_a_perms_map_changed_at_import(self):
        # oneavk/drf_app's class body assigns into DRF's own map: declared as the class's permsMap,
        # the edge agrees with DRF (its GET 403 without view_tag).
        with mock.patch.dict(permissions.DjangoModelPermissions.perms_map):
            class AliasesTheSharedMap(permissions.DjangoModelPermissions):
                perms_map = permissions.DjangoModelPermissions.perms_map
                perms_map["GET"] = ["%(app_label)s.view_%(model_name)s"]

            with mock.patch.object(blog_views.TagViewSet, "permission_classes",
                                   [permissions.IsAuthenticated, AliasesTheSharedMap]), \
                    mock.patch.object(blog_views.CommentViewSet, "permission_classes", [AliasesTheSharedMap]):
                self.assert_tags_read_needs_view_tag()

    @unittest.skipUnless(core.available(), "the compiled core (drfgate._native) is not built")
    def test_hand_written_object_permissions(self):
        # `obj.post.owner == request.user` (a FK chain) and `groups.filter(name=...).exists()` are
        # translated, and agree with DRF on every object-level case; `obj.comments.filter(author=
        # request.user).exists()` is refused, and its view left to the origin.
        from drfgate.export import ExportError

        with mock.patch.object(blog_views.CommentViewSet, "permission_classes",
                               [permissions.IsAuthenticated, PostOwnerOrModerator]), \
                mock.patch.object(blog_views.PostViewSet, "permission_classes", [permissions.IsAuthenticated, Commenter]), \
                mock.patch.object(blog_views.PostViewSet, "get_permissions",
                                  lambda self: [p() for p in self.permission_classes]):
            with self.assertRaisesRegex(ExportError, r"Commenter"):
                export_policy()
            policy = export_policy(leave_to_origin=["posts"])
            result = self.check(policy=policy, replay=None, methods=["GET", "PUT", "DELETE"], generate_users=True)
        self.assertEqual(policy["classes"]["PostOwnerOrModerator"]["hasObjectPermission"],
                         "request.method in SAFE_METHODS or obj.post.owner == request.user or "
                         "request.user.is_authenticated and 'moderators' in request.user.groups")
        self.assertEqual([(c["id"], d) for c, d in result.disagreements], [])
        self.assertNotIn("posts", {c["context"]["view"] for c in result.cases})
        writes = [c for c in result.cases if c["context"]["view"] == "comments" and c["request"]["method"] != "GET"
                  and c["context"].get("object") and c["context"]["user"]]
        outcomes = {(c["credential"].split("/")[0], "allowed" if c["origin"]["allowed"] else c["origin"]["status"])
                    for c in writes}
        # Comment 1 is on alice's post, comment 2 on bob's; carol is a moderator.
        self.assertIn(("alice", "allowed"), outcomes)
        self.assertIn(("alice", 403), outcomes)
        self.assertIn(("carol", "allowed"), outcomes)
        self.assertIn(("drfgate-check-user", 403), outcomes)
        self.assertIn('{"detail":"Only the post\'s owner or a moderator may change its comments."}',
                      {c["origin"]["body"] for c in writes})

    @unittest.skipUnless(core.available(), "the compiled core (drfgate._native) is not built")
    def test_object_permissions_the_model_decides(self):
        # `hasattr(obj, 'author')` (HDanDev/SoftDesk's IsSelf shape) is True on every comment and
        # False on every tag and post; `obj == request.user` and `obj.post == request.user`
        # (ananotopuria/book_store's FK to another model) are always False there. Both were refused
        # before; exported per model, real DRF agrees on every request.
        from tests.test_export import CommentOnOwnPost, SelfOrAuthor

        own = [permissions.IsAuthenticated, SelfOrAuthor]
        with mock.patch.object(blog_views.CommentViewSet, "permission_classes",
                               [permissions.IsAuthenticated, SelfOrAuthor | CommentOnOwnPost]), \
                mock.patch.object(blog_views.TagViewSet, "permission_classes", own), \
                mock.patch.object(blog_views.PostReportViewSet, "permission_classes", own):
            policy = export_policy()
            result = self.check(policy=policy, replay=None, methods=["GET", "PUT", "DELETE"])
        self.assertEqual(policy["views"]["comments"]["permissions"],
                         ["IsAuthenticated", "SelfOrAuthor_onComment | CommentOnOwnPost_onComment"])
        self.assertEqual([(c["id"], d) for c, d in result.disagreements], [])
        outcomes = {(c["context"]["view"], c["request"]["method"], c["origin"]["allowed"] or c["origin"]["status"])
                    for c in result.cases if c["context"].get("object") and c["context"]["user"]}
        self.assertIn(("comments", "PUT", True), outcomes)  # the comment's author
        self.assertIn(("comments", "PUT", 403), outcomes)  # anyone else, the post's owner too
        for view in ("tags", "post-reports"):
            self.assertIn((view, "GET", 403), outcomes)
            self.assertNotIn((view, "GET", True), outcomes)

    @unittest.skipUnless(core.available(), "the compiled core (drfgate._native) is not built")
    def test_a_handler_answering_405_itself_was_allowed(self):
        # The handler ran (the edge forwards: "allowed"); its own 405 is the origin's answer. The
        # check read any call of http_method_not_allowed() as "no handler" (DRF denied): 28
        # disagreements on backend-gypark's /logout.
        with override_settings(ROOT_URLCONF=LogoutUrls):
            result = self.check(policy=export_policy(), replay=None, users=["alice"])
        self.assertEqual([(c["request"]["method"], c["credential"], d) for c, d in result.disagreements], [])
        got = {(c["request"]["method"], c["origin"]["status"], c["origin"]["allowed"]) for c in result.cases}
        self.assertIn(("GET", 405, True), got)
        self.assertIn(("HEAD", 405, True), got)
        self.assertIn(("PUT", 405, False), got)  # no handler: DRF's dispatch() answers

    @unittest.skipUnless(core.available(), "the compiled core (drfgate._native) is not built")
    def test_basic_credentials_of_generated_users(self):
        # Basic was never exercised (no password is known): nomad-back's "Basic NOT COVERED". The
        # generated users now have a password the check sends; an inactive one and an unknown
        # name are DRF's 401 "Invalid username/password.".
        with mock.patch.object(blog_views.TagViewSet, "authentication_classes", [authentication.BasicAuthentication]):
            policy = export_policy()
            result = self.check(policy=policy, replay=None, users=["alice"], methods=["GET", "POST"],
                                generate_users=True)
        self.assertEqual([(c["id"], d) for c, d in result.disagreements], [])
        self.assertEqual(result.unauthenticated_classes(policy), [])
        tags = [c for c in result.cases if c["context"]["view"] == "tags"]
        basic = [c for c in tags if c["credential"].endswith("/basic")]
        succeeded = [c for c in basic if c["context"]["authentication"] == {"succeeded": "BasicAuthentication"}]
        self.assertGreaterEqual(len(succeeded), 8, [c["credential"] for c in basic])
        self.assertTrue(any(c["origin"]["status"] == 201 or c["origin"]["allowed"] for c in succeeded))
        refused = {(c["credential"], c["origin"]["status"], c["origin"]["body"]) for c in tags
                   if c["credential"] in ("wrong-basic", "drfgate-check-inactive/basic")}
        self.assertEqual({(s, b) for _, s, b in refused}, {(401, '{"detail":"Invalid username/password."}')})
        self.assertEqual({c for c, _, _ in refused}, {"wrong-basic", "drfgate-check-inactive/basic"})
        self.assertEqual({c["origin"]["headers"].get("WWW-Authenticate") for c in tags
                          if c["credential"] == "wrong-basic"}, {'Basic realm="api"'})

    def test_knox_requests_get_knox_tokens(self):
        from drfgate.check import _knox_prefix

        classes = {"Knoxish": {"base": "KnoxTokenAuthentication"}, "Bearer": {"base": "TokenAuthentication"}}
        policy = {"authenticationClasses": classes, "settings": {"knox": {"authHeaderPrefix": "Knox"}}}
        self.assertEqual(_knox_prefix(policy, {"Knoxish", "SessionAuthentication"}), "Knox")
        self.assertEqual(_knox_prefix({}, {"KnoxTokenAuthentication"}), "Token")  # knox's default
        self.assertIsNone(_knox_prefix(policy, {"Bearer", "TokenAuthentication"}))
        from django.apps import apps

        if not apps.is_installed("knox"):
            self.skipTest("django-rest-knox is not installed here (conformance/thirdparty.sh's venv has it)")
        from knox.auth import TokenAuthentication as KnoxToken

        with mock.patch.object(blog_views.PostViewSet, "authentication_classes", [KnoxToken]):
            policy = export_policy()
            result = self.check(policy=policy, replay=None, methods=["GET"])
        self.assertEqual(result.disagreements, [])
        self.assertEqual(result.unauthenticated_classes(policy), [])
        knox = [c for c in result.cases if c["credential"] == "alice/knox" and c["context"]["view"] == "posts"]
        self.assertTrue(knox and all(c["context"]["authentication"] == {"succeeded": "KnoxTokenAuthentication"}
                                     for c in knox), knox[:1])

    def test_jwt_requests_use_the_header_simplejwt_reads(self):
        # storefront-django: SIMPLE_JWT = {"AUTH_HEADER_TYPES": ("JWT",)}; every JWT went as
        # `Bearer <jwt>`, no credentials to simplejwt, so no JWT request was authenticated.
        from drfgate.check import build_credentials

        policy = {"authentication": ["JWTAuthentication"], "views": {},
                  "settings": {"jwt": {"authHeaderTypes": ["JWT", "Bearer"], "authHeaderName": "HTTP_X_ACCESS"}}}
        creds = {c.label: c.headers for c in build_credentials(policy, users=["alice"])}
        self.assertEqual(creds["garbage-jwt"], {"HTTP_X_ACCESS": "JWT not.a.jwt"})
        self.assertRegex(creds["alice/jwt"]["HTTP_X_ACCESS"], r"^JWT [\w-]+\.[\w-]+\.[\w-]+$")
        self.assertEqual({c.label: c.headers for c in build_credentials({"authentication": ["JWTAuthentication"],
                                                                         "views": {}}, users=["alice"])}["garbage-jwt"],
                         {"HTTP_AUTHORIZATION": "Bearer not.a.jwt"})

    def test_detail_paths_from_path_converters_and_uuid_pks(self):
        # DRFTotal: `path('<int:pk>/', ...)` exports as `{pk:int}`, which the check requested
        # literally (every request a 404, "skipped"); blog-stack-backend: a UUID pk stopped the
        # check at the lookup miss (UUID + 1000).
        import uuid
        from types import SimpleNamespace

        from drfgate.check import _lookup_miss, build_paths

        policy = {"routes": [{"pattern": "/posts/{pk:int}/", "view": "PostDetail"}],
                  "views": {"PostDetail": {"model": "blog.Post"}}}
        pks = list(Post.objects.order_by("pk").values_list("pk", flat=True)[:2])
        self.assertEqual([path for path, _ in build_paths(policy, objects=2)],
                         [f"/posts/{pks[0]}/", f"/posts/{pks[1]}/", f"/posts/{Post.objects.order_by('-pk')[0].pk + 1000}/"])
        last = SimpleNamespace(pk=uuid.UUID(int=9))
        self.assertIsInstance(_lookup_miss(last), uuid.UUID)
        self.assertNotEqual(_lookup_miss(last), last.pk)
        self.assertEqual(_lookup_miss(None), 1000)

    @unittest.skipUnless(core.available(), "the compiled core (drfgate._native) is not built")
    def test_csrf_cookie_domain_decides_the_referer_check(self):
        """CSRF_COOKIE_DOMAIN is the good host of the CSRF check's Referer comparison (HTTPS, no
        Origin): DRF lets a logged-in POST from https://app.example.org/ to api.example.org through;
        the exporter did not write it, and the edge answered 403 "CSRF Failed: Referer checking
        failed"."""
        from django.contrib.auth import get_user_model

        from drfgate.check import CSRF_SECRET

        from django.test import Client

        alice = get_user_model().objects.get(username="alice")
        client = Client(enforce_csrf_checks=True)
        client.force_login(alice)
        session = client.cookies["sessionid"].value
        headers = {"Referer": "https://app.example.org/", "X-CSRFToken": CSRF_SECRET,
                   "Cookie": f"sessionid={session}; csrftoken={CSRF_SECRET}", "Content-Type": "application/json"}
        outcomes = []
        for domain in (None, ".example.org"):
            with override_settings(CSRF_COOKIE_DOMAIN=domain, ALLOWED_HOSTS=["api.example.org"]):
                client.cookies["csrftoken"] = CSRF_SECRET
                response = client.post("/api/posts/", "{}", content_type="application/json", secure=True,
                                            HTTP_HOST="api.example.org", HTTP_REFERER=headers["Referer"],
                                            HTTP_X_CSRFTOKEN=CSRF_SECRET)
                request = {"method": "POST", "url": "https://api.example.org/api/posts/", "headers": headers,
                           "body": "{}"}
                gate = core.Gate(export_policy(include_secrets=True))
                step = gate.check_request({"request": request, "view": "posts"})
                key = step["lookup"]
                step = gate.check_request({"request": request, "view": "posts", "answers": [
                    {"key": key, "answer": {"user": {"id": alice.pk, "username": "alice"}}}]})
            outcomes.append((b"CSRF Failed" in response.content, "CSRF Failed" in step["decision"].get("body", "")))
        self.assertEqual(outcomes, [(True, True), (False, False)])

    @unittest.skipUnless(core.available(), "the compiled core (drfgate._native) is not built")
    def test_a_host_outside_allowed_hosts_without_common_middleware(self):
        """Without CommonMiddleware nothing answers a host outside ALLOWED_HOSTS before DRF: the CSRF
        check's get_host() refuses it and the Origin fails. The edge took any host (allowedHosts
        unset) and answered the permission check instead."""
        from django.conf import settings
        from django.contrib.auth import get_user_model
        from django.test import Client

        from drfgate.check import CSRF_SECRET

        alice = get_user_model().objects.get(username="alice")
        middleware = [m for m in settings.MIDDLEWARE if m != "django.middleware.common.CommonMiddleware"]
        with override_settings(MIDDLEWARE=middleware):
            client = Client(enforce_csrf_checks=True)
            client.force_login(alice)
            client.cookies["csrftoken"] = CSRF_SECRET
            response = client.post("/api/posts/", "{}", content_type="application/json", HTTP_HOST="evil.example",
                                   HTTP_ORIGIN="http://evil.example", HTTP_X_CSRFTOKEN=CSRF_SECRET)
            headers = {"Origin": "http://evil.example", "X-CSRFToken": CSRF_SECRET, "Content-Type": "application/json",
                       "Cookie": f"sessionid={client.cookies['sessionid'].value}; csrftoken={CSRF_SECRET}"}
            request = {"method": "POST", "url": "http://evil.example/api/posts/", "headers": headers, "body": "{}"}
            gate = core.Gate(export_policy(include_secrets=True))
            key = gate.check_request({"request": request, "view": "posts"})["lookup"]
            decision = gate.check_request({"request": request, "view": "posts", "answers": [
                {"key": key, "answer": {"user": {"id": alice.pk, "username": "alice"}}}]})["decision"]
        self.assertEqual((response.status_code, response.content.decode()), (decision["status"], decision["body"]))
        self.assertIn("Origin checking failed", decision["body"])

    def test_remote_user_needs_a_remote_user_backend(self):
        """The real-DRF vector behind the exporter's RemoteUserAuthentication problem."""
        from rest_framework import authentication

        statuses = []
        with mock.patch.object(blog_views.TagViewSet, "authentication_classes",
                               [authentication.RemoteUserAuthentication]), \
                mock.patch.object(blog_views.TagViewSet, "permission_classes", [permissions.IsAuthenticated]):
            for backend in ("ModelBackend", "RemoteUserBackend"):
                with override_settings(AUTHENTICATION_BACKENDS=[f"django.contrib.auth.backends.{backend}"]):
                    statuses.append(self.client.get("/api/tags/", REMOTE_USER="alice").status_code)
        self.assertEqual(statuses, [403, 200])

    def test_jwt_claim_the_user_id_field_cannot_take(self):
        """The real-DRF vector behind the exporter's USER_ID_FIELD problem: a 500, not 401."""
        from django.conf import settings
        from django.test import Client
        from rest_framework_simplejwt.tokens import AccessToken

        client = Client(raise_request_exception=False)
        with override_settings(SIMPLE_JWT={**settings.SIMPLE_JWT, "USER_ID_FIELD": "last_login"}):
            token = AccessToken()
            token["user_id"] = "abc"
            with self.assertLogs("django.request", "ERROR"):
                response = client.get("/api/posts/", HTTP_AUTHORIZATION=f"Bearer {token}")
        self.assertEqual(response.status_code, 500)

    @unittest.skipUnless(core.available(), "the compiled core (drfgate._native) is not built")
    def test_urlconf_shapes_agree_with_drf(self):
        # tests.urls_extra: @action routes, a plain view choosing its classes by method (feed).
        with override_settings(ROOT_URLCONF="tests.urls_extra"):
            result = self.check(policy=export_policy(), replay=None, objects=1)
        self.assertEqual([(c["request"]["method"], c["request"]["path"], c["credential"], d)
                          for c, d in result.disagreements], [])
        self.assertGreater(result.total, 300)
        # IsSelf | IsAdminUser on the user model (`obj == request.user`, translated): another
        # user's row is DRF's 403 at the object stage, and the edge's (one object: the first user).
        people = {c["origin"]["status"] for c in result.cases if c["request"]["method"] == "GET"
                  and re.fullmatch(r"/v2/people/\d+/", c["request"]["path"]) and "object" in c["context"]}
        self.assertIn(403, people)
        # The handler deleted request.user: the context is the user DRF authenticated, pk included.
        deleted = [c["context"]["user"] for c in result.cases
                   if c["request"]["path"] == "/account/delete/" and c["origin"]["allowed"]]
        self.assertTrue(deleted)
        self.assertTrue(all(u and u["id"] is not None for u in deleted), deleted)
        # /v3/reviews/: get_queryset() raises (DRF's 500) once DRF has let the request through; the
        # check stopped with the KeyError. A detail lookup that raises is skipped, named.
        served = {(c["request"]["path"], c["origin"]["status"], c["origin"]["allowed"]) for c in result.cases
                  if c["request"]["path"].startswith("/v3/reviews/") and c["request"]["method"] == "GET"}
        self.assertIn(("/v3/reviews/", 500, True), served)
        self.assertIn(("/v3/reviews/", 401, False), served)
        self.assertTrue(any("get_queryset() raised" in s for s in result.skipped), result.skipped[:3])
        feature = {(c["origin"]["status"], c["origin"]["allowed"]) for c in result.cases
                   if c["request"]["path"].endswith("/feature/") and c["request"]["method"] == "POST"}
        self.assertIn((404, True), feature)  # getObject false: the missing pk's 404 is the origin's
        # "me": get_object() is request.user, so every pk answers 200 (no lookup, no object permission).
        users = {c["origin"]["status"] for c in result.cases if c["request"]["method"] == "GET"
                 and re.fullmatch(r"/v2/users/[^/]+/", c["request"]["path"]) and c["origin"]["allowed"]}
        self.assertEqual(users, {200})
        # perform_update() raising after get_object(): the owner's PATCH of a published post is
        # DRF's 403 from the handler (the edge forwards it); bob's is IsOwner's 403 (the edge's).
        rename = {(c["credential"], c["origin"]["status"], c["origin"]["allowed"]) for c in result.cases
                  if c["request"]["path"] == "/posts/1/rename/" and c["request"]["method"] == "PATCH"}
        self.assertIn(("alice/token", 403, True), rename)
        self.assertIn(("bob/token", 403, False), rename)
        # The body validated before get_object(): bob's `{}` is DRF's 400, not IsOwner's 403.
        review = {(c["credential"], c["origin"]["status"], c["origin"]["allowed"]) for c in result.cases
                  if c["request"]["path"] == "/v2/archive/1/review/" and c["request"]["method"] == "POST"}
        self.assertIn(("bob/token", 400, True), review)
        from drfgate.check import server_errors

        errors = [error for error, _, _ in server_errors(result.cases)]
        self.assertTrue(any(e.startswith("KeyError: 'post_pk' (") and "urls_extra.py:" in e for e in errors), errors)
        # get_object() on an @action(detail=False): DRF's AssertionError (500) after IsOwner's
        # has_permission, for anyone; the edge answers the view stage and forwards.
        latest = {(c["origin"]["status"], c["origin"]["allowed"]) for c in result.cases
                  if c["request"]["path"] == "/v2/archive/latest/" and c["request"]["method"] == "GET"}
        self.assertEqual(latest, {(500, True), (401, False)})  # 401: a wrong token, before the handler
        self.assertTrue(any(e.startswith("AssertionError: Expected view ArchiveViewSet to be called with a URL "
                                         "keyword argument named \"pk\"") for e in errors), errors)
        # Routes no model fills (a function view's `<int:post_id>`; a queryset only get_queryset()
        # makes, for request.user) are requested with sample values; they were NOT COVERED. The
        # miss is DRF's `No Post matches the given query.` (the edge said `Not found.` without a model).
        covered = {c["context"]["view"] for c in result.cases}
        self.assertLessEqual({"like-post", "my-post"}, covered)
        misses = {c["origin"]["body"] for c in result.cases
                  if c["request"]["path"].startswith("/mine/") and c["origin"]["status"] == 404
                  and c["request"]["method"] != "HEAD"}
        self.assertEqual(misses, {'{"detail":"No Post matches the given query."}'})
        # A get_object() of its own running no object permission: IsOwner never runs on it.
        account = {(c["credential"], c["origin"]["status"]) for c in result.cases
                   if c["request"]["path"] == "/account/" and c["request"]["method"] == "GET"}
        self.assertIn(("bob/token", 200), account)
        # A nested route (drf-nested-routers' shape, get_queryset() filtered by the parent kwarg):
        # a comment under its own post, and under another post (DRF's 404). With one sample value
        # for both kwargs only /v3/posts/1/comments/1/ found its child, and the list route was
        # requested under the comments' pks.
        nested = {(c["request"]["path"], c["origin"]["status"], c["origin"]["body"]) for c in result.cases
                  if c["request"]["path"].startswith("/v3/posts/") and "/comments/" in c["request"]["path"]
                  and c["credential"] == "alice/token" and c["request"]["method"] == "GET"}
        self.assertIn(("/v3/posts/1/comments/1/", 200, ""), {(p, s, "") for p, s, _ in nested})
        self.assertIn(("/v3/posts/3/comments/1/", 404, '{"detail":"No Comment matches the given query."}'), nested)
        self.assertIn(("/v3/posts/1003/comments/", 200, "[]"), nested)  # the list of a post no row is

    @unittest.skipUnless(core.available(), "the compiled core (drfgate._native) is not built")
    def test_a_get_queryset_raising_on_a_parent_kwarg_is_forwarded(self):
        # storefront's cart items: get_queryset() filters by the parent kwarg, so a text there is
        # DRF's 500 (outside get_object_or_404's catch), not a lookup miss. The exporter narrows
        # the route to `{post_pk:int}`: the edge forwards those URLs. A text in the lookup kwarg
        # stays DRF's 404 (get_object_or_404 catches the ValueError), answered at the edge.
        from drfgate.check import build_credentials, compare, replay_native, run_matrix

        with override_settings(ROOT_URLCONF="tests.urls_extra"):
            policy = export_policy()
            route = next(r for r in policy["routes"] if r["view"] == "post-reply" and r["detail"])
            self.assertEqual(route["pattern"], "/v3/posts/{post_pk:int}/replies/{pk}/")
            creds = build_credentials(policy, users=["alice"])
            paths = [("/v3/posts/abc/replies/1/", route), ("/v3/posts/1/replies/abc/", route)]
            cases, skipped, _ = run_matrix(policy, creds, paths, methods=["GET"])
        self.assertEqual(skipped, [])
        results = replay_native({"policy": policy, "cases": cases})
        # routed: the core's router (the edge's) matches the path; the Python copy is gone.
        outcomes = {(c["request"]["path"], c["credential"]): (c["origin"]["status"], results[c["id"]]["routed"])
                    for c in cases}
        self.assertEqual(outcomes[("/v3/posts/abc/replies/1/", "alice/token")], (500, False))
        self.assertEqual(outcomes[("/v3/posts/1/replies/abc/", "alice/token")], (404, True))
        self.assertEqual(outcomes[("/v3/posts/abc/replies/1/", "anonymous")], (401, False))
        self.assertIsNone(core.Gate(policy).route("/v3/posts/abc/replies/1/"))
        self.assertEqual(core.Gate(policy).route("/v3/posts/1/replies/abc/"),
                         {"view": "post-reply", "action": None, "detail": True})
        self.assertEqual([(c["request"]["path"], c["credential"], compare(c, results[c["id"]])) for c in cases
                          if compare(c, results[c["id"]])], [])
        # Unnarrowed (the pattern as DRF's router wrote it), the edge's 404 disagrees with DRF's 500.
        bad = next(c for c in cases if c["request"]["path"] == "/v3/posts/abc/replies/1/"
                   and c["credential"] == "alice/token")
        self.assertIn("status: DRF 500, drf-gate 404", compare(bad, {**results[bad["id"]], "routed": True}))

    def test_a_malformed_body_answers_before_object_permissions(self):
        # The real-DRF vector behind retitle's `getObject: false` (test_export): bob is not the
        # owner of post 1, yet a malformed body is DRF's 400, not IsOwner's 403.
        from django.contrib.auth import get_user_model

        self.client.force_login(get_user_model().objects.get(username="bob"))
        with override_settings(ROOT_URLCONF="tests.urls_extra"):
            malformed = self.client.post("/v2/archive/1/retitle/", "{", content_type="application/json")
            empty = self.client.post("/v2/archive/1/retitle/", "{}", content_type="application/json")
        self.assertEqual(malformed.status_code, 400, malformed.content)
        self.assertEqual(empty.status_code, 403, empty.content)

    @unittest.skipUnless(core.available(), "the compiled core (drfgate._native) is not built")
    def test_drf_gate_catches_a_changed_viewset(self):
        with mock.patch.object(blog_views.PostViewSet, "permission_classes", [permissions.IsAuthenticatedOrReadOnly]):
            _, disagreements, _ = self.check(replay=None, methods=["GET", "PATCH", "DELETE"])
        self.assertTrue(disagreements)
