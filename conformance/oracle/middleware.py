"""The origin's middleware (docs/policy.md §6): a seeded family of case specs, each with its own
Django middleware configuration.

Each spec draws `settings.MIDDLEWARE` (which of Security, Session, django-cors-headers' Cors,
Common, Csrf, Authentication, Messages and XFrameOptions, in which order) and the settings those
classes read (SECURE_*, X_FRAME_OPTIONS, SESSION_SAVE_EVERY_REQUEST, APPEND_SLASH, PREPEND_WWW,
DISALLOWED_USER_AGENTS, DEFAULT_CHARSET, CORS_*), and a raw request against a small DRF view:
CORS preflights (`OPTIONS` with `Access-Control-Request-*`), Origin values (listed, unlisted,
odd), secure or not through SECURE_PROXY_SSL_HEADER, session and CSRF cookies (valid, missing,
malformed), hosts. execute.py runs it under exactly those settings (a new handler per case:
Django reads some of them when it builds the middleware) and exports the policy's `middleware`
section with drf-gate's own exporter (python/drfgate/middleware.py) from the same settings, so
the exporter is checked too. The replays compare status, body and every response header.

    python -m oracle.main --family middleware --random N --seed S --out out/middleware.json
"""
import random

from . import generate
from .generate import ALICE, U, spec

SECURITY = "django.middleware.security.SecurityMiddleware"
SESSION = "django.contrib.sessions.middleware.SessionMiddleware"
CORS = "corsheaders.middleware.CorsMiddleware"
COMMON = "django.middleware.common.CommonMiddleware"
CSRF = "django.middleware.csrf.CsrfViewMiddleware"
AUTH = "django.contrib.auth.middleware.AuthenticationMiddleware"
MESSAGES = "django.contrib.messages.middleware.MessageMiddleware"
XFRAME = "django.middleware.clickjacking.XFrameOptionsMiddleware"
RECORDER = "oracle.dispatch.RecorderMiddleware"  # outermost, the harness's: declared transparent

LISTED = ["https://app.example.com", "http://localhost:3000", "https://api.example.com:8443"]
ORIGINS = [
    "https://app.example.com", "http://localhost:3000", "https://api.example.com:8443",
    "http://app.example.com", "https://app.example.com:443", "https://APP.example.com", "HTTPS://app.example.com",
    "https://app.example.com/", "https://app.example.com/x?y#z", "https://evil.example.com", "null", "",
    "app.example.com", "//app.example.com", "https://user@app.example.com", "https://sub.example.org",
    "http://[::1", "https://café.example", "https://app.example.com\x7f", "file://", "https:app.example.com",
    "https://app.example.com:", "https://app.example.com.", "foo",
]
URLS_REGEXES = [r"^.*$", r"^.*$", r"^/v/.*$", r"^/v/items/", r"^/v/items/.*", r"^/api/.*$", r"^/v/(items|other)/",
                r"^/v/it", r"^/V/.*$", r"/v/.*",
                # escapes the core reads as literals (`\/`, `\.`), and a class it leaves to the origin
                r"^\/v\/items\/.*$", r"^/v/items\..*$", r"^/v\-x/", r"^/v/item\w/"]
ALLOW_HEADERS = [None, ["accept", "authorization", "content-type"], ["x-custom", "Authorization"], []]
ALLOW_METHODS = [None, ["GET", "POST"], ["get", "PUT"]]
EXPOSE = [[], [], ["x-total", "ETag"], ["x-one"]]


def draw_classes(r):
    """A subset of the modelled classes in a random order, Session before what needs it."""
    pool = [SECURITY, SESSION, CORS, COMMON, CSRF, AUTH, MESSAGES, XFRAME]
    chosen = [c for c in pool if r.random() < 0.6]
    r.shuffle(chosen)
    if r.random() < 0.4:  # the usual order, as startproject writes it (Cors high)
        chosen = [c for c in pool if c in chosen]
    needs_session = [i for i, c in enumerate(chosen) if c in (AUTH, MESSAGES)]
    if needs_session and r.random() < 0.95:  # else Django's ImproperlyConfigured: a 500
        if SESSION in chosen:
            chosen.remove(SESSION)
        chosen.insert(min(i for i, c in enumerate(chosen) if c in (AUTH, MESSAGES)), SESSION)
    return chosen


