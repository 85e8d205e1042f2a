"""Translate a permission class's Python code into drf-gate's condition language, when it provably can.

``translate_method(cls, "has_permission")`` reads the method's source (``inspect.getsource`` +
``ast``) and translates the idioms the condition language has:

- ``request.method in SAFE_METHODS`` (also ``permissions.SAFE_METHODS``), ``request.method == 'GET'``;
- ``request.user`` and its fields (``is_authenticated``, ``is_staff``, ``is_superuser``,
  ``is_active``, ``id``/``pk``, ``username``, a custom field such as ``email_verified``);
- ``obj.<field> == request.user``, ``obj.<field>_id == request.user.id``, ``obj.<a>.<b>``;
- ``request.user.has_perm('app.codename')``, ``request.user.has_perms([...])`` (not with an object:
  object permissions come from the project's backends);
- group membership by name: ``request.user.groups.filter(name='x').exists()`` becomes
  ``'x' in request.user.groups`` (the check fills ``attributes.groups`` with the user's group names);
- ``view.action``; ``and`` / ``or`` / ``not``, comparisons, ``bool(...)``;
- local names bound once (``user = request.user``), ``if ...: return ...`` chains with ``else``
  and fall-through (a missing return is ``None``: denied), ``super().has_permission(request, view)``.

Only truthiness matters to DRF (``if not permission.has_permission(...)``), so a translation keeps
the truth value of the method for every input, and fails where the code does anything else (a
query, a loop, an exception, a call it does not know): the reason and ``file:line`` are returned.
Everything translated is proved afterwards against the real code (``drfgate.prove`` on generated
users and objects; ``drfgate_check`` on the project's requests).
"""
import ast
import inspect
import os
import re
import textwrap

SAFE_METHODS_NAMES = {"SAFE_METHODS"}
USER_FIELDS = {"id", "pk", "username", "is_active", "is_staff", "is_superuser", "is_authenticated", "is_anonymous"}
# Attribute names that are methods or managers on Django's users: never a custom field.
USER_NON_FIELDS = {"has_perm", "has_perms", "has_module_perms", "groups", "user_permissions", "get_username",
                   "get_all_permissions", "get_group_permissions", "check_password", "save", "delete",
                   "auth_token", "profile", "objects"}
# User attributes whose value is an object (a related model): only their fields could be compared.
_PREC = {"or": 1, "and": 2, "not": 3, "cmp": 4, "atom": 5}


class Untranslatable(Exception):
    def __init__(self, node, message):
        super().__init__(message)
        self.node, self.message = node, message


# `obj == request.user` (either side, `!=` too): the object itself compared with the user.
OBJECT_IS_USER = re.compile(r"\bobj\s*(?:==|!=)\s*request\.user\b(?!\.)|\brequest\.user\s*(?:==|!=)\s*obj\b(?!\.)")
# `hasattr(obj.<path>, 'name')`: not in the condition language. Its value is a fact of the view's
# model (a field is there on every row, a name no class gives never is), so the translation keeps
# it as this atom and the exporter resolves it per view (Exporter._model_variant), or refuses.
HASATTR = re.compile(r"\bhasattr\((obj(?:\.\w+)*), '(\w+)'\)")


class Translation:
    """A method's condition (``None`` when not translated) and why not, with ``file:line``."""

    def __init__(self, condition=None, reasons=(), location=""):
        self.condition, self.reasons, self.location = condition, list(reasons), location
        self.proof = None  # drfgate.prove.Proof, once proved

    def prove(self, cls, method):
        """Prove the condition against the real method (needs the compiled core); sets ``proof``."""
        from . import core
        from .prove import prove, user_objects

        if self.condition is not None and core.available():
            # The object itself equal to the user: only a view of the user model can hold it
            # (the exporter checks each view's model), so the objects are users.
            objects = user_objects() if OBJECT_IS_USER.search(self.condition) else None
            self.proof = prove(cls, method, self.condition, objects=objects)
        return self.proof

    def reason_text(self):
        return "; ".join(self.reasons) or "translated"

    def __repr__(self):
        return f"Translation({self.condition!r}, {self.reasons!r})"


def _source(func):
    """(dedented source, first line number, file) of a function."""
    lines, first = inspect.getsourcelines(func)
    path = inspect.getsourcefile(func) or "?"
    return textwrap.dedent("".join(lines)), first, path


