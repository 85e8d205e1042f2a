"""Prove a translated condition against the real permission class, on generated users and objects.

``prove(cls, "has_object_permission", condition)`` calls the class's own method with generated
requests (every method, the ``view.action`` names the condition uses), users (anonymous; active
or not, staff or not, superuser or not; with and without the permissions, groups and custom
fields the condition names) and objects (each field the condition reads: the user, another user,
``None``, the literals it compares with), and decides the same inputs with the compiled drf-gate
core (a policy whose only class has the condition). The real code's truth value (or its
exception: a 500 from DRF) must equal drf-gate's decision (allowed, denied, or the 500 of an
evaluation error) for every input. The generated values are plain objects: anything the real
code reads that the translation does not name raises ``AttributeError``, which is a disagreement.
"""
import ast
import itertools
import random

from . import core

METHODS = ["GET", "HEAD", "OPTIONS", "POST", "PUT", "PATCH", "DELETE"]
STANDARD = {"list": (["GET", "HEAD"], False), "create": (["POST"], False), "retrieve": (["GET", "HEAD"], True),
            "update": (["PUT"], True), "partial_update": (["PATCH"], True), "destroy": (["DELETE"], True)}
USER_FIELDS = {"id", "pk", "username", "is_active", "is_staff", "is_superuser", "is_authenticated", "is_anonymous"}


class _Groups:
    """``user.groups`` as far as ``filter(name=...)`` / ``filter(name__in=...)`` + ``exists()`` go."""

    def __init__(self, names):
        self._names = list(names)

    def filter(self, **kwargs):
        if list(kwargs) == ["name"]:
            return _Exists(kwargs["name"] in self._names)
        if list(kwargs) == ["name__in"]:
            return _Exists(any(n in self._names for n in kwargs["name__in"]))
        raise AttributeError(f"groups.filter({kwargs}) is not generated")


class _Exists:
    def __init__(self, value):
        self._value = value

    def exists(self):
        return self._value


class GeneratedUser:
    """An authenticated user with Django's semantics for the fields and calls the language has."""

    is_authenticated = True
    is_anonymous = False

    def __init__(self, id, is_active=True, is_staff=False, is_superuser=False, perms=(), groups=(), attributes=None):
        self.id, self.is_active, self.is_staff, self.is_superuser = id, is_active, is_staff, is_superuser
        self.username = f"user{id}"
        self._perms, self._group_names, self._attributes = set(perms), list(groups), dict(attributes or {})
        self.groups = _Groups(groups)

    @property
    def pk(self):
        return self.id

    def __getattr__(self, name):
        attributes = self.__dict__.get("_attributes", {})
        if name in attributes:
            return attributes[name]
        raise AttributeError(name)

    def has_perm(self, perm, obj=None):
        # django.contrib.auth: active superusers have every permission; ModelBackend gives
        # nothing to inactive users, nor object permissions.
        if self.is_active and self.is_superuser:
            return True
        return self.is_active and obj is None and perm in self._perms

    def has_perms(self, perm_list, obj=None):
        if isinstance(perm_list, str) or not hasattr(perm_list, "__iter__"):
            raise ValueError("perm_list must be an iterable of permissions.")
        return all(self.has_perm(p, obj) for p in perm_list)

    def __eq__(self, other):
        # Model equality: the same row of the same model.
        return isinstance(other, GeneratedUser) and other.id == self.id

    def __hash__(self):
        return hash(self.id)

    def as_json(self):
        """The user as a context user (docs/policy.md §2), or as an object (``user_objects``)."""
        if self.__dict__.get("_as_object"):
            return {"id": self.id, "pk": self.id, "username": self.username, "is_active": self.is_active,
                    "is_staff": self.is_staff, "is_superuser": self.is_superuser}
        attributes = dict(self._attributes)
        attributes["groups"] = list(self._group_names)
        return {"id": self.id, "username": self.username, "isActive": self.is_active, "isStaff": self.is_staff,
                "isSuperuser": self.is_superuser, "permissions": sorted(self._perms), "attributes": attributes}


