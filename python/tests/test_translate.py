"""Python permission classes translated into conditions, proved against the code; checks that
cannot pass empty; declared conditions that are not conditions."""
import io
import json
import os
import tempfile
import unittest
from unittest import mock

from django.core.management import CommandError, call_command
from django.test import SimpleTestCase, TestCase, override_settings
from rest_framework import permissions
from rest_framework.permissions import SAFE_METHODS, BasePermission

import drfgate
from blog import permissions as blog_permissions
from blog import views as blog_views
from drfgate import core
from drfgate.check import run_check
from drfgate.export import ExportError, export_policy
from drfgate.prove import prove
from drfgate.translate import condition_errors, translate_method

needs_core = unittest.skipUnless(core.available(), "the compiled core (drfgate._native) is not built")


# ---- the idioms, each as a real class ------------------------------------------------------


class ReadOnly(BasePermission):
    def has_permission(self, request, view):
        return request.method in SAFE_METHODS


class OwnerById(BasePermission):
    message = "Not yours."

    def has_object_permission(self, request, view, obj):
        return obj.owner_id == request.user.id


class EarlyReturns(BasePermission):
    """if ...: return True chains, an alias, and a fall-through None."""

    def has_object_permission(self, request, view, obj):
        user = request.user
        if request.method in permissions.SAFE_METHODS:
            return True
        if user.is_superuser:
            return True
        elif not user.is_active:
            return False
        if obj.author == user:
            return True


class StaffOrPerm(BasePermission):
    def has_permission(self, request, view):
        return bool(request.user and (request.user.is_staff or request.user.has_perm("blog.change_post")))


class EditorsGroup(BasePermission):
    code = "not_editor"

    def has_permission(self, request, view):
        if view.action in ("list", "retrieve"):
            return True
        return request.user.is_authenticated and request.user.groups.filter(name="editors").exists()


class InEditorsGroup(BasePermission):
    """devbear90/rest_api_demo's class: no is_authenticated test (AnonymousUser's groups are empty)."""

    def has_permission(self, request, view):
        return request.user and request.user.groups.filter(name="Editors").exists()


class AuthenticatedAndVerified(permissions.IsAuthenticated):
    def has_permission(self, request, view):
        return super().has_permission(request, view) and request.user.email_verified


class StaffModelPermissions(permissions.DjangoModelPermissions):
    def has_permission(self, request, view):
        if not request.user.is_staff:
            return False
        return super().has_permission(request, view)


class EntrepreneurOnly(BasePermission):
    """nomad-back's guard: request.user is never None (AnonymousUser); it was untranslatable
    ("only == and != compare a user or an object"), so the project's views were all refused."""

    def has_permission(self, request, view):
        user = request.user
        return user is not None and user.is_authenticated and user.email_verified


class NoneUser(BasePermission):
    def has_permission(self, request, view):
        return request.user is None or request.user.is_staff


class Untranslatable(BasePermission):
    def has_permission(self, request, view):
        for ip in ("127.0.0.1",):
            if request.META.get("REMOTE_ADDR") == ip:
                return True
        return False


@drfgate.condition(has_permission="request.user.groups.filter(name='x').exists()")
class BadDeclaration(BasePermission):
    def has_permission(self, request, view):
        return request.user.groups.filter(name="x").exists()


IDIOMS = {
    (ReadOnly, "has_permission"): "request.method in SAFE_METHODS",
    (OwnerById, "has_object_permission"): "obj.owner_id == request.user.id",
    (EarlyReturns, "has_object_permission"): (
        "request.method in SAFE_METHODS or request.user.is_superuser or not not request.user.is_active "
        "and obj.author == request.user"
    ),
    (StaffOrPerm, "has_permission"): "request.user.is_staff or request.user.has_perm('blog.change_post')",
    (EditorsGroup, "has_permission"): (
        "view.action in ('list', 'retrieve') or request.user.is_authenticated and 'editors' in request.user.groups"
    ),
    (AuthenticatedAndVerified, "has_permission"): "(request.user.is_authenticated) and request.user.email_verified",
    (InEditorsGroup, "has_permission"): "request.user.is_authenticated and 'Editors' in request.user.groups",
    (EntrepreneurOnly, "has_permission"): "request.user.is_authenticated and request.user.email_verified",
    (NoneUser, "has_permission"): "False or request.user.is_staff",
}


