//! The origin's middleware layer (src/middleware.rs) on raw requests: the headers Django's
//! middleware and django-cors-headers add to DRF's responses, CORS preflights, and the requests
//! only the origin can answer. The same rules are checked against the running sample project by
//! wasm-tests/workerd (every response header compared).
#![cfg(test)] // test code: clippy.toml lets it unwrap, expect, index and panic

use drf_gate::authentication::{AnswerCache, Lookup, RawRequest, Resolver};
use drf_gate::edge::{EdgeOutcome, ForwardReason, PendingRequest, RequestTarget};
use drf_gate::Gate;
use std::cell::Cell;

const POLICY: &str = r#"{
  "authentication": ["token", "session"],
  "permissions": ["IsAuthenticated"],
  "renderers": ["JSONRenderer"],
  "views": {"posts": {}},
  "routes": [{"pattern": "/api/posts/", "view": "posts", "detail": false}],
  "middleware": {
    "classes": ["django.middleware.security.SecurityMiddleware",
                "django.contrib.sessions.middleware.SessionMiddleware",
                "corsheaders.middleware.CorsMiddleware",
                "django.middleware.common.CommonMiddleware",
                "django.middleware.csrf.CsrfViewMiddleware",
                "django.contrib.auth.middleware.AuthenticationMiddleware",
                "django.middleware.clickjacking.XFrameOptionsMiddleware"],
    "allowedHosts": ["api.example.com"],
    "security": {"hstsSeconds": 60, "proxySslHeader": ["HTTP_X_FORWARDED_PROTO", "https"]},
    "cors": {"allowedOrigins": ["https://app.example.com"], "allowCredentials": true, "urlsRegex": "^/api/.*$",
             "preflightMaxAge": 600}
  }
}"#;

fn gate() -> Gate {
    Gate::from_json(POLICY).unwrap()
}

fn request(method: &str, headers: &[(&str, &str)]) -> RawRequest {
    let mut request = RawRequest::new(method).path("/api/posts/").host("api.example.com");
    for (name, value) in headers {
        request = request.header(name, value).unwrap();
    }
    request
}

/// No token or session rows at all (authoritative).
struct NoRows;

impl Resolver for NoRows {
    fn token(&self, _key: &str) -> Lookup {
        Lookup::NotFound
    }
    fn session(&self, _session_key: &str) -> Lookup {
        Lookup::NotFound
    }
}

/// (status, answered at the edge, headers); not decided here counts as not answered.
fn decide(gate: &Gate, request: &RawRequest) -> (u16, bool, Vec<(String, String)>) {
    let target = RequestTarget::default();
    match gate.check_request(request, &target, &NoRows, 0.0).unwrap() {
        EdgeOutcome::Decided(decision, _) => {
            let headers = decision.headers().map(|(n, v)| (n.to_string(), v.to_string())).collect();
            (decision.status, decision.respond(), headers)
        }
        _ => (0, false, Vec::new()),
    }
}

fn header<'h>(headers: &'h [(String, String)], name: &str) -> Option<&'h str> {
    headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
}

#[test]
fn a_denial_carries_what_the_middleware_adds() {
    let gate = gate();
    let (status, respond, headers) = decide(&gate, &request("POST", &[]));
    assert_eq!((status, respond), (401, true));
    // SessionAuthentication ran (Token returned None): Vary: Cookie after CORS's origin.
    assert_eq!(header(&headers, "Vary"), Some("origin, Cookie"));
    assert_eq!(header(&headers, "X-Frame-Options"), Some("DENY"));
    assert_eq!(header(&headers, "X-Content-Type-Options"), Some("nosniff"));
    assert_eq!(header(&headers, "Referrer-Policy"), Some("same-origin"));
    assert_eq!(header(&headers, "Cross-Origin-Opener-Policy"), Some("same-origin"));
    assert_eq!(header(&headers, "Content-Length"), Some("58"));
    assert_eq!(header(&headers, "Strict-Transport-Security"), None);
}

