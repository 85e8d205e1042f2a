"""What a translated condition's model-dependent parts are on one view's model.

Two idioms of object permissions have a value that the object's *model* decides, not its row:

- ``hasattr(obj, 'user')`` (HDanDev/SoftDesk's IsSelf, shared by a view of users and a view of
  contributors): a concrete field or a relation manager is on every row; a name that neither the
  model's class, its queryset's annotations nor its construction gives is on none. A reverse
  one-to-one (``user.school``) or a property depends on the row: not decided.
- ``obj.author == request.user`` where ``author`` is no user (ananotopuria/book_store's FK to
  ``Author``): Django's ``Model.__eq__`` is False across concrete models, and a scalar never
  equals a user, so the comparison is always False, where the edge would compare ids.

:func:`resolve` rewrites a condition for one model (each such part a constant, folded with
Python's ``and``/``or``) or says why it cannot; the exporter declares the result as a variant of
the class for that view and proves it against the class's own code (:func:`proof_objects`).
"""
import ast
import inspect
import textwrap

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models import signals

from .translate import HASATTR

# Django's descriptors on a model class, by what an instance's attribute access does.
_ALWAYS_THERE = ("DeferredAttribute", "ForeignKeyDeferredAttribute", "ReverseManyToOneDescriptor",
                 "ManyToManyDescriptor", "ReverseGenericManyToOneDescriptor", "GenericForeignKey")
_FORWARD = ("ForwardManyToOneDescriptor", "ForwardOneToOneDescriptor")


class Undecided(Exception):
    """The part's value depends on the row (or on code drf-gate does not read): the reason."""


def _django_code(obj):
    module = getattr(obj, "__module__", "") or ""
    return module == "django" or module.startswith("django.")


def _project_overrides(cls, names, stop):
    """(class, name) of methods in ``cls``'s MRO before ``stop`` whose code is not Django's."""
    out = []
    for k in cls.__mro__:
        if k is stop or k is object:
            break
        out.extend((k, n) for n in names if n in k.__dict__ and not _django_code(k))
    return out


def _source(func):
    try:
        return textwrap.dedent(inspect.getsource(getattr(func, "__func__", func)))
    except (OSError, TypeError):
        return None


# Query calls that give rows another shape than the model's instances.
_SHAPES = ("values", "values_list", "extra", "raw")


def _spine(node):
    """(the names of the calls a value is the result of, the name it starts from):
    ``qs.filter(...).values()`` -> ``(["values", "filter"], "qs")`` (a call's arguments, such
    as a subquery, are not on it)."""
    out = []
    while isinstance(node, (ast.Call, ast.Attribute, ast.Subscript)):
        if isinstance(node, ast.Call):
            f = node.func
            out.append(f.attr if isinstance(f, ast.Attribute) else f.id if isinstance(f, ast.Name) else None)
            node = f.value if isinstance(f, ast.Attribute) else f
        else:
            node = node.value
    return out, node.id if isinstance(node, ast.Name) else None


def _gives(func, name):
    """Why ``func``'s code may give its objects the attribute ``name`` (an ``annotate(name=...)``,
    a ``Prefetch(..., to_attr=name)``, an assignment) or make them other than instances (a
    ``values()`` on what it returns or assigns), or None. Only this code is read: a helper it
    calls elsewhere is not."""
    text = _source(func)
    if text is None:
        return "its source is not readable"
    try:
        tree = ast.parse(text)
    except SyntaxError:
        return "its source does not parse"
    # What it returns, and the names that starts from (`qs = ...values(); return qs`).
    returned = {_spine(n.value)[1] for n in ast.walk(tree) if isinstance(n, ast.Return) and n.value}
    for node in ast.walk(tree):
        values = [node.value] if isinstance(node, ast.Return) and node.value else []
        if isinstance(node, (ast.Assign, ast.AnnAssign)) and node.value is not None and any(
                isinstance(t, ast.Name) and t.id in returned
                for t in (node.targets if isinstance(node, ast.Assign) else [node.target])):
            values.append(node.value)
        shaped = next((c for v in values for c in _spine(v)[0] if c in _SHAPES), None)
        if shaped:
            return f"it calls {shaped}() on what it returns"
        if isinstance(node, ast.Call):
            f = node.func
            called = f.attr if isinstance(f, ast.Attribute) else f.id if isinstance(f, ast.Name) else None
            if called == "setattr":
                return "it calls setattr()"
            keywords = {k.arg: k.value for k in node.keywords}
            if called == "annotate" and (name in keywords or node.args and "__" in name or None in keywords):
                return f"it annotates '{name}'"
            to_attr = keywords.get("to_attr")
            if isinstance(to_attr, ast.Constant) and to_attr.value == name or to_attr is not None \
                    and not isinstance(to_attr, ast.Constant):
                return f"it prefetches to_attr='{name}'"
        targets = node.targets if isinstance(node, ast.Assign) else [node.target] \
            if isinstance(node, (ast.AugAssign, ast.AnnAssign)) else []
        if any(isinstance(t, ast.Attribute) and t.attr == name for t in targets):
            return f"it assigns .{name}"
    return None