class TranslateTests(SimpleTestCase):
    def test_idioms(self):
        for (cls, method), expected in IDIOMS.items():
            with self.subTest(cls.__name__):
                translated = translate_method(
                    cls, method, {"has_permission": "request.user.is_authenticated"}
                )
                self.assertEqual(translated.condition, expected, translated.reasons)

    def test_sample_project_translations_equal_the_hand_declarations(self):
        for cls in (blog_permissions.IsOwnerOrReadOnly, blog_permissions.IsOwner,
                    blog_permissions.IsAdminOrReadOnly, blog_permissions.IsVerifiedUser):
            for method, attr in (("has_permission", "drfgate_has_permission"),
                                 ("has_object_permission", "drfgate_has_object_permission")):
                if method in cls.__dict__:
                    with self.subTest(f"{cls.__name__}.{method}"):
                        self.assertEqual(translate_method(cls, method).condition, cls.__dict__[attr])

    def test_request_user_is_none_needs_an_unauthenticated_user(self):
        # UNAUTHENTICATED_USER = None: an anonymous request.user is None, so the test is not a constant.
        with override_settings(REST_FRAMEWORK={"UNAUTHENTICATED_USER": None}):  # DRF reloads api_settings
            translation = translate_method(EntrepreneurOnly, "has_permission")
        self.assertIsNone(translation.condition)
        self.assertIn("UNAUTHENTICATED_USER = None", " ".join(str(r) for r in translation.reasons))

    def test_untranslatable_says_what_and_where(self):
        translated = translate_method(Untranslatable, "has_permission")
        self.assertIsNone(translated.condition)
        self.assertRegex(translated.reason_text(), r"a For statement is not translated at .*test_translate\.py:\d+")

    @needs_core
    def test_every_idiom_is_proved(self):
        for (cls, method), _ in IDIOMS.items():
            with self.subTest(cls.__name__):
                condition = translate_method(cls, method, {"has_permission": "request.user.is_authenticated"}).condition
                proof = prove(cls, method, condition)
                self.assertEqual(proof.disagreements, [])
                self.assertGreater(proof.cases, 10)

    @needs_core
    def test_a_wrong_translation_is_refuted(self):
        for cls, method, wrong in (
            (blog_permissions.IsOwner, "has_object_permission", "obj.owner == request.user or request.user.is_staff"),
            (OwnerById, "has_object_permission", "obj.owner_id != request.user.id"),
            (EditorsGroup, "has_permission", "view.action in ('list', 'retrieve') or 'editors' in request.user.groups"),
            (InEditorsGroup, "has_permission", "'Editors' in request.user.groups"),  # the edge errs for anonymous
            (StaffOrPerm, "has_permission", "request.user.is_staff"),
            (ReadOnly, "has_permission", "request.method == 'GET'"),
        ):
            with self.subTest(cls.__name__):
                self.assertTrue(prove(cls, method, wrong).disagreements)

    @needs_core
    def test_the_object_itself_equal_to_the_user(self):
        # airbnb_app_backend's IsSelf (`user == request.user` on its users viewset) was "not
        # translated": its view left to the origin. Proved on user objects, which the exporter
        # requires of the view's model; on another model's rows with the users' pks it is wrong.
        from drfgate.prove import other_model_objects
        from tests.urls_extra import IsSelf

        translation = translate_method(IsSelf, "has_object_permission")
        self.assertEqual(translation.condition, "obj == request.user", translation.reasons)
        self.assertEqual(translation.prove(IsSelf, "has_object_permission").disagreements, [])
        self.assertTrue(prove(IsSelf, "has_object_permission", translation.condition,
                              objects=other_model_objects()).disagreements)
        # On a view of another model Django's == is always False: the class's variant for that
        # model says so (it was an export problem).
        with mock.patch.object(blog_views.TagViewSet, "permission_classes", [IsSelf]):
            policy = export_policy()
        self.assertEqual(policy["views"]["tags"]["permissions"], ["IsSelf_onTag"])
        self.assertEqual(policy["classes"]["IsSelf_onTag"], {"hasObjectPermission": "False"})
        # A view of no known model (tests.urls_extra's `me`: no queryset): the edge would compare
        # any object's id with the user's.
        from tests import urls_extra

        with override_settings(ROOT_URLCONF="tests.urls_extra"), \
                mock.patch.object(urls_extra.Me, "permission_classes", [IsSelf]):
            with self.assertRaises(ExportError) as ctx:
                export_policy()
        self.assertIn("'obj == request.user' on a view whose model is not known: Django's == is True only for a "
                      "row of accounts.User", str(ctx.exception))

    def test_super_of_django_model_permissions_is_not_true(self):
        # A DjangoModelPermissions subclass adding a staff test before `super().has_permission()`
        # (the "IsStaffEditorPermission" of a popular course): super() was translated as
        # BasePermission's True, so staff without the model's permissions were allowed.
        from drfgate.export import Exporter

        exporter = Exporter()
        exporter.permission_class(StaffModelPermissions)
        translated = exporter.translations[StaffModelPermissions]["has_permission"]
        self.assertIsNone(translated.condition)
        self.assertIn("the parent class's condition is not known", translated.reason_text())
        # A parent whose own has_permission() has a condition is read: a built-in's, a translated one.
        self.assertEqual(exporter._base_conditions(permissions.IsAuthenticated)["has_permission"],
                         "request.user.is_authenticated")
        exporter.permission_class(AuthenticatedAndVerified)
        self.assertEqual(exporter._base_conditions(AuthenticatedAndVerified)["has_permission"],
                         "(request.user.is_authenticated) and request.user.email_verified")

    def test_undeclared_condition_that_is_no_condition_is_an_export_error(self):
        with mock.patch.object(blog_views.TagViewSet, "permission_classes", [BadDeclaration]):
            with self.assertRaises(ExportError) as ctx:
                export_policy()
        text = str(ctx.exception)
        self.assertIn("is not a drf-gate condition", text)
        self.assertIn("test_translate.py:", text)
        self.assertNotIn("§", text)
        err = io.StringIO()
        with mock.patch.object(blog_views.TagViewSet, "permission_classes", [BadDeclaration]):
            with self.assertRaises(CommandError) as cm, tempfile.TemporaryDirectory() as tmp:
                out = os.path.join(tmp, "policy.json")
                call_command("drfgate_export", output=out, stderr=err, stdout=io.StringIO())
            self.assertFalse(os.path.exists(out))
        self.assertEqual(cm.exception.returncode, 1)

    def test_condition_errors(self):
        self.assertEqual(condition_errors("request.user.is_staff", object_level=False), [])
        self.assertTrue(condition_errors("obj.owner == request.user", object_level=False))
        self.assertTrue(condition_errors("request.user.groups.filter(name='x')", object_level=False))
        self.assertTrue(condition_errors("request.method in", object_level=False))

    @needs_core
    def test_translated_class_is_exported_and_reported(self):
        err = io.StringIO()
        with mock.patch.object(blog_views.TagViewSet, "permission_classes", [EditorsGroup]):
            with tempfile.TemporaryDirectory() as tmp:
                out = os.path.join(tmp, "policy.json")
                call_command("drfgate_export", output=out, stderr=err, stdout=io.StringIO())
                with open(out, encoding="utf-8") as f:
                    policy = json.load(f)
        self.assertEqual(policy["classes"]["EditorsGroup"],
                         {"hasPermission": IDIOMS[(EditorsGroup, "has_permission")], "code": "not_editor"})
        self.assertRegex(err.getvalue(), r"translate: EditorsGroup.has_permission \(.*test_translate\.py:\d+\): "
                                         r"translated and proved on \d+ generated inputs")

    @needs_core
    def test_refuted_translation_is_not_exported(self):
        with mock.patch("drfgate.export.translate_method") as fake:
            from drfgate.translate import Translation

            fake.return_value = Translation("request.user.is_staff", [], "here:1")
            with mock.patch.object(blog_views.TagViewSet, "permission_classes", [ReadOnly]):
                with self.assertRaises(ExportError) as ctx:
                    export_policy()
        self.assertIn("disagrees with the code", str(ctx.exception))


class CheckCannotPassEmptyTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        call_command("seed_blog", stdout=io.StringIO(), stderr=io.StringIO())

    def test_zero_requests_exits_non_zero(self):
        with tempfile.TemporaryDirectory() as tmp:
            empty = os.path.join(tmp, "policy.json")
            with open(empty, "w", encoding="utf-8") as f:
                json.dump({"views": {}, "routes": []}, f)
            err = io.StringIO()
            with self.assertRaises(SystemExit) as ctx:
                call_command("drfgate_check", policy=empty, replay_cmd="true", stdout=io.StringIO(), stderr=err)
        self.assertEqual(ctx.exception.code, 1)
        self.assertIn("checked nothing", err.getvalue())

    def test_skipped_share_over_the_limit_fails(self):
        policy = export_policy()
        # A route that no longer exists in the URLconf: every request to it is skipped.
        policy["routes"].append(dict(policy["routes"][0], pattern="/gone/", regex="^/gone/$"))
        result = run_check(policy, replay_cmd=None if core.available() else "true", users=["bob"], methods=["GET"])
        self.assertTrue(result.skipped)
        self.assertIsNone(result.failure(max_skipped_share=1.0))
        self.assertIn("more than the allowed 0%", result.failure(max_skipped_share=0.0))

    @needs_core
    @override_settings(ALLOWED_HOSTS=["api.example.com"])
    def test_own_test_host_and_coverage(self):
        out, err = io.StringIO(), io.StringIO()
        call_command("drfgate_check", users=["bob"], methods=["GET", "DELETE"], stdout=out, stderr=err)
        text = out.getvalue()
        self.assertNotIn("DisallowedHost", err.getvalue())
        self.assertRegex(text, r"posts\.destroy \[DELETE\]: \d+ requests, \d+ allowed, \d+ denied \(")
        self.assertRegex(text, r"drfgate_check: [1-9]\d* requests, 0 disagreements, 0 skipped")

    @needs_core
    def test_generated_users_exist_only_during_the_check(self):
        from django.contrib.auth import get_user_model

        result = run_check(export_policy(), users=["bob"], methods=["GET"])
        self.assertIn("drfgate-check-superuser", result.generated_users)
        self.assertFalse(get_user_model().objects.filter(username__startswith="drfgate-check-").exists())
        labels = {c["credential"] for c in result.cases}
        self.assertIn("drfgate-check-staff/token", labels)
        self.assertEqual(result.disagreements, [])

    @needs_core
    def test_a_wrong_translation_fails_drfgate_check(self):
        policy = export_policy()
        policy["classes"]["IsOwnerOrReadOnly"]["hasObjectPermission"] = (
            "request.method in SAFE_METHODS or obj.owner == request.user or request.user.is_staff"
        )
        result = run_check(policy, methods=["DELETE"])
        self.assertTrue(result.disagreements)
        self.assertTrue(all(c["context"]["view"] == "posts" for c, _ in result.disagreements))


class TokenAuthentication:  # django-rest-knox's class has DRF's built-in name
    def authenticate(self, request):
        return None

    def authenticate_header(self, request):
        return "Token"


class NameClashTests(SimpleTestCase):
    @needs_core
    def test_a_custom_class_with_a_builtin_name_gets_its_own(self):
        from rest_framework.authentication import BaseAuthentication

        knox_like = type("TokenAuthentication", (BaseAuthentication,), dict(TokenAuthentication.__dict__))
        with mock.patch.object(blog_views.TagViewSet, "authentication_classes", [knox_like]):
            policy = export_policy()
        (name,) = [n for n in policy["authenticationClasses"] if n.endswith("TokenAuthentication")]
        self.assertNotEqual(name, "TokenAuthentication")
        self.assertNotIn(".", name)
        self.assertEqual(policy["views"]["tags"]["authentication"], [name])
        core.Gate(policy)  # compiles: the name is not read as the built-in
