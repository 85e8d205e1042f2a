"""Generates jwt_user_id.jsonl: simplejwt 5.5.1's `JWTAuthentication.get_user` (Django 5.2's
`User.objects.get(**{USER_ID_FIELD: claim})`) for user id claims of every JSON shape against a
UUID pk, an integer pk and a text field, each with a user found and not found. A claim the field
cannot take raises (ValidationError, ValueError, TypeError): the reference server's 500.

Run: bash scripts/regen-vectors.sh (all the vector files, in the reference venv)
"""
import base64, json, os, uuid

import jsonl

HERE = os.path.dirname(os.path.abspath(__file__))
UID = uuid.UUID("12345678-1234-5678-9abc-def012345678")
OTHER = "87654321-4321-8765-cba9-876543210fed"

# JSON text of each claim (kept as text: 1.0 and 1 differ, as do 12 and "12").
CLAIMS = [
    # UUID forms of the stored user's pk
    json.dumps(str(UID)), json.dumps(UID.hex), json.dumps("{%s}" % UID), json.dumps(UID.urn),
    json.dumps(str(UID).upper()), json.dumps("uuid:" + str(UID)), json.dumps("{{%s}}" % UID.hex),
    json.dumps(" %s " % UID.hex[:30]), json.dumps("+" + UID.hex[:31]), json.dumps("0x" + UID.hex[:30]),
    json.dumps("0x_" + UID.hex[:29]), json.dumps("0x" + UID.hex[2:]), json.dumps(UID.hex[:16] + "_" + UID.hex[17:]),
    json.dumps("1234-5678-1234-5678-9abc-def0-1234-5678"), json.dumps("urn:uuid:{%s}" % UID), json.dumps("uurn:uid:" + UID.hex),
    str(UID.int), str(UID.int - 1),
    # other valid UUIDs (no such row)
    json.dumps(OTHER), json.dumps("00000000000000000000000000000000"), "0", "1", "12", "true", "false",
    json.dumps("\u0661" * 32), json.dumps("\uff11" * 32), json.dumps("\u00a0" + "1" * 30 + "\u3000"),
    # not UUIDs
    json.dumps("12"), json.dumps("1"), json.dumps("abc"), json.dumps(""), json.dumps(UID.hex[:31]), json.dumps(UID.hex + "0"),
    json.dumps("g" * 32), json.dumps("\uff21" * 32), json.dumps("_" + UID.hex[:31]), json.dumps(UID.hex[:31] + "_"),
    json.dumps(UID.hex[:15] + "__" + UID.hex[:15]), json.dumps("0x" + "_" * 30), json.dumps("++" + UID.hex[:30]),
    json.dumps(" +" + UID.hex[:30]), json.dumps("+ " + UID.hex[:30]), json.dumps("0x"), json.dumps("1.0"), json.dumps(" 1 "),
    "-1", "-0", str(2**64 - 1), "1.0", "1.5", "12.0", "1e2", "-0.0", "null", "[]", "[1]", json.dumps([str(UID)]), "{}",
    json.dumps({"id": str(UID)}), json.dumps("alice"), json.dumps("ALICE"),
]


KEY = "k"
NOW = 1_700_000_000


def token(text):
    """An HS256 access token whose `user_id` claim is the JSON text as written (1.0 stays a float)."""
    import jwt
    body = json.dumps({"token_type": "access", "exp": NOW + 300, "iat": NOW, "jti": "j1"})
    payload = (body[:-1] + ', "user_id": %s}' % text).encode()
    algo = jwt.get_algorithm_by_name("HS256")
    b64u = lambda b: base64.urlsafe_b64encode(b).rstrip(b"=").decode()
    signing_input = b64u(json.dumps({"alg": "HS256", "typ": "JWT"}).encode()) + "." + b64u(payload)
    return "Bearer " + signing_input + "." + b64u(algo.sign(signing_input.encode(), algo.prepare_key(KEY)))


def outcome(auth, claim):
    from rest_framework.exceptions import APIException
    try:
        user = auth.get_user({"user_id": claim})
    except APIException as exc:
        return {"failed": json.loads(json.dumps(exc.detail))}
    except Exception as exc:  # the reference server's 500
        return {"serverError": type(exc).__name__}
    return {"user": user.username}


def main():
    import django
    from django.conf import settings
    settings.configure(SECRET_KEY="x" * 50, ALLOWED_HOSTS=["*"], USE_TZ=True,
                       DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}},
                       INSTALLED_APPS=["django.contrib.auth", "django.contrib.contenttypes", "rest_framework"])
    django.setup()
    from django.core.management import call_command
    from django.db import connection, models
    call_command("migrate", verbosity=0)
    from django.contrib.auth.models import AbstractUser, User
    from rest_framework_simplejwt.authentication import JWTAuthentication
    from rest_framework_simplejwt.settings import api_settings

    class UuidUser(AbstractUser):
        id = models.UUIDField(primary_key=True, default=uuid.uuid4)
        groups = None
        user_permissions = None

        class Meta:
            app_label = "auth"

    with connection.schema_editor() as editor:
        editor.create_model(UuidUser)
    UuidUser.objects.create(id=UID, username="alice")
    User.objects.create(id=1, username="alice")

    scenarios = {
        # USER_ID_FIELD, the kind drf-gate is told, the model
        "uuid_pk": ("id", "uuid", UuidUser),
        "uuid_pk_named_pk": ("pk", "uuid", UuidUser),
        "integer_pk": ("id", "integer", User),
        "text": ("username", "text", User),
    }
    result = {"now": NOW, "signingKey": KEY, "scenarios": {}}
    for name, (field, kind, model) in scenarios.items():
        api_settings.USER_ID_FIELD = field
        auth = JWTAuthentication()
        auth.user_model = model
        cases = []
        for text in CLAIMS:
            claim = json.loads(text)
            found = outcome(auth, claim)
            with connection.cursor() as cursor:
                cursor.execute(f"DELETE FROM {model._meta.db_table}")
            missing = outcome(auth, claim)
            model.objects.create(**({"id": UID} if model is UuidUser else {"id": 1}), username="alice")
            cases.append({"claim": text, "header": token(text), "found": found, "missing": missing})
        result["scenarios"][name] = {"userIdField": field, "userIdKind": kind, "cases": cases}
    jsonl.dump(os.path.join(HERE, "jwt_user_id.jsonl"), result, expand=("scenarios", "scenarios/*"))
    print(sum(len(s["cases"]) for s in result["scenarios"].values()), "cases")


if __name__ == "__main__":
    main()
