//! The edge answers only when it is certain: lookups that are not known here, bodies it has not
//! read (or cannot), and DRF's `request.user` after authentication. Body limits are checked
//! against outcomes recorded from real Django/DRF (`tests/authentication_vectors/gen_bodies.py`).
#![cfg(test)] // test code: clippy.toml lets it unwrap, expect, index and panic

mod common;

use drf_gate::authentication::*;
use drf_gate::edge::{EdgeOutcome, ForwardReason, RequestTarget};
use drf_gate::user::UserInput;
use drf_gate::Gate;
use serde_json::{json, Value};

fn alice() -> UserInput {
    UserInput { id: Some(json!(1)), username: Some("alice".into()), ..Default::default() }
}

/// Answers from a fixed table; anything else is `Unknown`, as a store that may lag would say.
struct Store {
    authoritative: bool,
}

impl Resolver for Store {
    fn token(&self, key: &str) -> Lookup {
        match key {
            "good" => Lookup::Found(alice()),
            _ if self.authoritative => Lookup::NotFound,
            _ => Lookup::Unknown,
        }
    }
    fn session(&self, key: &str) -> Lookup {
        match key {
            "s1" => Lookup::Found(alice()),
            "inactive" => Lookup::Found(UserInput { is_active: false, ..alice() }),
            _ if self.authoritative => Lookup::NotFound,
            _ => Lookup::Unknown,
        }
    }
    fn session_csrf_secret(&self, _: &str) -> Lookup<String> {
        Lookup::NotFound
    }
}

fn b64url(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk.iter().enumerate().fold(0u32, |n, (i, &b)| n | u32::from(b) << (16 - 8 * i));
        for i in 0..=chunk.len() {
            out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
        }
    }
    out
}

fn gate() -> Gate {
    Gate::from_json(
        r#"{"authentication": ["session", "token", "jwt"], "permissions": ["IsAuthenticated"],
            "settings": {"jwt": {"signingKey": "k"}}, "views": {"posts": {}, "stateless": {"authentication": ["session", "jwtStateless"]}}}"#,
    )
    .unwrap()
}

fn target(view: &str) -> RequestTarget {
    RequestTarget { view: Some(view.into()), ..Default::default() }
}