#[test]
fn a_token_failure_never_reads_the_session() {
    let (status, _, headers) = decide(&gate(), &request("POST", &[("Authorization", "Token")]));
    assert_eq!(status, 401);
    assert_eq!(header(&headers, "Vary"), Some("origin"));
}

#[test]
fn hsts_only_when_the_proxy_says_https() {
    let (_, _, headers) = decide(&gate(), &request("POST", &[("X-Forwarded-Proto", "https, http")]));
    assert_eq!(header(&headers, "Strict-Transport-Security"), Some("max-age=60"));
    // Python's str.strip() also strips \x1c-\x1f (Rust's trim does not).
    let (_, _, headers) = decide(&gate(), &request("POST", &[("X-Forwarded-Proto", "\x1fhttps\x1c,http")]));
    assert_eq!(header(&headers, "Strict-Transport-Security"), Some("max-age=60"));
}

#[test]
fn cors_headers_for_an_allowed_origin_only() {
    let gate = gate();
    let (_, _, allowed) = decide(&gate, &request("POST", &[("Origin", "https://app.example.com")]));
    assert_eq!(header(&allowed, "access-control-allow-origin"), Some("https://app.example.com"));
    assert_eq!(header(&allowed, "access-control-allow-credentials"), Some("true"));
    assert_eq!(header(&allowed, "access-control-allow-methods"), None);
    let (_, _, refused) = decide(&gate, &request("POST", &[("Origin", "https://evil.example")]));
    assert_eq!(header(&refused, "access-control-allow-origin"), None);
    assert_eq!(header(&refused, "Vary"), Some("origin, Cookie"));
}

#[test]
fn preflights_are_answered_before_routing() {
    let gate = gate();
    let preflight = RawRequest::new("OPTIONS")
        .path("/api/not-a-route/")
        .header("Origin", "https://app.example.com")
        .unwrap()
        .header("Access-Control-Request-Method", "POST")
        .unwrap();
    let (status, respond, headers) = decide(&gate, &preflight);
    assert_eq!((status, respond), (200, true));
    assert_eq!(header(&headers, "content-length"), Some("0"));
    assert_eq!(header(&headers, "Content-Type"), Some("text/html; charset=utf-8"));
    assert_eq!(header(&headers, "access-control-max-age"), Some("600"));
    assert_eq!(header(&headers, "Vary"), Some("origin"));
    // Inner middleware never sees it.
    assert_eq!(header(&headers, "X-Frame-Options"), None);
    // A path CORS_URLS_REGEX does not enable: not a preflight (no route here: not decided).
    let other = RawRequest::new("OPTIONS").path("/static/x").header("Access-Control-Request-Method", "GET").unwrap();
    let outcome = gate.check_request(&other, &RequestTarget::default(), &AnswerCache::default(), 0.0).unwrap();
    assert!(matches!(outcome, EdgeOutcome::NoRoute));
}

#[test]
fn only_the_origin_answers_these() {
    let gate = gate();
    for headers in [
        vec![("Cookie", "csrftoken=bad")],                 // a new random csrftoken cookie
        vec![("Cookie", "sessionid=short")],               // the session cookie is deleted
        vec![("Cookie", "sessionid=nosuchsession000000")], // maybe deleted: the origin knows
    ] {
        let (_, respond, _) = decide(&gate, &request("POST", &headers));
        assert!(!respond, "{headers:?}");
    }
    let wrong_host = RawRequest::new("POST").path("/api/posts/").host("evil.example");
    assert!(!decide(&gate, &wrong_host).1);
}

#[test]
fn the_compiled_policy_renders_the_same_headers() {
    // Format 4 carries the section: an edge that loads only `policy.gate` answers alike.
    let json = gate();
    let compiled = Gate::from_compiled(&json.to_compiled()).unwrap();
    let preflight = RawRequest::new("OPTIONS")
        .path("/api/posts/")
        .header("Origin", "https://app.example.com")
        .unwrap()
        .header("Access-Control-Request-Method", "POST")
        .unwrap();
    let requests = [
        request("POST", &[]),
        request("POST", &[("Authorization", "Token")]),
        request("POST", &[("X-Forwarded-Proto", "https")]),
        request("POST", &[("Origin", "https://app.example.com")]),
        request("GET", &[("Origin", "https://evil.example")]),
        request("POST", &[("Cookie", "csrftoken=bad")]),
        preflight,
        RawRequest::new("POST").path("/api/posts/").host("evil.example"),
    ];
    for request in &requests {
        let want = decide(&json, request);
        assert!(!want.2.is_empty() || !want.1, "{request:?}");
        assert_eq!(decide(&compiled, request), want, "{request:?}");
    }
}

