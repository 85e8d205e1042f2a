#!/usr/bin/env python3
"""Per-function code size of a .wasm with a name section, and a diff of two.

  python3 scripts/wasm-sizes.py A.wasm [N]            # the N largest functions (default 40) + groups
  python3 scripts/wasm-sizes.py A.wasm B.wasm [N]     # per-name change A -> B, largest first

Sizes are the bytes of each function body in the code section (locals + code), as shipped.
Names come from the `name` section (keep it: build without wasm-opt's --strip-debug, or read
cargo's output); a function without a name is `func[i]`. Rust hashes (`::h0123...`, `crate[0123...]`) are dropped so
two builds compare by name. Groups: the crate of each name (`drf_gate`, `alloc`, `core`, ...),
`<impl X for Y>` counted under Y's crate. Used by the runtime size passes (bench/notes.md).
"""
import re
import sys
from collections import defaultdict


def leb(data, pos):
    result = shift = 0
    while True:
        byte = data[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        shift += 7
        if byte < 0x80:
            return result, pos


def read(path):
    data = open(path, "rb").read()
    if data[:4] != b"\0asm":
        raise SystemExit(f"{path}: not a wasm module")
    pos = 8
    imported = 0
    bodies = []
    names = {}
    sections = {}
    while pos < len(data):
        sid = data[pos]
        size, pos = leb(data, pos + 1)
        end = pos + size
        if sid == 2:  # imports: functions count in the index space first
            count, p = leb(data, pos)
            for _ in range(count):
                n, p = leb(data, p)
                p += n
                n, p = leb(data, p)
                p += n
                kind = data[p]
                p += 1
                if kind == 0:
                    _, p = leb(data, p)
                    imported += 1
                elif kind == 1:
                    p += 1
                    flags, p = leb(data, p)
                    _, p = leb(data, p)
                    if flags & 1:
                        _, p = leb(data, p)
                elif kind == 2:
                    flags, p = leb(data, p)
                    _, p = leb(data, p)
                    if flags & 1:
                        _, p = leb(data, p)
                elif kind == 3:
                    p += 2
                else:
                    _, p = leb(data, p)
                    _, p = leb(data, p)
        elif sid == 10:
            count, p = leb(data, pos)
            for _ in range(count):
                n, q = leb(data, p)
                bodies.append(q + n - p)
                p = q + n
        elif sid == 0:
            n, p = leb(data, pos)
            name = data[p : p + n].decode()
            p += n
            if name == "name":
                while p < end:
                    sub = data[p]
                    length, p = leb(data, p + 1)
                    if sub == 1:
                        count, q = leb(data, p)
                        for _ in range(count):
                            index, q = leb(data, q)
                            n, q = leb(data, q)
                            names[index] = data[q : q + n].decode("utf-8", "replace")
                            q += n
                    p += length
            sections[f"custom {name}"] = size
        if sid != 0:
            sections[sid] = sections.get(sid, 0) + size
        pos = end
    table = defaultdict(int)
    for i, body in enumerate(bodies):
        name = names.get(imported + i, f"func[{imported + i}]")
        table[re.sub(r"\[[0-9a-f]{16}\]|::h[0-9a-f]{16}$", "", name)] += body
    return table, sections, len(data)


def group(name):
    m = re.match(r"<(?:impl [^ ]+ for )?&?(?:mut )?([A-Za-z_][A-Za-z0-9_]*)", name)
    if name.startswith("<") and m:
        return m.group(1)
    m = re.match(r"([A-Za-z_][A-Za-z0-9_]*)", name)
    return m.group(1) if m else name


def main(argv):
    files = [a for a in argv if a.endswith(".wasm")]
    count = next((int(a) for a in argv if a.isdigit()), 40)
    if len(files) == 1:
        table, sections, total = read(files[0])
        code = sum(table.values())
        print(f"{files[0]}: {total} B, code {code} B in {len(table)} names; sections {sections}")
        groups = defaultdict(int)
        for name, size in table.items():
            groups[group(name)] += size
        for name, size in sorted(groups.items(), key=lambda kv: -kv[1])[:15]:
            print(f"{size:8} {100 * size / code:5.1f} %  [{name}]")
        for name, size in sorted(table.items(), key=lambda kv: -kv[1])[:count]:
            print(f"{size:8}  {name[:150]}")
    elif len(files) == 2:
        a, _, ta = read(files[0])
        b, _, tb = read(files[1])
        print(f"{files[0]} {ta} B -> {files[1]} {tb} B ({tb - ta:+}); code {sum(a.values())} -> {sum(b.values())}")
        diffs = [(b.get(n, 0) - a.get(n, 0), n) for n in set(a) | set(b)]
        for delta, name in sorted((d for d in diffs if d[0]), key=lambda d: -abs(d[0]))[:count]:
            print(f"{delta:+8}  {a.get(name, 0):6} -> {b.get(name, 0):6}  {name[:140]}")
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
