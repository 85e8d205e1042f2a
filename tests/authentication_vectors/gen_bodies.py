"""Generates bodies.jsonl: what DRF's SessionAuthentication (Django 5.2 CsrfViewMiddleware via
CSRFCheck, DRF's parsers on the request stream) makes of request bodies at and past Django's
limits (DATA_UPLOAD_MAX_MEMORY_SIZE, DATA_UPLOAD_MAX_NUMBER_FIELDS, DATA_UPLOAD_MAX_NUMBER_FILES),
including multipart uploads of several MiB carrying `csrfmiddlewaretoken`.

Bodies are stored as segments (text, or a byte repeated n times) so the file stays small.
Run: bash scripts/regen-vectors.sh (all the vector files, in the reference venv)
"""
import json, os

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
TOKEN = _mask_cipher_secret(SECRET)
MiB = 1024 * 1024


def body_bytes(segments):
    out = bytearray()
    for seg in segments:
        if isinstance(seg, str):
            out += seg.encode("latin-1")
        else:
            out += seg["byte"].encode("latin-1") * seg["times"]
    return bytes(out)


SETTING_NAMES = {"dataMaxMemorySize": "DATA_UPLOAD_MAX_MEMORY_SIZE", "dataMaxNumberFields": "DATA_UPLOAD_MAX_NUMBER_FIELDS",
                 "dataMaxNumberFiles": "DATA_UPLOAD_MAX_NUMBER_FILES"}


def run(case):
    overrides = {SETTING_NAMES[k]: v for k, v in case.get("upload", {}).items()}
    with override_settings(**overrides):
        body = body_bytes(case["body"])
        headers = {"HTTP_COOKIE": "csrftoken=" + SECRET}
        for name, value in case.get("headers", {}).items():
            headers["HTTP_" + name.upper().replace("-", "_")] = value
        req = factory.generic(case.get("method", "POST"), "/", data=body, content_type=case["contentType"], **headers)
        req.COOKIES = {"csrftoken": SECRET}
        req.user = alice
        request = Request(req, authenticators=[SessionAuthentication()], parsers=[JSONParser(), FormParser(), MultiPartParser()])
        try:
            user = request.user
        except APIException as exc:
            return {"failed": {"exception": type(exc).__name__, "detail": exc.detail, "code": exc.detail.code}}
        except Exception as exc:
            return {"badRequest": type(exc).__name__}
        return {"user": user.username} if request.successful_authenticator else {"none": True}


cases = []
B = "XyZ"
MP = "multipart/form-data; boundary=" + B


def part(name, value, filename=None, extra=""):
    disp = f'form-data; name="{name}"' + (f'; filename="{filename}"' if filename is not None else "")
    return f"--{B}\r\nContent-Disposition: {disp}\r\n{extra}\r\n"


def add(label, body, content_type=MP, **kw):
    cases.append({"label": label, "contentType": content_type, "body": body, **kw})


big_file = {"byte": "a", "times": 3 * MiB}
end = f"\r\n--{B}--\r\n"
# A 3 MiB upload with the token after (and before) the file: Django streams the file and reads the token.
add("3 MiB file, token after", [part("upload", None, "a.bin", "Content-Type: application/octet-stream\r\n"), big_file,
                                 "\r\n" + part("csrfmiddlewaretoken", None), TOKEN, end])
add("3 MiB file, token before", [part("csrfmiddlewaretoken", None), TOKEN, "\r\n" + part("upload", None, "a.bin"), big_file, end])
add("3 MiB file, wrong token", [part("upload", None, "a.bin"), big_file, "\r\n" + part("csrfmiddlewaretoken", None), "b" * 64, end])
add("3 MiB file, no token", [part("upload", None, "a.bin"), big_file, end])
add("3 MiB file, no token, header token", [part("upload", None, "a.bin"), big_file, end], headers={"X-CSRFToken": TOKEN})
# A 3 MiB text field: over DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MiB by default).
add("3 MiB text field", [part("text", None), big_file, "\r\n" + part("csrfmiddlewaretoken", None), TOKEN, end])
add("3 MiB text field, no limit", [part("text", None), big_file, "\r\n" + part("csrfmiddlewaretoken", None), TOKEN, end],
    upload={"dataMaxMemorySize": None})