#[test]
fn unknown_middleware_is_a_policy_error() {
    let policy = r#"{"views": {}, "middleware": {"classes": ["x.Custom"]}}"#;
    assert_eq!(Gate::from_json(policy).unwrap_err().code, "unknown_middleware");
    let declared = r#"{"views": {}, "middleware": {"classes": ["x.Custom"], "transparent": ["x.Custom"]}}"#;
    assert!(Gate::from_json(declared).is_ok());
}

/// A session store where every key is alice's session (the oracle logged her in).
struct AliceSession;

impl Resolver for AliceSession {
    fn session(&self, _session_key: &str) -> Lookup {
        Lookup::Found(serde_json::from_str(r#"{"id": 101, "username": "alice"}"#).unwrap())
    }
}

/// The recorded middleware `classes` (the oracle's recorder outermost, declared transparent).
fn classes(inner: &[&str]) -> String {
    let all: Vec<String> = std::iter::once("oracle.dispatch.RecorderMiddleware".to_string())
        .chain(inner.iter().map(|name| {
            match *name {
                "Security" => "django.middleware.security.SecurityMiddleware",
                "Session" => "django.contrib.sessions.middleware.SessionMiddleware",
                "Cors" => "corsheaders.middleware.CorsMiddleware",
                "Common" => "django.middleware.common.CommonMiddleware",
                "Csrf" => "django.middleware.csrf.CsrfViewMiddleware",
                "Auth" => "django.contrib.auth.middleware.AuthenticationMiddleware",
                "Messages" => "django.contrib.messages.middleware.MessageMiddleware",
                "XFrame" => "django.middleware.clickjacking.XFrameOptionsMiddleware",
                other => panic!("{other}"),
            }
            .to_string()
        }))
        .collect();
    format!(
        r#""classes": {}, "transparent": ["oracle.dispatch.RecorderMiddleware"]"#,
        serde_json::to_string(&all).unwrap()
    )
}

/// What real Django 5.2 + django-cors-headers 4.9 answered, recorded by the conformance oracle's
/// middleware family (conformance/oracle/middleware.py; `expected.responseHeaders`, every header
/// in the order Django sends it; `None`: the origin's own answer, which the edge must forward).
/// Status, body and every header in order; `None`: only the origin answers.
type Answer<'a> = Option<(u16, &'a str, &'a [(&'a str, &'a str)])>;

fn replay_vector(policy: &str, request: &str, target: RequestTarget, want: Answer<'_>) {
    for gate in [
        Gate::from_json(policy).unwrap(),
        Gate::from_compiled(&Gate::from_json(policy).unwrap().to_compiled()).unwrap(),
    ] {
        let request = RawRequest::from_input(serde_json::from_str(request).unwrap()).unwrap();
        let outcome = gate.check_request(&request, &target, &AliceSession, 0.0).unwrap();
        // Django's own answer, known from the request alone: forwarded before authentication.
        if want.is_none() && matches!(outcome, EdgeOutcome::Forward(ForwardReason::MiddlewareRenders)) {
            continue;
        }
        let EdgeOutcome::Decided(decision, _) = outcome else { panic!("{outcome:?}") };
        match want {
            None => assert!(
                !decision.respond(),
                "answered {} {} where Django answers itself",
                decision.status,
                decision.body
            ),
            Some((status, body, headers)) => {
                assert!(decision.respond());
                assert_eq!((decision.status, &*decision.body), (status, body));
                let got: Vec<_> = decision.headers().collect();
                assert_eq!(got, headers);
            }
        }
    }
}

fn items(detail: bool) -> RequestTarget {
    RequestTarget { view: Some("items".into()), detail: Some(detail), ..Default::default() }
}

const JWT: &str = r#""jwt": {"signingKey": "drf-gate-conformance-oracle-signing-key-0123456789abcdef"}"#;
const HOSTS: &str = r#""allowedHosts": ["testserver", "localhost", "api.example.com"]"#;

#[test]
fn drf_patches_vary_before_it_sets_allow() {
    // Seed 5, case 2: DRF's finalize_response patches `Vary: Accept` in, then sets `Allow`.
    let policy = format!(
        r#"{{"authentication": ["jwt"], "permissions": ["IsAuthenticated"],
        "renderers": ["rest_framework.renderers.JSONRenderer", "rest_framework.renderers.BrowsableAPIRenderer"],
        "settings": {{{JWT}}}, "views": {{"items": {{"model": "testapp.Widget"}}}},
        "middleware": {{{}, {HOSTS}, "defaultCharset": "iso-8859-1",
          "security": {{"hstsSeconds": 31536000, "hstsPreload": true}}, "xFrameOptions": "sameorigin",
          "cors": {{"allowedOrigins": ["https://app.example.com"], "allowHeaders": [], "allowMethods": ["GET", "POST"],
                   "exposeHeaders": ["x-total", "ETag"], "preflightMaxAge": null, "urlsRegex": "^/v/it",
                   "allowPrivateNetwork": true}}}}}}"#,
        classes(&["Common", "Csrf", "Security", "Cors", "XFrame", "Session", "Auth"])
    );
    let request = r#"{"method": "HEAD", "path": "/v/items/", "headers": {"Authorization": "Basic YWxpY2U6d3Jvbmc="},
                      "secure": false, "host": "testserver"}"#;
    let body = r#"{"detail":"Authentication credentials were not provided."}"#;
    let headers = [
        ("Content-Type", "application/json"),
        ("WWW-Authenticate", "Bearer realm=\"api\""),
        ("Vary", "Accept, origin"),
        ("Allow", "GET, POST, HEAD, OPTIONS"),
        ("X-Frame-Options", "SAMEORIGIN"),
        ("X-Content-Type-Options", "nosniff"),
        ("Referrer-Policy", "same-origin"),
        ("Cross-Origin-Opener-Policy", "same-origin"),
        ("Content-Length", "58"),
    ];
    replay_vector(&policy, request, items(false), Some((401, body, &headers)));
}