def draw_settings(r, classes):
    """Django settings for the drawn classes (the values Django and the exporter read)."""
    s = {"MIDDLEWARE": [RECORDER] + classes, "DRFGATE_TRANSPARENT_MIDDLEWARE": [RECORDER]}
    s["SECURE_HSTS_SECONDS"] = r.choice([0, 0, 3600, 31536000])
    s["SECURE_HSTS_INCLUDE_SUBDOMAINS"] = r.random() < 0.5
    s["SECURE_HSTS_PRELOAD"] = r.random() < 0.3
    s["SECURE_CONTENT_TYPE_NOSNIFF"] = r.random() < 0.8
    s["SECURE_REFERRER_POLICY"] = r.choice(["same-origin", "same-origin", None, "no-referrer, strict-origin",
                                            ["origin", "unsafe-url"], ""])
    s["SECURE_CROSS_ORIGIN_OPENER_POLICY"] = r.choice(["same-origin", "same-origin-allow-popups", None])
    s["SECURE_SSL_REDIRECT"] = r.random() < 0.1
    s["SECURE_PROXY_SSL_HEADER"] = r.choice([None, ("HTTP_X_FORWARDED_PROTO", "https"),
                                             ("HTTP_X_FORWARDED_PROTO", "https"), ("HTTP_X_SCHEME", "HTTPS")])
    s["X_FRAME_OPTIONS"] = r.choice(["DENY", "SAMEORIGIN", "sameorigin"])
    s["SESSION_SAVE_EVERY_REQUEST"] = r.random() < 0.1
    s["APPEND_SLASH"] = r.random() < 0.8
    s["PREPEND_WWW"] = r.random() < 0.08
    s["DISALLOWED_USER_AGENTS"] = [r"(?i)bot"] if r.random() < 0.1 else []
    s["DEFAULT_CHARSET"] = r.choice(["utf-8", "utf-8", "utf-8", "iso-8859-1"])
    if CORS in classes:
        all_origins = r.random() < 0.15
        s["CORS_ALLOW_ALL_ORIGINS"] = all_origins
        origins = [o for o in LISTED if r.random() < 0.6]
        if r.random() < 0.15:
            origins.append("null")
        if r.random() < 0.05:
            origins.append(r.choice(["app.example.com", "http://[::1"]))  # entries corsheaders' checks refuse
        s["CORS_ALLOWED_ORIGINS"] = origins
        s["CORS_ALLOWED_ORIGIN_REGEXES"] = [r"^https://\w+\.example\.org$"] if r.random() < 0.1 else []
        s["CORS_ALLOW_CREDENTIALS"] = r.random() < 0.5
        for name, choices in (("CORS_ALLOW_HEADERS", ALLOW_HEADERS), ("CORS_ALLOW_METHODS", ALLOW_METHODS)):
            value = r.choice(choices)
            if value is not None:
                s[name] = value
        s["CORS_EXPOSE_HEADERS"] = r.choice(EXPOSE)
        s["CORS_PREFLIGHT_MAX_AGE"] = r.choice([86400, 86400, 0, 600])
        s["CORS_URLS_REGEX"] = r.choice(URLS_REGEXES)
        s["CORS_ALLOW_PRIVATE_NETWORK"] = r.random() < 0.2
    return s


def draw_policy(r, settings):
    auth = [c for c in ["session", "basic", "token", "jwt"] if r.random() < 0.45]
    r.shuffle(auth)
    if "session" in auth and AUTH not in settings["MIDDLEWARE"]:
        # SessionAuthentication reads request._request.user, which AuthenticationMiddleware sets.
        classes = settings["MIDDLEWARE"]
        if SESSION not in classes:
            classes.append(SESSION)
        classes.insert(classes.index(SESSION) + 1, AUTH)
    pol = generate.policy(auth, [r.choice(["IsAuthenticated", "IsAuthenticated", "IsAdminUser",
                                           "IsAuthenticatedOrReadOnly", "AllowAny"])], model=generate.W)
    pol["views"] = {"items": pol["views"]["widgets"]}
    if r.random() < 0.25:
        pol["renderers"] = ["rest_framework.renderers.JSONRenderer", "rest_framework.renderers.BrowsableAPIRenderer"]
    settings = {}
    if "session" in auth and r.random() < 0.2:
        settings["csrf"] = {"useSessions": True}
    if r.random() < 0.15:  # SESSION_COOKIE_NAME / CSRF_COOKIE_NAME: what the middleware reads too
        settings["session"] = {"cookieName": "sid"}
    if r.random() < 0.15:
        settings.setdefault("csrf", {})["cookieName"] = "xcsrf"
    if settings:
        pol["settings"] = settings
    return pol, auth


