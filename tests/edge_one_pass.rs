#![cfg(test)] // test code: clippy.toml lets it unwrap, expect, index and panic
//! The one-pass raw-request protocol (`PendingRequest`: parse once, resume authentication where
//! it stopped) against the replay protocol (`check_request_json` with every answer so far, the
//! request parsed and authenticated again at each step): the same steps, byte for byte, on the
//! JWT, Basic/Token and CSRF vectors with lookups answered found, not found or unknown.

mod common;

use drf_gate::authentication::{Answer, LookupKey};
use drf_gate::decision::packed;
use drf_gate::edge::{
    packed_step, typed_user, user_from_parts, EdgeStep, PendingRequest, StepTexts, PACKED_STEP_WORDS,
};
use drf_gate::user::UserInput;
use drf_gate::Gate;
use serde_json::{json, Value};

/// A deterministic answer per lookup key: found (active or not), not found, or unknown.
fn answer_for(key: &Value, salt: u64) -> Value {
    let text = key.to_string();
    let hash = text.bytes().fold(salt ^ 0xcbf2_9ce4_8422_2325, |h, b| (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3));
    match (key["kind"].as_str().unwrap(), hash % 5) {
        ("sessionCsrfSecret", 0..=2) => json!({"secret": "AAAAAAAAAAAAAAAAbbbbbbbbbbbbbbbb"}),
        ("custom", 0) => json!({"failure": {"detail": "nope", "code": "nope"}}),
        ("custom", 1) => json!({"none": true}),
        (_, 0 | 1) => json!({"user": {"id": 1, "username": "alice", "isActive": true}}),
        (_, 2) => json!({"user": {"id": 2, "username": "bob", "isActive": false}}),
        (_, 3) => json!({"notFound": true}),
        _ => json!({"unknown": true}),
    }
}

const BODY: &[u8] = b"csrfmiddlewaretoken=AAAAAAAAAAAAAAAAbbbbbbbbbbbbbbbb&a=1";

/// The old protocol: the whole input again at every step, with the answers so far.
fn replay(gate: &Gate, input: &Value, salt: u64) -> Vec<String> {
    let mut input = input.clone();
    let mut answers = Vec::new();
    let mut steps = Vec::new();
    for _ in 0..32 {
        input["answers"] = Value::Array(answers.clone());
        let step = serde_json::to_value(gate.check_request_json(&input.to_string()).unwrap()).unwrap();
        steps.push(step.to_string());
        if step.get("body").is_some() && input["request"]["bodyPending"] == json!(true) {
            let request = input["request"].as_object_mut().unwrap();
            request.remove("bodyPending");
            if salt.is_multiple_of(3) {
                request.insert("bodyTooLarge".into(), json!(true));
            } else {
                request.insert("bodyBase64".into(), json!(b64(BODY)));
            }
            continue;
        }
        let Some(key) = step.get("lookup") else { return steps };
        answers.push(json!({"key": key, "answer": answer_for(key, salt)}));
    }
    panic!("too many steps");
}

/// A packed step rendered as gate.js renders it (`#syncStep`): the words, the texts by id, the
/// user's JSON text and the one answered lookup.
fn render_packed(
    words: &[u32; PACKED_STEP_WORDS],
    texts: &StepTexts,
    user: Option<String>,
    answered: Option<&LookupKey>,
) -> Value {
    let text = |id: u32| json!(texts.decision.text(id).unwrap());
    let flags = words[0];
    let allowed = flags & packed::ALLOWED != 0;
    let mut headers = serde_json::Map::new();
    if !allowed {
        headers.insert("Content-Type".into(), json!("application/json"));
        if flags & packed::HAS_WWW_AUTHENTICATE != 0 {
            headers.insert("WWW-Authenticate".into(), text(words[3]));
        }
        headers.insert("Allow".into(), text(words[4]));
        if flags & packed::VARY_ACCEPT != 0 {
            headers.insert("Vary".into(), json!("Accept"));
        }
    }
    const STAGES: [&str; 7] = ["negotiation", "authentication", "view", "handler", "lookup", "object", "middleware"];
    const OBJECT_CHECKS: [&str; 6] = ["notRequired", "pending", "passed", "failed", "notReached", "filtered"];
    let decision = json!({
        "allowed": allowed,
        "respond": flags & packed::RESPOND != 0,
        "status": flags & 0x3ff,
        "body": text(words[1]),
        "headers": headers,
        "code": if flags & packed::HAS_CODE != 0 { text(words[2]) } else { Value::Null },
        "stage": STAGES[((flags >> 12) & 7) as usize],
        "decidedBy": if flags & packed::HAS_DECIDED_BY != 0 { json!({"entry": words[5], "source": text(words[6])}) } else { Value::Null },
        "objectCheck": OBJECT_CHECKS[((flags >> 15) & 7) as usize],
        "trace": null,
        "error": null,
    });
    let authentication = match words[7] {
        packed_step::AUTHENTICATION_NULL => Value::Null,
        packed_step::AUTHENTICATION_NONE => json!({"none": true}),
        packed_step::AUTHENTICATION_SUCCEEDED => json!({"succeeded": texts.name(words[8]).unwrap()}),
        other => panic!("authentication tag {other}"),
    };
    let mut step = json!({"decision": decision, "authentication": authentication});
    if words[9] & packed_step::USER != 0 {
        step["user"] = serde_json::from_str(&user.unwrap()).unwrap();
    }
    if words[9] & packed_step::USER_LOOKUP_ANSWERED != 0 {
        step["userLookup"] = serde_json::to_value(answered.unwrap()).unwrap();
    }
    step
}