#[test]
fn unknown_lookups_forward_and_authoritative_misses_deny() {
    let gate = gate();
    let request = RawRequest::new("GET").header("Authorization", "Token new-token").unwrap();
    match gate.check_request(&request, &target("posts"), &Store { authoritative: false }, 0.0).unwrap() {
        EdgeOutcome::Forward(reason) => {
            assert_eq!(reason, ForwardReason::UnknownLookup { lookup: LookupKey::Token { key: "new-token".into() } })
        }
        other => panic!("{other:?}"),
    }
    let EdgeOutcome::Decided(decision, _) =
        gate.check_request(&request, &target("posts"), &Store { authoritative: true }, 0.0).unwrap()
    else {
        panic!()
    };
    // SessionAuthentication is first: no WWW-Authenticate, so 403 (DRF).
    assert_eq!((decision.status, &*decision.body), (403, r#"{"detail":"Invalid token."}"#));
    // A session the store does not know is not "anonymous": DRF might find it.
    let request = RawRequest::new("GET").header("Cookie", "sessionid=new").unwrap();
    assert!(matches!(
        gate.check_request(&request, &target("posts"), &Store { authoritative: false }, 0.0).unwrap(),
        EdgeOutcome::Forward(_)
    ));
    // A resolver that implements nothing knows nothing.
    struct Nothing;
    impl Resolver for Nothing {}
    let request = RawRequest::new("GET").header("Authorization", "Token good").unwrap();
    assert!(matches!(gate.check_request(&request, &target("posts"), &Nothing, 0.0).unwrap(), EdgeOutcome::Forward(_)));
}

/// workerd drops header lines with an empty value. DRF reads an empty `Accept:` as no
/// acceptable type (406: the conformance oracle's `edge:negotiation` cases with `Accept: ""`),
/// an absent one as `*/*`: without `Accept` there, the origin decides, unless the two negotiate
/// alike (an unknown `?format=` is DRF's 404 either way).
#[test]
fn a_dropped_empty_accept_line_leaves_negotiation_to_the_origin() {
    let gate = gate();
    let step = |request: &str, extra: &str| {
        let text = format!(r#"{{"request": {request}, "view": "posts"{extra}}}"#);
        serde_json::to_value(gate.check_request_json(&text).unwrap()).unwrap()
    };
    let dropped = r#"{"method": "GET", "headers": {}, "emptyHeadersDropped": true}"#;
    let decision = &step(dropped, "")["decision"];
    assert_eq!((&decision["status"], &decision["respond"]), (&json!(500), &json!(false)), "{decision}");
    // Where the runtime keeps empty lines, or the request carries `Accept`, DRF's answer.
    let kept = step(r#"{"method": "GET", "headers": {}}"#, "");
    assert_eq!(kept["decision"]["status"], json!(403), "{kept}");
    let given =
        step(r#"{"method": "GET", "headers": {"Accept": "application/json"}, "emptyHeadersDropped": true}"#, "");
    assert_eq!(given["decision"]["status"], json!(403), "{given}");
    let empty = step(r#"{"method": "GET", "headers": {"Accept": ""}}"#, "");
    assert_eq!(empty["decision"]["status"], json!(406), "{empty}");
    let unknown_format = step(dropped, r#", "format": "xml""#);
    assert_eq!(unknown_format["decision"]["status"], json!(404), "{unknown_format}");
    // Allowed with `*/*`, but DRF's 406 comes first with an empty line: the origin's too.
    let token = r#", "answers": [{"key": {"kind": "token", "key": "good"}, "answer": {"user": {"id": 1}}}]"#;
    let allowed =
        step(r#"{"method": "GET", "headers": {"Authorization": "Token good"}, "emptyHeadersDropped": true}"#, token);
    assert_eq!(
        (&allowed["decision"]["status"], &allowed["decision"]["allowed"]),
        (&json!(500), &json!(false)),
        "{allowed}"
    );
    let kept = step(r#"{"method": "GET", "headers": {"Authorization": "Token good"}}"#, token);
    assert_eq!(kept["decision"]["allowed"], json!(true), "{kept}");
}

/// DRF's CSRF check of a session user's unsafe request rejects an empty `Origin:` before it
/// reads the token (the conformance oracle: `CSRF Failed: Origin checking failed -  does not
/// match any trusted origins.`). Where the runtime drops empty lines (workerd), a request
/// without `Origin` may have carried an empty one: the origin decides, even when the token is
/// good.
#[test]
fn a_dropped_empty_origin_line_leaves_the_csrf_check_to_the_origin() {
    let gate = gate();
    let step = |dropped: bool| {
        let token = "AbCdEfGhIjKlMnOpQrStUvWxYz012345";
        let text = format!(
            r#"{{"request": {{"method": "POST", "headers": {{"Accept": "application/json", "X-CSRFToken": "{token}",
                "Cookie": "theme=dark; sessionid=s1; csrftoken={token}"}}, "emptyHeadersDropped": {dropped}}}, "view": "posts",
                "answers": [{{"key": {{"kind": "session", "sessionKey": "s1"}}, "answer": {{"user": {{"id": 1}}}}}}]}}"#
        );
        serde_json::to_value(gate.check_request_json(&text).unwrap()).unwrap()
    };
    let kept = step(false);
    assert_eq!(kept["decision"]["allowed"], json!(true), "{kept}");
    let dropped = step(true);
    let decision = &dropped["decision"];
    assert_eq!(
        (&decision["status"], &decision["allowed"], &decision["respond"]),
        (&json!(500), &json!(false), &json!(false)),
        "{dropped}"
    );
}

/// workerd drops an empty `Cookie:` line while no value came before it and joins a later one
/// as `", "` (probed: `Cookie:` + `Cookie: sessionid=abc` reaches the Worker as `sessionid=abc`,
/// `Cookie: sessionid=abc` + `Cookie:` as `sessionid=abc, `); Django's servers join every line
/// with `","`, so to Django the first pair is `,sessionid`: no session. Where the runtime drops
/// empty lines, a decision that reads the first pair's cookie is the origin's, before any lookup
/// (the store is not asked); a cookie after it, or named again later, is the edge's.
#[test]
fn a_dropped_empty_cookie_line_leaves_the_first_cookie_to_the_origin() {
    let gate = gate();
    let step = |method: &str, cookie: &str, dropped: bool, answers: &str| {
        let text = format!(
            r#"{{"request": {{"method": "{method}", "url": "http://testserver/posts/", "headers": {{"Accept": "application/json",
                "Origin": "http://testserver", "X-CSRFToken": "AbCdEfGhIjKlMnOpQrStUvWxYz012345", "Cookie": "{cookie}"}},
                "emptyHeadersDropped": {dropped}}}, "view": "posts", "answers": [{answers}]}}"#
        );
        serde_json::to_value(gate.check_request_json(&text).unwrap()).unwrap()
    };
    let forwarded = json!({"forward": {"reason": "dropped-cookie-line"}});
    let asks = json!({"lookup": {"kind": "session", "sessionKey": "s1"}});
    // The session cookie first (or alone): forwarded where empty lines are dropped, not looked up.
    assert_eq!(step("GET", "sessionid=s1", true, ""), forwarded);
    assert_eq!(step("GET", "sessionid=s1; csrftoken=x", true, ""), forwarded);
    assert_eq!(step("GET", "sessionid=s1", false, ""), asks);
    // After another pair, or named again later (Django keeps the last): the edge's.
    assert_eq!(step("GET", "csrftoken=x; sessionid=s1", true, ""), asks);
    assert_eq!(step("GET", "sessionid=zz; sessionid=s1", true, ""), asks);
    assert_eq!(step("GET", " ; sessionid=s1", true, ""), asks);
    // A cookie no check reads may come first; no cookie at all stays no cookie.
    assert_eq!(step("GET", "sessionidx=s1", true, "")["decision"]["status"], json!(403));
    // The CSRF check of a session POST reads `csrftoken`: first, it is the origin's.
    let session = r#"{"key": {"kind": "session", "sessionKey": "s1"}, "answer": {"user": {"id": 1}}}"#;
    let token = "AbCdEfGhIjKlMnOpQrStUvWxYz012345";
    assert_eq!(step("POST", &format!("csrftoken={token}; sessionid=s1"), true, session), forwarded);
    let kept = step("POST", &format!("csrftoken={token}; sessionid=s1"), false, session);
    assert_eq!(kept["decision"]["allowed"], json!(true), "{kept}");
    let later = step("POST", &format!("theme=dark; csrftoken={token}; sessionid=s1"), true, session);
    assert_eq!(later["decision"]["allowed"], json!(true), "{later}");
}