def draw_request(r, settings, auth, pol):
    """(method, raw recipe, detail) for one request."""
    session_cookie = ((pol.get("settings") or {}).get("session") or {}).get("cookieName", "sessionid")
    csrf_cookie = ((pol.get("settings") or {}).get("csrf") or {}).get("cookieName", "csrftoken")
    headers, cookies = {}, {}
    raw = {"headers": headers, "cookies": cookies}
    preflight = r.random() < 0.35
    if preflight:
        method = "OPTIONS"
        headers["Origin"] = r.choice(ORIGINS)
        headers["Access-Control-Request-Method"] = r.choice(["POST", "GET", "DELETE", "PATCH", ""])
        if r.random() < 0.5:
            headers["Access-Control-Request-Headers"] = r.choice(["authorization", "content-type, x-custom"])
        if r.random() < 0.3:
            headers["Access-Control-Request-Private-Network"] = r.choice(["true", "false", "TRUE"])
    else:
        method = r.choice(["GET", "GET", "HEAD", "POST", "DELETE", "OPTIONS", "PUT"])
        if r.random() < 0.6:
            headers["Origin"] = r.choice(ORIGINS)
        if r.random() < 0.1:
            headers["Access-Control-Request-Private-Network"] = "true"
    proxy = settings.get("SECURE_PROXY_SSL_HEADER")
    if proxy and r.random() < 0.6:
        name = proxy[0][len("HTTP_"):].replace("_", "-").title()
        headers[name] = r.choice(["https", "http", "https, http", " https ", "HTTPS", "http,https", ""])
    if r.random() < 0.2:
        raw["secure"] = True
    if r.random() < 0.08:
        headers["Host"] = r.choice(["evil.example.com", "api.example.com", "localhost:8000", "www.example.com"])
    if r.random() < 0.1:
        headers["User-Agent"] = r.choice(["Googlebot/2.1", "Mozilla/5.0"])
    # Credentials: none, a session (valid, unknown, too short), Basic/Token that fail.
    roll = r.random()
    if roll < 0.2:
        raw["login"] = True
    elif roll < 0.3:
        cookies[r.choice([session_cookie, session_cookie, "sessionid"])] = r.choice(["x" * 32, "abc", "k" * 8])
    elif roll < 0.4 and auth:
        headers["Authorization"] = r.choice(["Basic [[b64:{username}:wrong]]", "Token nope", "Bearer abc.def.ghi"])
    if r.random() < 0.25:
        cookies[r.choice([csrf_cookie, csrf_cookie, "csrftoken"])] = r.choice(["{csrf}", "{csrf}", "bad", "{csrfmasked}"])
        if method not in ("GET", "HEAD", "OPTIONS") and r.random() < 0.7:
            headers["X-CSRFToken"] = "{csrf}"
    if not cookies:
        del raw["cookies"]
    detail = method in ("PUT", "DELETE") or (method in ("GET", "HEAD", "OPTIONS") and r.random() < 0.3)
    if r.random() < 0.08:
        raw["pathPercent"] = True  # /v/it%65ms/...: path_info is the decoded path
    return method, raw, detail


def middleware_specs(seed, count):
    """`count` specs, one middleware configuration each."""
    r = random.Random(seed)
    out = []
    for _ in range(count):
        classes = draw_classes(r)
        settings = draw_settings(r, classes)
        pol, auth = draw_policy(r, settings)
        method, raw, detail = draw_request(r, settings, auth, pol)
        obj = None
        if detail:  # a missing object: DRF's 404 (CommonMiddleware's APPEND_SLASH looks at 404s)
            obj = {"id": 999, "exists": False} if r.random() < 0.15 else {"id": 7, "owner": None, "title": "t"}
        s = spec("middleware", pol, method=method, detail=detail, actor=ALICE,
                 users={"bob": U(102, "bob")}, obj=obj, raw=raw, view="items")
        s["djangoMiddleware"] = settings
        s["originAnswers"] = True  # redirects, Django's 400/403 pages: the edge must forward
        s["noTwin"] = True
        if CORS in settings["MIDDLEWARE"] and r.random() < 0.1:
            s["corsSignal"] = r.choice(["never", "detail"])  # receivers of check_request_enabled
        out.append(s)
    return out + empty_header_specs()


def empty_header_specs():
    """Headers the middleware reads, sent empty (workerd drops such a line before the Worker sees
    it): `User-Agent` under DISALLOWED_USER_AGENTS (a pattern may match the empty string; Django
    checks none without the header) and `Host` (CommonMiddleware's get_host(): DisallowedHost).
    Each carries `Accept` (an absent one is the origin's in workerd)."""
    out = []
    for patterns, host, agent in (([r"^$"], None, ""), ([r"^$"], None, None), ([r"^$"], None, "Mozilla/5.0"),
                                  ([r"(?i)bot"], None, ""), ([r"(?i)bot"], None, None), ([], "", None),
                                  ([], None, "")):
        settings = draw_settings(random.Random(0), [COMMON])
        settings["DISALLOWED_USER_AGENTS"] = patterns
        settings["SECURE_SSL_REDIRECT"] = False
        settings["PREPEND_WWW"] = False
        headers = {"Accept": "application/json"}
        if host is not None:
            headers["Host"] = host
        if agent is not None:
            headers["User-Agent"] = agent
        # A denial the edge would answer itself (an allowed request is forwarded anyway).
        pol = generate.policy(["basic"], ["IsAuthenticated"], model=generate.W)
        pol["views"] = {"items": pol["views"]["widgets"]}
        s = spec("middleware", pol, method="GET", actor=ALICE, raw={"headers": headers}, view="items")
        s["djangoMiddleware"] = settings
        s["originAnswers"] = True
        s["noTwin"] = True
        out.append(s)
    return out
