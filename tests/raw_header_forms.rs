#![cfg(test)] // test code: clippy.toml lets it unwrap, expect, index and panic
//! Header forms Django's servers and a Fetch runtime see differently: names spelt with `_` for
//! `-`, repeated lines (joined with `","` by the servers, `", "` by Fetch `Headers`), and the
//! `Cookie` header's bytes (UTF-8 to Django). Where the edge cannot know what Django saw it
//! forwards; the conformance families `edge:header-names` and `edge:cookie-forms` replay the
//! rest against real DRF.
use drf_gate::authentication::{AnswerCache, RawRequest, RawRequestInput};
use drf_gate::edge::{EdgeOutcome, ForwardReason, RequestTarget};
use drf_gate::Gate;

const POLICY: &str = r#"{"authentication": ["token", "session"], "permissions": ["IsAuthenticated"],
    "settings": {"csrf": {"allowedHosts": ["testserver"]}}, "views": {"posts": {}}}"#;

fn outcome(request: &RawRequest) -> String {
    let gate = Gate::from_json(POLICY).unwrap();
    let target = RequestTarget { view: Some("posts".into()), ..Default::default() };
    match gate.check_request(request, &target, &AnswerCache::default(), 0.0).unwrap() {
        EdgeOutcome::Decided(decision, _) => format!("{} {}", decision.status, decision.body),
        EdgeOutcome::Forward(reason) => serde_json::to_value(&reason).unwrap()["reason"].as_str().unwrap().to_string(),
        EdgeOutcome::NeedsLookup(key) => format!("lookup {}", serde_json::to_string(&key).unwrap()),
        other => format!("{other:?}"),
    }
}

fn input(json: &str) -> RawRequest {
    RawRequest::from_input(serde_json::from_str::<RawRequestInput>(json).unwrap()).unwrap()
}

#[test]
fn underscore_spellings_of_a_read_header_forward() {
    // The token class reads HTTP_AUTHORIZATION (no '-': no '_' spelling can reach it).
    let plain = input(r#"{"method": "GET", "headers": {"X_Anything": "1"}}"#);
    assert_eq!(outcome(&plain), r#"401 {"detail":"Authentication credentials were not provided."}"#);
    // The CSRF header is read on a session POST: `X_CSRFToken` is dropped by WSGI servers and
    // kept by ASGI ones.
    for name in ["X_CSRFToken", "x_csrftoken", "X-CSRF_Token"] {
        let json = format!(
            r#"{{"method": "POST", "host": "testserver", "cookies": {{"sessionid": "s", "csrftoken": "{0}"}},
                "headers": {{"{name}": "{0}"}}}}"#,
            "a".repeat(32)
        );
        let request = input(&json);
        let mut cache = AnswerCache::default();
        cache.insert(
            drf_gate::authentication::LookupKey::Session { session_key: "s".into() },
            serde_json::from_str(r#"{"user": {"id": 1, "username": "u"}}"#).unwrap(),
        );
        let gate = Gate::from_json(POLICY).unwrap();
        let target = RequestTarget { view: Some("posts".into()), ..Default::default() };
        let got = gate.check_request(&request, &target, &cache, 0.0).unwrap();
        let expected = if name == "X-CSRF_Token" { None } else { Some(ForwardReason::AmbiguousHeaderName) };
        match (got, expected) {
            (EdgeOutcome::Forward(reason), Some(expected)) => assert_eq!(reason, expected, "{name}"),
            (EdgeOutcome::Decided(decision, _), None) => assert_eq!(decision.status, 403, "{name}"),
            (got, _) => panic!("{name}: {got:?}"),
        }
    }
}

#[test]
fn fetch_joined_values_forward_when_read() {
    // `Token a` + `b` as two lines: DRF sees `Token a,b` (the token `a,b`), Fetch `Token a, b`.
    let fetched = input(r#"{"method": "GET", "headersJoined": true, "headers": {"Authorization": "Token a, b"}}"#);
    assert_eq!(outcome(&fetched), "joined-header");
    let given = input(r#"{"method": "GET", "headers": {"Authorization": "Token a, b"}}"#);
    assert_eq!(outcome(&given), r#"401 {"detail":"Invalid token header. Token string should not contain spaces."}"#);
    // No ", " in what is read: decided as usual; a list header read the same either way.
    let single = input(
        r#"{"method": "GET", "headersJoined": true, "headers": {"Authorization": "Token a,b", "Accept": "text/html, application/json", "X-Other": "a, b"}}"#,
    );
    assert_eq!(outcome(&single), r#"lookup {"kind":"token","key":"a,b"}"#);
}

#[test]
fn repeated_names_join_as_django_servers_do() {
    let request =
        RawRequest::new("GET").header("Authorization", "Token a").unwrap().header("authorization", "b").unwrap();
    assert_eq!(request.meta("HTTP_AUTHORIZATION"), Some("Token a,b"));
    assert_eq!(outcome(&request), r#"lookup {"kind":"token","key":"a,b"}"#);
}

#[test]
fn cookie_header_bytes_are_utf8_to_django() {
    // `get_str_from_wsgi`: latin-1 chars back to bytes, decoded as UTF-8 with errors="replace".
    let request = RawRequest::new("GET").header("Cookie", "sessionid=s\u{a0}; csrftoken=\u{e2}\u{80}\u{83}t").unwrap();
    assert_eq!(request.cookie("sessionid").as_deref(), Some("s\u{fffd}"));
    assert_eq!(request.cookie("csrftoken").as_deref(), Some("t"));
    assert_eq!(outcome(&request), "lookup {\"kind\":\"session\",\"sessionKey\":\"s\u{fffd}\"}");
}