#[test]
fn step_protocol_forwards_unknown_answers() {
    let gate = gate();
    let step = gate
        .check_request_json(
            r#"{"request": {"method": "GET", "headers": {"Authorization": "Token abc"}}, "view": "posts",
                "answers": [{"key": {"kind": "token", "key": "abc"}, "answer": {"unknown": true}}]}"#,
        )
        .unwrap();
    assert_eq!(
        serde_json::to_value(&step).unwrap(),
        json!({"forward": {"reason": "unknown-lookup", "lookup": {"kind": "token", "key": "abc"}}})
    );
}

#[test]
fn request_user_is_drfs() {
    let gate = gate();
    // An inactive session user makes SessionAuthentication return None; the stateless JWT's
    // TokenUser is request.user.
    let jwt = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJ0b2tlbl90eXBlIjoiYWNjZXNzIiwiZXhwIjo0MTAyNDQ0ODAwLCJpYXQiOjE3MDAwMDAwMDAsImp0aSI6ImoiLCJ1c2VyX2lkIjo3fQ.";
    let signature = {
        use hmac::{Hmac, Mac};
        let mut mac = Hmac::<sha2::Sha256>::new_from_slice(b"k").unwrap();
        mac.update(jwt.trim_end_matches('.').as_bytes());
        b64url(&mac.finalize().into_bytes())
    };
    let token = format!("{jwt}{signature}");
    let input = json!({"request": {"method": "GET", "headers": {"Cookie": "sessionid=inactive", "Authorization": format!("Bearer {token}")}},
        "view": "stateless", "now": 1.7e9,
        "answers": [{"key": {"kind": "session", "sessionKey": "inactive"}, "answer": {"user": {"id": 1, "isActive": false}}}]});
    let step = serde_json::to_value(gate.check_request_json(&input.to_string()).unwrap()).unwrap();
    assert_eq!(step["authentication"], json!({"succeeded": "JWTStatelessUserAuthentication"}), "{step}");
    assert_eq!(step["user"]["tokenUser"], json!(true));
    assert_eq!(step["user"]["id"], json!(7));
    assert!(step.get("userLookup").is_none());
    // A token user came from the token lookup.
    let input = json!({"request": {"method": "GET", "headers": {"Authorization": "Token good"}}, "view": "posts",
        "answers": [{"key": {"kind": "token", "key": "good"}, "answer": {"user": {"id": 1}}}]});
    let step = serde_json::to_value(gate.check_request_json(&input.to_string()).unwrap()).unwrap();
    assert_eq!(step["userLookup"], json!({"kind": "token", "key": "good"}));
    assert_eq!(step["user"]["id"], json!(1));
}

