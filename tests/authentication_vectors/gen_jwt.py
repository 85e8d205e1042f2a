"""Generates jwt.jsonl: tokens made with PyJWT + cryptography and the outcome of the real
simplejwt 5.5.1 JWTAuthentication / JWTStatelessUserAuthentication for each, with time frozen
at NOW. One subprocess per settings scenario (simplejwt reads SIMPLE_JWT at import time).

Run: bash scripts/regen-vectors.sh (all the vector files, in the reference venv)
"""
import base64, json, math, os, subprocess, sys

import jsonl

NOW = 1_700_000_000.5
HERE = os.path.dirname(os.path.abspath(__file__))


def keys():
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec, rsa
    path = os.path.join(HERE, "jwt_keys.json")
    if os.path.exists(path):
        return json.load(open(path))
    pem = lambda k: k.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()).decode()
    pub = lambda k: k.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    out = {}
    for name, k in [("rsa", rsa.generate_private_key(65537, 2048)), ("rsa_other", rsa.generate_private_key(65537, 2048)),
                    ("p256", ec.generate_private_key(ec.SECP256R1())), ("p384", ec.generate_private_key(ec.SECP384R1()))]:
        out[name] = {"private": pem(k), "public": pub(k)}
    json.dump(out, open(path, "w"), indent=1)
    return out


SCENARIOS = {
    "hs256": {"ALGORITHM": "HS256", "SIGNING_KEY": "s3cret-key"},
    "hs512_aud_iss": {"ALGORITHM": "HS512", "SIGNING_KEY": "another key", "AUDIENCE": "api", "ISSUER": "me", "LEEWAY": 10},
    "hs256_classes": {"ALGORITHM": "HS256", "SIGNING_KEY": "k", "AUTH_TOKEN_CLASSES": ("rest_framework_simplejwt.tokens.AccessToken", "rest_framework_simplejwt.tokens.SlidingToken"),
                      "AUTH_HEADER_TYPES": ("Bearer", "JWT"), "USER_ID_CLAIM": "uid", "CHECK_USER_IS_ACTIVE": False},
    "hs256_untyped": {"ALGORITHM": "HS256", "SIGNING_KEY": "k", "AUTH_TOKEN_CLASSES": ("rest_framework_simplejwt.tokens.UntypedToken",), "JTI_CLAIM": None},
    "rs256": {"ALGORITHM": "RS256", "KEY": "rsa"},
    "rs512": {"ALGORITHM": "RS512", "KEY": "rsa"},
    "es256": {"ALGORITHM": "ES256", "KEY": "p256"},
    "es384": {"ALGORITHM": "ES384", "KEY": "p384"},
}


