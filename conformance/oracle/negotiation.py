"""Content negotiation against real DRF, without a view: DRF's `DefaultContentNegotiation`
and `JSONRenderer.get_indent` on thousands of Accept headers (grammar pieces, RFC 2231
parameters, quotes, the length and token limits, random junk) under several renderer lists and
`?format=` values.

    python -m oracle.negotiation [--seed S] [--count N] --out PATH

Writes {"seed", "cases": [{"renderers", "accept", "format", "outcome"}]}; `outcome` is
`json` / `json:<indent>` (JSONRenderer, indented), `other` (another renderer: the server renders),
`406`, `404` (no renderer for `?format=`), `500` (DRF raised), or `ambiguous` when server
processes with different string-hash seeds answer differently (DRF orders media types of one
precedence in a set). Each case runs in three processes (PYTHONHASHSEED 1, 2, 3). The native
replay (`DRF_GATE_NEGOTIATION=PATH cargo test --release --test conformance`) compares
`negotiation::negotiate`."""
import argparse
import json
import os
import random
import subprocess
import sys

RENDERER_SETS = [
    ["JSONRenderer"],
    ["JSONRenderer", "BrowsableAPIRenderer"],
    ["BrowsableAPIRenderer", "JSONRenderer"],
    ["MultiPartRenderer", "JSONRenderer"],
    ["JSONRenderer", "TemplateHTMLRenderer", "AdminRenderer"],
]
TYPES = ["application/json", "APPLICATION/Json", "*/*", "application/*", "text/html", "multipart/form-data", "*/json",
         "", "json", "text/*", "*", "application/json ", " */*", "application/xml", "*/html", "application",
         "\u00c0pplication/json", "application/json\u00a0", "\x1capplication/json"]
NAMES = ["indent", "INDENT", "q", "Q", "boundary", "charset", "indent*", "indent*0", "indent*1", "indent*0*",
         "indent*1*", "indent*00", "in-dent*", "x", "x*", "", " indent ", "indent\t", "ind\u00e9nt", "version"]
VALUES = ["4", "2", "0", "-1", "9", "100", "abc", " 4", '"3"', "4.0", "+3", "1_0", "07", "\t7", "0x4", "<4>", '"<5>"',
          "utf-8''%36", "UTF8''%35", "latin-1''%37", "ascii''%C2%B2", "bogus''6", "utf-8'en'%33", "utf-8''%D9%A3",
          "''%35", "utf-8''%3", "utf-8''%36%FF", "u8''%32", "BoUnDaRyStRiNg", "BoUnDaRy%53tRiNg", "utf-8''BoUnDaRy%53tRiNg",
          "%34", "'", "''", "'''", "a'b'c'd", '"a;b"', '"4', '\\"', "", "=", "1;2", "utf-16''%36%00", "cp1252''%80",
          "\u00b2", "\u00bd", "iso-8859-1''%34", "us-ascii''%35", "utf_8''%31",
          # A quoted `;`: get_indent parses the renderer's type joined with these values unquoted.
          '"a; indent=5"', '"a; indent*=bogus\'\'4"', '"a; indent*=utf-8\'\'%36"', '"a;indent*0=3"']
JUNK = ";,\"\\'%=<> \t*/abqj0123456789\u00e9"


def gen_param(rng):
    name = rng.choice(NAMES)
    if rng.random() < 0.1:
        return name
    return f"{name}={rng.choice(VALUES)}"


def gen_token(rng):
    r = rng.random()
    if r < 0.08:
        return "".join(rng.choice(JUNK) for _ in range(rng.randint(0, 12)))
    t = rng.choice(TYPES)
    for _ in range(rng.choices([0, 1, 2, 3], [3, 4, 2, 1])[0]):
        t += rng.choice([";", "; ", " ;", ";;"]) + gen_param(rng)
    return t


def gen_accept(rng):
    r = rng.random()
    if r < 0.03:
        return None
    if r < 0.05:
        # Around the 8192-character cut and the 256-character token limit.
        filler = "application/xml;x=" + "y" * rng.choice([200, 237, 238, 239, 240, 300])
        tokens = [filler] * rng.randint(25, 40) + ["application/json; indent=3"]
        return ",".join(tokens)
    if r < 0.07:
        return ",".join(["text/plain"] * rng.choice([62, 63, 64, 65]) + ["application/json; indent=2"])
    sep = rng.choice([",", ", ", " ,", ",,"])
    return sep.join(gen_token(rng) for _ in range(rng.choices([1, 2, 3, 4], [5, 3, 2, 1])[0]))


def gen_cases(seed, count):
    rng = random.Random(seed)
    cases = []
    for _ in range(count):
        cases.append({"renderers": rng.choice(RENDERER_SETS), "accept": gen_accept(rng),
                      "format": rng.choice([None] * 8 + ["json", "api", "xml", "", "multipart", "admin"])})
    return cases


def outcomes(cases):
    """DRF's answer for each case, in this process (its hash seed)."""
    import django
    from django.conf import settings

    settings.configure(DEBUG=False, SECRET_KEY="x", ALLOWED_HOSTS=["testserver"], INSTALLED_APPS=[
        "django.contrib.contenttypes", "django.contrib.auth", "rest_framework"], ROOT_URLCONF=[], USE_TZ=True)
    django.setup()
    from django.http import Http404
    from django.test import RequestFactory
    from rest_framework import exceptions, renderers
    from rest_framework.negotiation import DefaultContentNegotiation
    from rest_framework.request import Request

    factory = RequestFactory()
    out = []
    for case in cases:
        classes = [getattr(renderers, name)() for name in case["renderers"]]
        query = {} if case["format"] is None else {"format": case["format"]}
        extra = {} if case["accept"] is None else {"HTTP_ACCEPT": case["accept"]}
        request = Request(factory.get("/", query, **extra))
        try:
            renderer, media_type = DefaultContentNegotiation().select_renderer(request, classes)
            if isinstance(renderer, renderers.JSONRenderer):
                indent = renderer.get_indent(media_type, {})
                out.append("json" if indent is None else f"json:{indent}")
            else:
                out.append("other")
        except exceptions.NotAcceptable:
            out.append("406")
        except Http404:
            out.append("404")
        except Exception:  # DRF raised: the server's 500
            out.append("500")
    return out


def main(argv=None):
    parser = argparse.ArgumentParser()
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--count", type=int, default=4000)
    parser.add_argument("--out", required=False)
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        json.dump(outcomes(json.load(sys.stdin)), sys.stdout)
        return 0
    seed = args.seed if args.seed is not None else random.SystemRandom().randrange(1, 2**31)
    cases = gen_cases(seed, args.count)
    runs = []
    for hash_seed in ("1", "2", "3"):
        env = dict(os.environ, PYTHONHASHSEED=hash_seed)
        done = subprocess.run([sys.executable, "-W", "ignore", "-m", "oracle.negotiation", "--worker"], env=env,
                              input=json.dumps(cases), capture_output=True, text=True, check=True,
                              cwd=os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
        runs.append(json.loads(done.stdout))
    for i, case in enumerate(cases):
        answers = {run[i] for run in runs}
        case["outcome"] = answers.pop() if len(answers) == 1 else "ambiguous"
    with open(args.out, "w", encoding="utf-8") as f:
        json.dump({"seed": seed, "cases": cases}, f, ensure_ascii=False)
    counts = {}
    for case in cases:
        key = case["outcome"].split(":")[0]
        counts[key] = counts.get(key, 0) + 1
    print(f"negotiation oracle: seed {seed}, {len(cases)} cases: "
          + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
    return 0


if __name__ == "__main__":
    sys.exit(main())
