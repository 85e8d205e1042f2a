//! The origin's middleware layer (src/middleware.rs) on raw requests: the headers Django's
//! middleware and django-cors-headers add to DRF's responses, CORS preflights, and the requests
//! only the origin can answer. The same rules are checked against the running sample project by
//! wasm-tests/workerd (every response header compared).
#![cfg(test)] // test code: clippy.toml lets it unwrap, expect, index and panic

use drf_gate::authentication::{AnswerCache, Lookup, RawRequest, Resolver};
use drf_gate::edge::{EdgeOutcome, RequestTarget};
use drf_gate::Gate;

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
