"""Generates basic_token.jsonl: outcomes of DRF's real Basic/Token authentication and of Python's
base64.b64decode, run in the reference venv (Django 5.2, DRF 3.18.3).

Run: bash scripts/regen-vectors.sh (all the vector files, in the reference venv)
"""
import base64, binascii, json, os, random, sys

import jsonl

import django
from django.conf import settings

settings.configure(
    DEBUG=False, SECRET_KEY="k" * 50, ALLOWED_HOSTS=["*"],
    DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}},
    INSTALLED_APPS=["django.contrib.auth", "django.contrib.contenttypes", "rest_framework", "rest_framework.authtoken"],
    PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
)
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from django.contrib.auth.models import User
from rest_framework.authtoken.models import Token
from rest_framework.authentication import BasicAuthentication, TokenAuthentication
from rest_framework.exceptions import APIException
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

alice = User.objects.create_user("alice", password="pw:x")
bob = User.objects.create_user("bob", password="pw", is_active=False)
uni = User.objects.create_user("jos\u00e9", password="p\u00e4ss")
Token.objects.create(user=alice, key="a" * 40)
Token.objects.create(user=bob, key="b" * 40)
factory = APIRequestFactory()


def run(header, cls):
    kwargs = {} if header is None else {"HTTP_AUTHORIZATION": header}
    request = Request(factory.get("/", **kwargs), authenticators=[cls()])
    try:
        user = request.user
    except APIException as exc:
        return {"failed": {"detail": exc.detail, "code": exc.detail.code}}
    if request.successful_authenticator is None:
        return {"none": True}
    return {"user": user.username}


def b64(s):
    return base64.b64encode(s.encode("utf-8") if isinstance(s, str) else s).decode("latin-1")


headers = [None, "", "Basic", "basic", "Basic ", "Basic a b", "Basic =a=", "Basic " + b64("alice"),
           "Basic " + b64("alice:pw:x"), "bAsIc " + b64("alice:pw:x"), "Basic\t" + b64("alice:pw:x"),
           "Basic " + b64("alice:pw:x") + "!!", "Basic " + b64("alice:wrong"), "Basic " + b64("bob:pw"),
           "Basic " + b64("jos\u00e9:p\u00e4ss"), "Basic " + b64("jos\u00e9:p\u00e4ss".encode("latin-1")),
           "Basic " + b64("nobody:x"), "Bearer abc", "Basic " + b64(":"), "Basic YWxpY2U6cHc6eA",
           "Basic YWxpY2U6cHc6eA=", "Basic YWxpY2U6cHc6eA==junk", "Basic Y", "Basic\x0b" + b64("alice:pw:x"),
           "Basic\xa0" + b64("alice:pw:x"), "Basic " + b64("alice:pw:x") + "\xe9",
           "Token", "token", "Token ", "Token a b", "Token nope", "Token " + "a" * 40, "TOKEN " + "a" * 40,
           "Token " + "b" * 40, "Token abc\xb8", "Token \xc3\xa9", "Token\t" + "a" * 40, "Tokens " + "a" * 40,
           "Token " + "x" * 5000]
rng = random.Random(7)
alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=-_!:\xe9 "
for _ in range(150):
    headers.append("Basic " + "".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 14))))
cases = [{"header": h, "basic": run(h, BasicAuthentication), "token": run(h, TokenAuthentication)} for h in headers]

b64cases = []
for _ in range(3000):
    data = bytes(rng.choice(b"ABCDab09+/=-_!\x00\xff.") for _ in range(rng.randrange(0, 12)))
    try:
        out = {"ok": base64.b64decode(data).hex()}
    except binascii.Error as e:
        out = {"error": "padding" if "padding" in str(e) else "dangling"}
    b64cases.append({"input": data.hex(), **out})

jsonl.dump(os.path.join(os.path.dirname(os.path.abspath(__file__)), "basic_token.jsonl"), {"cases": cases, "base64": b64cases})
print(len(cases), "header cases,", len(b64cases), "base64 cases")
