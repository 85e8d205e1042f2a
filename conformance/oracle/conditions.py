"""The condition language against Python itself: random `hasObjectPermission` conditions over
JSON objects (ints, floats, -0.0, ints beyond 2^53 and 2^64, strings, None, booleans, lists,
nested objects, missing fields), evaluated by CPython's `eval` exactly as DRF runs a
permission's `has_object_permission` (its truthiness decides; an exception is the server's
500).

    python -m oracle.conditions [--seed S] [--count N] --out PATH

Writes {"seed", "cases": [{"condition", "policy", "context", "outcome"}]} (policy and context as
JSON text), `outcome`
`allow`, `deny` or `error`. The native replay (`DRF_GATE_CONDITIONS=PATH cargo test --release
--test conformance`) checks each through `Gate::check` with the object and user as context."""
import argparse
import json
import random
import types
import warnings

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
BIG = [2**53, 2**53 + 1, 2**63 - 1, 2**63, 2**64, 2**64 + 1, -(2**63), 10**20, -(10**19)]
SCALARS = [0, 1, -1, 2, 3, 7, 255, 256, 257, -5, -6, 1.0, 0.0, -0.0, 1.5, -2.5, 1e16, 1e300, 9007199254740993.0, True,
           False, None, "", "a", "x", "1", "7", "ab", "A", "\u00e9", "\U0001f600", "None", "True"] + BIG


def scalar(rng):
    return rng.choice(SCALARS)


def value(rng, depth=0):
    r = rng.random()
    if depth < 2 and r < 0.12:
        return [value(rng, depth + 1) for _ in range(rng.randint(0, 3))]
    if depth < 2 and r < 0.2:
        return {k: value(rng, depth + 1) for k in rng.sample(["id", "x", "y", "name"], rng.randint(0, 3))}
    return scalar(rng)


def literal(rng):
    v = rng.choice(SCALARS + ["[]", "()", "[1, 2]", "(1, 'a')", "['a', 'x']", "(7,)", "[None]", "[[1]]", "1e400",
                              "-0", "0x10", "1_000", "'a' 'b'", "-1.0", "+3"])
    if isinstance(v, str) and (v.startswith(("[", "(")) or v in ("1e400", "-0", "0x10", "1_000", "'a' 'b'", "-1.0",
                                                                "+3")):
        return v
    return repr(v)


FIELDS = ["obj.a", "obj.b", "obj.c", "obj.s", "obj.n", "obj.l", "obj.o", "obj.o.id", "obj.o.x", "obj.missing",
          "obj.id", "request.user.id", "request.user.level", "request.user.username", "request.user.is_staff",
          "request.method", "view.action"]
CMP = ["==", "!=", "<", "<=", ">", ">=", "in", "not in", "is", "is not", "==", "!=", "==", "is", "in"]


def operand(rng):
    return rng.choice(FIELDS) if rng.random() < 0.6 else literal(rng)


def expr(rng, depth=0):
    r = rng.random()
    if depth >= 2 or r < 0.45:
        if rng.random() < 0.15:
            return operand(rng)
        if rng.random() < 0.1:
            return f"{operand(rng)} {rng.choice(CMP[:6])} {operand(rng)} {rng.choice(CMP[:6])} {operand(rng)}"
        return f"{operand(rng)} {rng.choice(CMP)} {operand(rng)}"
    if r < 0.6:
        return f"not ({expr(rng, depth + 1)})"
    return f"({expr(rng, depth + 1)}) {rng.choice(['and', 'or'])} ({expr(rng, depth + 1)})"


def namespace(v):
    if isinstance(v, dict):
        return types.SimpleNamespace(**{k: namespace(x) for k, x in v.items()})
    if isinstance(v, list):
        return [namespace(x) for x in v]
    return v


def outcome(condition, obj, user, method):
    request = types.SimpleNamespace(method=method, user=types.SimpleNamespace(
        id=user["id"], pk=user["id"], username=user["username"], is_staff=user["isStaff"], is_active=True,
        is_superuser=False, is_authenticated=True, is_anonymous=False, **user["attributes"]))
    view = types.SimpleNamespace(action="retrieve" if method == "GET" else "destroy")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # `x is 1` is a SyntaxWarning, and still runs
        try:
            result = eval(condition, {"__builtins__": {}}, {"obj": namespace(obj), "request": request, "view": view,
                                                            "SAFE_METHODS": SAFE_METHODS})
        except Exception:
            return "error"
    try:
        return "allow" if result else "deny"
    except Exception:
        return "error"


def js_view(v):
    """The value a JS caller holds after `JSON.parse` of the object's JSON (the package's typed
    paths and `can`): an integral float is a Number that the value encoding writes as an int
    (pkg/src/value.js `number`: integral and within [-2^63, 2^64)), -0.0 included."""
    if isinstance(v, float) and v.is_integer() and -(2**63) <= v < 2**64:
        return int(v)
    if isinstance(v, dict):
        return {k: js_view(x) for k, x in v.items()}
    if isinstance(v, list):
        return [js_view(x) for x in v]
    return v