def _rel(path):
    rel = os.path.relpath(path)
    return path if rel.startswith("..") else rel


def translate_method(cls, method, base_conditions=None):
    """Translate ``cls.<method>`` (``has_permission`` / ``has_object_permission``).

    ``base_conditions`` maps the method name to its condition in the parent class, for
    ``super().<method>(...)``.

    >>> from rest_framework.permissions import BasePermission, SAFE_METHODS
    >>> class ReadOnly(BasePermission):
    ...     def has_permission(self, request, view):
    ...         return request.method in SAFE_METHODS
    >>> translate_method(ReadOnly, "has_permission").condition      # doctest: +SKIP
    'request.method in SAFE_METHODS'
    """
    func = cls.__dict__.get(method)
    func = getattr(func, "__func__", func)
    try:
        src, first, path = _source(func)
        tree = ast.parse(src)
    except (OSError, TypeError, SyntaxError, IndentationError) as exc:
        return Translation(None, [f"source not readable: {exc}"], f"<{cls.__module__}.{cls.__qualname__}>")
    fn = tree.body[0] if tree.body else None
    location = f"{_rel(path)}:{first}"
    if not isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)) or isinstance(fn, ast.AsyncFunctionDef):
        return Translation(None, ["not a plain function"], location)
    try:
        condition = _Translator(fn, method, base_conditions or {}, cls).translate()
    except Untranslatable as exc:
        line = first + getattr(exc.node, "lineno", 1) - 1
        return Translation(None, [f"{exc.message} at {_rel(path)}:{line}"], f"{_rel(path)}:{line}")
    return Translation(condition, [], location)