#[test]
fn a_preflight_stops_before_the_csrf_middleware_reads_the_session() {
    // Seed 5, case 9: `content-length` first (corsheaders' HttpResponse(headers=...)), and no
    // `Vary: Cookie`: CsrfViewMiddleware (CSRF_USE_SESSIONS) is after CorsMiddleware.
    let policy = format!(
        r#"{{"authentication": ["token", "basic", "session"], "permissions": ["IsAdminUser"],
        "settings": {{"csrf": {{"useSessions": true, {HOSTS}}}}}, "views": {{"items": {{"model": "testapp.Widget"}}}},
        "renderers": ["rest_framework.renderers.JSONRenderer"],
        "middleware": {{{}, {HOSTS}, "defaultCharset": "iso-8859-1", "xFrameOptions": "SAMEORIGIN",
          "common": {{"disallowedUserAgents": true}},
          "cors": {{"allowedOrigins": ["https://api.example.com:8443"], "allowCredentials": true, "allowHeaders": [],
                   "allowMethods": ["GET", "POST"], "preflightMaxAge": null}}}}}}"#,
        classes(&["Session", "Auth", "Cors", "Csrf"])
    );
    let request = r#"{"method": "OPTIONS", "path": "/v/items/", "headers": {"Origin": "https://user@app.example.com",
                      "Access-Control-Request-Method": "PATCH", "Access-Control-Request-Private-Network": "TRUE"},
                      "cookies": {"csrftoken": "AbCdEfGhIjKlMnOpQrStUvWxYz012345"}, "secure": false, "host": "testserver"}"#;
    let headers = [("content-length", "0"), ("Content-Type", "text/html; charset=iso-8859-1"), ("Vary", "origin")];
    replay_vector(&policy, request, items(false), Some((200, "", &headers)));
}

