"""Generates the conformance cases and runs each through real DRF.

    python -m oracle.main [--seed S] [--random N] [--jobs J] [--out PATH]

Writes {"seed", "cases", "skipped"} to PATH (default conformance/out/cases.json) and prints the
seed, case counts by source, and the cases dropped because DRF itself answered 500."""
import argparse
import collections
import json
import multiprocessing
import os
import random
import sys
import time

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _init_worker():
    from . import djsetup
    djsetup.setup()


def _run_chunk(chunk):
    from . import execute
    out = []
    for index, spec in chunk:
        try:
            case, twin = execute.run(spec)
            out.append((index, case, twin, None))
        except execute.Skip as skip:
            out.append((index, None, None, {"id": spec["id"], "source": spec["source"], "reason": str(skip)}))
        except Exception as exc:  # a harness bug: report it, never hide it
            out.append((index, None, None, {"id": spec["id"], "source": spec["source"],
                                            "reason": f"HARNESS ERROR {type(exc).__name__}: {exc}"}))
    return out


def main(argv=None):
    parser = argparse.ArgumentParser()
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--random", type=int, default=3300, help="number of random cases")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--out", default=os.path.join(HERE, "out", "cases.json"))
    parser.add_argument("--family", default="drf", choices=["drf", "middleware"],
                        help="drf: the main cases; middleware: the origin's middleware (oracle/middleware.py), "
                             "--random of them")
    parser.add_argument("--only", default=None, help="run only specs whose id starts with this")
    parser.add_argument("--minted", default=None,
                        help="CSRF tokens minted by drf-gate (replay.rs with DRF_GATE_MINT): Django must accept each")
    args = parser.parse_args(argv)
    if args.minted:
        os.environ["DRF_GATE_MINTED"] = os.path.abspath(args.minted)
    seed = args.seed if args.seed is not None else random.SystemRandom().randrange(1, 2**31)
    print(f"conformance oracle: seed {seed}", flush=True)

    from . import generate
    started = time.time()
    if args.family == "middleware":
        from . import middleware
        specs = generate.finish(middleware.middleware_specs(seed, args.random))
    else:
        specs = generate.all_specs(seed, args.random)
    if args.only:
        specs = [s for s in specs if s["id"].startswith(args.only)]
    indexed = list(enumerate(specs))
    size = max(1, min(100, len(indexed) // (args.jobs * 4) or 1))
    chunks = [indexed[i:i + size] for i in range(0, len(indexed), size)]
    results = []
    if args.jobs > 1:
        ctx = multiprocessing.get_context("fork")
        with ctx.Pool(args.jobs, initializer=_init_worker) as pool:
            for part in pool.imap_unordered(_run_chunk, chunks):
                results.extend(part)
    else:
        _init_worker()
        for chunk in chunks:
            results.extend(_run_chunk(chunk))
    results.sort(key=lambda r: r[0])

    cases, skipped = [], []
    for _, case, twin, skip in results:
        if skip:
            skipped.append(skip)
            continue
        cases.append(case)
        if twin:
            cases.append(twin)
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, "w", encoding="utf-8") as f:
        document = {"seed": seed, "cases": cases, "skipped": skipped}
        if args.family != "drf":
            document["family"] = args.family
        json.dump(document, f, ensure_ascii=False)

    by_source = collections.Counter()
    for c in cases:
        src = c["source"].split("#")[0] if c["source"].startswith("table") else c["source"]
        kind = "raw" if c["raw"] is not None else "resolved"
        by_source[(src.split(":")[0], kind)] += 1
    print(f"conformance oracle: {len(cases)} cases from {len(specs)} specs in {time.time() - started:.1f}s "
          f"({args.jobs} jobs) -> {os.path.relpath(args.out)}")
    for (src, kind), n in sorted(by_source.items()):
        print(f"  {src:8} {kind:9} {n}")
    reasons = collections.Counter(s["reason"].split(":")[0] + (":" + s["reason"].split(":")[1] if s["reason"].startswith("DRF 500") else "") for s in skipped)
    print(f"  skipped {len(skipped)} specs:")
    for reason, n in reasons.most_common():
        print(f"    {n:5}  {reason}")
    harness = [s for s in skipped if s["reason"].startswith("HARNESS ERROR")]
    for s in harness[:20]:
        print(f"    {s['id']}: {s['reason']}", file=sys.stderr)
    return 2 if harness else 0


if __name__ == "__main__":
    sys.exit(main())
