"""The drf-gate core, in-process: the same Rust code the npm package runs, compiled into the wheel.

    >>> from drfgate.core import Gate
    >>> gate = Gate({"permissions": ["IsAuthenticated"], "views": {"posts": {}}})
    >>> gate.check({"view": "posts", "method": "GET"})["status"]
    403

Policies are the JSON of ``docs/policy.md`` (https://github.com/drf-gate/drf-gate/blob/main/docs/policy.md),
as a dict or as JSON text. The exporter's ``routes`` are compiled (``Gate.route``); its
``leftToOrigin`` list is accepted and ignored here. Errors are :class:`PolicyError` /
:class:`ContextError` with the core's stable ``code``, a JSON ``path``, and for expressions the
``line``/``column`` inside the expression.
"""
import json

try:
    from . import _native
except ImportError:  # a source checkout without the compiled module: the Node replay still works
    _native = None

# Keys of an exported policy that are for the Workers router, not for the Gate.
ROUTING_KEYS = ("leftToOrigin",)


def available():
    """True when the compiled core is importable (always, from a wheel)."""
    return _native is not None


class DrfGateError(ValueError):
    """An error from the drf-gate core: ``code`` (stable), ``path`` (JSON path), ``line``/``column``."""

    def __init__(self, message, code, path, line=None, column=None):
        super().__init__(message)
        self.message, self.code, self.path, self.line, self.column = message, code, path, line, column

    def __str__(self):
        where = f" (line {self.line}, column {self.column})" if self.line is not None else ""
        return f"{self.code}: {self.message} at {self.path}{where}"


class PolicyError(DrfGateError):
    """A policy the core cannot compile."""


class ContextError(DrfGateError):
    """A context that does not fit the policy (unknown view or action, malformed user, ...)."""


def _require():
    if _native is None:
        raise ImportError(
            "drfgate was installed without its compiled core (drfgate._native); install the wheel "
            "(pip install drf-gate) or build it with maturin"
        )
    return _native


def _text(value, strip_routing=False):
    if isinstance(value, (str, bytes)):
        if not strip_routing:
            return value
        value = json.loads(value)
    if strip_routing and isinstance(value, dict):
        value = {k: v for k, v in value.items() if k not in ROUTING_KEYS}
    return json.dumps(value, ensure_ascii=False)


class Gate:
    """A compiled, immutable policy. ``check(context)`` returns the decision as a dict.

    >>> Gate('{"views": {"posts": {}}}').view_names()
    ['posts']
    """

    def __init__(self, policy):
        native = _require()
        try:
            self._gate = native.Gate(_text(policy, strip_routing=True))
        except native.PolicyError as exc:
            raise PolicyError(*exc.args) from None

    @classmethod
    def from_compiled(cls, data):
        """Loads a compiled policy (:func:`compile`, ``npx drf-gate compile``), as the browser
        runtime does; ``PolicyError`` (``corrupt_compiled_policy``, ``incompatible_compiled_policy``)
        for bytes it cannot load.

        >>> Gate.from_compiled(compile({"views": {"posts": {}}})).view_names()
        ['posts']
        """
        native = _require()
        gate = cls.__new__(cls)
        try:
            gate._gate = native.Gate.from_compiled(bytes(data))
        except native.PolicyError as exc:
            raise PolicyError(*exc.args) from None
        return gate

    def check(self, context):
        """The decision for a context (``docs/policy.md`` §2 -> §3)."""
        native = _require()
        try:
            return json.loads(self._gate.check(_text(context)))
        except native.ContextError as exc:
            raise ContextError(*exc.args) from None

    def check_request(self, step):
        """One step of edge authentication on a raw request: ``{"request": {...}, "view": ...,
        "now": ..., "answers": [...]}`` -> a decision, a ``lookup`` to answer, or ``noRoute``."""
        native = _require()
        try:
            return json.loads(self._gate.check_request(_text(step)))
        except native.ContextError as exc:
            raise ContextError(*exc.args) from None

    def view_names(self):
        return list(self._gate.view_names())

    def route(self, path):
        """The route a URL path reaches by the policy's ``routes``, as the edge routes it (the
        core's router, docs/policy.md §1.6): ``{"view", "action", "detail"}``, or None when no
        route matches (the edge passes the request to the origin).

        >>> Gate({"views": {"posts": {}}, "routes": [{"pattern": "/posts/{pk:int}/", "view": "posts", "detail": True}]}).route("/posts/abc/")
        """
        hit = self._gate.route(path)
        return None if hit is None else {"view": hit[0], "action": hit[1], "detail": hit[2]}


def compile(policy):  # noqa: A001 (the CLI's verb: `npx drf-gate compile`)
    """The compiled form of a policy (a dict or JSON text, routes included) as ``bytes``: the same
    bytes as ``npx drf-gate compile policy.json -o policy.gate`` and ``gate.toCompiled()``, which
    the browser runtime (``drf-gate/runtime``) and ``Gate.from_compiled`` load.

    >>> compile('{"views": {"posts": {}}}')[:8]
    b'DRFGATE\\x01'
    """
    native = _require()
    try:
        return bytes(native.Gate(_text(policy)).to_compiled())
    except native.PolicyError as exc:
        raise PolicyError(*exc.args) from None
