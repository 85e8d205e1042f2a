"""Checks cases.json against real Python: each condition is evaluated with eval() over small
stand-ins for DRF's request, view, user and object, built from the same data the Rust tests use.

    python3 src/condition/testdata/python_oracle.py

The stand-ins follow Django where drf-gate follows Django (AnonymousUser, has_perm/has_perms
with an object-permission backend, TokenUser), and drf-gate's documented rule where the policy
format defines one: a JSON object is a model instance whose keys are attributes, and a user
equals an object whose `id` (else `pk`) is the user's id, or a number/string foreign key.
"""

import json
import os
import sys

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


class Obj(dict):
    """A JSON object: a dict whose keys also read as attributes (avoid dict method names)."""

    def __getattr__(self, name):
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None

    # A JSON object is a related model instance or a JSONField dict: where the two differ
    # (`in`, the truth of an empty one) the server decides, and drf-gate says it cannot.
    def __contains__(self, key):
        if key.__hash__ is None:
            raise TypeError("unhashable")
        raise TypeError("undecidable: a model instance raises, a dict has keys")

    # Model instances compare by pk (Model.__eq__), dicts by content: two distinct objects are
    # undecidable, the same object is equal to itself.
    def __eq__(self, other):
        if self is other:
            return True
        if isinstance(other, dict):
            raise TypeError("undecidable: model instances compare by pk, dicts by content")
        return NotImplemented

    def __ne__(self, other):
        result = self.__eq__(other)
        return result if result is NotImplemented else not result

    __hash__ = None

    def __bool__(self):
        if not len(self):
            raise TypeError("undecidable: an empty model instance is true, an empty dict false")
        return True


def codename(perm):
    return perm.split(".", 1)[1] if "." in perm else perm


class User:
    def __init__(self, data):
        self.anonymous = data is None
        data = data or {}
        self.id = self.pk = data.get("id")
        self.username = data.get("username") or ""
        self.is_authenticated = not self.anonymous
        self.is_anonymous = self.anonymous
        self.is_active = False if self.anonymous else data.get("isActive", True)
        self.is_staff = data.get("isStaff", False)
        self.is_superuser = data.get("isSuperuser", False)
        self._token_user = data.get("tokenUser", False)
        self._perms = set(data.get("permissions", []))
        self._object_codenames = {codename(p) for p in data.get("objectPermissions", [])}
        self._attributes = json.loads(json.dumps(data.get("attributes", {})), object_hook=Obj)

    def __getattr__(self, name):  # only for names that are not regular attributes
        if name.startswith("_"):
            raise AttributeError(name)
        try:
            return self._attributes[name]
        except KeyError:
            raise AttributeError(name) from None

    def __eq__(self, other):
        if isinstance(other, User):
            return self is other
        if self._token_user:
            # simplejwt's TokenUser.__eq__: NotImplemented unless `other` is a TokenUser; next to
            # a model instance (a foreign key here) Python falls back to identity: False.
            return NotImplemented
        if self.anonymous or self.id is None:
            return False
        if isinstance(other, dict):
            key = other["id"] if dict.__contains__(other, "id") else other.get("pk")
            return not isinstance(key, dict) and key is not None and key == self.id
        if isinstance(other, (int, float, str)) and not isinstance(other, bool):
            return other == self.id
        return False

    def __ne__(self, other):
        if self._token_user:
            # TokenUser.__ne__ is `not self.__eq__(other)`: `not NotImplemented` is False.
            return not self.__eq__(other)
        result = self.__eq__(other)
        return result if result is NotImplemented else not result

    __hash__ = object.__hash__

    def has_perm(self, perm, obj=None):
        if self._token_user or self.anonymous or not self.is_active:
            return False
        if self.is_superuser:
            return True
        if obj is None:
            return perm in self._perms
        return codename(perm) in self._object_codenames

    def has_perms(self, perm_list, obj=None):
        if self._token_user:
            return False
        return all(self.has_perm(perm, obj) for perm in perm_list)


class Request:
    def __init__(self, method, user):
        self.method = method
        self.user = user


class View:
    def __init__(self, action):
        self.action = action


def namespace(env, obj, with_obj=True):
    names = {
        "request": Request(env["method"], User(env["user"])),
        "view": View(env["action"]),
        "SAFE_METHODS": SAFE_METHODS,
        "__builtins__": {},
    }
    if with_obj:
        names["obj"] = json.loads(json.dumps(obj), object_hook=Obj)
    return names


def outcome(expr, names):
    try:
        return bool(eval(expr, names)), None
    except Exception as exc:  # noqa: BLE001 - any exception is a 500 in DRF
        return "error", type(exc).__name__


def main():
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "cases.json")
    with open(path, encoding="utf-8") as f:
        data = json.load(f)
    failures = 0
    for expr, env_name, expected in data["cases"]:
        got, exc = outcome(expr, namespace(data["envs"][env_name], data["object"]))
        if got != expected:
            failures += 1
            print(f"MISMATCH {expr!r} in {env_name}: Python gives {got} ({exc}), table says {expected}")
    checked = 0
    for expr, scope, code, _line, _col, python in data["compile_errors"]:
        if python == "n/a":
            continue
        checked += 1
        try:
            compile(expr, "<condition>", "eval")
        except SyntaxError:
            got = "SyntaxError"
        else:
            classes = set()
            for env in data["envs"].values():
                _, exc = outcome(expr, namespace(env, data["object"], scope == "object"))
                classes.add(exc)
            got = classes.pop() if len(classes) == 1 else f"mixed {sorted(map(str, classes))}"
        if got != python:
            failures += 1
            print(f"MISMATCH compile error {expr!r}: Python gives {got}, table says {python}")
    print(f"{len(data['cases'])} evaluation cases and {checked} compile-error cases checked; {failures} mismatches")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