def make_case(condition, obj, user, method):
    # Fresh objects per field, as a server's are (shared Python objects would be `is`-identical).
    obj, user = json.loads(json.dumps(obj)), json.loads(json.dumps(user))
    # As JSON text, so that -0.0 and ints beyond 2^64 reach drf-gate exactly.
    policy = {"authentication": ["basic"], "permissions": ["C"], "views": {"v": {}},
              "classes": {"C": {"hasObjectPermission": condition}}}
    context = {"view": "v", "action": "retrieve" if method == "GET" else "destroy", "object": obj,
               "authentication": {"succeeded": "basic"},
               "user": dict(user, isActive=True, isSuperuser=False, permissions=[])}
    case = {"condition": condition, "policy": json.dumps(policy, ensure_ascii=False),
            "context": json.dumps(context, ensure_ascii=False), "outcome": outcome(condition, obj, user, method)}
    # Where the JS view of the values (an int for an integral float) gets another answer from
    # Python, the package's JS paths cannot know which the server holds: they must leave it.
    js = outcome(condition, js_view(obj), js_view(user), method)
    if js != case["outcome"]:
        case["jsOutcome"] = js
    return case


# Values at the boundaries every seed meets (brief: 2^53, 2^63, 2^64, -0.0, inf, Unicode digits,
# long strings near Django's limits), each compared with fields holding neighbours of it.
EDGE_VALUES = [2**53, 2**53 + 1, -(2**53) - 1, 2**63 - 1, 2**63, -(2**63), -(2**63) - 1, 2**64 - 1, 2**64, 2**64 + 1,
               -0.0, 0.0, 0, 1.0, 1, 256, 257, -5, -6, 255.0, 1e308, -1e308, float(2**53), float(2**64), 1e16,
               "\u0661\u0662", "\uff17", "7", "", [], {}, [0], [-0.0], [1.0], "x" * 4096, "x" * 4097]
EDGE_LITERALS = ["1e400", "-1e400", "9007199254740993", "18446744073709551616", "18446744073709551617", "-0.0", "0",
                 "-0", "1", "1.0", "256", "257", "-5", "-6", "None", "'\u0661\u0662'", "'7'", "[]", "()", "[0.0]",
                 "1e308", "9223372036854775808", "-9223372036854775809"]
EDGE_FORMS = ["obj.a {op} {lit}", "{lit} {op} obj.a", "obj.a {op} obj.b", "obj.a {op} request.user.level",
              "obj.a {op} obj.a", "obj.id {op} request.user.id"]
EDGE_OPS = ["==", "!=", "<", ">=", "is", "is not", "in", "not in"]


def edge_cases(rng, count):
    """Boundary values against boundary literals and each other, drawn afresh each seed."""
    cases = []
    for _ in range(count):
        form, op, lit = rng.choice(EDGE_FORMS), rng.choice(EDGE_OPS), rng.choice(EDGE_LITERALS)
        a, b = rng.choice(EDGE_VALUES), rng.choice(EDGE_VALUES)
        if rng.random() < 0.3:
            b = json.loads(json.dumps(a))  # an equal value in another field
        obj = {"id": rng.choice(EDGE_VALUES[:12] + [7]), "a": a, "b": b}
        user = {"id": rng.choice([7, 2**53 + 1, 2**63, 2**64 - 1]), "username": "u", "isStaff": False,
                "attributes": {"level": rng.choice(EDGE_VALUES)}}
        cases.append(make_case(form.format(op=op, lit=lit), obj, user, rng.choice(["GET", "DELETE"])))
    return cases


def gen_cases(seed, count):
    rng = random.Random(seed)
    cases = edge_cases(random.Random(f"edge {seed}"), max(1, count // 10))
    for _ in range(count - len(cases)):
        obj = {"id": rng.choice([7, 3, 2**64, -0.0, "7"])}
        for key in ("a", "b", "c", "s", "n", "l", "o"):
            if rng.random() < 0.9:
                obj[key] = value(rng)
        user = {"id": rng.choice([7, 101, 2**53 + 1]), "username": rng.choice(["alice", "7", ""]), "isStaff": rng.random() < 0.3,
                "attributes": {"level": scalar(rng)}}
        method = rng.choice(["GET", "DELETE"])
        cases.append(make_case(expr(rng), obj, user, method))
    return cases


def main(argv=None):
    parser = argparse.ArgumentParser()
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--count", type=int, default=3000)
    parser.add_argument("--out", required=True)
    args = parser.parse_args(argv)
    seed = args.seed if args.seed is not None else random.SystemRandom().randrange(1, 2**31)
    cases = gen_cases(seed, args.count)
    with open(args.out, "w", encoding="utf-8") as f:
        # -0.0 and ints beyond 2^53 must survive: json writes them exactly.
        json.dump({"seed": seed, "cases": cases}, f, ensure_ascii=False)
    counts = {}
    for case in cases:
        counts[case["outcome"]] = counts.get(case["outcome"], 0) + 1
    print(f"conditions oracle: seed {seed}, {len(cases)} cases: "
          + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
