"""Writes a vector file as JSON Lines: one case per line, diff-friendly, regenerated whole.

A document `{"secret": s, "cases": [c1, c2]}` is written as the lines
    {"secret": s}
    {"cases[]": c1}
    {"cases[]": c2}
A key ending in `[]` appends to that array; a `/` in a key is a path through objects named in
`expand` (`{"scenarios/hs256/cases[]": c}`). The Rust tests read it back with
`common::jsonl` (tests/common/mod.rs) into the same document.
"""
import fnmatch
import json


def matches(path, pattern):
    """`fnmatch` per `/`-separated segment (`scenarios/*` matches `scenarios/hs256` only)."""
    names, patterns = path.split("/"), pattern.split("/")
    return len(names) == len(patterns) and all(map(fnmatch.fnmatchcase, names, patterns))


def lines(doc, expand=(), prefix=""):
    for key, value in doc.items():
        path = prefix + key
        if "/" in key or key.endswith("[]"):
            raise ValueError(f"key {path!r} cannot be written as a JSON Lines path")
        if isinstance(value, list):
            for item in value:
                yield {path + "[]": item}
        elif isinstance(value, dict) and any(matches(path, pattern) for pattern in expand):
            yield from lines(value, expand, path + "/")
        else:
            yield {path: value}


def dump(path, doc, expand=()):
    """Writes `doc` to `path` (ASCII, one JSON value per line)."""
    with open(path, "w", encoding="ascii", newline="\n") as f:
        for line in lines(doc, expand):
            f.write(json.dumps(line, ensure_ascii=True, separators=(",", ":")) + "\n")


def load(path):
    """Reads a file written by `dump` back into the document (what the Rust tests do)."""
    doc = {}
    with open(path, encoding="ascii") as f:
        for text in f:
            if not text.strip():
                continue
            ((key, value),) = json.loads(text).items()
            push = key.endswith("[]")
            *parents, last = (key[:-2] if push else key).split("/")
            node = doc
            for name in parents:
                node = node.setdefault(name, {})
            if push:
                node.setdefault(last, []).append(value)
            else:
                node[last] = value
    return doc
