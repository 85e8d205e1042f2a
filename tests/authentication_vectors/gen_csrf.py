"""Generates csrf.jsonl: outcomes of DRF's real SessionAuthentication (Django 5.2
CsrfViewMiddleware via CSRFCheck, DRF request parsing) for raw requests, and of DRF's
JSONParser on many malformed bodies.

Run: bash scripts/regen-vectors.sh (all the vector files, in the reference venv)
"""
import io, json, os, random

import jsonl

import django
from django.conf import settings

settings.configure(
    SECRET_KEY="x" * 50, ALLOWED_HOSTS=["*"], USE_TZ=True,
    DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}},
    INSTALLED_APPS=["django.contrib.auth", "django.contrib.contenttypes", "rest_framework"],
)
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from django.contrib.auth.models import User
from django.middleware.csrf import _mask_cipher_secret
from django.test import override_settings
from rest_framework.authentication import SessionAuthentication
from rest_framework.exceptions import APIException
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

alice = User.objects.create_user("alice", password="x")
factory = APIRequestFactory(enforce_csrf_checks=True)
SECRET = "A" * 16 + "b" * 16
MASKED = _mask_cipher_secret(SECRET)
OTHER = _mask_cipher_secret("Z" * 32)


def run(case):
    cfg = case.get("settings", {})
    overrides = {}
    for js, py in [("trustedOrigins", "CSRF_TRUSTED_ORIGINS"), ("cookieDomain", "CSRF_COOKIE_DOMAIN"), ("allowedHosts", "ALLOWED_HOSTS"),
                   ("headerName", "CSRF_HEADER_NAME"), ("cookieName", "CSRF_COOKIE_NAME")]:
        if js in cfg:
            overrides[py] = cfg[js]
    with override_settings(**overrides):
        extra = {}
        for name, value in case.get("headers", {}).items():
            key = name.upper().replace("-", "_")
            extra[key if key in ("CONTENT_TYPE", "CONTENT_LENGTH") else "HTTP_" + key] = value
        method = case["method"].lower()
        body = case.get("body", "").encode("latin-1")
        ct = case.get("headers", {}).get("Content-Type")
        kwargs = dict(secure=case.get("secure", False), **{k: v for k, v in extra.items() if k != "CONTENT_TYPE"})
        req = factory.generic(case["method"], "/", data=body, content_type=ct or "", **kwargs)
        if ct is None and "CONTENT_TYPE" in req.META and method != "get":
            del req.META["CONTENT_TYPE"]
        req.COOKIES = dict(case.get("cookies", {}))
        req.user = alice if case.get("loggedIn", True) else None
        request = Request(req, authenticators=[SessionAuthentication()], parsers=[JSONParser(), FormParser(), MultiPartParser()])
        try:
            user = request.user
        except APIException as exc:
            return {"failed": {"exception": type(exc).__name__, "detail": exc.detail, "code": exc.detail.code}}
        except Exception as exc:
            return {"serverError": type(exc).__name__}
        return {"user": user.username} if request.successful_authenticator else {"none": True}


cases = []
def add(**case):
    cases.append(case)

