"""The permission classes of the blog API.

Each custom class tells drf-gate what it checks, in the Python-subset condition language of
docs/policy.md, either with the ``drfgate.condition`` decorator or with ``drfgate_*`` class
attributes. ``manage.py drfgate_check`` verifies that each declaration agrees with the code.
"""
from rest_framework import permissions

import drfgate


@drfgate.condition(has_object_permission="request.method in SAFE_METHODS or obj.owner == request.user")
class IsOwnerOrReadOnly(permissions.BasePermission):
    """Anyone may read; only the owner may change or delete."""

    def has_object_permission(self, request, view, obj):
        if request.method in permissions.SAFE_METHODS:
            return True
        return obj.owner == request.user


@drfgate.condition(has_object_permission="obj.owner == request.user")
class IsOwner(permissions.BasePermission):
    message = "You must be the owner of this post."
    code = "not_owner"

    def has_object_permission(self, request, view, obj):
        return obj.owner == request.user


class IsAdminOrReadOnly(permissions.BasePermission):
    """Staff may write; everyone may read."""

    drfgate_has_permission = "request.method in SAFE_METHODS or request.user.is_staff"

    def has_permission(self, request, view):
        return bool(request.method in permissions.SAFE_METHODS or (request.user and request.user.is_staff))


class IsVerifiedUser(permissions.BasePermission):
    message = "Please verify your email address before accessing this resource."
    drfgate_has_permission = "request.user.is_authenticated and request.user.email_verified"

    def has_permission(self, request, view):
        user = request.user
        return bool(user and user.is_authenticated and user.email_verified)


class ViewModelPermissions(permissions.DjangoModelPermissions):
    """DjangoModelPermissions that also requires the ``view_`` permission to read."""

    perms_map = {
        **permissions.DjangoModelPermissions.perms_map,
        "GET": ["%(app_label)s.view_%(model_name)s"],
        "HEAD": ["%(app_label)s.view_%(model_name)s"],
    }
