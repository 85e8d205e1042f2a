"""Test credentials for the sample, plus the Worker's KV data as one JSON file.

    python manage.py worker_kv [--sessions] [--output FILE]

``kv`` is ``drfgate_sync --dump``'s data (python/drfgate/sync.py: ``USERS``, ``TOKENS``,
``SESSIONS``, ``OBJECTS`` in the record format the Worker's sync endpoint stores); a deployed
Worker gets it pushed by the origin instead (``DRFGATE_SYNC``).

``--sessions`` first logs every user in once (a new session row each, as ``login()`` makes), so
the dump has a session per user. ``credentials`` lists each user's Token, a fresh JWT access
token and session key, for scripts and tests. Never deploy the sample's keys.
"""
import json
import warnings
from datetime import timedelta

from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.contrib.sessions.backends.db import SessionStore
from django.core.management.base import BaseCommand
from rest_framework.authtoken.models import Token
from rest_framework_simplejwt.tokens import AccessToken

from drfgate import sync


# Test credentials outlive any run (the settings' 15 minutes could expire mid-suite, between the
# Worker's answer and the origin's): a day, whatever ACCESS_TOKEN_LIFETIME says.
JWT_LIFETIME = timedelta(days=1)


def jwt_for(user):
    with warnings.catch_warnings():  # simplejwt warns for inactive users: they are here on purpose
        warnings.simplefilter("ignore")
        token = AccessToken.for_user(user)
    token.set_exp(lifetime=JWT_LIFETIME)
    return str(token)


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

        tokens = {token.user_id: token.key for token in Token.objects.all()}
        dump = {
            # Exactly what the origin pushes to the Worker (drfgate/sync.py's record format).
            "kv": sync.as_kv(sync.full_writes()),
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
            self.stderr.write(f"wrote {options['output']}: {len(users)} users, {len(dump['kv'].get('SESSIONS', {}))} sessions")
        else:
            self.stdout.write(text, ending="")