ok = {"csrftoken": SECRET}
hdr = lambda **h: {k.replace("_", "-"): v for k, v in h.items()}
add(method="GET", cookies={})
add(method="POST", cookies={})
add(method="POST", cookies=ok)
add(method="POST", cookies=ok, headers=hdr(X_CSRFToken=SECRET))
add(method="POST", cookies=ok, headers=hdr(X_CSRFToken=MASKED))
add(method="PUT", cookies={"csrftoken": MASKED}, headers=hdr(X_CSRFToken=MASKED))
add(method="DELETE", cookies=ok, headers=hdr(X_CSRFToken=OTHER))
add(method="PATCH", cookies=ok, headers=hdr(X_CSRFToken="abc"))
add(method="POST", cookies=ok, headers=hdr(X_CSRFToken="!" * 32))
add(method="POST", cookies=ok, headers=hdr(X_CSRFToken=""))
add(method="POST", cookies={"csrftoken": "short"}, headers=hdr(X_CSRFToken=SECRET))
add(method="POST", cookies={"csrftoken": "!" * 64}, headers=hdr(X_CSRFToken=SECRET))
add(method="TRACE", cookies={})
add(method="OPTIONS", cookies={})
add(method="FOO", cookies=ok)
add(method="POST", loggedIn=False, cookies={})
form = "application/x-www-form-urlencoded"
add(method="POST", cookies=ok, headers={"Content-Type": form}, body="csrfmiddlewaretoken=" + MASKED)
add(method="POST", cookies=ok, headers={"Content-Type": form}, body="csrfmiddlewaretoken=" + OTHER)
add(method="POST", cookies=ok, headers={"Content-Type": form}, body="csrfmiddlewaretoken=abc")
add(method="POST", cookies=ok, headers={"Content-Type": form, "X-CSRFToken": SECRET}, body="csrfmiddlewaretoken=")
add(method="POST", cookies=ok, headers={"Content-Type": form, "X-CSRFToken": SECRET}, body="a=1&csrfmiddlewaretoken=x&csrfmiddlewaretoken=" + SECRET)
add(method="POST", cookies=ok, headers={"Content-Type": form}, body="csrfmiddlewaretoken=" + SECRET[:31] + "%C3%A9")
add(method="POST", cookies=ok, headers={"Content-Type": form}, body="csrfmiddlewaretoken=" + SECRET[:31] + "%FF")
add(method="POST", cookies=ok, headers={"Content-Type": form}, body="csrfmiddlewaretoken=" + SECRET[:31] + "\xe9")
add(method="POST", cookies=ok, headers={"Content-Type": form + "; charset=latin-1"}, body="csrfmiddlewaretoken=" + SECRET)
add(method="POST", cookies=ok, headers={"Content-Type": form}, body="&".join(["a=1"] * 1001))
add(method="POST", cookies=ok, headers={"Content-Type": "application/json", "X-CSRFToken": SECRET}, body='{"a": 1}')
add(method="POST", cookies=ok, headers={"Content-Type": "application/json", "X-CSRFToken": SECRET}, body="{'a'")
add(method="POST", cookies=ok, headers={"Content-Type": "application/json"}, body="{'a'")
add(method="POST", cookies={}, headers={"Content-Type": "application/json"}, body="{'a'")
add(method="PUT", cookies=ok, headers={"Content-Type": "application/json"}, body="{'a'")
add(method="POST", cookies=ok, headers={"Content-Type": "application/json", "X-CSRFToken": SECRET}, body="[NaN]")
add(method="POST", cookies=ok, headers={"Content-Type": "application/json", "X-CSRFToken": SECRET}, body='"\xff"')
add(method="POST", cookies=ok, headers={"Content-Type": "application/json; charset=latin-1", "X-CSRFToken": SECRET}, body='"\xff"')
add(method="POST", cookies=ok, headers={"Content-Type": "text/plain", "X-CSRFToken": SECRET}, body="hi")
add(method="POST", cookies=ok, headers={"X-CSRFToken": SECRET}, body="hi")
add(method="POST", cookies=ok, headers={"Content-Type": "*/*", "X-CSRFToken": SECRET}, body="{")
add(method="POST", cookies=ok, headers={"Content-Type": "text/plain", "X-CSRFToken": SECRET})
add(method="POST", cookies=ok, headers={"Content-Type": "multipart/form-data", "X-CSRFToken": SECRET}, body="x")
mp = "--BOUND\r\nContent-Disposition: form-data; name=\"csrfmiddlewaretoken\"\r\n\r\n" + MASKED + "\r\n--BOUND--\r\n"
add(method="POST", cookies=ok, headers={"Content-Type": "multipart/form-data; boundary=BOUND"}, body=mp)
add(method="POST", cookies=ok, headers={"Content-Type": "multipart/form-data; boundary=BOUND"}, body=mp.replace(MASKED, OTHER))
# Content-Type parameters as Django 5.2's email-based parse_header_parameters reads them, the
# boundary MultiPartParser takes, part header lines (split at \r\n only), field names
# (bytes.strip()) and values and %-escapes decoded with the request's charset (helper hunt12).
def part(boundary, headers, value=MASKED):
    return "--%s\r\n%s\r\n\r\n%s\r\n--%s--\r\n" % (boundary, headers, value, boundary)
