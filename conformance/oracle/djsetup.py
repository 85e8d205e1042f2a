"""Configures Django in-process once: in-memory SQLite, the reference apps, the full middleware
stack, and a test app. Import `setup()` before touching any Django model."""
import logging

SECRET_KEY = "drf-gate-conformance-oracle-signing-key-0123456789abcdef"
ALLOWED_HOSTS = ["testserver", "localhost", "api.example.com"]
CSRF_SECRET = "AbCdEfGhIjKlMnOpQrStUvWxYz012345"  # the harness's CSRF cookie secret: 32 chars of [a-zA-Z0-9]

_done = False


class _NoMigrations(dict):
    """Every app is created with syncdb: much faster than running migrations per process."""

    def __contains__(self, item):
        return True

    def __getitem__(self, item):
        return None


def setup():
    global _done
    if _done:
        return
    import django
    from django.conf import settings

    settings.configure(
        DEBUG=False,
        SECRET_KEY=SECRET_KEY,
        ALLOWED_HOSTS=list(ALLOWED_HOSTS),
        DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}},
        INSTALLED_APPS=[
            "django.contrib.auth",
            "django.contrib.contenttypes",
            "django.contrib.sessions",
            "rest_framework",
            "rest_framework.authtoken",
            "rest_framework_simplejwt",
            "guardian",
            "oracle.testapp.apps.TestAppConfig",
        ],
        MIDDLEWARE=[
            "oracle.dispatch.RecorderMiddleware",
            "django.middleware.security.SecurityMiddleware",
            "django.contrib.sessions.middleware.SessionMiddleware",
            "django.middleware.common.CommonMiddleware",
            "django.middleware.csrf.CsrfViewMiddleware",
            "django.contrib.auth.middleware.AuthenticationMiddleware",
        ],
        ROOT_URLCONF="oracle.dispatch",
        AUTH_USER_MODEL="testapp.User",
        AUTHENTICATION_BACKENDS=[
            "django.contrib.auth.backends.ModelBackend",
            "guardian.backends.ObjectPermissionBackend",
            # Only for RemoteUserAuthentication (REMOTE_USER); creates no users. Its has_perm is
            # ModelBackend's, so it never changes a permission answer.
            "oracle.dispatch.ExistingRemoteUserBackend",
        ],
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        REST_FRAMEWORK={"DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"]},
        SIMPLE_JWT={},
        USE_TZ=True,
        TIME_ZONE="UTC",
        LANGUAGE_CODE="en-us",
        MIGRATION_MODULES=_NoMigrations(),
        LOGGING_CONFIG=None,
        DEFAULT_AUTO_FIELD="django.db.models.AutoField",
    )
    django.setup()
    logging.disable(logging.CRITICAL)  # django.request 4xx warnings, simplejwt's inactive-user warning
    from django.core.management import call_command

    call_command("migrate", run_syncdb=True, verbosity=0)
    _done = True