class GeneratedObject:
    def __init__(self, fields):
        for key, value in fields.items():
            setattr(self, key, value)

    @property
    def pk(self):
        return self.__dict__.get("id")

    def as_json(self):
        out = {}
        for key, value in vars(self).items():
            if isinstance(value, GeneratedUser):
                out[key] = value.id
            elif isinstance(value, GeneratedObject):
                out[key] = value.as_json()
            else:
                out[key] = value
        return out


class _Request:
    def __init__(self, method, user):
        self.method, self.user = method, user


class _View:
    def __init__(self, action):
        self.action = action


def _anonymous():
    from django.contrib.auth.models import AnonymousUser

    return AnonymousUser()


class Proof:
    def __init__(self, cases, disagreements):
        self.cases, self.disagreements = cases, disagreements

    @property
    def proved(self):
        return self.cases > 0 and not self.disagreements


class _Facts:
    """What a condition reads: the domain to generate."""

    def __init__(self, condition):
        tree = ast.parse(condition, mode="eval")
        self.constants = set()
        self.user_attributes, self.groups, self.perms, self.actions = set(), set(), set(), set()
        self.obj_paths = {}  # tuple path -> set of 'user' | 'scalar'
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and not isinstance(node.value, bool) and node.value is not None:
                self.constants.add(node.value)
            if isinstance(node, ast.Compare):
                operands = [node.left] + list(node.comparators)
                texts = [ast.unparse(o) for o in operands]
                if "request.user.groups" in texts:
                    for o in operands:
                        if isinstance(o, ast.Constant) and isinstance(o.value, str):
                            self.groups.add(o.value)
                if "view.action" in texts:
                    for o in operands:
                        for c in ast.walk(o):
                            if isinstance(c, ast.Constant) and isinstance(c.value, str):
                                self.actions.add(c.value)
                for o, t in zip(operands, texts):
                    if t.startswith("obj."):
                        kind = "user" if "request.user" in texts else "scalar"
                        self.obj_paths.setdefault(tuple(t.split(".")[1:]), set()).add(kind)
            if isinstance(node, ast.Attribute):
                text = ast.unparse(node)
                if text.startswith("request.user.") and text.count(".") == 2 and node.attr not in USER_FIELDS:
                    if node.attr not in ("has_perm", "has_perms", "groups"):
                        self.user_attributes.add(node.attr)
                if text.startswith("obj.") and not isinstance(getattr(node, "parent", None), ast.Attribute):
                    self.obj_paths.setdefault(tuple(text.split(".")[1:]), set())
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in ("has_perm", "has_perms"):
                for c in ast.walk(node.args[0]) if node.args else ():
                    if isinstance(c, ast.Constant) and isinstance(c.value, str):
                        self.perms.add(c.value)
        # Keep only the longest object paths (obj.owner.id implies obj.owner is an object).
        paths = sorted(self.obj_paths, key=len, reverse=True)
        kept = {}
        for p in paths:
            if not any(q[: len(p)] == p and len(q) > len(p) for q in kept):
                kept[p] = self.obj_paths[p]
        self.obj_paths = kept
        self.scalars = [None, True, False, 0, 1, 2, ""] + sorted((c for c in self.constants), key=repr)


def _users(facts, rng):
    perms_options = [()] + ([tuple(sorted(facts.perms))] if facts.perms else []) + [(p,) for p in sorted(facts.perms)]
    groups_options = [()] + [(g,) for g in sorted(facts.groups)] + ([tuple(sorted(facts.groups))] if len(facts.groups) > 1 else [])
    attr_names = sorted(facts.user_attributes)
    attr_options = list(itertools.product(*[facts.scalars for _ in attr_names])) or [()]
    if len(attr_options) > 64:
        attr_options = rng.sample(attr_options, 64)
    out = [None]
    for uid, active, staff, superuser in itertools.product((1, 2), (True, False), (False, True), (False, True)):
        for perms in perms_options:
            for groups in groups_options:
                for values in attr_options:
                    out.append(GeneratedUser(uid, active, staff, superuser, perms, groups, dict(zip(attr_names, values))))
    return out


def user_objects():
    """Users as the objects of a view of the user model: the same type as ``request.user`` (so
    ``type(obj) is type(user)``), their JSON the object's fields (``obj.id``, ``obj.is_staff``)."""
    out = [GeneratedUser(1), GeneratedUser(2), GeneratedUser(7, is_staff=True)]
    for user in out:
        user._as_object = True
    return out


