"""Dump what the Cloudflare Worker (examples/blog/worker) reads from Workers KV, as JSON.

    python manage.py worker_kv [--sessions] [--output FILE]

Namespaces (keys -> values, values are JSON text as KV stores them):

- ``USERS``: user id -> the user as drf-gate reads it (docs/policy.md §2: flags, model permissions
  of the user and their groups, ``email_verified`` for ``IsVerifiedUser``);
- ``TOKENS``: DRF token key -> user id;
- ``SESSIONS``: Django session key -> user id (valid sessions only, as ``get_user`` checks them);
- ``OBJECTS``: ``"<view>:<pk>"`` -> what ``has_object_permission`` and ``get_queryset`` look at.

``--sessions`` first logs every user in once (a new session row each, as ``login()`` makes), so
the dump has a session per user. ``credentials`` lists each user's Token, a fresh JWT access
token and session key, for scripts and tests. Never deploy the sample's keys.
"""
import json
import warnings

from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.core.management.base import BaseCommand
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework_simplejwt.tokens import AccessToken

from blog.models import Comment, Post, Tag


def gate_user(user):
    """The user as drf-gate's `User` (docs/policy.md §2)."""
    return {
        "id": user.pk,
        "username": user.get_username(),
        "isActive": user.is_active,
        "isStaff": user.is_staff,
        "isSuperuser": user.is_superuser,
        # Django's ModelBackend: user and group permissions (none for an inactive user).
        "permissions": sorted(user.get_all_permissions()),
        "attributes": {"email_verified": user.email_verified},
    }


def jwt_for(user):
    with warnings.catch_warnings():  # simplejwt warns for inactive users: they are here on purpose
        warnings.simplefilter("ignore")
        return str(AccessToken.for_user(user))


class Command(BaseCommand):
    help = "Dump users, tokens, sessions and objects for the Worker's KV namespaces (JSON)."

    def add_arguments(self, parser):
        parser.add_argument("--output", "-o", help="file to write (default: stdout)")
        parser.add_argument("--sessions", action="store_true", help="log every user in once first")

    def handle(self, *args, **options):
        User = get_user_model()
        users = list(User.objects.order_by("pk"))
        sessions = {}
        if options["sessions"]:
            for user in users:
                store = SessionStore()
                store[SESSION_KEY] = user._meta.pk.value_to_string(user)
                store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
                store[HASH_SESSION_KEY] = user.get_session_auth_hash()
                store.create()
                sessions[user.pk] = store.session_key

        kv_sessions = {}
        for session in Session.objects.filter(expire_date__gt=timezone.now()):
            data = session.get_decoded()
            user = next((u for u in users if str(u.pk) == str(data.get(SESSION_KEY))), None)
            # django.contrib.auth.get_user: the stored hash must match the password's.
            if user is not None and data.get(HASH_SESSION_KEY) == user.get_session_auth_hash():
                kv_sessions[session.session_key] = str(user.pk)

        objects = {}
        for post in Post.objects.all():
            objects[f"posts:{post.pk}"] = {"id": post.pk, "owner": post.owner_id, "published": post.published}
        for comment in Comment.objects.all():
            objects[f"comments:{comment.pk}"] = {"id": comment.pk, "author": comment.author_id, "post": comment.post_id}
        for tag in Tag.objects.all():
            objects[f"tags:{tag.pk}"] = {"id": tag.pk, "name": tag.name}

        tokens = {token.user_id: token.key for token in Token.objects.all()}
        dump = {
            "kv": {
                "USERS": {str(user.pk): json.dumps(gate_user(user)) for user in users},
                "TOKENS": {key: str(user_id) for user_id, key in tokens.items()},
                "SESSIONS": kv_sessions,
                "OBJECTS": {key: json.dumps(value) for key, value in objects.items()},
            },
            "credentials": {
                user.get_username(): {
                    "id": user.pk,
                    "token": tokens.get(user.pk),
                    "jwt": jwt_for(user),
                    "session": sessions.get(user.pk),
                }
                for user in users
            },
        }
        text = json.dumps(dump, indent=2) + "\n"
        if options["output"]:
            with open(options["output"], "w", encoding="utf-8") as out:
                out.write(text)
            self.stderr.write(f"wrote {options['output']}: {len(users)} users, {len(kv_sessions)} sessions")
        else:
            self.stdout.write(text, ending="")
