"""Changes the sample blog's data as an application would, one JSON command per stdin line
(answers one JSON line each). Run with the sample project's settings and DRFGATE_SYNC_URL /
DRFGATE_SYNC_SECRET set: the drfgate app's model signals push every change to the Worker.
"""
import json
import sys
import warnings
from datetime import timedelta

import django

django.setup()

from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model  # noqa: E402
from django.contrib.auth.models import Group, Permission  # noqa: E402
from django.contrib.sessions.backends.db import SessionStore  # noqa: E402
from rest_framework.authtoken.models import Token  # noqa: E402
from rest_framework_simplejwt.tokens import AccessToken  # noqa: E402

from blog.models import Post  # noqa: E402

User = get_user_model()


def user(name):
    return User.objects.get(username=name)


def perm(label):
    app, codename = label.split(".")
    return Permission.objects.get(content_type__app_label=app, codename=codename)


def jwt(name, pad=0):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        token = AccessToken.for_user(user(name))
    token.set_exp(lifetime=timedelta(days=1))  # outlives any run, whatever the settings say
    if pad:
        token["pad"] = "x" * pad  # simplejwt signs and accepts any size
    return str(token)


def login(name):
    u = user(name)
    store = SessionStore()
    store[SESSION_KEY] = u._meta.pk.value_to_string(u)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = u.get_session_auth_hash()
    store.create()
    return store.session_key


def op(command):
    kind, a = command["op"], command
    if kind == "credentials":
        out = {}
        for u in User.objects.all():
            token = Token.objects.filter(user=u).first()
            out[u.username] = {"id": u.pk, "token": token.key if token else None, "jwt": jwt(u.username)}
        return out
    if kind == "jwt":
        return jwt(a["user"], a.get("pad", 0))
    if kind == "login":
        return login(a["user"])
    if kind == "flush":
        SessionStore(session_key=a["session"]).flush()
        return True
    if kind == "user_create":
        u = User.objects.create_user(a["user"], password="password", email_verified=a.get("verified", True))
        return u.pk
    if kind == "user_delete":
        user(a["user"]).delete()
        return True
    if kind == "token_create":
        return Token.objects.create(user=user(a["user"])).key
    if kind == "token_delete":
        Token.objects.filter(user=user(a["user"])).delete()
        return True
    if kind == "set":
        u = user(a["user"])
        setattr(u, a["field"], a["value"])
        u.save()
        return True
    if kind == "set_password":
        u = user(a["user"])
        u.set_password(a["password"])
        u.save()
        return True
    if kind == "group":
        g = Group.objects.get(name=a["group"])
        (user(a["user"]).groups.add if a["grant"] else user(a["user"]).groups.remove)(g)
        return True
    if kind == "group_perm":
        g = Group.objects.get(name=a["group"])
        (g.permissions.add if a["grant"] else g.permissions.remove)(perm(a["perm"]))
        return True
    if kind == "user_perm":
        u = user(a["user"])
        (u.user_permissions.add if a["grant"] else u.user_permissions.remove)(perm(a["perm"]))
        return True
    if kind == "post":
        post = Post.objects.get(pk=a["pk"])
        for field, value in a["fields"].items():
            if field == "owner":
                post.owner = user(value)
            else:
                setattr(post, field, value)
        post.save()
        return True
    if kind == "post_create":
        return Post.objects.create(owner=user(a["owner"]), title="new", body="x", published=a.get("published", False)).pk
    if kind == "post_delete":
        Post.objects.filter(pk=a["pk"]).delete()
        return True
    raise ValueError(f"unknown op {kind}")


for line in sys.stdin:
    try:
        result = {"ok": True, "result": op(json.loads(line))}
    except Exception as error:  # reported to the scenario, which fails
        result = {"ok": False, "error": f"{type(error).__name__}: {error}"}
    sys.stdout.write(json.dumps(result) + "\n")
    sys.stdout.flush()