def other_model_objects():
    """Objects of another model whose pks equal the generated users' (a pk is not a row of users)."""
    return [GeneratedObject({"id": 1}), GeneratedObject({"id": 2}), GeneratedObject({"id": 7})]


def _objects(facts, rng):
    if not facts.obj_paths:
        return [GeneratedObject({"id": 7})]
    per_path = []
    for path, kinds in facts.obj_paths.items():
        values = list(facts.scalars)
        if "user" in kinds or path[-1] in ("owner", "user", "author", "creator", "created_by"):
            values = [GeneratedUser(1), GeneratedUser(2), None]
        if path[-1] in ("id", "pk") or path[-1].endswith("_id"):
            values = [1, 2, None, 7]
        per_path.append([(path, v) for v in values])
    combos = list(itertools.product(*per_path))
    if len(combos) > 200:
        combos = rng.sample(combos, 200)
    out = []
    for combo in combos:
        root = {"id": 7}
        for path, value in combo:
            target = root
            for part in path[:-1]:
                target = target.setdefault(part, {"id": 3})
            target[path[-1]] = value
        out.append(GeneratedObject(_objectify(root)))
    return out


def _objectify(fields):
    return {k: GeneratedObject(_objectify(v)) if isinstance(v, dict) else v for k, v in fields.items()}


def prove(cls, method, condition, seed=0, limit=6000, objects=None):
    """Compare ``cls().<method>`` with drf-gate's evaluation of ``condition`` on generated inputs.

    ``objects``: the objects to use instead of generated ones (``GeneratedUser`` instances prove a
    condition for views whose objects are users, such as djoser's user views)."""
    rng = random.Random(seed)
    facts = _Facts(condition)
    object_level = method == "has_object_permission"
    key = "hasObjectPermission" if object_level else "hasPermission"
    actions = {name: {"detail": True, "methods": ["GET", "POST", "PUT", "PATCH", "DELETE"]}
               for name in sorted(facts.actions) if name not in STANDARD and name != "metadata"}
    policy = {"authentication": ["session"], "permissions": ["C"], "classes": {"C": {key: condition}},
              "views": {"v": {"actions": {**{a: {} for a in STANDARD}, **actions}}}}
    gate = core.Gate(policy)
    targets = []  # (action, method)
    for action, (methods, detail) in STANDARD.items():
        if not object_level or detail:
            targets += [(action, m) for m in methods]
    for action in actions:
        targets += [(action, m) for m in actions[action]["methods"]]
    if not object_level:
        targets.append(("metadata", "OPTIONS"))
    users = _users(facts, rng)
    objects = (list(objects) if objects is not None else _objects(facts, rng)) if object_level else [None]
    space = list(itertools.product(targets, range(len(users)), range(len(objects))))
    if len(space) > limit:
        space = rng.sample(space, limit)
    instance = cls()
    disagreements = []
    for (action, http_method), ui, oi in space:
        user, obj = users[ui], objects[oi]
        request = _Request(http_method, user if user is not None else _anonymous())
        view = _View(action)
        try:
            if object_level:
                python = bool(instance.has_object_permission(request, view, obj))
            else:
                python = bool(instance.has_permission(request, view))
        except Exception as exc:  # noqa: BLE001 - an exception is DRF's 500
            python = f"error ({type(exc).__name__}: {exc})"
        context = {"view": "v", "action": action, "method": http_method,
                   "user": user.as_json() if user is not None else None,
                   "authentication": {"succeeded": "session"} if user is not None else {"none": True}}
        if action == "metadata":
            # OPTIONS: DRF's action `metadata`; drf-gate finds it from the method.
            del context["action"]
            context["detail"] = False
        if object_level:
            context["object"] = obj.as_json()
        decision = gate.check(context)
        if decision.get("allowed"):
            gate_says = True
        elif decision.get("status") == 500:
            gate_says = "error"
        else:
            gate_says = False
        if (python if python in (True, False) else "error") != gate_says:
            disagreements.append(
                f"{http_method} action={action} user={context['user']} object={context.get('object')}: "
                f"{cls.__name__}.{method} gives {python}, drf-gate {gate_says} ({decision.get('status')})"
            )
    return Proof(len(space), disagreements)