#[test]
fn csrf_checks_the_referer_when_the_proxy_header_says_https() {
    // Seed 3, case 17: SECURE_PROXY_SSL_HEADER makes request.is_secure() true for CSRF too.
    let policy = format!(
        r#"{{"authentication": ["basic", "jwt", "session"], "permissions": ["IsAuthenticated"],
        "renderers": ["rest_framework.renderers.JSONRenderer", "rest_framework.renderers.BrowsableAPIRenderer"],
        "settings": {{{JWT}, "csrf": {{{HOSTS}}}}}, "views": {{"items": {{"model": "testapp.Widget"}}}},
        "middleware": {{{}, {HOSTS},
          "security": {{"hstsSeconds": 31536000, "hstsIncludeSubdomains": true,
                       "crossOriginOpenerPolicy": "same-origin-allow-popups",
                       "proxySslHeader": ["HTTP_X_FORWARDED_PROTO", "https"]}}}}}}"#,
        classes(&["Common", "Csrf", "Session", "Auth", "Security", "XFrame", "Messages"])
    );
    let request = r#"{"method": "POST", "path": "/v/items/", "headers": {"X-Forwarded-Proto": "https"},
                      "cookies": {"sessionid": "nwsc3gfqmau1tieryf0s0ahzcpfgylj1"}, "secure": false, "host": "testserver",
                      "body": "{}", "contentType": "application/json"}"#;
    let headers = [
        ("Content-Type", "application/json"),
        ("Vary", "Accept, Cookie"),
        ("Allow", "GET, POST, HEAD, OPTIONS"),
        ("X-Frame-Options", "DENY"),
        ("Strict-Transport-Security", "max-age=31536000; includeSubDomains"),
        ("X-Content-Type-Options", "nosniff"),
        ("Referrer-Policy", "same-origin"),
        ("Cross-Origin-Opener-Policy", "same-origin-allow-popups"),
        ("Content-Length", "63"),
    ];
    let body = r#"{"detail":"CSRF Failed: Referer checking failed - no Referer."}"#;
    replay_vector(&policy, request, items(false), Some((403, body, &headers)));
}

#[test]
fn configurations_where_django_answers_500() {
    // Seed 5, case 246: CSRF_USE_SESSIONS with CsrfViewMiddleware before SessionMiddleware.
    let policy = format!(
        r#"{{"authentication": ["jwt", "token", "session"], "permissions": ["IsAuthenticated"],
        "settings": {{"csrf": {{"useSessions": true, {HOSTS}}}, {JWT}}}, "views": {{"items": {{"model": "testapp.Widget"}}}},
        "middleware": {{{}, {HOSTS}}}}}"#,
        classes(&["Security", "Common", "Csrf", "Session", "Auth", "Messages"])
    );
    let request = r#"{"method": "POST", "path": "/v/it%65ms/", "headers": {"Origin": "//app.example.com",
                      "X-Forwarded-Proto": "https", "X-CSRFToken": "AbCdEfGhIjKlMnOpQrStUvWxYz012345"},
                      "cookies": {"csrftoken": "AbCdEfGhIjKlMnOpQrStUvWxYz012345"}, "secure": false, "host": "testserver",
                      "body": "{}", "contentType": "application/json"}"#;
    replay_vector(&policy, request, items(false), None);
    // Seed 5, case 25: AuthenticationMiddleware before SessionMiddleware.
    let policy = format!(
        r#"{{"authentication": ["session", "jwt", "token", "basic"], "permissions": ["IsAuthenticated"],
        "settings": {{{JWT}, "csrf": {{{HOSTS}}}}}, "views": {{"items": {{"model": "testapp.Widget"}}}},
        "middleware": {{{}, {HOSTS}}}}}"#,
        classes(&["XFrame", "Auth", "Session"])
    );
    let request = r#"{"method": "PUT", "path": "/v/items/7/", "headers": {"Host": "api.example.com"},
                      "secure": false, "host": "api.example.com", "body": "{}", "contentType": "application/json"}"#;
    let target = RequestTarget { object: Some(Some(serde_json::json!({"id": 7, "pk": 7}))), ..items(true) };
    replay_vector(&policy, request, target, None);
    // Seed 1, case 150: a CORS_ALLOWED_ORIGINS entry urlsplit refuses ("http://[::1"), even for a
    // listed origin.
    let policy = format!(
        r#"{{"authentication": ["jwt", "session", "basic"], "permissions": ["AllowAny"],
        "settings": {{{JWT}, "csrf": {{{HOSTS}}}}}, "views": {{"items": {{"model": "testapp.Widget"}}}},
        "middleware": {{{}, {HOSTS},
          "cors": {{"allowedOrigins": ["https://app.example.com", "http://[::1"], "urlsRegex": "^/v/.*$"}}}}}}"#,
        classes(&["Cors", "Session", "Auth", "Messages"])
    );
    let request = r#"{"method": "OPTIONS", "path": "/v/items/", "headers": {"Origin": "HTTPS://app.example.com",
                      "Access-Control-Request-Method": "PATCH"}, "secure": true, "host": "testserver"}"#;
    replay_vector(&policy, request, items(false), None);
}