def _project_methods(cls):
    """The functions of the project's classes in ``cls``'s MRO (not Django's, DRF's)."""
    for k in cls.__mro__:
        top = k.__module__.split(".")[0]
        if k is object or top in ("django", "rest_framework", "builtins"):
            continue
        for attr, member in vars(k).items():
            func = getattr(member, "__func__", member)
            if inspect.isfunction(func):
                yield k, attr, func


def _lookup_problems(model, name, view_cls):
    """Why the objects the view (or a relation) finds may be other than the model's plain
    instances, or carry ``name`` as an instance attribute its class does not give: code of the
    project's that makes the queryset or the object, its managers' and querysets' methods
    (an empty list: none)."""
    out = []
    queryset = getattr(view_cls, "queryset", None) if view_cls is not None else None
    if isinstance(queryset, models.QuerySet):
        if queryset._iterable_class is not models.query.ModelIterable:
            out.append("its queryset yields no model instances (values()/values_list())")
        if name in queryset.query.annotations or name in (queryset.query.extra or {}):
            out.append(f"its queryset annotates '{name}'")
        if any(getattr(p, "to_attr", None) == name for p in queryset._prefetch_related_lookups):
            out.append(f"its queryset prefetches to_attr='{name}'")
    if view_cls is not None:
        for k, attr, func in _project_methods(view_cls):
            if attr in ("get_queryset", "get_object"):
                why = _gives(func, name)
                if why:
                    out.append(f"{k.__qualname__}.{attr}(): {why}")
    classes = [type(m) for m in model._meta.managers] + [type(model._base_manager)]
    classes += [getattr(c, "_queryset_class", models.QuerySet) for c in classes]
    if isinstance(queryset, models.QuerySet):
        classes.append(type(queryset))
    for cls in dict.fromkeys(classes):
        for k, attr, func in _project_methods(cls):
            why = _gives(func, name)
            if why:
                out.append(f"{k.__qualname__}.{attr}(): {why}")
    return out


def _class_attr(model, name):
    """The attribute an instance of ``model`` finds on its class (not the metaclass's)."""
    for k in model.__mro__:
        if name in vars(k):
            return vars(k)[name]
    raise AttributeError(name)


def _construction_problems(model):
    """Code of the project's that runs when a row becomes an instance (and may set attributes)."""
    out = [f"{k.__qualname__}.{n}()" for k, n in _project_overrides(model, ("__init__", "from_db", "__getattr__",
                                                                           "__getattribute__", "refresh_from_db"),
                                                                   models.Model)]
    if signals.post_init.has_listeners(model):
        for receiver in signals.post_init._live_receivers(model)[0]:
            if not _django_code(getattr(receiver, "__self__", receiver)) and not _django_code(receiver):
                out.append(f"a post_init receiver {getattr(receiver, '__qualname__', receiver)!r}")
    return out


