#![cfg(test)] // test code: clippy.toml lets it unwrap, expect, index and panic
//! Basic and Token authentication against outcomes recorded from real DRF
//! (`tests/authentication_vectors/gen_basic_token.py`).

mod common;

use drf_gate::authentication::pybase64::{b64decode, Base64Error};
use drf_gate::authentication::*;
use drf_gate::user::UserInput;
use serde_json::{json, Value};

struct Users;

fn user(name: &str, active: bool) -> Lookup {
    Lookup::Found(UserInput { username: Some(name.into()), is_active: active, ..Default::default() })
}

impl Resolver for Users {
    fn basic(&self, username: &str, password: &str) -> Lookup {
        match (username, password) {
            ("alice", "pw:x") => user("alice", true),
            ("bob", "pw") => user("bob", false),
            ("jos\u{e9}", "p\u{e4}ss") => user("jos\u{e9}", true),
            _ => Lookup::NotFound,
        }
    }
    fn token(&self, key: &str) -> Lookup {
        if key == "a".repeat(40) {
            user("alice", true)
        } else if key == "b".repeat(40) {
            user("bob", false)
        } else {
            Lookup::NotFound
        }
    }
}

fn outcome(header: Option<&str>, class: &str) -> Value {
    let settings = CompiledSettings::compile(&AuthenticationSettings::default()).unwrap();
    let classes = [Authenticator::new(class, settings.builtin_class(class).unwrap())];
    let mut request = RawRequest::new("GET");
    if let Some(header) = header {
        request = request.header("Authorization", header).unwrap();
    }
    let result = authenticate(&request, &classes, &settings, &Users, 0.0).unwrap();
    match result.outcome {
        AuthenticationOutcome::None(_) => json!({"none": true}),
        AuthenticationOutcome::Succeeded(_) => json!({"user": result.user.unwrap().username}),
        AuthenticationOutcome::Failed(failure) => {
            assert_eq!(failure.exception, FailureKind::AuthenticationFailed);
            json!({"failed": {"detail": failure.detail, "code": failure.code}})
        }
    }
}

fn vectors() -> Value {
    common::jsonl(include_str!("authentication_vectors/basic_token.jsonl"))
}

#[test]
fn basic_and_token_match_drf() {
    let vectors = vectors();
    let cases = vectors["cases"].as_array().unwrap();
    assert!(cases.len() > 150);
    for case in cases {
        let header = case["header"].as_str();
        assert_eq!(outcome(header, "basic"), case["basic"], "Basic, header {header:?}");
        assert_eq!(outcome(header, "token"), case["token"], "Token, header {header:?}");
    }
}

fn unhex(text: &str) -> Vec<u8> {
    (0..text.len() / 2).map(|i| u8::from_str_radix(&text[2 * i..2 * i + 2], 16).unwrap()).collect()
}

#[test]
fn b64decode_matches_python() {
    let vectors = vectors();
    for case in vectors["base64"].as_array().unwrap() {
        let input = unhex(case["input"].as_str().unwrap());
        let got = b64decode(&input);
        match (case.get("ok"), case.get("error").and_then(Value::as_str)) {
            (Some(ok), _) => assert_eq!(got, Ok(unhex(ok.as_str().unwrap())), "input {input:?}"),
            (_, Some("padding")) => assert_eq!(got, Err(Base64Error::IncorrectPadding), "input {input:?}"),
            _ => assert_eq!(got, Err(Base64Error::DanglingCharacter), "input {input:?}"),
        }
    }
}

#[test]
fn chain_stops_at_first_failure_and_reports_lookups() {
    let settings = CompiledSettings::compile(&AuthenticationSettings::default()).unwrap();
    let classes = [
        Authenticator::new("token", settings.builtin_class("token").unwrap()),
        Authenticator::new("basic", settings.builtin_class("basic").unwrap()),
    ];
    // Bad Basic credentials fail even though Token returned None first.
    let request = RawRequest::new("GET").header("Authorization", "Basic Ym9iOnB3").unwrap();
    let result = authenticate(&request, &classes, &settings, &Users, 0.0).unwrap();
    assert_eq!(result.class_index, Some(1));
    assert_eq!(
        result.outcome,
        AuthenticationOutcome::Failed(AuthenticationFailure::authentication_failed("Invalid username/password."))
    );
    // Async protocol: Pending -> NeedsLookup -> answer -> replay.
    let mut cache = AnswerCache::default();
    let request = RawRequest::new("GET").header("Authorization", "Token k1").unwrap();
    let undecided = authenticate(&request, &classes, &settings, &cache, 0.0).unwrap_err();
    let Undecided::Lookup(needs) = undecided else { panic!("{undecided:?}") };
    assert_eq!(needs.key, LookupKey::Token { key: "k1".into() });
    let answer: Answer = serde_json::from_str(r#"{"user": {"id": 9}}"#).unwrap();
    cache.insert(needs.key, answer);
    let result = authenticate(&request, &classes, &settings, &cache, 0.0).unwrap();
    assert_eq!(result.outcome, AuthenticationOutcome::Succeeded("token".into()));
    assert_eq!(result.user.unwrap().id, Some(json!(9)));
}

#[test]
fn outcome_json_shapes_round_trip() {
    let failure = AuthenticationFailure::authentication_failed("Invalid token.");
    let outcome = AuthenticationOutcome::Failed(failure);
    let text = serde_json::to_string(&outcome).unwrap();
    assert_eq!(
        text,
        r#"{"failed":{"exception":"AuthenticationFailed","detail":"Invalid token.","code":"authentication_failed"}}"#
    );
    let back: AuthenticationOutcome = serde_json::from_str(&text).unwrap();
    assert_eq!(back, outcome);
    assert!(RawRequest::new("GET").header("Authorization", "Token \u{100}").is_err());
}