#[test]
fn a_long_valid_jwt_is_accepted() {
    // simplejwt sets no length limit of its own: a long claim is a valid token, up to what the
    // servers pass to Django (an 8190-byte header line); beyond that the origin decides.
    use hmac::{Hmac, Mac};
    let b64 = b64url;
    let token = |pad: usize| {
        let header = b64(br#"{"alg":"HS256","typ":"JWT"}"#);
        let payload = b64(
            json!({"token_type": "access", "exp": 4102444800u64, "jti": "j", "user_id": 7, "pad": "p".repeat(pad)})
                .to_string()
                .as_bytes(),
        );
        let mut mac = Hmac::<sha2::Sha256>::new_from_slice(b"k").unwrap();
        mac.update(format!("{header}.{payload}").as_bytes());
        format!("{header}.{payload}.{}", b64(&mac.finalize().into_bytes()))
    };
    let gate = gate();
    let long = token(5600);
    assert!(long.len() > 7 * 1024);
    let request = RawRequest::new("GET").header("Authorization", &format!("Bearer {long}")).unwrap();
    let EdgeOutcome::Decided(decision, authenticated) =
        gate.check_request(&request, &target("stateless"), &Store { authoritative: true }, 1.7e9).unwrap()
    else {
        panic!()
    };
    assert!(decision.allowed, "{decision:?}");
    assert_eq!(
        authenticated.unwrap().outcome,
        AuthenticationOutcome::Succeeded("JWTStatelessUserAuthentication".into())
    );
    let longer = token(12 * 1024);
    let request = RawRequest::new("GET").header("Authorization", &format!("Bearer {longer}")).unwrap();
    let outcome = gate.check_request(&request, &target("stateless"), &Store { authoritative: true }, 1.7e9).unwrap();
    assert!(matches!(
        outcome,
        EdgeOutcome::Forward(drf_gate::edge::ForwardReason::HeadersBeyondServerLimits {
            limit: "header_field_too_large"
        })
    ));
}

fn vectors() -> Value {
    common::jsonl(include_str!("authentication_vectors/bodies.jsonl"))
}

fn body_of(case: &Value) -> Vec<u8> {
    let mut out = Vec::new();
    for segment in case["body"].as_array().unwrap() {
        match segment {
            Value::String(text) => out.extend(text.chars().map(|c| c as u8)),
            _ => out.extend(std::iter::repeat_n(
                segment["byte"].as_str().unwrap().as_bytes()[0],
                segment["times"].as_u64().unwrap() as usize,
            )),
        }
    }
    out
}

fn expected(case: &Value) -> Value {
    let want = &case["expected"];
    if want.get("user").is_some() {
        json!({"succeeded": "session"})
    } else if let Some(name) = want.get("badRequest") {
        json!({"badRequest": name})
    } else {
        let failed = &want["failed"];
        json!({"failed": {"exception": failed["exception"], "detail": failed["detail"]}})
    }
}

fn outcome(result: Result<Authenticated, Undecided>) -> Value {
    match result {
        Ok(authenticated) => match authenticated.outcome {
            AuthenticationOutcome::Succeeded(name) => json!({"succeeded": name}),
            AuthenticationOutcome::None(_) => json!({"none": true}),
            AuthenticationOutcome::Failed(failure) if failure.exception == FailureKind::BadRequest => {
                json!({"badRequest": failure.detail})
            }
            AuthenticationOutcome::Failed(failure) => {
                json!({"failed": {"exception": failure.exception, "detail": failure.detail}})
            }
        },
        Err(undecided) => json!({"undecided": format!("{undecided:?}")}),
    }
}

fn settings_of(case: &Value) -> CompiledSettings {
    let settings = json!({"csrf": {"allowedHosts": ["*"]}, "upload": case.get("upload").cloned().unwrap_or(json!({}))});
    CompiledSettings::compile(&serde_json::from_value(settings).unwrap()).unwrap()
}

fn request_of(case: &Value, token: &str, with_length: bool) -> RawRequest {
    let _ = token;
    let body = body_of(case);
    let mut request = RawRequest::new(case.get("method").and_then(Value::as_str).unwrap_or("POST"))
        .host("testserver")
        .header("Content-Type", case["contentType"].as_str().unwrap())
        .unwrap()
        .header("Cookie", &format!("csrftoken={}; sessionid=s1", vectors()["secret"].as_str().unwrap()))
        .unwrap();
    if with_length {
        request = request.header("Content-Length", &body.len().to_string()).unwrap();
    }
    if let Some(headers) = case.get("headers").and_then(Value::as_object) {
        for (name, value) in headers {
            request = request.header(name, value.as_str().unwrap()).unwrap();
        }
    }
    request
}

#[test]
fn bodies_are_judged_as_django_judges_them() {
    let vectors = vectors();
    let token = vectors["token"].as_str().unwrap();
    let classes = [Authenticator::new("session", AuthenticationClass::Session)];
    let store = Store { authoritative: true };
    for case in vectors["cases"].as_array().unwrap() {
        let settings = settings_of(case);
        let want = expected(case);
        let body = body_of(case);
        // Given up front.
        let request = request_of(case, token, true).body(&body);
        assert_eq!(outcome(authenticate(&request, &classes, &settings, &store, 0.0)), want, "{}", case["label"]);
        // Read only when asked, with and without a Content-Length.
        for with_length in [true, false] {
            let pending = request_of(case, token, with_length).body_pending(true);
            let result = match authenticate(&pending, &classes, &settings, &store, 0.0) {
                Err(Undecided::Body { max_bytes, .. }) => {
                    let read = if body.len() > max_bytes {
                        request_of(case, token, with_length).body_too_large()
                    } else {
                        request_of(case, token, with_length).body(&body)
                    };
                    authenticate(&read, &classes, &settings, &store, 0.0)
                }
                other => other,
            };
            assert_eq!(outcome(result), want, "{} (pending, Content-Length: {with_length})", case["label"]);
        }
    }
}

#[test]
fn bodies_are_read_only_when_a_check_needs_them() {
    let classes = [Authenticator::new("session", AuthenticationClass::Session)];
    let settings = CompiledSettings::compile(&AuthenticationSettings::default()).unwrap();
    let store = Store { authoritative: true };
    let pending = |method: &str, cookie: &str, extra: Option<(&str, &str)>| {
        let mut request = RawRequest::new(method)
            .header("Content-Type", "application/x-www-form-urlencoded")
            .unwrap()
            .header("Content-Length", "10")
            .unwrap()
            .header("Cookie", cookie)
            .unwrap()
            .body_pending(true);
        if let Some((name, value)) = extra {
            request = request.header(name, value).unwrap();
        }
        request
    };
    let secret = "A".repeat(32);
    let cookie = format!("csrftoken={secret}; sessionid=s1");
    let asks = |request: &RawRequest| {
        matches!(authenticate(request, &classes, &settings, &store, 0.0), Err(Undecided::Body { .. }))
    };
    assert!(asks(&pending("POST", &cookie, None)));
    // Safe methods, PUT/PATCH/DELETE (header only), no session, an unknown session user, a
    // missing CSRF cookie: no body.
    assert!(!asks(&pending("GET", &cookie, None)));
    assert!(!asks(&pending("PATCH", &cookie, None)));
    assert!(!asks(&pending("POST", "sessionid=s1", None)));
    assert!(!asks(&pending("POST", &format!("csrftoken={secret}"), None)));
    assert!(!asks(&pending("POST", &format!("csrftoken={secret}; sessionid=inactive"), None)));
    assert!(!asks(&pending("POST", &cookie, Some(("Origin", "https://evil.example")))));
    // A Content-Length over DATA_UPLOAD_MAX_MEMORY_SIZE is Django's 400 without reading.
    let big = RawRequest::new("POST")
        .header("Content-Type", "application/json")
        .unwrap()
        .header("Content-Length", "3000000")
        .unwrap()
        .header("Cookie", &cookie)
        .unwrap()
        .body_pending(true);
    let result = authenticate(&big, &classes, &settings, &store, 0.0).unwrap();
    assert!(matches!(result.outcome, AuthenticationOutcome::Failed(ref f) if f.exception == FailureKind::BadRequest));
    // A multipart body beyond what the edge reads: forwarded.
    let upload = RawRequest::new("POST")
        .header("Content-Type", "multipart/form-data; boundary=x")
        .unwrap()
        .header("Content-Length", "50000000")
        .unwrap()
        .header("Cookie", &cookie)
        .unwrap()
        .body_pending(true);
    let Err(Undecided::Body { max_bytes, .. }) = authenticate(&upload, &classes, &settings, &store, 0.0) else {
        panic!()
    };
    assert_eq!(max_bytes, request::MAX_BODY_BYTES);
    let upload = RawRequest::new("POST")
        .header("Content-Type", "multipart/form-data; boundary=x")
        .unwrap()
        .header("Cookie", &cookie)
        .unwrap()
        .body_too_large();
    assert!(matches!(authenticate(&upload, &classes, &settings, &store, 0.0), Err(Undecided::BodyTooLarge { .. })));
}

/// A store that finds nothing and says so: every miss is authoritative.
struct Empty;

impl Resolver for Empty {
    fn session(&self, _: &str) -> Lookup {
        Lookup::NotFound
    }
    fn remote_user(&self, _: &str) -> Lookup {
        Lookup::NotFound
    }
}

#[test]
fn misses_django_answers_otherwise_forward_even_from_an_authoritative_store() {
    // RemoteUserBackend's create_unknown_user: DRF creates `newbie` and answers 200 (conformance
    // edge:lookup-authority); a session engine without rows: DRF answers the logged-in user.
    // The outcome: "forward" (an unknown lookup) or the status the edge answers.
    let decide = |settings: Value, auth: &str, request: RawRequest| -> String {
        let policy = json!({"authentication": [auth], "permissions": ["IsAuthenticated"], "settings": settings, "views": {"posts": {}}});
        let gate = Gate::from_json(&policy.to_string()).unwrap();
        match gate.check_request(&request, &target("posts"), &Empty, 0.0).unwrap() {
            EdgeOutcome::Forward(ForwardReason::UnknownLookup { .. }) => "forward".into(),
            EdgeOutcome::Decided(decision, _) => decision.status.to_string(),
            other => format!("{other:?}"),
        }
    };
    let remote = || RawRequest::new("GET").meta_entry("REMOTE_USER", "newbie");
    let session = || RawRequest::new("GET").cookies([("sessionid".to_string(), "k".repeat(32))].into());
    for (settings, auth, request) in [
        (json!({"remoteUser": {"createUnknownUser": true}}), "remoteUser", remote()),
        // Not said: Django's RemoteUserBackend, which creates users (the exporter always says).
        (json!({}), "remoteUser", remote()),
        (json!({"session": {"engine": "django.contrib.sessions.backends.signed_cookies"}}), "session", session()),
        (json!({"session": {"engine": "django.contrib.sessions.backends.cache"}}), "session", session()),
    ] {
        assert_eq!(decide(settings.clone(), auth, request), "forward", "{settings}");
    }
    // Without them (and under the database engines) the miss is DRF's anonymous user: 403.
    for (settings, auth, request) in [
        (json!({"remoteUser": {"createUnknownUser": false}}), "remoteUser", remote()),
        (json!({}), "session", session()),
        (json!({"session": {"engine": "django.contrib.sessions.backends.cached_db"}}), "session", session()),
    ] {
        assert_eq!(decide(settings.clone(), auth, request), "403", "{settings}");
    }
}

/// DRF's CSRF check reads the token header when the form has none: an empty `X-CSRFToken:` line
/// is "has incorrect length", none at all "CSRF token missing." (the conformance oracle's
/// `edge:empty-headers` cases, real DRF). Where the runtime drops empty lines (workerd), a
/// request with `Origin` but without the token header is the origin's.
#[test]
fn a_dropped_empty_csrf_token_line_leaves_the_csrf_check_to_the_origin() {
    let gate = gate();
    let step = |token: Option<&str>, dropped: bool| {
        let cookie = "AbCdEfGhIjKlMnOpQrStUvWxYz012345";
        let header = token.map_or(String::new(), |token| format!(r#", "X-CSRFToken": "{token}""#));
        let text = format!(
            r#"{{"request": {{"method": "POST", "url": "http://testserver/posts/", "headers": {{"Accept": "application/json",
                "Origin": "http://testserver", "Cookie": "theme=dark; sessionid=s1; csrftoken={cookie}"{header}}},
                "emptyHeadersDropped": {dropped}}}, "view": "posts",
                "answers": [{{"key": {{"kind": "session", "sessionKey": "s1"}}, "answer": {{"user": {{"id": 1}}}}}}]}}"#
        );
        serde_json::to_value(gate.check_request_json(&text).unwrap()).unwrap()
    };
    let missing = step(None, false);
    assert_eq!(missing["decision"]["body"], json!(r#"{"detail":"CSRF Failed: CSRF token missing."}"#), "{missing}");
    let empty = step(Some(""), false);
    assert_eq!(
        empty["decision"]["body"],
        json!(r#"{"detail":"CSRF Failed: CSRF token from the 'X-Csrftoken' HTTP header has incorrect length."}"#),
        "{empty}"
    );
    let dropped = step(None, true);
    let decision = &dropped["decision"];
    assert_eq!(
        (&decision["status"], &decision["allowed"], &decision["respond"]),
        (&json!(500), &json!(false), &json!(false)),
        "{dropped}"
    );
    // The token given: the check is decided as before (the header was not empty).
    let given = step(Some("AbCdEfGhIjKlMnOpQrStUvWxYz012345"), true);
    assert_eq!(given["decision"]["allowed"], json!(true), "{given}");
}

/// With a CSRF cookie domain, Django's Referer check compares against `domain:SERVER_PORT`
/// (the port left out when 80 or 443). `SERVER_PORT` is the origin server's own: the test
/// client's 80/443, gunicorn's `Host` port, runserver's and uvicorn's listening port. The
/// conformance oracle states it (`port`) and those cases are decided; a request that does not
/// state it (a Worker's `Request`: its URL's port is the public one) leaves a Referer that could
/// match under some port to the origin, and still rejects one that matches under none.
#[test]
fn an_unstated_server_port_leaves_the_cookie_domain_referer_check_to_the_origin() {
    let gate = Gate::from_json(
        r#"{"authentication": ["session"], "permissions": ["IsAuthenticated"],
            "settings": {"csrf": {"cookieDomain": ".example.com"}}, "views": {"posts": {}}}"#,
    )
    .unwrap();
    let step = |referer: &str, port: Option<&str>| {
        let token = "AbCdEfGhIjKlMnOpQrStUvWxYz012345";
        let port = port.map_or(String::new(), |port| format!(r#", "port": "{port}""#));
        let text = format!(
            r#"{{"request": {{"method": "POST", "url": "https://api.example.com/posts/"{port}, "headers": {{"Accept": "application/json",
                "Referer": "{referer}", "X-CSRFToken": "{token}", "Cookie": "sessionid=s1; csrftoken={token}"}}}}, "view": "posts",
                "answers": [{{"key": {{"kind": "session", "sessionKey": "s1"}}, "answer": {{"user": {{"id": 1}}}}}}]}}"#
        );
        serde_json::to_value(gate.check_request_json(&text).unwrap()).unwrap()["decision"].clone()
    };
    let origins = |decision: &Value| (decision["status"].clone(), decision["respond"].clone());
    // Stated: decided (80/443 drop the port from the comparison).
    assert_eq!(step("https://app.example.com/", Some("443"))["allowed"], json!(true));
    assert_eq!(step("https://app.example.com/", Some("8000"))["status"], json!(403));
    // Not stated, and the Referer matches for some SERVER_PORT: the origin's.
    assert_eq!(origins(&step("https://app.example.com/", None)), (json!(500), json!(false)));
    assert_eq!(origins(&step("https://app.example.com:8443/", None)), (json!(500), json!(false)));
    // Not stated, and no port makes it match: rejected as with any port.
    let other = step("https://evil.test/", None);
    assert_eq!(other["status"], json!(403), "{other}");
    assert_eq!(other["body"], step("https://evil.test/", Some("443"))["body"]);
}