def has_attribute(model, name, view_cls=None):
    """Whether every object of ``model`` the view finds has ``name`` (True) or none has (False).

    >>> from django.contrib.auth.models import Group
    >>> has_attribute(Group, "name"), has_attribute(Group, "owner")   # doctest: +SKIP
    (True, False)

    Raises :class:`Undecided` with the reason otherwise (a reverse one-to-one, a property, a
    nullable relation on the way, code of the project's that builds the objects)."""
    if name.startswith("_"):
        raise Undecided(f"hasattr() of the private name '{name}' is not decided")
    lookup = _lookup_problems(model, name, view_cls)
    if lookup:
        raise Undecided("; ".join(lookup))
    try:
        attr = _class_attr(model, name)
    except AttributeError:
        constructed = _construction_problems(model)
        if constructed:
            raise Undecided(f"{model._meta.label} runs {', '.join(constructed)} when it loads a row") from None
        return False
    kind = type(attr).__name__
    if _django_code(type(attr)) and kind in _ALWAYS_THERE:
        return True
    if _django_code(type(attr)) and kind in _FORWARD:
        if not getattr(attr.field, "db_constraint", True):
            raise Undecided(f"{model._meta.label}.{name} has no database constraint: a row may point nowhere")
        return True
    if _django_code(type(attr)) and kind == "ReverseOneToOneDescriptor":
        raise Undecided(f"{model._meta.label}.{name} is a reverse one-to-one: there only when a "
                        f"{attr.related.related_model._meta.label} row points to the object")
    if isinstance(attr, (staticmethod, classmethod)) or inspect.isfunction(attr):
        return True
    if hasattr(type(attr), "__get__"):
        raise Undecided(f"{model._meta.label}.{name} is a {kind}: its access may raise AttributeError")
    return True


def _path_model(model, parts):
    """The model reached by ``obj.<parts>`` through forward relations that are never None."""
    for part in parts:
        field = model._meta.pk if part == "pk" else model._meta.get_field(part)
        if not (field.concrete and (field.many_to_one or field.one_to_one)):
            raise Undecided(f"obj.{'.'.join(parts)}: {part} is not a forward relation")
        if field.null or not getattr(field, "db_constraint", True):
            raise Undecided(f"obj.{'.'.join(parts)}: {part} may be None (or point nowhere)")
        model = field.related_model
    return model


def _compared_kind(model, parts):
    """``"user"`` when obj.<parts> may equal a user (or is not known), else ``"other"`` (a row of
    another concrete model, a scalar, or None: Django's == with a user is always False)."""
    from django.contrib.auth import get_user_model

    user_model = get_user_model()._meta.concrete_model
    target = model
    try:
        for i, part in enumerate(parts):
            field = target._meta.pk if part == "pk" else target._meta.get_field(part)
            last = i == len(parts) - 1
            if not field.is_relation:
                return "other" if last else "user"
            if not (field.concrete and (field.many_to_one or field.one_to_one)) or field.related_model is None:
                return "user"  # a reverse relation, a manager, a GenericForeignKey: not decided here
            if not last and (field.null or not getattr(field, "db_constraint", True)):
                return "user"  # None on the way: Python's AttributeError, a 500
            target = field.related_model
    except FieldDoesNotExist:
        return "user"  # a property or method: nothing the exporter can say
    if target._meta.concrete_model is user_model:
        return "user"
    # Model.__eq__ on both sides (a project's own __eq__ may compare otherwise).
    if getattr(target, "__eq__", None) is not models.Model.__eq__ \
            or getattr(get_user_model(), "__eq__", None) is not models.Model.__eq__:
        return "user"
    return "other"