disp = 'Content-Disposition: form-data; name="csrfmiddlewaretoken"'
for ct, boundary in [('; boundary="a;b"', "a;b"), ('; boundary="a;b"', '"a'), ("; boundary=<XyZ>", "XyZ"),
                     ("; boundary*=utf-8''XyZ", "XyZ"), ("; boundary*0=Xy; boundary*1=Z", "XyZ"),
                     ("; boundary=AbC; boundary=XyZ", "XyZ"), ("; boundary=AbC; boundary=XyZ", "AbC"),
                     ('; boundary="X\\"yZ"', 'X"yZ'), ("; boundary=" + "b" * 201, "b" * 201),
                     ("; boundary=" + "b" * 202, "b" * 202), ("; boundary=XyZ; x=\xe9", "XyZ")]:
    add(method="POST", cookies=ok, headers={"Content-Type": "multipart/form-data" + ct}, body=part(boundary, disp))
for headers in [disp + "; filename*=utf-8''a.txt", "Content-Disposition: form-data; name*=utf-8''csrfmiddlewaretoken",
                'Content-Disposition: form-data; name="csrfmiddlewaretoken\xc2\x85"',
                'Content-Disposition: form-data; name="csrfmiddlewaretoken\xc2\xa0"',
                'Content-Disposition: form-data; name="\x0bcsrfmiddlewaretoken "', disp + "\nX-Other: 1",
                "Content-Type: text/plain\n" + disp, disp + "\r\nContent-Transfer-Encoding: BASE64 "]:
    value = "QUFBQUFBQUFBQUFBQUFBQWJiYmJiYmJiYmJiYmJiYmI=" if "BASE64" in headers else MASKED
    add(method="POST", cookies=ok, headers={"Content-Type": "multipart/form-data; boundary=XyZ"}, body=part("XyZ", headers, value))
for charset in ["latin-1", "ascii", "utf-8"]:
    add(method="POST", cookies=ok, headers={"Content-Type": "multipart/form-data; boundary=XyZ; charset=" + charset},
        body=part("XyZ", disp, SECRET[:31] + "\xc3\xa9"))
    add(method="POST", cookies=ok, headers={"Content-Type": form + "; charset=" + charset},
        body="csrfmiddlewaretoken=" + SECRET[:31] + "%C3%A9")
for ct in [form + "; charset=utf-8; charset=latin-1", form + '; x="; charset=latin-1"', form + "; charset=<latin-1>"]:
    add(method="POST", cookies=ok, headers={"Content-Type": ct}, body="csrfmiddlewaretoken=" + SECRET[:31] + "%C3%A9")
for ct in ["application/json; charset=utf-16; charset=utf-8", 'application/json; x="; charset=utf-16"',
           "application/json; charset*=utf-8''utf-16", "application/json; x=" + "\xe9" * 120, "application/json; x=" + "\xe9" * 240]:
    add(method="POST", cookies=ok, headers={"Content-Type": ct, "X-CSRFToken": SECRET}, body='{"a": 1}')
# Origin / Referer
add(method="POST", cookies=ok, headers=hdr(X_CSRFToken=SECRET, Origin="https://evil.com"))
add(method="POST", cookies=ok, headers=hdr(X_CSRFToken=SECRET, Origin="http://testserver"))
add(method="POST", cookies=ok, secure=True, headers=hdr(X_CSRFToken=SECRET, Origin="http://testserver"))
add(method="POST", cookies=ok, secure=True, headers=hdr(X_CSRFToken=SECRET, Origin="https://testserver"))
add(method="POST", cookies={}, headers=hdr(Origin="https://evil.com"))
add(method="POST", cookies=ok, headers=hdr(X_CSRFToken=SECRET, Origin="null"))
add(method="POST", cookies=ok, headers=hdr(X_CSRFToken=SECRET, Origin="https://[::1"))
wild = {"trustedOrigins": ["https://*.example.com", "http://exact.org"]}
for origin in ["https://a.example.com", "https://example.com", "http://a.example.com", "https://A.example.com", "http://exact.org", "http://exact.org/", "https://a.b.example.com:443"]:
    add(method="POST", cookies=ok, settings=wild, headers=hdr(X_CSRFToken=SECRET, Origin=origin))