class _Translator:
    def __init__(self, fn, method, base_conditions, cls):
        self.fn, self.method, self.base_conditions, self.cls = fn, method, base_conditions, cls
        args = [a.arg for a in fn.args.args]
        want = ["self", "request", "view"] + (["obj"] if method == "has_object_permission" else [])
        if fn.args.vararg or fn.args.kwarg or fn.args.kwonlyargs or len(args) != len(want):
            raise Untranslatable(fn, f"{method}() does not take ({', '.join(want)})")
        self.params = dict(zip(args, want))  # the code's parameter names -> the language's
        self.module_globals = getattr(inspect.getmodule(cls), "__dict__", {})

    def translate(self):
        body = [s for s in self.fn.body if not _is_docstring(s)]
        text, _ = self.block(body, {})
        return text

    # ---- statements: each block is turned into the truth value it returns ----------------------

    def block(self, stmts, env):
        """(condition text, precedence) that is truthy exactly when the block returns a truthy value."""
        if not stmts:
            return "False", _PREC["atom"]  # falling off the end returns None
        stmt, rest = stmts[0], stmts[1:]
        if isinstance(stmt, ast.Return):
            if stmt.value is None:
                return "False", _PREC["atom"]
            return self.truth(stmt.value, env)
        if isinstance(stmt, ast.Pass) or _is_docstring(stmt):
            return self.block(rest, env)
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name):
            name = stmt.targets[0].id
            if name in env or name in self.params:
                raise Untranslatable(stmt, f"'{name}' is assigned more than once")
            value = self.value(stmt.value, env)
            return self.block(rest, {**env, name: value})
        if isinstance(stmt, ast.If):
            cond, cp = self.truth(stmt.test, env)
            then, tp = self.block(list(stmt.body) + rest if not _returns(stmt.body) else stmt.body, env)
            other, op = self.block(list(stmt.orelse) + rest, env)
            return _if_then_else(cond, cp, then, tp, other, op)
        raise Untranslatable(stmt, f"a {type(stmt).__name__} statement is not translated")

    # ---- expressions ----------------------------------------------------------------------------

    def truth(self, node, env):
        """A condition whose truth value is that of ``node`` (``bool(...)``, ``request.user`` alone)."""
        if isinstance(node, ast.BoolOp):
            op = "and" if isinstance(node.op, ast.And) else "or"
            parts = [self.truth(v, env) for v in node.values]
            return _join(op, parts)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            text, prec = self.truth(node.operand, env)
            return "not " + _wrap(text, prec, _PREC["not"]), _PREC["not"]
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "bool" \
                and "bool" not in env and len(node.args) == 1 and not node.keywords:
            return self.truth(node.args[0], env)
        if isinstance(node, ast.Name) and node.id in env:
            text, prec, kind = env[node.id]
            if kind == "object":
                raise Untranslatable(node, "the truth value of an object is not translated")
            return ("True", _PREC["atom"]) if kind == "user" else (text, prec)
        value, prec, kind = self.value(node, env)
        if kind == "user":
            # Django's users (and AnonymousUser, TokenUser) are always truthy.
            return "True", _PREC["atom"]
        if kind == "object":
            raise Untranslatable(node, "the truth value of an object is not translated")
        return value, prec

    def value(self, node, env):
        """(text, precedence, kind) of a value. kind: 'user', 'object', 'scalar'."""
        atom = _PREC["atom"]
        if isinstance(node, ast.Constant):
            if isinstance(node.value, (str, int, float, bool)) or node.value is None:
                return json_literal(node.value), atom, "scalar"
            raise Untranslatable(node, f"the literal {node.value!r} is not translated")
        if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
            items = [self.value(e, env)[0] for e in node.elts]
            if isinstance(node, ast.List):
                return "[" + ", ".join(items) + "]", atom, "scalar"
            # A set literal is only ever a container for `in`: a tuple has the same membership.
            return "(" + ", ".join(items) + ("," if len(items) == 1 else "") + ")", atom, "scalar"
        if isinstance(node, ast.Name):
            if node.id in env:
                return env[node.id]
            if node.id in SAFE_METHODS_NAMES:
                return "SAFE_METHODS", atom, "scalar"
            if node.id in self.params:
                role = self.params[node.id]
                if role == "self":
                    raise Untranslatable(node, "the permission instance (self) is not translated")
                if role == "obj":
                    return "obj", atom, "object"
                raise Untranslatable(node, f"{role} alone is not translated")
            constant = self.module_globals.get(node.id)
            if isinstance(constant, (tuple, list, frozenset, set)) and all(isinstance(c, str) for c in constant):
                # A module-level constant such as ALLOWED_ACTIONS = ("list", "retrieve").
                items = [json_literal(c) for c in (sorted(constant) if isinstance(constant, (set, frozenset)) else constant)]
                return "(" + ", ".join(items) + ("," if len(items) == 1 else "") + ")", atom, "scalar"
            if isinstance(constant, (str, int)) and not isinstance(constant, bool):
                return json_literal(constant), atom, "scalar"
            raise Untranslatable(node, f"the name '{node.id}' is not translated")
        if isinstance(node, ast.Attribute):
            return self.attribute(node, env)
        if isinstance(node, ast.Compare):
            return self.compare(node, env)
        if isinstance(node, ast.Call):
            return self.call(node, env)
        if isinstance(node, (ast.BoolOp, ast.UnaryOp)):
            text, prec = self.truth(node, env)
            return text, prec, "bool"
        raise Untranslatable(node, f"a {type(node).__name__} expression is not translated")

    def attribute(self, node, env):
        chain, root = [], node
        while isinstance(root, ast.Attribute):
            chain.append(root.attr)
            root = root.value
        chain.reverse()
        atom = _PREC["atom"]
        if isinstance(root, ast.Name) and root.id not in env and chain == ["SAFE_METHODS"]:
            return "SAFE_METHODS", atom, "scalar"  # permissions.SAFE_METHODS
        if isinstance(root, ast.Name) and root.id in env:
            base, _, kind = env[root.id]
        elif isinstance(root, ast.Name) and root.id in self.params:
            base, kind = self.params[root.id], "param"
        else:
            raise Untranslatable(node, f"'{ast.unparse(node)}' is not translated")
        path = base.split(".") + chain
        head = path[0]
        if head == "request":
            if path[1:2] == ["method"] and len(path) == 2:
                return "request.method", atom, "scalar"
            if path[1:2] == ["user"]:
                rest = path[2:]
                if not rest:
                    return "request.user", atom, "user"
                if rest[0] in ("pk",):
                    rest = ["id"] + rest[1:]
                if len(rest) == 1 and rest[0] not in USER_NON_FIELDS:
                    return "request.user." + rest[0], atom, "scalar"
                raise Untranslatable(node, f"'{ast.unparse(node)}' is not a field of the user drf-gate knows")
            raise Untranslatable(node, f"'{ast.unparse(node)}': only request.method and request.user are translated")
        if head == "view":
            if path == ["view", "action"]:
                return "view.action", atom, "scalar"
            raise Untranslatable(node, f"'{ast.unparse(node)}': only view.action is translated")
        if head == "obj":
            if any(p.startswith("_") or p == "objects" for p in path[1:]):
                raise Untranslatable(node, f"'{ast.unparse(node)}' is not translated")
            path = ["obj"] + ["id" if p == "pk" else p for p in path[1:]]
            return ".".join(path), atom, "scalar" if len(path) > 1 else "object"
        if head == "self":
            raise Untranslatable(node, f"'{ast.unparse(node)}': attributes of the permission instance are not translated")
        raise Untranslatable(node, f"'{ast.unparse(node)}' is not translated")

    def compare(self, node, env):
        parts = [self.value(node.left, env)]
        ops = []
        for op, comparator in zip(node.ops, node.comparators):
            ops.append(_CMP.get(type(op)))
            parts.append(self.value(comparator, env))
        if None in ops:
            raise Untranslatable(node, "this comparison is not translated")
        for (text, prec, kind), op in zip(parts, ops + [ops[-1]]):
            if kind == "bool" or prec < _PREC["atom"]:
                raise Untranslatable(node, "a comparison of a computed truth value is not translated")
        kinds = [k for _, _, k in parts]
        if len(ops) == 1 and ops[0] in ("is", "is not") and sorted(kinds) == ["scalar", "user"] \
                and "None" in (parts[0][0], parts[1][0]):
            # `request.user is not None` (nomad-back's guard): DRF's request.user is a user or
            # UNAUTHENTICATED_USER (AnonymousUser), never None unless that setting is None.
            from rest_framework.settings import api_settings

            if api_settings.UNAUTHENTICATED_USER is None:
                raise Untranslatable(node, "UNAUTHENTICATED_USER = None: an anonymous request.user is None")
            return ("False" if ops[0] == "is" else "True"), _PREC["atom"], "scalar"
        if "user" in kinds or "object" in kinds:
            # Model equality: the user (or an object) equals a field holding the same row.
            if len(ops) != 1 or ops[0] not in ("==", "!="):
                raise Untranslatable(node, "only == and != compare a user or an object")
            (lt, _, lk), (rt, _, rk) = parts
            if lk == rk == "user":
                return ("True" if ops[0] == "==" else "False"), _PREC["atom"], "scalar"
            # `user == request.user` (the object itself) is the same row in a view of the user
            # model, compared by id; the exporter refuses it on a view of another or no known model.
            if (lk == "object" or rk == "object") and sorted((lk, rk)) != ["object", "user"]:
                raise Untranslatable(node, "comparing the object itself with anything but request.user is not translated")
            if lt.endswith("_id") or rt.endswith("_id") or lt.endswith(".id") or rt.endswith(".id"):
                raise Untranslatable(node, "comparing an id with the user object is not translated (compare with request.user.id)")
        text = parts[0][0]
        for op, (t, _, _) in zip(ops, parts[1:]):
            text += f" {op} {t}"
        return text, _PREC["cmp"], "scalar"

    def call(self, node, env):
        func = node.func
        atom = _PREC["atom"]
        # hasattr(obj[.a.b], 'name'): an atom the exporter decides from the view's model.
        if isinstance(func, ast.Name) and func.id == "hasattr" and func.id not in env \
                and func.id not in self.module_globals and len(node.args) == 2 and not node.keywords:
            target, name = node.args
            text, _, kind = self.value(target, env)
            if not (isinstance(name, ast.Constant) and isinstance(name.value, str) and name.value.isidentifier()):
                raise Untranslatable(node, "hasattr() with a name that is not a literal identifier is not translated")
            if kind == "user" or text.startswith("request.user"):
                raise Untranslatable(node, f"'{ast.unparse(node)}': what a user has depends on which class "
                                           "authenticated it and on its rows (a reverse one-to-one), not translated")
            if not re.fullmatch(r"obj(?:\.\w+)*", text):
                raise Untranslatable(node, f"'{ast.unparse(node)}': only hasattr() of the object is translated")
            return f"hasattr({text}, '{name.value}')", atom, "bool"
        # super().has_permission(request, view[, obj])
        if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Call) and isinstance(func.value.func, ast.Name) \
                and func.value.func.id == "super" and not func.value.args and func.attr == self.method:
            expected = [p for p, role in self.params.items() if role != "self"]
            got = [a.id if isinstance(a, ast.Name) else None for a in node.args]
            if got != expected or node.keywords:
                raise Untranslatable(node, "super() called with other arguments")
            if self.method not in self.base_conditions:
                raise Untranslatable(node, "the parent class's condition is not known")
            return f"({self.base_conditions[self.method]})", atom, "bool"
        if isinstance(func, ast.Attribute):
            target = func.value
            # request.user.has_perm('x'[, obj]) / has_perms([...])
            if func.attr in ("has_perm", "has_perms"):
                owner, _, kind = self.value(target, env)
                if kind != "user":
                    raise Untranslatable(node, f"{func.attr}() of something other than request.user")
                if node.keywords or not 1 <= len(node.args) <= 2:
                    raise Untranslatable(node, f"{func.attr}() with these arguments is not translated")
                if len(node.args) == 2:
                    # Object permissions come from the project's authentication backends
                    # (django-guardian, rules, ...), which a context cannot be sure to carry.
                    raise Untranslatable(node, f"{func.attr}() with an object (backend object permissions) is not translated")
                args = [self.value(node.args[0], env)[0]]
                return f"request.user.{func.attr}({', '.join(args)})", atom, "scalar"
            # request.user.groups.filter(name='x').exists()
            if func.attr == "exists" and not node.args and isinstance(target, ast.Call) \
                    and isinstance(target.func, ast.Attribute) and target.func.attr == "filter":
                groups = target.func.value
                owner = self.value(groups.value, env) if isinstance(groups, ast.Attribute) and groups.attr == "groups" else None
                if owner is None or owner[2] != "user":
                    raise Untranslatable(node, f"the query '{ast.unparse(node)}' is not translated")
                if target.args or len(target.keywords) != 1:
                    raise Untranslatable(node, "a group query other than filter(name=...) is not translated")
                kw = target.keywords[0]
                if kw.arg == "name":
                    name, _, _ = self.value(kw.value, env)
                    if not name.startswith(("'", '"')):
                        raise Untranslatable(node, "a group name that is not a literal is not translated")
                    return _authenticated(f"{name} in request.user.groups", _PREC["cmp"]) + ("scalar",)
                if kw.arg == "name__in":
                    names, _, _ = self.value(kw.value, env)
                    elts = getattr(kw.value, "elts", None)
                    if elts is None or not all(isinstance(e, ast.Constant) and isinstance(e.value, str) for e in elts):
                        raise Untranslatable(node, "group names that are not literals are not translated")
                    if not elts:
                        return "False", atom, "scalar"
                    return _authenticated(*_join("or", [(f"{json_literal(e.value)} in request.user.groups", _PREC["cmp"])
                                                       for e in elts])) + ("scalar",)
                raise Untranslatable(node, f"a group query by {kw.arg} is not translated")
        raise Untranslatable(node, f"the call '{ast.unparse(node)}' is not translated")


