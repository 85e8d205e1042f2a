#!/usr/bin/env python3
"""Fails when the modules of `src/` import each other in a cycle.

A node is a module file (`src/gate.rs` is `gate`, `src/authentication/jwt.rs` is
`authentication::jwt`). An edge A -> B is a path that A names in B: `use crate::b::...`,
`use super::b`, `crate::b::item` in code (comments and string literals are ignored).
A parent's own children are not edges: a module declares and re-exports its children
(`mod csrf; pub use csrf::mint_csrf_token;`), that is ownership, not a dependency.
`#[cfg(test)]` test modules are skipped (`src/condition/tests.rs`).

Usage: python3 scripts/check-cycles.py [-v] [src-dir]   (-v prints the edges)
       python3 scripts/check-cycles.py --self-test       (shows it fails on a planted cycle)
"""
import os
import re
import sys


def module_of(root, path):
    rel = os.path.relpath(path, root)[: -len(".rs")].split(os.sep)
    if rel == ["lib"] or rel == ["main"]:
        return ()
    if rel[-1] == "mod":
        rel = rel[:-1]
    return tuple(rel)


def strip(text):
    """Removes comments, string and char literals (so doc examples do not count)."""
    out = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("//", i):
            j = text.find("\n", i)
            i = n if j < 0 else j
        elif text.startswith("/*", i):
            depth, i = 1, i + 2
            while i < n and depth:
                if text.startswith("/*", i):
                    depth, i = depth + 1, i + 2
                elif text.startswith("*/", i):
                    depth, i = depth - 1, i + 2
                else:
                    i += 1
        elif c == "r" and re.match(r'r#*"', text[i:i + 10]) and (i == 0 or not (text[i - 1].isalnum() or text[i - 1] == "_")):
            m = re.match(r'r(#*)"', text[i:])
            end = text.find('"' + m.group(1), i + len(m.group(0)))
            i = n if end < 0 else end + 1 + len(m.group(1))
            out.append('""')
        elif c == '"':
            i += 1
            while i < n and text[i] != '"':
                i += 2 if text[i] == "\\" else 1
            i += 1
            out.append('""')
        elif c == "'" and re.match(r"'(\\.|[^\\'])'|'\\u\{[0-9a-fA-F]+\}'|'\\x[0-9a-fA-F]{2}'", text[i:i + 12]):
            m = re.match(r"'(\\.|[^\\'])'|'\\u\{[0-9a-fA-F]+\}'|'\\x[0-9a-fA-F]{2}'", text[i:i + 12])
            i += len(m.group(0))
            out.append("' '")
        else:
            out.append(c)
            i += 1
    return "".join(out)


def expand_use(tree):
    """`a::{b, c::{d, e}}` -> [a::b, a::c::d, a::c::e] (enough to resolve modules)."""
    tree = tree.replace(" ", "").replace("\n", "")
    brace = tree.find("{")
    if brace < 0:
        return [tree]
    prefix, inner = tree[:brace], tree[brace + 1: tree.rfind("}")]
    parts, depth, start = [], 0, 0
    for k, ch in enumerate(inner):
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
        elif ch == "," and depth == 0:
            parts.append(inner[start:k])
            start = k + 1
    parts.append(inner[start:])
    return [p for part in parts if part for p in expand_use(prefix + part)]



def without_inline_test_modules(code):
    """`code` without its inline `#[cfg(test)]` (or `#[cfg(all(test, ...))]`) `mod name { ... }` blocks: test-only code is not
    part of the build, and a `super::` inside such a block names this module, not its parent."""
    out, pos = [], 0
    for m in re.finditer(r"#\[cfg\((?:test|all\(test\s*,[^\]]*\))\)\]\s*mod\s+\w+\s*\{", code):
        if m.start() < pos:
            continue
        depth, k = 1, m.end()
        while k < len(code) and depth:
            depth += {"{": 1, "}": -1}.get(code[k], 0)
            k += 1
        out.append(code[pos : m.start()])
        pos = k
    out.append(code[pos:])
    return "".join(out)

def resolve(segments, here, modules):
    """The longest module a `crate::`/`super::`/`self::` path reaches, or None."""
    if not segments:
        return None
    head, rest = segments[0], segments[1:]
    if head == "crate":
        base = ()
    elif head == "self":
        base = here
    elif head == "super":
        base = here[:-1]
        while rest and rest[0] == "super":
            base, rest = base[:-1], rest[1:]
    else:
        return None
    best = base
    for k in range(1, len(rest) + 1):
        candidate = base + tuple(rest[:k])
        if candidate in modules:
            best = candidate
        else:
            break
    return best