/// Django parses `Content-Type` while building the request (`HttpRequest._set_content_type_params`),
/// before any middleware: an RFC 2231 parameter whose charset `codecs.lookup` refuses is a
/// `ValueError` there, the server's 500 for every view and method (observed in the conformance
/// family `edge:content-type-params`). The edge forwards it; a charset Python knows is decided.
#[test]
fn a_content_type_django_cannot_parse_is_forwarded() {
    let gate = gate();
    let store = Store { authoritative: true };
    for content_type in
        ["text/plain; charset*=bogus''x", "text/plain; a*0=x; a*=y", "application/json; charset*=nope''utf-8"]
    {
        for method in ["GET", "POST"] {
            let request = RawRequest::new(method).header("Content-Type", content_type).unwrap().body(b"x");
            match gate.check_request(&request, &target("posts"), &store, 0.0).unwrap() {
                EdgeOutcome::Forward(reason) => assert_eq!(reason, ForwardReason::ContentTypeUnparsable),
                other => panic!("{content_type}: {other:?}"),
            }
        }
    }
    let request = RawRequest::new("POST").header("Content-Type", "text/plain; a*=utf-8''x").unwrap().body(b"x");
    assert!(matches!(gate.check_request(&request, &target("posts"), &store, 0.0).unwrap(), EdgeOutcome::Decided(..)));
}