_CMP = {ast.Eq: "==", ast.NotEq: "!=", ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">=",
        ast.In: "in", ast.NotIn: "not in", ast.Is: "is", ast.IsNot: "is not"}


def json_literal(value):
    if value is None:
        return "None"
    if isinstance(value, bool):
        return "True" if value else "False"
    if isinstance(value, str):
        return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"
    return repr(value)


def _is_docstring(stmt):
    return isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant) and isinstance(stmt.value.value, str)


def _returns(stmts):
    """Does this block always return (so the statements after the `if` never follow it)?"""
    if not stmts:
        return False
    last = stmts[-1]
    if isinstance(last, (ast.Return, ast.Raise)):
        return True
    if isinstance(last, ast.If):
        return _returns(last.body) and _returns(last.orelse)
    return False


def _wrap(text, prec, need):
    return text if prec >= need else f"({text})"


_AUTHENTICATED = "request.user.is_authenticated"


def _authenticated(text, prec):
    """``text`` (about the user's groups) for authenticated users only: AnonymousUser's groups
    is an empty manager (``exists()`` is False) where the edge has no groups to read."""
    return f"{_AUTHENTICATED} and {_wrap(text, prec, _PREC['and'])}", _PREC["and"]


def _join(op, parts):
    prec = _PREC[op]
    if op == "and":
        # A leading constant True changes nothing (`True and x` is x).
        while len(parts) > 1 and parts[0][0] == "True":
            parts = parts[1:]
        # A group test after `request.user.is_authenticated and` needs no guard of its own.
        guard = f"{_AUTHENTICATED} and "
        parts = [(t[len(guard):], _PREC["and"])
                 if p == _PREC["and"] and t.startswith(guard) and any(u == _AUTHENTICATED for u, _ in parts[:i])
                 else (t, p) for i, (t, p) in enumerate(parts)]
    elif parts and parts[0][0] == "True":
        return "True", _PREC["atom"]  # `True or ...` never evaluates the rest
    if len(parts) == 1:
        return parts[0]
    return f" {op} ".join(_wrap(t, p, prec) for t, p in parts), prec