def self_test():
    """Plants `a -> b -> a` (plus a parent re-exporting its child, and an inline test module's
    `super::`, which are no cycle) and checks that the planted cycle, and only it, is reported."""
    import subprocess
    import tempfile

    with tempfile.TemporaryDirectory() as root:
        os.makedirs(os.path.join(root, "p"))
        files = {
            "lib.rs": "pub mod a; pub mod b; pub mod p;",
            "a.rs": "use crate::b::B; pub struct A; // crate::p::q in a comment is no edge",
            "b.rs": "pub struct B; fn f() -> crate::a::A { crate::a::A }",
            "p/mod.rs": "pub mod q; pub mod t; pub use q::Q; pub struct P; use crate::z::Z;",
            "p/q.rs": "use super::P; pub struct Q; const S: &str = \"crate::a::A\";",
            # `super::` in an inline test module names p::t itself: no edge t -> p, so no
            # cycle p -> z -> p::t -> p.
            "p/t.rs": "pub struct T; #[cfg(test)] mod tests { use super::*; fn f() { let _ = T; } }",
            "z.rs": "use crate::p::t::T; pub struct Z;",
        }
        for name, text in files.items():
            with open(os.path.join(root, name), "w", encoding="utf-8") as f:
                f.write(text)
        run = subprocess.run([sys.executable, __file__, root], capture_output=True, text=True)
        expected = "import cycle among a, b: a -> b; b -> a"
        reported = [line for line in run.stdout.splitlines() if line.startswith("import cycle")]
        if run.returncode != 1 or reported != [expected]:
            print("check-cycles self-test FAILED:\n" + run.stdout + run.stderr)
            return 1
        os.remove(os.path.join(root, "b.rs"))
        with open(os.path.join(root, "b.rs"), "w", encoding="utf-8") as f:
            f.write("pub struct B;")
        run = subprocess.run([sys.executable, __file__, root], capture_output=True, text=True)
        if run.returncode != 0:
            print("check-cycles self-test FAILED (no cycle left):\n" + run.stdout + run.stderr)
            return 1
    print("check-cycles self-test: a planted cycle is reported, an acyclic tree passes")
    return 0


def main():
    if "--self-test" in sys.argv:
        return self_test()
    verbose = "-v" in sys.argv
    args = [a for a in sys.argv[1:] if a != "-v"]
    root = args[0] if args else os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src")
    files = {}
    for directory, _, names in os.walk(root):
        for name in names:
            if name.endswith(".rs"):
                path = os.path.join(directory, name)
                files[module_of(root, path)] = path
    modules = set(files)
    edges = {m: set() for m in modules}
    for here, path in files.items():
        with open(path, encoding="utf-8") as f:
            code = strip(f.read())
        # Test-only child modules (`#[cfg(test)] mod tests;`) are not part of the build.
        for m in re.finditer(r"#\[cfg\(test\)\]\s*mod\s+(\w+)\s*;", code):
            modules.discard(here + (m.group(1),))
        code = without_inline_test_modules(code)
        paths = []
        for m in re.finditer(r"\buse\s+([^;]+);", code):
            paths += expand_use(m.group(1))
        code_without_use = re.sub(r"\buse\s+[^;]+;", "", code)
        paths += re.findall(r"\b(?:crate|super|self)(?:::\w+)+", code_without_use)
        for p in paths:
            target = resolve([s for s in p.split("::") if s], here, modules)
            if target is None or target == here or target not in modules:
                continue
            if target[: len(here)] == here:  # a parent naming its own child
                continue
            edges[here].add(target)
    for m in list(edges):
        if m not in modules:
            del edges[m]
    name = lambda m: "::".join(m) or "crate"
    if verbose:
        for m in sorted(edges):
            for t in sorted(edges[m]):
                print(f"{name(m)} -> {name(t)}")
    # Tarjan's strongly connected components: any component of 2+ modules is a cycle.
    index, low, stack, on, cycles, counter = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in edges.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    sys.setrecursionlimit(10000)
    for v in sorted(edges):
        if v not in index:
            visit(v)
    if cycles:
        for component in cycles:
            members = set(component)
            links = [f"{name(a)} -> {name(b)}" for a in component for b in sorted(edges[a]) if b in members]
            print(f"import cycle among {', '.join(name(m) for m in component)}: " + "; ".join(links))
        print(f"check-cycles: {len(cycles)} cycle(s) in {len(modules)} modules of {os.path.normpath(root)}")
        return 1
    print(f"check-cycles: no import cycle among {len(modules)} modules of {os.path.normpath(root)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