for referer in [None, "http://testserver/x", "https://evil.com/x?#", "not a url", "https://testserver/p", "https://testserver:8443/p", "HTTPS://testserver/",
                "https://a.example.com/z", "https://example.com/", "https:///x", "https://[::1]/x", "https://[bad]/", "\x00 https://testserver/"]:
    h = hdr(X_CSRFToken=SECRET)
    if referer is not None:
        h["Referer"] = referer
    add(method="POST", cookies=ok, secure=True, headers=h)
    add(method="POST", cookies=ok, secure=True, headers=h, settings=wild)
for referer in ["https://sub.example.com/", "https://example.com:8443/", "https://testserver/"]:
    add(method="POST", cookies=ok, secure=True, headers=hdr(X_CSRFToken=SECRET, Referer=referer), settings={"cookieDomain": ".example.com"})
add(method="POST", cookies=ok, secure=True, headers=hdr(X_CSRFToken=SECRET, Referer="https://testserver/"), settings={"allowedHosts": ["other.com"]})
add(method="POST", cookies=ok, headers=hdr(X_CSRFToken=SECRET, Origin="http://testserver"), settings={"allowedHosts": ["other.com"]})
add(method="POST", cookies=ok, headers=hdr(X_CSRFToken=SECRET, Origin="http://testserver"), settings={"allowedHosts": [".testserver"]})
add(method="POST", cookies={"xsrf": SECRET}, headers={"X-XSRF-TOKEN": "abc"}, settings={"cookieName": "xsrf", "headerName": "HTTP_X_XSRF_TOKEN"})
add(method="POST", cookies=ok, headers={"X-Token": "abc"}, settings={"headerName": "X_TOKEN"})
for case in cases:
    case["expected"] = run(case)

# JSONParser differential.
rng = random.Random(11)
pieces = ['{', '}', '[', ']', '"', ':', ',', ' ', '\n', '\t', 'a', '1', '0', '-', '.', 'e', 'E', '+', '\\', 'u', '00e9', 'd800', 'n', 'null', 'true', 'fals',
          'NaN', 'Infinity', '-Infinity', '\x01', '\xe9', '\u2028', '\ufeff', '"k"', '"v"', '12.5e3', '1e', '\\n', '\\x', '\\ud83d\\ude00', '\\ud83d', "'"]
bodies = ['', ' ', '{', '{"a"', '{"a":', '{"a":1', '{"a":1,}', '[1,]', '[1 2]', '{"a" 1}', '"abc', '"a\\', '"\\u12', '"\\u12"', '"\\uZZZZ"', '\ufeff{}',
          '1' * 4301, '-' + '1' * 4301, '1' * 4300, '[' * 5 + ']' * 4, '{}x', '{}\n\n  x', 'nul', '-', '-a', '01', '1.', '1.e5', '"\\ud800\\u12"', '[1]\n]']
for _ in range(1500):
    bodies.append("".join(rng.choice(pieces) for _ in range(rng.randrange(1, 9))))
json_cases = []
for body in bodies:
    data = body.encode("utf-8")
    if rng.random() < 0.1:
        data = data + bytes([rng.choice([0x80, 0xff, 0xc3, 0xe2, 0xed])]) + b'"'
    try:
        JSONParser().parse(io.BytesIO(data), parser_context={"encoding": "utf-8"})
        out = {"ok": True}
    except APIException as exc:
        out = {"error": str(exc.detail)}
    except RecursionError:
        out = {"recursion": True}
    json_cases.append({"body": data.hex(), **out})

jsonl.dump(os.path.join(os.path.dirname(os.path.abspath(__file__)), "csrf.jsonl"), {"secret": SECRET, "cases": cases, "json": json_cases})
print(len(cases), "csrf cases,", len(json_cases), "json cases")
