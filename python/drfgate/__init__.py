"""drf-gate's Django helper.

``drfgate.condition`` declares what a custom permission class checks, so that
``manage.py drfgate_export`` can write it into the drf-gate policy::

    @drfgate.condition(has_object_permission="obj.owner == request.user")
    class IsOwner(BasePermission):
        def has_object_permission(self, request, view, obj):
            return obj.owner == request.user

The same can be written as class attributes (``drfgate_has_permission = "..."``,
``drfgate_has_object_permission = "..."``). ``manage.py drfgate_check`` verifies that the
declarations agree with the code.
"""

__version__ = "0.1.0"

_UNSET = object()


def condition(has_permission=None, has_object_permission=None, message=_UNSET, code=_UNSET):
    """Class decorator: declare a permission class's conditions in drf-gate's condition language.

    ``message`` and ``code``, when given, are set on the class, so DRF and drf-gate read the same
    value.

    >>> @condition(has_permission="request.user.is_staff", message="Staff only.")
    ... class IsStaff:
    ...     pass
    >>> IsStaff.drfgate_has_permission, IsStaff.message
    ('request.user.is_staff', 'Staff only.')
    """
    if has_permission is None and has_object_permission is None:
        raise TypeError("drfgate.condition() needs has_permission and/or has_object_permission")

    def decorate(cls):
        if has_permission is not None:
            cls.drfgate_has_permission = has_permission
        if has_object_permission is not None:
            cls.drfgate_has_object_permission = has_object_permission
        if message is not _UNSET:
            cls.message = message
        if code is not _UNSET:
            cls.code = code
        return cls

    return decorate


def queryset(condition):
    """View decorator: declare the filter of the view's ``get_queryset()`` as a drf-gate condition
    over ``obj`` and ``request``, so the edge and the UI answer 404 where ``get_object()`` would.

    >>> @queryset("obj.published or obj.owner == request.user")
    ... class PostViewSet:
    ...     pass
    >>> PostViewSet.drfgate_queryset
    'obj.published or obj.owner == request.user'
    """
    if not isinstance(condition, str):
        raise TypeError("drfgate.queryset() takes a condition (str)")

    def decorate(cls):
        cls.drfgate_queryset = condition
        return cls

    return decorate
