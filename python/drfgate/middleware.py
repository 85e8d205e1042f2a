"""The origin's middleware, exported for the edge (the policy's ``middleware`` section).

What a DRF response gains on its way out of Django: ``SecurityMiddleware``'s headers,
``XFrameOptionsMiddleware``'s ``X-Frame-Options``, ``SessionMiddleware``'s ``Vary: Cookie``,
``CommonMiddleware``'s ``Content-Length``, and django-cors-headers' ``Access-Control-*`` headers
and preflight answers. ``settings.MIDDLEWARE`` is exported in order: the edge runs
``process_request`` top-down and ``process_response`` bottom-up, as Django does (header order,
``Vary`` merging, which middleware sees a preflight). See docs/policy.md §6.

A middleware class drf-gate does not model makes the policy fail to compile at the edge, unless
the project declares that it adds nothing to DRF's responses::

    DRFGATE_TRANSPARENT_MIDDLEWARE = ["myproject.middleware.RequestIdLogging"]
"""
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

MODELLED = {
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "corsheaders.middleware.CorsMiddleware",
}


def allowed_hosts():
    """``ALLOWED_HOSTS`` as ``HttpRequest.get_host`` validates it (DEBUG's defaults)."""
    hosts = list(settings.ALLOWED_HOSTS)
    if settings.DEBUG and not hosts:
        hosts = [".localhost", "127.0.0.1", "[::1]"]
    # Matching is "any pattern matches": a repeated entry (Django's test runner appends
    # "testserver" again) changes nothing, so the export names each pattern once.
    return list(dict.fromkeys(hosts))


def _referrer_policy(value):
    if not value:
        return None
    if isinstance(value, str):
        return ",".join(v.strip() for v in value.split(","))
    return ",".join(value)


def _cors():
    from corsheaders.conf import conf
    from corsheaders.signals import check_request_enabled

    def pattern(p):
        return getattr(p, "pattern", p)

    return {
        "allowedOrigins": list(conf.CORS_ALLOWED_ORIGINS),
        "allowedOriginRegexes": [pattern(p) for p in conf.CORS_ALLOWED_ORIGIN_REGEXES],
        "allowAllOrigins": bool(conf.CORS_ALLOW_ALL_ORIGINS),
        "allowCredentials": bool(conf.CORS_ALLOW_CREDENTIALS),
        "allowHeaders": list(conf.CORS_ALLOW_HEADERS),
        "allowMethods": list(conf.CORS_ALLOW_METHODS),
        "exposeHeaders": list(conf.CORS_EXPOSE_HEADERS),
        "preflightMaxAge": conf.CORS_PREFLIGHT_MAX_AGE or None,
        "urlsRegex": pattern(conf.CORS_URLS_REGEX),
        "allowPrivateNetwork": bool(conf.CORS_ALLOW_PRIVATE_NETWORK),
        "signalReceivers": check_request_enabled.has_listeners(),
    }


def export_middleware():
    """The ``middleware`` section of the policy: ``settings.MIDDLEWARE`` and what it reads.

    >>> export_middleware()["classes"][0]   # doctest: +SKIP
    'django.middleware.security.SecurityMiddleware'
    """
    classes = list(settings.MIDDLEWARE)
    transparent = list(getattr(settings, "DRFGATE_TRANSPARENT_MIDDLEWARE", []))
    unknown = [c for c in classes if c not in MODELLED and c not in transparent]
    if unknown:
        from .export import ExportError

        raise ExportError(
            [
                f"middleware {c} may change DRF's responses and drf-gate does not model it; if it adds "
                "nothing to them, list it in DRFGATE_TRANSPARENT_MIDDLEWARE"
                for c in unknown
            ]
        )
    proxy = settings.SECURE_PROXY_SSL_HEADER
    if proxy is not None and (not isinstance(proxy, (list, tuple)) or len(proxy) != 2):
        raise ImproperlyConfigured("SECURE_PROXY_SSL_HEADER must be a tuple containing two values.")
    result = {
        "classes": classes,
        "allowedHosts": allowed_hosts(),
        "defaultCharset": settings.DEFAULT_CHARSET,
        "security": {
            "hstsSeconds": int(settings.SECURE_HSTS_SECONDS or 0),
            "hstsIncludeSubdomains": bool(settings.SECURE_HSTS_INCLUDE_SUBDOMAINS),
            "hstsPreload": bool(settings.SECURE_HSTS_PRELOAD),
            "contentTypeNosniff": bool(settings.SECURE_CONTENT_TYPE_NOSNIFF),
            "referrerPolicy": _referrer_policy(settings.SECURE_REFERRER_POLICY),
            "crossOriginOpenerPolicy": settings.SECURE_CROSS_ORIGIN_OPENER_POLICY or None,
            "sslRedirect": bool(settings.SECURE_SSL_REDIRECT),
            "proxySslHeader": list(proxy) if proxy else None,
        },
        "xFrameOptions": getattr(settings, "X_FRAME_OPTIONS", "DENY"),
        "sessionSaveEveryRequest": bool(settings.SESSION_SAVE_EVERY_REQUEST),
        "common": {
            "appendSlash": bool(settings.APPEND_SLASH),
            "prependWww": bool(settings.PREPEND_WWW),
            "disallowedUserAgents": bool(settings.DISALLOWED_USER_AGENTS),
        },
    }
    if transparent:
        result["transparent"] = transparent
    if "corsheaders.middleware.CorsMiddleware" in classes:
        result["cors"] = _cors()
    return result