/// DISALLOWED_USER_AGENTS = [r"^$"]: real Django answers an empty `User-Agent:` line with its
/// 403 page and checks nothing without the header (the conformance oracle's middleware family,
/// `empty_header_specs`: 403 text/html, and DRF's 401 without it). Where the runtime drops empty
/// lines (workerd), a request without `User-Agent` is the origin's.
#[test]
fn a_dropped_empty_user_agent_line_is_the_origins_under_disallowed_user_agents() {
    let policy = format!(
        r#"{{"authentication": ["basic"], "permissions": ["IsAuthenticated"],
        "views": {{"items": {{"model": "testapp.Widget"}}}}, "renderers": ["rest_framework.renderers.JSONRenderer"],
        "middleware": {{{}, {HOSTS}, "common": {{"disallowedUserAgents": true}}}}}}"#,
        classes(&["Common"])
    );
    let request = |dropped: bool| {
        format!(
            r#"{{"method": "GET", "path": "/v/items/", "headers": {{"Accept": "application/json"}},
                "host": "testserver", "emptyHeadersDropped": {dropped}}}"#
        )
    };
    replay_vector(&policy, &request(true), items(false), None);
    // Where empty lines reach the Worker, no `User-Agent` is no check at all: DRF's 401.
    let gate = Gate::from_json(&policy).unwrap();
    let kept = RawRequest::from_input(serde_json::from_str(&request(false)).unwrap()).unwrap();
    let EdgeOutcome::Decided(decision, _) = gate.check_request(&kept, &items(false), &AliceSession, 0.0).unwrap()
    else {
        panic!()
    };
    assert_eq!((decision.status, decision.respond()), (401, true), "{}", decision.body);
}