thread_local! {
    static PACKED: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
    static USERS_REBUILT: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
    static LOOKUPS_PACKED: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// A `{"user": ...}` answer as checkRequestSync sends a plain record (`answerUserSync`), typed.
fn typed_answer(answer: &Value) -> Option<Answer> {
    let user = answer.get("user")?;
    let mut flags = 0;
    for (name, flag) in [("isActive", typed_user::IS_ACTIVE), ("isStaff", typed_user::IS_STAFF)] {
        if user[name] == json!(true) {
            flags |= flag;
        }
    }
    let id = user["id"].as_f64().unwrap();
    let username = user["username"].as_str().map(str::to_owned);
    user_from_parts(id, None, username, flags | typed_user::ID_NUMBER, None, 0).map(Answer::User)
}

/// The new protocol: parsed once, each step resuming. Every step that packs
/// (`EdgeStep::pack`, what checkRequestSync sends) renders as its JSON.
fn one_pass(gate: &Gate, input: &Value, salt: u64) -> Vec<String> {
    let mut pending = PendingRequest::from_json(&input.to_string()).unwrap();
    let mut steps = Vec::new();
    let mut texts = StepTexts::default();
    let mut sent: Option<UserInput> = None;
    for _ in 0..32 {
        let step = pending.step(gate).unwrap();
        if let Some(words) = pending.pack_step(&step, &mut texts) {
            let id = texts.step_id(words).unwrap();
            assert_eq!(texts.step(id), Some(&words));
            // gate.js rebuilds the user it sent when the core says the step's user is that answer's.
            let user = if words[9] & packed_step::USER_IS_ANSWER != 0 {
                USERS_REBUILT.with(|n| n.set(n.get() + 1));
                Some(serde_json::to_string(sent.as_ref().unwrap()).unwrap())
            } else {
                step.user_text().unwrap()
            };
            let rendered = render_packed(&words, &texts, user, pending.answered());
            assert_eq!(rendered, serde_json::to_value(&step).unwrap());
            PACKED.with(|packed| packed.set(packed.get() + 1));
        }
        if let Some(code) = step.pack_lookup(&mut texts) {
            // gate.js's rendering of a packed lookup.
            let field = texts.name(u32::try_from(code % 65536).unwrap()).unwrap();
            let rendered = json!({"lookup": {"kind": "userById", "field": field, "id": (code / 65536).to_string()}});
            assert_eq!(rendered, serde_json::to_value(&step).unwrap());
            LOOKUPS_PACKED.with(|n| n.set(n.get() + 1));
        } else if let EdgeStep::Lookup(LookupKey::UserById { id, .. }) = &step {
            assert!(!id.bytes().all(|b| b.is_ascii_digit()) || id.starts_with('0') || id.len() > 9, "{id}");
        }
        let step = serde_json::to_value(step).unwrap();
        steps.push(step.to_string());
        if step.get("body").is_some() && pending.is_body_pending() {
            pending.give_body(if salt.is_multiple_of(3) { None } else { Some(BODY) });
            continue;
        }
        let Some(key) = step.get("lookup") else { return steps };
        let answer = answer_for(key, salt);
        let parsed: Answer = serde_json::from_value(answer.clone()).unwrap();
        // A plain user record crosses typed (every other salt), and must read as its JSON.
        let answer = match typed_answer(&answer) {
            Some(typed) => {
                let (Answer::User(a), Answer::User(b)) = (&typed, &parsed) else { panic!("typed answers are users") };
                assert_eq!(a, b);
                if salt.is_multiple_of(2) {
                    typed
                } else {
                    parsed
                }
            }
            None => parsed,
        };
        sent = match &answer {
            Answer::User(user) => Some(user.clone()),
            _ => None,
        };
        pending.answer(answer).unwrap();
    }
    panic!("too many steps");
}

fn b64(data: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in data.chunks(3) {
        let n = (u32::from(chunk[0]) << 16)
            | (u32::from(*chunk.get(1).unwrap_or(&0)) << 8)
            | u32::from(*chunk.get(2).unwrap_or(&0));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

fn authorization_headers() -> Vec<String> {
    let mut headers = Vec::new();
    let jwt: Value = common::jsonl(include_str!("authentication_vectors/jwt.jsonl"));
    for case in jwt["scenarios"]["hs256"]["cases"].as_array().unwrap() {
        headers.push(case["header"].as_str().unwrap().to_string());
    }
    let basic: Value = common::jsonl(include_str!("authentication_vectors/basic_token.jsonl"));
    for case in basic["cases"].as_array().unwrap() {
        if let Some(header) = case["header"].as_str() {
            headers.push(header.to_string());
        }
    }
    headers
}

#[test]
fn one_pass_steps_equal_the_replayed_steps() {
    let jwt: Value = common::jsonl(include_str!("authentication_vectors/jwt.jsonl"));
    let now = jwt["now"].as_f64().unwrap();
    let mut jwt_settings = jwt["scenarios"]["hs256"]["settings"].clone();
    jwt_settings["checkUserIsActive"] = json!(true);
    let mut compared = 0;
    let mut multi_step = 0;
    for classes in [
        json!(["session", "basic", "token", "jwt"]),
        json!(["jwt", "jwtStateless", "token"]),
        json!(["token", "Custom", "session", "jwt"]),
        json!(["remoteUser", "session"]),
    ] {
        let gate = Gate::from_value(json!({
            "authentication": classes,
            "authenticationClasses": {"Custom": {"wwwAuthenticate": "Custom"}},
            "permissions": ["IsAuthenticatedOrReadOnly"],
            "settings": {"jwt": jwt_settings},
            "views": {"posts": {"model": "blog.Post"}}
        }))
        .unwrap_or_else(|e| panic!("{classes}: {e}"));
        for (i, header) in authorization_headers().iter().enumerate() {
            for (method, cookie, pending) in [
                ("GET", None, false),
                ("POST", Some("sessionid=s1"), true),
                ("POST", Some("sessionid=s2; csrftoken=AAAAAAAAAAAAAAAAbbbbbbbbbbbbbbbb"), true),
                ("DELETE", Some("sessionid=s1"), false),
            ] {
                let mut headers = json!({"Authorization": header, "Content-Type": "application/x-www-form-urlencoded"});
                if let Some(cookie) = cookie {
                    headers["Cookie"] = json!(cookie);
                }
                let mut request = json!({"method": method, "url": "https://api.example.com/api/posts/", "headers": headers, "meta": {"REMOTE_USER": "carol"}});
                if pending {
                    request["bodyPending"] = json!(true);
                }
                let input = json!({"request": request, "view": "posts", "now": now});
                for salt in 0..3u64 {
                    let salt = salt + i as u64 * 7;
                    let old = replay(&gate, &input, salt);
                    let new = one_pass(&gate, &input, salt);
                    assert_eq!(old, new, "{classes} {method} {header} {cookie:?} salt {salt}");
                    compared += 1;
                    multi_step += usize::from(new.len() > 2);
                }
            }
        }
    }
    assert!(compared > 1000, "{compared}");
    assert!(multi_step > 100, "{multi_step}");
    // Most decided steps pack (those that do not: failed authentication, a 405 naming the method).
    let packed = PACKED.with(std::cell::Cell::get);
    assert!(packed > 1000, "{packed}");
    let rebuilt = USERS_REBUILT.with(std::cell::Cell::get);
    assert!(rebuilt > 100, "{rebuilt}");
    let lookups = LOOKUPS_PACKED.with(std::cell::Cell::get);
    assert!(lookups > 100, "{lookups}");
}

/// `user_from_parts` reads as the JSON record with the same members, and refuses what is not
/// exact (an id number that is not a safe integer, permissions that do not split as counted).
#[test]
fn typed_users_read_as_their_json() {
    let json = |text: &str| serde_json::from_str::<UserInput>(text).unwrap();
    let all = typed_user::IS_ACTIVE | typed_user::IS_STAFF | typed_user::IS_SUPERUSER | typed_user::TOKEN_USER;
    let cases: Vec<(UserInput, UserInput)> = vec![
        (
            user_from_parts(0.0, None, None, typed_user::ID_NUMBER, None, 0).unwrap(),
            json(r#"{"id": 0, "isActive": false}"#),
        ),
        (
            user_from_parts(-0.0, None, None, typed_user::ID_NUMBER, None, 0).unwrap(),
            json(r#"{"id": 0, "isActive": false}"#),
        ),
        (
            user_from_parts(-7.0, None, None, typed_user::ID_NUMBER | all, None, 0).unwrap(),
            json(r#"{"id": -7, "isStaff": true, "isSuperuser": true, "tokenUser": true}"#),
        ),
        (
            user_from_parts(
                9_007_199_254_740_991.0,
                None,
                Some("é\u{1F600}".into()),
                typed_user::IS_ACTIVE | typed_user::ID_NUMBER,
                Some("a.b\0\0c"),
                3,
            )
            .unwrap(),
            json(r#"{"id": 9007199254740991, "username": "é😀", "permissions": ["a.b", "", "c"]}"#),
        ),
        (
            user_from_parts(0.0, Some("42".into()), None, typed_user::IS_ACTIVE, None, 0).unwrap(),
            json(r#"{"id": "42", "username": null}"#),
        ),
        (
            user_from_parts(0.0, None, None, typed_user::IS_ACTIVE, Some(""), 1).unwrap(),
            json(r#"{"id": null, "permissions": [""]}"#),
        ),
    ];
    for (typed, json) in cases {
        assert_eq!(typed, json);
        assert_eq!(serde_json::to_string(&typed).unwrap(), serde_json::to_string(&json).unwrap());
    }
    for id in [0.5, 9_007_199_254_740_992.0, -9_007_199_254_740_992.0, f64::NAN, f64::INFINITY] {
        assert!(user_from_parts(id, None, None, typed_user::ID_NUMBER, None, 0).is_none(), "{id}");
    }
    assert!(user_from_parts(1.0, None, None, typed_user::ID_NUMBER, Some("a\0b"), 1).is_none());
    assert!(user_from_parts(1.0, None, None, typed_user::ID_NUMBER, Some("a"), 2).is_none());
    assert!(user_from_parts(1.0, None, None, typed_user::ID_NUMBER, None, 1).is_none());
}

#[test]
fn a_pending_request_is_bounded() {
    let gate = Gate::from_value(json!({"authentication": ["token"], "views": {"posts": {}}})).unwrap();
    let input = json!({"request": {"method": "GET", "headers": {"Authorization": "Token abc"}}, "view": "posts"});
    let mut pending = PendingRequest::from_json(&input.to_string()).unwrap();
    // No lookup asked yet: an answer is refused.
    assert!(pending.answer(Answer::NotFound(true)).is_err());
    let mut steps = 0;
    // Never answering: each step asks again, and the handle stops after MAX_STEPS.
    while pending.step(&gate).is_ok() {
        steps += 1;
        assert!(steps <= drf_gate::edge::MAX_STEPS);
    }
    assert_eq!(steps, drf_gate::edge::MAX_STEPS);
}

/// The typed crossing (`PendingRequest::from_parts`) is the JSON input with the same members:
/// the same parsed request (and errors), and the same steps; a text that does not split as
/// counted is refused (`None`), never misread.
#[test]
fn typed_parts_equal_the_json_input() {
    use drf_gate::edge::{parts, PARTS_SEPARATOR};
    let gate = Gate::from_value(json!({
        "authentication": ["session", "basic", "token"],
        "permissions": ["IsAuthenticatedOrReadOnly"],
        "routes": [{"pattern": "/api/posts/", "view": "posts"}],
        "views": {"posts": {"model": "blog.Post"}}
    }))
    .unwrap();
    let sep = PARTS_SEPARATOR.to_string();
    let headers_sets: Vec<Vec<(&str, &str)>> = vec![
        vec![],
        vec![("Authorization", "Token abc")],
        vec![
            ("authorization", "Basic dXNlcjpwdw=="),
            ("Cookie", "sessionid=s1"),
            ("Accept", "application/json; indent=2"),
        ],
        vec![("X-H", "caf\u{e9}"), ("x-h2", ""), ("Content-Type", "text/plain")],
        vec![("Authorization", "Token a\u{100}")], // not latin-1: the same error
        // Given out of order, names equal but for case, a name repeated (its last value wins):
        // read in the JSON input's order (by name).
        vec![("b", "1"), ("authorization", "Token y"), ("Authorization", "Token x"), ("A", "z"), ("b", "2")],
        vec![("X-H", "1"), ("Cookie", "sessionid=s1"), ("X-H", "2"), ("x-h", "3"), ("Accept", "")],
    ];
    let mut compared = 0;
    // The target's `format`, `lookupError` and `trace` (the format part given overrides `?format=`).
    let extras = [(None, false, false), (Some("api"), true, false), (Some(""), false, true), (None, true, true)];
    // The request's `secure`, `host`, `port`, `contentType`, `bodyBase64`, `cookies` and `meta` (a character
    // above U+00FF refused at the same path).
    type Pairs = Option<&'static [(&'static str, &'static str)]>;
    type Text = Option<&'static str>;
    type Members = (Option<bool>, Text, Text, Text, Text, Pairs, Pairs);
    // Five against the four extras: every pairing is met.
    let members: [Members; 5] = [
        (None, None, None, None, None, None, None),
        (
            Some(true),
            Some("h.example:8000"),
            None,
            None,
            Some("YT0x"),
            Some(&[("sessionid", "s1"), ("b", "2")]),
            Some(&[("REMOTE_USER", "ann")]),
        ),
        (Some(false), None, Some("8443"), Some("application/json"), None, Some(&[]), Some(&[])),
        (None, Some("x"), None, Some("text/plain; a=\u{100}"), None, None, Some(&[("B", "1"), ("A", "\u{100}")])),
        // Not base64: the same refusal.
        (None, None, None, None, Some("a!"), None, None),
    ];
    for ((headers, &(format, lookup_error, trace)), &(secure, host, port, content_type, base64, cookies, meta)) in
        headers_sets.iter().flat_map(|h| extras.iter().map(move |e| (h, e))).zip(members.iter().cycle())
    {
        for (view, action, detail) in [
            (Some("posts"), None, None),
            (None, None, None),
            (Some("posts"), Some("list"), Some(false)),
            (Some("nope"), None, Some(true)),
        ] {
            for (url, path) in [
                (None, Some("/api/posts/?format=json")),
                (Some("https://h.example/api/posts/"), None),
                (Some("http://h/x"), Some("/api/posts/")),
                (None, None),
            ] {
                for (body, pending, dropped) in
                    [(None, false, false), (Some("a=1&\u{1F600}"), false, true), (None, true, false)]
                {
                    let mut request = json!({"method": "post"});
                    let mut text = vec!["post".to_string()];
                    let mut flags = 0;
                    let mut target = json!({"request": null, "now": 5.0});
                    if let Some(view) = view {
                        flags |= parts::VIEW;
                        text.push(view.into());
                        target["view"] = json!(view);
                    }
                    if let Some(action) = action {
                        flags |= parts::ACTION;
                        text.push(action.into());
                        target["action"] = json!(action);
                    }
                    if let Some(detail) = detail {
                        flags |= parts::HAS_DETAIL | if detail { parts::DETAIL } else { 0 };
                        target["detail"] = json!(detail);
                    }
                    if let Some(url) = url {
                        flags |= parts::URL;
                        text.push(url.into());
                        request["url"] = json!(url);
                    }
                    if let Some(path) = path {
                        flags |= parts::PATH;
                        text.push(path.into());
                        request["path"] = json!(path);
                    }
                    if let Some(format) = format {
                        flags |= parts::FORMAT;
                        text.push(format.into());
                        target["format"] = json!(format);
                    }
                    if let Some(secure) = secure {
                        flags |= parts::HAS_SECURE | if secure { parts::SECURE } else { 0 };
                        request["secure"] = json!(secure);
                    }
                    for (flag, name, value) in [
                        (parts::HOST, "host", host),
                        (parts::PORT, "port", port),
                        (parts::CONTENT_TYPE, "contentType", content_type),
                        (parts::BODY_BASE64, "bodyBase64", base64),
                    ] {
                        if let Some(value) = value {
                            flags |= flag;
                            text.push(value.into());
                            request[name] = json!(value);
                        }
                    }
                    for (flag, name, pairs) in [(parts::COOKIES, "cookies", cookies), (parts::META, "meta", meta)] {
                        if let Some(pairs) = pairs {
                            flags |= flag;
                            text.push(pairs.len().to_string());
                            let mut map = serde_json::Map::new();
                            for (n, v) in pairs {
                                text.push(n.to_string());
                                text.push(v.to_string());
                                map.insert(n.to_string(), json!(v));
                            }
                            request[name] = Value::Object(map);
                        }
                    }
                    if lookup_error {
                        flags |= parts::LOOKUP_ERROR;
                        target["lookupError"] = json!(true);
                    }
                    if trace {
                        flags |= parts::TRACE;
                        target["trace"] = json!(true);
                    }
                    let mut map = serde_json::Map::new();
                    for (name, value) in headers {
                        text.push(name.to_string());
                        text.push(value.to_string());
                        map.insert(name.to_string(), json!(value));
                    }
                    request["headers"] = Value::Object(map);
                    if let Some(body) = body {
                        request["body"] = json!(body);
                    }
                    if pending {
                        flags |= parts::BODY_PENDING;
                        request["bodyPending"] = json!(true);
                    }
                    if dropped {
                        flags |= parts::EMPTY_HEADERS_DROPPED;
                        request["emptyHeadersDropped"] = json!(true);
                    }
                    target["request"] = request;
                    let typed = PendingRequest::from_parts(
                        &text.join(&sep),
                        text.len(),
                        flags,
                        body.map(String::from),
                        None,
                        5.0,
                    );
                    let json = PendingRequest::from_json(&target.to_string());
                    match (typed, json) {
                        (Ok(Some(mut typed)), Ok(mut json)) => {
                            assert_eq!(format!("{typed:?}"), format!("{json:?}"), "{target}");
                            let a = typed
                                .step(&gate)
                                .map(|s| serde_json::to_string(&s).unwrap())
                                .map_err(|e| e.to_string());
                            let b =
                                json.step(&gate).map(|s| serde_json::to_string(&s).unwrap()).map_err(|e| e.to_string());
                            assert_eq!(a, b, "{target}");
                        }
                        (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string(), "{target}"),
                        (a, b) => panic!("{target}: typed {a:?}, json {b:?}"),
                    }
                    compared += 1;
                    // One more separator anywhere, or a count that is off: refused, not misread.
                    let joined = text.join(&sep);
                    assert!(matches!(
                        PendingRequest::from_parts(&joined, text.len() + 1, flags, None, None, 5.0),
                        Ok(None)
                    ));
                    assert!(matches!(
                        PendingRequest::from_parts(&format!("{joined}{sep}x"), text.len(), flags, None, None, 5.0),
                        Ok(None)
                    ));
                }
            }
        }
    }
    assert_eq!(compared, 7 * 4 * 4 * 4 * 3);
}

/// A NUL or U+0001 inside a part: every part escaped (`parts::ESCAPED`, `escape_part`) reads as
/// the JSON input; an escape that is not one of the two is refused like a miscount.
#[test]
fn escaped_parts_equal_the_json_input() {
    use drf_gate::edge::{escape_part, parts, PARTS_SEPARATOR};
    let gate = Gate::from_value(json!({
        "authentication": ["session", "token"],
        "permissions": ["IsAuthenticatedOrReadOnly"],
        "routes": [{"pattern": "/api/posts/", "view": "posts"}],
        "views": {"posts": {"model": "blog.Post"}}
    }))
    .unwrap();
    let sep = PARTS_SEPARATOR.to_string();
    // The path, the headers, the cookies.
    type Pairs = &'static [(&'static str, &'static str)];
    let cases: [(&str, Pairs, Pairs); 5] = [
        ("/api/posts/", &[("Authorization", "Token a\0b")], &[]),
        ("/api/posts/", &[("X-\0", "\u{1}\u{2}"), ("Authorization", "Token k")], &[("a\0", "\u{1}")]),
        ("/api/\0posts/", &[("Cookie", "sessionid=s\0")], &[]),
        ("/api/posts/", &[("\u{1}\u{1}\0\0", "\0"), ("\u{1}", "")], &[("", "\u{1}\u{2}\0")]),
        ("/api/posts/", &[("Authorization", "Token \u{100}\0")], &[]),
    ];
    for (path, headers, cookies) in cases {
        let mut text = vec!["POST".to_string(), "posts".into(), path.into(), cookies.len().to_string()];
        let mut cookie_map = serde_json::Map::new();
        for (name, value) in cookies {
            text.extend([name.to_string(), value.to_string()]);
            cookie_map.insert(name.to_string(), json!(value));
        }
        let mut header_map = serde_json::Map::new();
        for (name, value) in headers {
            text.extend([name.to_string(), value.to_string()]);
            header_map.insert(name.to_string(), json!(value));
        }
        let flags = parts::VIEW | parts::PATH | parts::COOKIES;
        let input = json!({"request": {"method": "POST", "path": path, "cookies": cookie_map, "headers": header_map},
            "view": "posts", "now": 5.0});
        // Unescaped, the NULs split more parts than counted.
        assert!(matches!(PendingRequest::from_parts(&text.join(&sep), text.len(), flags, None, None, 5.0), Ok(None)));
        let escaped = text.iter().map(|part| escape_part(part)).collect::<Vec<_>>().join(&sep);
        let typed = PendingRequest::from_parts(&escaped, text.len(), flags | parts::ESCAPED, None, None, 5.0);
        match (typed, PendingRequest::from_json(&input.to_string())) {
            (Ok(Some(mut typed)), Ok(mut json)) => {
                assert_eq!(format!("{typed:?}"), format!("{json:?}"), "{input}");
                let a = typed.step(&gate).map(|s| serde_json::to_string(&s).unwrap()).map_err(|e| e.to_string());
                let b = json.step(&gate).map(|s| serde_json::to_string(&s).unwrap()).map_err(|e| e.to_string());
                assert_eq!(a, b, "{input}");
            }
            (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string(), "{input}"),
            (a, b) => panic!("{input}: typed {a:?}, json {b:?}"),
        }
    }
    // U+0001 followed by anything but U+0001 or U+0002, or last: refused, not misread.
    for text in ["GET\u{1}", "GET\u{1}x", "GET\0A\u{1}\u{3}\0v"] {
        let count = text.split(PARTS_SEPARATOR).count();
        assert!(
            matches!(PendingRequest::from_parts(text, count, parts::ESCAPED, None, None, 5.0), Ok(None)),
            "{text:?}"
        );
    }
}

/// The target's `object` typed (its binary value encoding, `compiled::value`) is the JSON input's
/// `"object"`: a value, `null` (a lookup miss) given as such or as no encoding; a malformed
/// encoding is refused at `$.object`.
#[test]
fn typed_object_equals_the_json_input() {
    use drf_gate::edge::{parts, PARTS_SEPARATOR};
    let gate = Gate::from_value(json!({
        "authentication": ["token"],
        "permissions": ["IsAuthenticatedOrReadOnly"],
        "views": {"posts": {"model": "blog.Post"}}
    }))
    .unwrap();
    let mut float = vec![5];
    float.extend_from_slice(&1.5f64.to_le_bytes());
    let owner = [8, 2, 5, b'o', b'w', b'n', b'e', b'r', 3, 3, 4, b't', b'a', b'g', b's', 7, 1, 6, 1, b'a'];
    let objects: [(Option<&[u8]>, Value); 7] = [
        (None, json!(null)),
        (Some(&[0]), json!(null)),
        (Some(&owner), json!({"owner": 3, "tags": ["a"]})),
        (Some(&[4, 1]), json!(-2)),
        (Some(&[6, 1, b'x']), json!("x")),
        (Some(&float), json!(1.5)),
        (Some(&[7, 0]), json!([])),
    ];
    let text = ["GET", "posts", "Authorization", "Token abc"].join(&PARTS_SEPARATOR.to_string());
    for (bytes, value) in objects {
        let input = json!({"request": {"method": "GET", "headers": {"Authorization": "Token abc"}}, "view": "posts",
            "object": value, "now": 5.0});
        let mut typed =
            PendingRequest::from_parts(&text, 4, parts::VIEW | parts::OBJECT, None, bytes, 5.0).unwrap().unwrap();
        let mut json = PendingRequest::from_json(&input.to_string()).unwrap();
        assert_eq!(format!("{typed:?}"), format!("{json:?}"), "{input}");
        let a = serde_json::to_string(&typed.step(&gate).unwrap()).unwrap();
        assert_eq!(a, serde_json::to_string(&json.step(&gate).unwrap()).unwrap(), "{input}");
    }
    // Without the flag, no object (the bytes are not read).
    let absent = PendingRequest::from_parts(&text, 4, parts::VIEW, None, Some(&[9]), 5.0).unwrap().unwrap();
    let json = PendingRequest::from_json(
        r#"{"request": {"method": "GET", "headers": {"Authorization": "Token abc"}}, "view": "posts", "now": 5.0}"#,
    );
    assert_eq!(format!("{absent:?}"), format!("{:?}", json.unwrap()));
    let error = PendingRequest::from_parts(&text, 4, parts::VIEW | parts::OBJECT, None, Some(&[9]), 5.0).unwrap_err();
    assert_eq!((error.code, error.path.as_str()), ("invalid_context", "$.object"));
}

/// A request the typed crossing refuses for a member's value crosses as its JSON
/// (`parts::REQUEST_JSON`), read only for the error: the JSON input's error, member by member (each
/// field's type, a lone surrogate or nesting anywhere first, the members' order), and none where
/// the JSON input names the fault itself (an unknown member, no `method`) or has none. A `now` that
/// is not finite is the JSON input's `"now": null`.
/// JSON values of every type and the ones a reader refuses (lone surrogates in values and keys,
/// nesting past serde's limit), for the member-by-member error tests.
fn odd_json_values() -> Vec<String> {
    let deep = format!("{}1{}", "[".repeat(200), "]".repeat(200));
    let values = [
        "null",
        "1",
        "-1",
        "-1.5",
        "1e300",
        "true",
        "false",
        r#""x""#,
        r#""\ud800""#,
        "[]",
        r#"["a"]"#,
        "{}",
        r#"{"a":"b"}"#,
        r#"{"a":1}"#,
        r#"{"a":null}"#,
        r#"{"a":{"b":"\udc00"}}"#,
        r#"{"\ud800":"v"}"#,
        &deep,
    ];
    values.into_iter().map(str::to_owned).collect()
}

#[test]
fn request_json_errors_equal_the_json_input() {
    use drf_gate::edge::parts;
    // The members as the derived reader names them (`request_input_errors_equal_the_json_input`
    // compares its "unknown field" message, which lists them, with this list).
    let members = drf_gate::authentication::RawRequestInput::FIELDS;
    let values = odd_json_values();
    let mut refused = 0;
    for member in members {
        for value in &values {
            for request in [
                format!(r#"{{"method":"GET",{member:?}:{value}}}"#),
                format!(r#"{{{member:?}:{value},"extra":1}}"#),
                format!(r#"{{"extra":1,{member:?}:{value}}}"#),
                format!(r#"{{{member:?}:{value},"meta":null}}"#),
                format!(r#"{{"headers":{{"a":1}},{member:?}:{value},"method":"GET"}}"#),
            ] {
                // A JS object has no repeated member.
                if request.matches(&format!("{member:?}:")).count() > 1 {
                    continue;
                }
                let json = PendingRequest::from_json(&format!(r#"{{"view":"posts","request":{request},"now":5}}"#));
                let typed = PendingRequest::from_parts(
                    "GET\0posts",
                    2,
                    parts::VIEW | parts::REQUEST_JSON,
                    Some(format!(r#"{{"request":{request}}}"#)),
                    None,
                    5.0,
                );
                match (typed, json) {
                    (Err(a), Err(b)) => {
                        assert_eq!(a.to_string(), b.to_string(), "{request}");
                        refused += 1;
                    }
                    // Not the member reader's to name (or nothing wrong): the JSON path's.
                    (Ok(None), Ok(_)) => {}
                    // ... and a refusal of what was read (`invalid_request`: a URL, a header's bytes).
                    (Ok(None), Err(b))
                        if !format!("{b:?}").contains(r#"code: "invalid_context""#)
                            || b.to_string().starts_with("unknown field")
                            || b.to_string().starts_with("missing field") => {}
                    (a, b) => panic!("{request}: typed {a:?}, json {b:?}"),
                }
            }
        }
    }
    assert!(refused >= 909, "{refused}");
    for now in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
        let typed =
            PendingRequest::from_parts("GET\0posts\0Host\0h\u{100}", 4, parts::VIEW, None, None, now).unwrap_err();
        let json = PendingRequest::from_json(
            r#"{"view":"posts","request":{"method":"GET","headers":{"Host":"h\u0100"}},"now":null}"#,
        )
        .unwrap_err();
        assert_eq!(typed.to_string(), json.to_string());
        assert_eq!(typed.to_string(), "invalid type: null, expected f64 at $.now");
    }
}

/// `request_input_error` (the Worker build's stand-in for the JSON path's reader) gives the JSON
/// path's error, message and path, on every input: the request's members, `now`, the target's
/// members (flattened), unknown and missing members, in every order; and nothing where the JSON
/// path reads the input (its later refusals, `invalid_request`, are the typed reader's too).
#[test]
fn request_input_errors_equal_the_json_input() {
    let values = odd_json_values();
    let requests = [
        r#"{"method":"GET"}"#.to_owned(),
        r#"{"method":"GET","path":"/api/posts/?format=json","headers":{"Host":"h"}}"#.to_owned(),
        r#"{"method":"GET","headers":{"Host":"h\u0100"}}"#.to_owned(),
        r#"{"method":"GET","url":"nope"}"#.to_owned(),
        r#"{"method":5}"#.to_owned(),
        r#"{"meta":null,"method":"GET"}"#.to_owned(),
        r#"{"url":"/x"}"#.to_owned(),
        r#"{"method":"GET","extra":1}"#.to_owned(),
        r#"{"extra":1,"method":5}"#.to_owned(),
        r#"{"method":"GET","body":"\udc00"}"#.to_owned(),
        "null".to_owned(),
        "5".to_owned(),
        r#""GET""#.to_owned(),
        "[]".to_owned(),
    ];
    let targets = ["view", "action", "detail", "format", "lookupError", "trace", "object", "extra"];
    let mut inputs = Vec::new();
    for request in &requests {
        for now in ["", r#","now":5"#, r#","now":null"#, r#","now":"x""#] {
            inputs.push(format!(r#"{{"request":{request}{now}}}"#));
            inputs.push(format!(r#"{{"view":"posts","request":{request}{now}}}"#));
            inputs.push(format!(r#"{{"view":5,"request":{request}{now},"extra":1}}"#));
            if now.is_empty() {
                continue;
            }
            let now = &now[1..];
            inputs.push(format!(r#"{{{now},"view":"posts","request":{request}}}"#));
            inputs.push(format!(r#"{{"lookupError":null,{now},"request":{request}}}"#));
            inputs.push(format!(r#"{{{now}}}"#));
            inputs.push(format!(r#"{{{now},"extra":1}}"#));
            inputs.push(format!(r#"{{{now},"trace":1}}"#));
        }
    }
    for target in targets {
        for value in &values {
            for request in [&requests[0], &requests[2], &requests[4], &requests[6]] {
                inputs.push(format!(r#"{{"request":{request},{target:?}:{value},"now":5}}"#));
                inputs.push(format!(r#"{{{target:?}:{value},"request":{request},"now":5}}"#));
                inputs.push(format!(r#"{{"detail":"x",{target:?}:{value},"request":{request}}}"#));
                inputs.push(format!(r#"{{"request":{request},{target:?}:{value},"now":null,"view":5}}"#));
                inputs.push(format!(r#"{{{target:?}:{value},"unknown":1,"request":{request}}}"#));
            }
        }
    }
    for top in
        ["null", "5", r#""x""#, "[]", "{}", "{", r#"{"request":{"method":"GET"}"#, r#"{"request":{"method":"\ud800"}}"#]
    {
        inputs.push(top.to_owned());
    }
    let (mut refused, mut read) = (0, 0);
    for input in &inputs {
        // A JS object has no repeated member.
        if input.matches(r#""view":"#).count() > 1 || input.matches(r#""extra":"#).count() > 1 {
            continue;
        }
        let json = PendingRequest::from_json(input);
        let worker = drf_gate::edge::request_input_error(input);
        match (worker, json) {
            (Err(a), Err(b)) => {
                assert_eq!(format!("{a:?}"), format!("{b:?}"), "{input}");
                refused += 1;
            }
            (Ok(()), Ok(_)) => read += 1,
            // A refusal of what was read: the typed reader's own (`typed_parts_equal_the_json_input`).
            (Ok(()), Err(b)) if format!("{b:?}").contains(r#"code: "invalid_request""#) => read += 1,
            (a, b) => panic!("{input}: worker {a:?}, json {b:?}"),
        }
    }
    assert!(refused > 1000 && read > 100, "{refused} refused, {read} read");
    let answers = r#"{"request":{"method":"GET"},"answers":[],"now":5}"#;
    assert!(PendingRequest::from_json(answers).is_ok());
    let error = drf_gate::edge::request_input_error(answers).unwrap_err();
    assert_eq!(format!("{}", error).rsplit(" at ").next(), Some("$.answers"));
}
