"""Settings of the drf-gate sample blog (a DRF API that a Cloudflare Worker fronts)."""
import os
from datetime import timedelta
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent

# A sample project: this key only signs sessions and JWTs of the seeded demo users.
SECRET_KEY = "django-insecure-drf-gate-blog-sample-key-do-not-deploy-0123456789"
DEBUG = True
ALLOWED_HOSTS = ["localhost", "127.0.0.1", "testserver", "[::1]"]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "corsheaders",
    "rest_framework",
    "rest_framework.authtoken",
    "accounts",
    "blog",
    # The drf-gate helper (python/ in this repository): drfgate_export and drfgate_check.
    "drfgate",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # django-cors-headers: before CommonMiddleware, as its docs ask; preflights end here.
    "corsheaders.middleware.CorsMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "blogsite.urls"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]
WSGI_APPLICATION = "blogsite.wsgi.application"

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        # BLOG_DB_PATH: another SQLite file (the Workers tests start from a fresh one).
        "NAME": os.environ.get("BLOG_DB_PATH") or BASE_DIR / "db.sqlite3",
    }
}

AUTH_USER_MODEL = "accounts.User"
AUTH_PASSWORD_VALIDATORS = []

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
STATIC_URL = "static/"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CSRF_TRUSTED_ORIGINS = ["https://blog.example.com", "https://*.blog.example.com"]

# Behind the Worker (drf-gate/guard's forwardTo sets X-Forwarded-Proto/-Host/-For): trust it.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
USE_X_FORWARDED_HOST = True
# Django's SecurityMiddleware defaults, spelled out: the edge renders the same headers.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SECURE_HSTS_SECONDS = 3600  # sent over https only (request.is_secure())
X_FRAME_OPTIONS = "DENY"

# A single-page app on other origins calls the API (django-cors-headers).
CORS_ALLOWED_ORIGINS = ["https://app.blog.example.com", "http://localhost:5173"]
CORS_URLS_REGEX = r"^/api/.*$"
CORS_ALLOW_CREDENTIALS = True
CORS_EXPOSE_HEADERS = ["WWW-Authenticate"]
CORS_PREFLIGHT_MAX_AGE = 600

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework_simplejwt.authentication.JWTAuthentication",
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticatedOrReadOnly",
    ],
    # JSON only: the API sits behind a Worker; no browsable API.
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
}

SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=15),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=1),
    "ALGORITHM": "HS256",
    "AUTH_HEADER_TYPES": ("Bearer",),
    "LEEWAY": 5,
    "ISSUER": "https://blog.example.com",
}

# drf-gate keeps the Worker's identity data in step (python/drfgate/sync.py): each change is
# pushed to the Worker's sync endpoint as it commits. DRFGATE_SYNC_URL unset: nothing is pushed
# (`manage.py drfgate_sync --dump` still writes the full data set).
DRFGATE_SYNC = {
    "URL": os.environ.get("DRFGATE_SYNC_URL"),  # e.g. https://api.example.com/__drfgate/sync
    "SECRET": os.environ.get("DRFGATE_SYNC_SECRET", ""),
    "USER_ATTRIBUTES": ["email_verified"],  # IsVerifiedUser reads it
    "OBJECTS": {  # what the Worker's loadObject reads (has_object_permission, get_queryset)
        "blog.Post": {"prefix": "posts", "fields": {"id": "pk", "owner": "owner_id", "published": "published"}},
        "blog.Comment": {"prefix": "comments", "fields": {"id": "pk", "author": "author_id", "post": "post_id"}},
        "blog.Tag": {"prefix": "tags", "fields": {"id": "pk", "name": "name"}},
    },
}