/// A URL's authority is not latin-1-checked as a header is: the Kelvin sign (U+212A) lowers to
/// ASCII `k` under Unicode rules, but no server hands Django that character (WSGI's header bytes
/// are latin-1, none of which lowers to ASCII), so `get_host()` may not take it; CommonMiddleware's
/// host check is then the origin's.
#[test]
fn a_host_beyond_latin1_is_not_lowered_into_allowed_hosts() {
    let gate = Gate::from_json(&POLICY.replace("api.example.com", "k.example.com")).unwrap();
    let raw = |host: &str| {
        let json = format!(r#"{{"method": "POST", "url": "https://{host}/api/posts/"}}"#);
        RawRequest::from_input(serde_json::from_str(&json).unwrap()).unwrap()
    };
    assert_eq!(decide(&gate, &raw("k.example.com")).0, 401);
    assert!(decide(&gate, &raw("k.example.com")).1);
    assert!(!decide(&gate, &raw("\u{212a}.example.com")).1);
}

/// No rows (authoritative), counting the lookups asked.
#[derive(Default)]
struct Counting(Cell<usize>);

impl Resolver for Counting {
    fn token(&self, _key: &str) -> Lookup {
        self.0.set(self.0.get() + 1);
        Lookup::NotFound
    }
    fn session(&self, _session_key: &str) -> Lookup {
        self.0.set(self.0.get() + 1);
        Lookup::NotFound
    }
}

/// Where the origin's middleware makes every response the origin's from the request alone, the
/// first step forwards (`middleware-renders`): no lookup, no body, no object.
#[test]
fn the_request_alone_leaves_the_answer_to_the_middleware_before_any_lookup() {
    let gate = gate();
    let redirect =
        Gate::from_json(&POLICY.replace(r#""hstsSeconds": 60"#, r#""hstsSeconds": 60, "sslRedirect": true"#)).unwrap();
    let session = "sessionid=abcdefgh12345678";
    let cases: [(&Gate, RawRequest); 6] = [
        // CommonMiddleware: get_host() refuses the host (Django's 400).
        (
            &gate,
            RawRequest::new("POST")
                .path("/api/posts/")
                .host("evil.example")
                .header("Authorization", "Token abc")
                .unwrap(),
        ),
        // CsrfViewMiddleware: a malformed csrftoken cookie gets a new random one (Set-Cookie).
        (&gate, request("POST", &[("Cookie", &format!("csrftoken=bad; {session}"))]).body_pending(true)),
        (&gate, request("GET", &[("Cookie", "csrftoken=bad"), ("Authorization", "Token abc")])),
        // SessionMiddleware: a key Django does not take is deleted (Set-Cookie).
        (&gate, request("GET", &[("Cookie", "sessionid=short"), ("Authorization", "Token abc")])),
        // SecurityMiddleware: SECURE_SSL_REDIRECT over http (a redirect).
        (&redirect, request("GET", &[("Authorization", "Token abc")])),
        // CorsMiddleware: a preflight whose answer only the origin renders (csrftoken malformed
        // behind it is not reached; an Origin beyond ASCII is echoed differently by runtimes).
        (
            &gate,
            request(
                "OPTIONS",
                &[
                    ("Origin", "https://caf\u{e9}.example"),
                    ("Access-Control-Request-Method", "POST"),
                    ("Authorization", "Token abc"),
                ],
            ),
        ),
    ];
    for (gate, request) in cases {
        let resolver = Counting::default();
        let outcome = gate.check_request(&request, &RequestTarget::default(), &resolver, 0.0).unwrap();
        assert!(matches!(outcome, EdgeOutcome::Forward(ForwardReason::MiddlewareRenders)), "{request:?}: {outcome:?}");
        assert_eq!(resolver.0.get(), 0, "{request:?}");
        // The step protocol: the first step forwards, asking neither a lookup nor the body.
        let mut pending = PendingRequest::new(request.clone(), RequestTarget::default(), 0.0);
        let step = pending.step(gate).unwrap();
        assert_eq!(
            serde_json::to_string(&step).unwrap(),
            r#"{"forward":{"reason":"middleware-renders"}}"#,
            "{request:?}"
        );
    }
}

/// Where the middleware's answer still turns on who the user is, the edge decides as before.
#[test]
fn a_response_that_turns_on_the_user_still_asks_its_lookups() {
    let gate = gate();
    // A session key Django takes: kept or deleted as the session exists (the origin knows).
    let resolver = Counting::default();
    let unknown = request("GET", &[("Cookie", "sessionid=nosuchsession000000")]);
    let outcome = gate.check_request(&unknown, &RequestTarget::default(), &resolver, 0.0).unwrap();
    let EdgeOutcome::Decided(decision, _) = outcome else { panic!("{outcome:?}") };
    assert!(!decision.respond());
    assert_eq!(resolver.0.get(), 1);
    // A token's request without middleware trouble: its lookup, and DRF's 401 at the edge.
    let resolver = Counting::default();
    let token = request("GET", &[("Authorization", "Token abc")]);
    let EdgeOutcome::Decided(decision, _) =
        gate.check_request(&token, &RequestTarget::default(), &resolver, 0.0).unwrap()
    else {
        panic!()
    };
    assert_eq!((decision.status, decision.respond(), resolver.0.get()), (401, true, 1));
}