# The memory limit counts field bytes + len(name) + 2.
for size in (11, 12, 13):
    add(f"field bytes at the limit ({size})", [part("f", None), "v" * size, "\r\n" + part("csrfmiddlewaretoken", None), TOKEN, end],
        upload={"dataMaxMemorySize": 100})
add("file bytes not counted", [part("f", None, "x.txt"), "v" * 500, "\r\n" + part("csrfmiddlewaretoken", None), TOKEN, end],
    upload={"dataMaxMemorySize": 100})
# DATA_UPLOAD_MAX_NUMBER_FIELDS: parts + preamble + epilogue.
for n in (3, 4, 5):
    add(f"{n} fields, max 3", [part(f"f{i}", None) + "v\r\n" for i in range(n - 1)] + [part("csrfmiddlewaretoken", None), TOKEN, end],
        upload={"dataMaxNumberFields": 3})
add("5 fields, no epilogue, max 4", [part(f"f{i}", None) + "v\r\n" for i in range(4)] + [part("csrfmiddlewaretoken", None), TOKEN, f"\r\n--{B}--"],
    upload={"dataMaxNumberFields": 4})
# DATA_UPLOAD_MAX_NUMBER_FILES.
for n in (2, 3):
    add(f"{n} files, max 2", [part(f"f{i}", None, f"{i}.txt") + "v\r\n" for i in range(n)] + [part("csrfmiddlewaretoken", None), TOKEN, end],
        upload={"dataMaxNumberFiles": 2})
add("file with empty filename is a field", [part("csrfmiddlewaretoken", None, ""), TOKEN, end])
add("file part named csrfmiddlewaretoken", [part("csrfmiddlewaretoken", None, "t.txt"), TOKEN, end])
add("part without a name", ['--' + B + '\r\nContent-Disposition: form-data\r\n\r\n', TOKEN, end])
add("base64 field", [part("csrfmiddlewaretoken", None, None, "Content-Transfer-Encoding: base64\r\n"),
                     __import__("base64").b64encode(TOKEN.encode()).decode(), end])
add("headers over 1024 bytes", [part("csrfmiddlewaretoken", None, None, "X-Pad: " + "p" * 1100 + "\r\n"), TOKEN, end])
add("part after the closing boundary", [part("a", None), "v", f"\r\n--{B}--\r\n", part("csrfmiddlewaretoken", None), TOKEN, end])
add("token twice, last wins", [part("csrfmiddlewaretoken", None), "c" * 64, "\r\n" + part("csrfmiddlewaretoken", None), TOKEN, end])
add("boundary without CRLF before it", [part("csrfmiddlewaretoken", None), TOKEN, f"--{B}--"])
# JSON and form bodies: DRF's parsers read the stream whole; only the field count is limited.
add("3 MiB JSON, header token", ['{"a": "', big_file, '"}'], content_type="application/json", headers={"X-CSRFToken": TOKEN})
add("3 MiB JSON, no header token", ['{"a": "', big_file, '"}'], content_type="application/json")
add("3 MiB form field, token", ["a=", big_file, "&csrfmiddlewaretoken=" + TOKEN], content_type="application/x-www-form-urlencoded")
for n in (3, 4):
    add(f"form, {n} fields, max 3", ["&".join(f"f{i}=v" for i in range(n - 1)) + "&csrfmiddlewaretoken=" + TOKEN],
        content_type="application/x-www-form-urlencoded", upload={"dataMaxNumberFields": 3})
add("form, no limit on fields", ["&".join(f"f{i}=v" for i in range(1500)) + "&csrfmiddlewaretoken=" + TOKEN],
    content_type="application/x-www-form-urlencoded", upload={"dataMaxNumberFields": None})

for case in cases:
    case["expected"] = run(case)
    print(case["label"], case["expected"])

jsonl.dump(os.path.join(os.path.dirname(os.path.abspath(__file__)), "bodies.jsonl"), {"token": TOKEN, "secret": SECRET, "cases": cases})