def _obj_parts(node):
    """['a', 'b'] for ``obj.a.b`` (``[]`` for ``obj``), else None."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name) and node.id == "obj":
        return parts[::-1]
    return None


def _is_request_user(node):
    return isinstance(node, ast.Attribute) and node.attr == "user" and isinstance(node.value, ast.Name) \
        and node.value.id == "request"


class _Resolve(ast.NodeTransformer):
    def __init__(self, model, view_cls, compare):
        self.model, self.view_cls, self.compare = model, view_cls, compare
        self.facts = []  # (kind, parts, name or op, value)

    def visit_Call(self, node):
        if isinstance(node.func, ast.Name) and node.func.id == "hasattr" and len(node.args) == 2:
            parts = _obj_parts(node.args[0])
            name = node.args[1].value
            model = _path_model(self.model, parts)
            value = has_attribute(model, name, self.view_cls if not parts else None)
            self.facts.append(("hasattr", parts, name, value))
            return ast.Constant(value)
        return self.generic_visit(node)

    def visit_Compare(self, node):
        node = self.generic_visit(node)
        if not self.compare or len(node.ops) != 1 or not isinstance(node.ops[0], (ast.Eq, ast.NotEq)):
            return node
        left, right = node.left, node.comparators[0]
        parts = _obj_parts(left) if _is_request_user(right) else _obj_parts(right) if _is_request_user(left) else None
        if parts is None or _compared_kind(self.model, parts) != "other":
            return node
        equal = isinstance(node.ops[0], ast.Eq)
        self.facts.append(("compare", parts, "==" if equal else "!=", not equal))
        return ast.Constant(not equal)

    def visit_BoolOp(self, node):
        node = self.generic_visit(node)
        is_and = isinstance(node.op, ast.And)
        kept = []
        for value in node.values:
            if isinstance(value, ast.Constant) and value.value is is_and:
                continue  # `x and True` / `x or False`: the truth value of x
            kept.append(value)
            if isinstance(value, ast.Constant) and value.value is (not is_and):
                break  # `False and ...` / `True or ...`: the rest never runs
        if not kept:
            return ast.Constant(is_and)
        if len(kept) == 1:
            return kept[0]
        return ast.BoolOp(op=node.op, values=kept)

    def visit_UnaryOp(self, node):
        node = self.generic_visit(node)
        if isinstance(node.op, ast.Not) and isinstance(node.operand, ast.Constant) \
                and isinstance(node.operand.value, bool):
            return ast.Constant(not node.operand.value)
        return node


def resolve(condition, model, view_cls=None, compare=True):
    """``(condition, facts)`` for a view of ``model``: each ``hasattr(obj..., 'x')`` and (with
    ``compare``) each ``obj... == request.user`` that Django decides without a row replaced by
    its constant, and the result folded; ``facts`` lists what was replaced, and is empty when
    the condition is unchanged (its text is then returned as it was).

    >>> resolve("obj == request.user or hasattr(obj, 'user') and obj.user == request.user",
    ...         Contributor)                                          # doctest: +SKIP
    ('obj.user == request.user', [('compare', [], '==', False), ('hasattr', [], 'user', True)])

    Raises :class:`Undecided` with the reason when a ``hasattr()`` is not decided."""
    if model is None:
        if HASATTR.search(condition):
            raise Undecided(f"{HASATTR.search(condition).group(0)} on a view whose model is not known")
        return condition, []
    resolver = _Resolve(model, view_cls, compare)
    try:
        tree = resolver.visit(ast.parse(condition, mode="eval"))
    except FieldDoesNotExist as exc:
        raise Undecided(str(exc)) from None
    if not resolver.facts:
        return condition, []
    return ast.unparse(tree.body), resolver.facts


def proof_objects(objects, facts):
    """The generated objects for proving a resolved condition against the class's own code: each
    attribute ``hasattr()`` was decided True for is there, each decided False is not, and each
    field compared with the user that is no user holds a row of another model whose pk equals a
    generated user's (and None: Django's == is False for both).

    >>> from drfgate.prove import GeneratedObject
    >>> [vars(o) for o in proof_objects([GeneratedObject({"id": 7})], [("hasattr", [], "user", True)])]
    [{'id': 7, 'user': 1}]
    """
    from .prove import GeneratedObject

    out = []
    for obj in objects:
        variants = [obj]
        for kind, parts, name, value in facts:
            if kind == "hasattr":
                for o in variants:
                    target = _walk(o, parts)
                    if value and name not in vars(target) and not hasattr(target, name):
                        setattr(target, name, 1)
                    elif not value and name in vars(target):
                        delattr(target, name)
            elif parts:
                made = []
                for o in variants:
                    for other in (GeneratedObject({"id": 1}), None, 1):
                        copy = _copy(o)
                        setattr(_walk(copy, parts[:-1]), parts[-1], other)
                        made.append(copy)
                variants = made
        out.extend(variants)
    return out


def _walk(obj, parts):
    from .prove import GeneratedObject

    for part in parts:
        if not hasattr(obj, part) or getattr(obj, part) is None:
            setattr(obj, part, GeneratedObject({"id": 3}))
        obj = getattr(obj, part)
    return obj


def _copy(obj):
    import copy

    return copy.deepcopy(obj)