def b64u(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


def tokens_for(name, cfg, k):
    import jwt
    alg = cfg["ALGORITHM"]
    if alg.startswith("HS"):
        sign_key = verify_key = cfg["SIGNING_KEY"]
    else:
        sign_key, verify_key = k[cfg["KEY"]]["private"], k[cfg["KEY"]]["public"]
    now = int(NOW)
    base = {"token_type": "access", "exp": now + 300, "iat": now, "jti": "j1", cfg.get("USER_ID_CLAIM", "user_id"): 1}
    if "AUDIENCE" in cfg:
        base["aud"] = cfg["AUDIENCE"]
    if "ISSUER" in cfg:
        base["iss"] = cfg["ISSUER"]
    enc = lambda payload, **kw: jwt.encode(payload, kw.pop("key", sign_key), algorithm=kw.pop("alg", alg), **kw)
    out = []
    add = lambda label, tok, scheme="Bearer": out.append({"label": label, "header": f"{scheme} {tok}" if scheme is not None else tok})
    add("valid", enc(base))
    add("user 2 (inactive)", enc({**base, "user_id": 2, "uid": 2}))
    add("unknown user", enc({**base, "user_id": 99, "uid": 99}))
    add("user id string", enc({**base, "user_id": "1", "uid": "1"}))
    add("no user id", enc({k2: v for k2, v in base.items() if k2 not in ("user_id", "uid")}))
    for delta in (-11, -10, -1, 0, 1):
        add(f"exp now{delta:+d}", enc({**base, "exp": now + delta}))
    add("exp float", enc({**base, "exp": NOW + 0.2}))
    add("exp float past", enc({**base, "exp": NOW - 0.2}))
    add("exp string", enc({**base, "exp": str(now + 100)}))
    add("exp string past", enc({**base, "exp": str(now - 100)}))
    add("exp junk string", enc({**base, "exp": "soon"}))
    add("exp null", enc({**base, "exp": None}))
    add("exp true", enc({**base, "exp": True}))
    add("exp huge", enc({**base, "exp": 10**12}))
    add("no exp", enc({k2: v for k2, v in base.items() if k2 != "exp"}))
    add("no jti", enc({k2: v for k2, v in base.items() if k2 != "jti"}))
    add("jti int", enc({**base, "jti": 5}))
    add("sub int", enc({**base, "sub": 5}))
    add("no type", enc({k2: v for k2, v in base.items() if k2 != "token_type"}))
    add("refresh type", enc({**base, "token_type": "refresh"}))
    add("sliding type", enc({**base, "token_type": "sliding"}))
    for delta in (-1, 0, 1, 11):
        add(f"iat now{delta:+d}", enc({**base, "iat": now + delta}))
        add(f"nbf now{delta:+d}", enc({**base, "nbf": now + delta}))
    add("iat string", enc({**base, "iat": "x"}))
    add("iat future and expired", enc({**base, "iat": now + 100, "exp": now - 100}))
    add("expired and bad aud", enc({**base, "exp": now - 100, "aud": "other"}))
    add("aud list", enc({**base, "aud": ["x", cfg.get("AUDIENCE", "api")]}))
    add("aud other", enc({**base, "aud": "other"}))
    add("aud missing", enc({k2: v for k2, v in base.items() if k2 != "aud"}))
    add("aud int list", enc({**base, "aud": [1]}))
    add("iss other", enc({**base, "iss": "you"}))
    add("iss missing", enc({k2: v for k2, v in base.items() if k2 != "iss"}))
    add("staff claims", enc({**base, "is_staff": 1, "is_superuser": "", "username": "ann"}))
    add("alg none", b64u(json.dumps({"alg": "none", "typ": "JWT"}).encode()) + "." + b64u(json.dumps(base).encode()) + ".")
    def raw(header, payload_bytes):
        algo = jwt.get_algorithm_by_name(alg)
        si = (b64u(json.dumps(header).encode()) + "." + b64u(payload_bytes)).encode()
        return si.decode() + "." + b64u(algo.sign(si, algo.prepare_key(sign_key)))
    add("kid int", raw({"alg": alg, "kid": 3}, json.dumps(base).encode()))
    add("kid str", raw({"alg": alg, "kid": "k"}, json.dumps(base).encode()))
    add("b64 false", raw({"alg": alg, "b64": False, "crit": ["b64"]}, json.dumps(base).encode()))
    add("payload NaN exp", raw({"alg": alg}, json.dumps(base).replace(str(base["exp"]), "NaN").encode()))
    add("payload Infinity exp", raw({"alg": alg}, json.dumps(base).replace(str(base["exp"]), "Infinity").encode()))
    add("payload 1e400 exp", raw({"alg": alg}, json.dumps(base).replace(str(base["exp"]), "1e400").encode()))
    add("payload exp 1.9e9 float", raw({"alg": alg}, json.dumps(base).replace(str(base["exp"]), "1.9e9").encode()))
    add("payload dup exp", raw({"alg": alg}, (json.dumps(base)[:-1] + ', "exp": 5}').encode()))
    add("payload with BOM", raw({"alg": alg}, b"\xef\xbb\xbf" + json.dumps(base).encode()))
    add("payload trailing junk", raw({"alg": alg}, json.dumps(base).encode() + b"x"))
    add("payload latin-1 byte", raw({"alg": alg}, json.dumps({**base, "name": "x"}).replace('"x"', '"\xe9"').encode("latin-1")))
    # json.loads of bytes detects UTF-16 and UTF-32 (BOM, or NULs among the first bytes).
    text = json.dumps({**base, "name": "\u00e9\U0001f600"}, ensure_ascii=False)
    for codec in ("utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-le", "utf-32-be"):
        add(f"payload {codec}", raw({"alg": alg}, text.encode(codec)))
    add("payload utf-16-le truncated", raw({"alg": alg}, text.encode("utf-16-le")[:-1]))
    add("payload utf-16-le lone surrogate (stateless: no JSON form)", raw({"alg": alg}, json.dumps({**base, "name": "\ud800"}, ensure_ascii=False)
                                                 .encode("utf-16-le", "surrogatepass")))
    add("payload utf-32-le past U+10FFFF", raw({"alg": alg}, text.replace("}", ' "}').encode("utf-32-le")
                                                .replace(b" \0\0\0", b"\0\0\x11\0")))
    add("payload utf-16-le expired", raw({"alg": alg}, json.dumps({**base, "exp": now - 5}).encode("utf-16-le")))
    si = (b64u(json.dumps({"alg": alg}).encode("utf-16-be")) + "." + b64u(json.dumps(base).encode())).encode()
    algo = jwt.get_algorithm_by_name(alg)
    add("header utf-16-be", si.decode() + "." + b64u(algo.sign(si, algo.prepare_key(sign_key))))
    # User ids Django's integer pk cannot take: int() raises in the lookup (the server's 500).
    uid = cfg.get("USER_ID_CLAIM", "user_id")
    for label, text in (("user id '1_'", '"1_"'), ("user id '1.0'", '"1.0"'), ("user id ''", '""'),
                        ("user id [1]", "[1]"), ("user id {}", '{"id":1}'), ("user id ' 1 '", '" 1 "'), ("user id 1.9", "1.9"),
                        ("user id true", "true"), ("user id null", "null"), ("user id 'abc'", '"abc"')):
        body = json.dumps({k2: v for k2, v in base.items() if k2 not in ("user_id", "uid")})
        add(label, raw({"alg": alg}, (body[:-1] + ', "%s": %s}' % (uid, text)).encode()))
    # inf and nan have no JSON form (the TokenUser's id is recorded as its repr): the edge forwards.
    body = json.dumps({k2: v for k2, v in base.items() if k2 not in ("user_id", "uid")})
    for text in ("1e400", "NaN", "-Infinity"):
        add(f"user id {text} (no JSON form)", raw({"alg": alg}, (body[:-1] + ', "%s": %s}' % (uid, text)).encode()))
    add("org claim 1e400 (stateless: no JSON form)", raw({"alg": alg}, json.dumps({**base, "org": float("inf")}).encode()))
    # Nesting: below 500 parsed, from 1000 a RecursionError ("Token is invalid"); between, the
    # server's stack decides (the label says so: the edge must forward whatever was recorded here).
    for depth in (499, 700, 950, 1000, 2500):  # (2500: 7 KB, under the 8190-byte header limit)
        label = f"payload nested {depth}" + (" (the server's stack decides)" if 500 <= depth < 1000 else "")
        body = json.dumps(base)[:-1] + ', "n": ' + "[" * (depth - 1) + "]" * (depth - 1) + "}"
        add(label, raw({"alg": alg}, body.encode()))
    add("header alg list", raw({"alg": [alg]}, json.dumps(base).encode()))
    add("exp string with underscores", raw({"alg": alg}, json.dumps({**base, "exp": " 1_800_000_000 "}).encode()))
    add("crit", enc(base, headers={"crit": ["exp"]}))
    good = enc(base)
    h, p, s = good.split(".")
    add("bad signature", f"{h}.{p}.{s[:-2]}AA")
    add("two segments", f"{h}.{p}")
    add("junk", "abc")
    add("padding junk", f"{h}.{p}.{s}!!")
    add("payload list", h + "." + b64u(b"[1]") + "." + s)
    add("lowercase scheme", good, scheme="bearer")
    add("JWT scheme", good, scheme="JWT")
    add("bare header", "Bearer", scheme=None)
    add("three parts", f"Bearer {good} x", scheme=None)
    add("empty header", "", scheme=None)
    add("Token scheme", good, scheme="Token")
    if alg.startswith("HS"):
        other = "HS512" if alg == "HS256" else "HS256"
        add("wrong HS alg", enc(base, alg=other))
        add("wrong key", enc(base, key="nope"))
        add("HS with RSA public key bytes", jwt.encode(base, "x" * 32, algorithm="HS256"))
    else:
        add("HS256 signed with public key (confusion)", _confusion(base, verify_key))
        if alg.startswith("RS"):
            add("other rsa key", enc(base, key=k["rsa_other"]["private"]))
            add("RS384 header", enc(base, alg="RS384"))
        else:
            sig_len = 64 if alg == "ES256" else 96
            raw = base64.urlsafe_b64decode(s + "==")
            from cryptography.hazmat.primitives.asymmetric import ec
            order = {"ES256": 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551,
                     "ES384": 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFC7634D81F4372DDF581A0DB248B0A77AECEC196ACCC52973}[alg]
            half = sig_len // 2
            r, sv = raw[:half], int.from_bytes(raw[half:], "big")
            high_s = r + (order - sv).to_bytes(half, "big")
            add("high-S signature", f"{h}.{p}.{b64u(high_s)}")
            add("DER-length signature", f"{h}.{p}.{b64u(raw + b'x')}")
    return out


def _confusion(payload, public_pem):
    import hmac, hashlib
    h = b64u(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    p = b64u(json.dumps(payload).encode())
    sig = hmac.new(public_pem.encode(), f"{h}.{p}".encode(), hashlib.sha256).digest()
    return f"{h}.{p}.{b64u(sig)}"


def child(name):
    import datetime as _dt
    cfg = dict(SCENARIOS[name])
    k = keys()
    simple = {k2: v for k2, v in cfg.items() if k2 != "KEY"}
    if "KEY" in cfg:
        simple["SIGNING_KEY"] = k[cfg["KEY"]]["private"]
        simple["VERIFYING_KEY"] = k[cfg["KEY"]]["public"]
    import django
    from django.conf import settings
    settings.configure(SECRET_KEY="x" * 50, ALLOWED_HOSTS=["*"], SIMPLE_JWT=simple, USE_TZ=True,
                       DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}},
                       INSTALLED_APPS=["django.contrib.auth", "django.contrib.contenttypes", "rest_framework"])
    django.setup()
    from django.core.management import call_command
    call_command("migrate", verbosity=0)
    from django.contrib.auth.models import User
    User.objects.create_user("alice", password="x")
    User.objects.create_user("bob", password="x", is_active=False)

    class Frozen(_dt.datetime):
        @classmethod
        def now(cls, tz=None):
            return _dt.datetime.fromtimestamp(NOW, tz=tz)
    import jwt.api_jwt, rest_framework_simplejwt.tokens as tokens
    jwt.api_jwt.datetime = Frozen
    tokens.aware_utcnow = lambda: _dt.datetime.fromtimestamp(NOW, tz=_dt.timezone.utc)

    from rest_framework.exceptions import APIException
    from rest_framework.request import Request
    from rest_framework.test import APIRequestFactory
    from rest_framework_simplejwt.authentication import JWTAuthentication, JWTStatelessUserAuthentication
    factory = APIRequestFactory()

    def run(header, cls):
        request = Request(factory.get("/", HTTP_AUTHORIZATION=header), authenticators=[cls()])
        try:
            user = request.user
        except APIException as exc:
            detail = exc.detail
            return {"failed": json.loads(json.dumps(detail))}
        except Exception as exc:  # the reference server's 500
            return {"serverError": type(exc).__name__}
        if request.successful_authenticator is None:
            return {"none": True}
        if cls is JWTStatelessUserAuthentication:
            uid = user.id if not isinstance(user.id, float) or math.isfinite(user.id) else repr(user.id)
            return {"tokenUser": {"id": uid, "is_staff": bool(user.is_staff), "is_superuser": bool(user.is_superuser), "username": user.username}}
        return {"user": user.username}

    cases = []
    for case in tokens_for(name, cfg, k):
        case["jwt"] = run(case["header"], JWTAuthentication)
        case["stateless"] = run(case["header"], JWTStatelessUserAuthentication)
        cases.append(case)
    settings_json = {"algorithm": cfg["ALGORITHM"]}
    if cfg["ALGORITHM"].startswith("HS"):
        settings_json["signingKey"] = cfg["SIGNING_KEY"]
    else:
        settings_json["verifyingKey"] = k[cfg["KEY"]]["public"]
    for py, js in [("AUDIENCE", "audience"), ("ISSUER", "issuer"), ("LEEWAY", "leeway"), ("AUTH_HEADER_TYPES", "authHeaderTypes"),
                   ("USER_ID_CLAIM", "userIdClaim"), ("CHECK_USER_IS_ACTIVE", "checkUserIsActive"), ("JTI_CLAIM", "jtiClaim")]:
        if py in cfg:
            v = cfg[py]
            settings_json[js] = list(v) if isinstance(v, tuple) else v
    if "AUTH_TOKEN_CLASSES" in cfg:
        settings_json["authTokenClasses"] = list(cfg["AUTH_TOKEN_CLASSES"])
    print(json.dumps({"settings": settings_json, "cases": cases}))


if __name__ == "__main__":
    if len(sys.argv) > 1:
        child(sys.argv[1])
    else:
        keys()
        result = {"now": NOW, "scenarios": {}}
        for name in SCENARIOS:
            out = subprocess.run([sys.executable, __file__, name], capture_output=True, text=True, check=True)
            result["scenarios"][name] = json.loads(out.stdout)
        jsonl.dump(os.path.join(HERE, "jwt.jsonl"), result, expand=("scenarios", "scenarios/*"))
        print(sum(len(s["cases"]) for s in result["scenarios"].values()), "cases")