def _if_then_else(cond, cp, then, tp, other, op):
    """The truth value of `then if cond else other`, in and/or/not (each part evaluated only when
    Python would evaluate it, so an evaluation error surfaces exactly where Python's would)."""
    if then == "True" and other == "False":
        return cond, cp
    if then == "True":
        return _join("or", [(cond, cp), (other, op)])
    if then == "False" and other == "False":
        # cond is still evaluated: an error in it is an error in Python too.
        return _join("and", [(cond, cp), ("False", _PREC["atom"])])
    if then == "False":
        return _join("and", [("not " + _wrap(cond, cp, _PREC["not"]), _PREC["not"]), (other, op)])
    if other == "False":
        return _join("and", [(cond, cp), (then, tp)])
    left = _join("and", [(cond, cp), (then, tp)])
    right = _join("and", [("not " + _wrap(cond, cp, _PREC["not"]), _PREC["not"]), (other, op)])
    return _join("or", [left, right])


# --------------------------------------------------------------------------------------------
# Is this text a condition?


def condition_errors(text, object_level):
    """Why ``text`` is not a drf-gate condition (empty list: it is one).

    With the compiled core, the core's own compiler decides (its message, line and column);
    without it, a syntax check in Python catches what is plainly not the language (a call other
    than has_perm/has_perms, a subscript, a lambda).
    """
    from . import core

    if not isinstance(text, str) or not text.strip():
        return ["a condition must be a non-empty string"]
    if core.available():
        key = "hasObjectPermission" if object_level else "hasPermission"
        policy = {"classes": {"C": {key: text}}, "permissions": ["C"], "views": {}}
        try:
            core.Gate(policy)
        except core.PolicyError as exc:
            where = f" (line {exc.line}, column {exc.column})" if exc.line is not None else ""
            return [f"{exc.message}{where}"]
        return []
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as exc:
        return [f"syntax error: {exc.msg} (column {exc.offset})"]
    errors = []
    allowed = (ast.Expression, ast.BoolOp, ast.And, ast.Or, ast.UnaryOp, ast.Not, ast.Compare, ast.Name,
               ast.Attribute, ast.Constant, ast.List, ast.Tuple, ast.Load, ast.Call) + tuple(_CMP)
    for node in ast.walk(tree):
        if not isinstance(node, allowed):
            errors.append(f"'{ast.unparse(node)}' ({type(node).__name__}) is not in the condition language")
        elif isinstance(node, ast.Call):
            f = node.func
            if not (isinstance(f, ast.Attribute) and f.attr in ("has_perm", "has_perms")
                    and ast.unparse(f.value) == "request.user"):
                errors.append(f"the call '{ast.unparse(node)}' is not in the condition language "
                              f"(only request.user.has_perm(...) / has_perms(...))")
        elif isinstance(node, ast.Name) and node.id not in ("request", "obj", "view", "SAFE_METHODS", "True", "False", "None"):
            errors.append(f"unknown name '{node.id}'")
        elif isinstance(node, ast.Name) and node.id == "obj" and not object_level:
            errors.append("obj is only available in has_object_permission")
    return errors
