#![cfg(test)] // test code: clippy.toml lets it unwrap, expect, index and panic
//! JWT authentication against outcomes recorded from real simplejwt 5.5.1 + PyJWT, with tokens
//! made by PyJWT + cryptography (`tests/authentication_vectors/gen_jwt.py`).

mod common;

use drf_gate::authentication::*;
use drf_gate::user::UserInput;
use serde_json::{json, Value};

struct Users;

impl Resolver for Users {
    fn user_by_id(&self, field: &str, id: &Value) -> Lookup {
        assert_eq!(field, "id");
        // IntegerField.get_prep_value: int(value) ("1", " 1 ", 1.9 and true are 1).
        let key = match id {
            Value::Bool(b) => Some(i128::from(*b)),
            Value::Number(n) => n.as_f64().map(|f| f.trunc() as i128),
            Value::String(s) => jwt::py_int(&pyjson::PyValue::Str(s.clone())),
            _ => None,
        };
        match key {
            Some(1) => {
                Lookup::Found(UserInput { username: Some("alice".into()), is_active: true, ..Default::default() })
            }
            Some(2) => {
                Lookup::Found(UserInput { username: Some("bob".into()), is_active: false, ..Default::default() })
            }
            _ => Lookup::NotFound,
        }
    }
}

fn run(settings: &CompiledSettings, header: &str, stateless: bool, now: f64) -> Value {
    let class = settings.builtin_class(if stateless { "jwtStateless" } else { "jwt" }).unwrap();
    let classes = [Authenticator::new("jwt", class)];
    let request = RawRequest::new("GET").header("Authorization", header).unwrap();
    let result = match authenticate(&request, &classes, settings, &Users, now) {
        Ok(result) => result,
        // Forwarded: right (only) where the reference server crashes.
        Err(Undecided::Unknown(_)) => return json!({"serverError": true}),
        Err(other) => panic!("{other:?}"),
    };
    match result.outcome {
        AuthenticationOutcome::None(_) => json!({"none": true}),
        AuthenticationOutcome::Succeeded(_) => {
            let user = result.user.unwrap();
            if stateless {
                assert!(user.token_user && user.is_active);
                json!({"tokenUser": {"id": user.id, "is_staff": user.is_staff, "is_superuser": user.is_superuser, "username": user.username}})
            } else {
                json!({"user": user.username})
            }
        }
        AuthenticationOutcome::Failed(failure) if failure.exception == FailureKind::ServerError => {
            json!({"serverError": true})
        }
        AuthenticationOutcome::Failed(failure) => {
            assert_eq!(failure.exception, FailureKind::AuthenticationFailed);
            assert_eq!(failure.code.as_deref(), failure.detail["code"].as_str());
            json!({"failed": failure.detail})
        }
    }
}

#[test]
fn jwt_matches_simplejwt() {
    let vectors: Value = common::jsonl(include_str!("authentication_vectors/jwt.jsonl"));
    let now = vectors["now"].as_f64().unwrap();
    let mut count = 0;
    for (name, scenario) in vectors["scenarios"].as_object().unwrap() {
        let settings: AuthenticationSettings = serde_json::from_value(json!({"jwt": scenario["settings"]})).unwrap();
        let settings = CompiledSettings::compile(&settings).unwrap();
        for case in scenario["cases"].as_array().unwrap() {
            let header = case["header"].as_str().unwrap();
            for (key, stateless) in [("jwt", false), ("stateless", true)] {
                let mut expected = case[key].clone();
                let label = case["label"].as_str().unwrap();
                if expected.get("serverError").is_some()
                    || label.ends_with("(the server's stack decides)")
                    || label.ends_with("(no JSON form)")
                    || (stateless && label.ends_with("(stateless: no JSON form)"))
                {
                    expected = json!({"serverError": true});
                }
                let got = run(&settings, header, stateless, now);
                // Byte-exact body: key order matters (detail, code, messages).
                assert_eq!(
                    serde_json::to_string(&got).unwrap(),
                    serde_json::to_string(&expected).unwrap(),
                    "{name} / {} / {key}",
                    case["label"]
                );
                count += 1;
            }
        }
    }
    assert!(count > 1000, "{count}");
}

#[test]
fn settings_errors_name_the_setting() {
    let compile = |v: Value| CompiledSettings::compile(&serde_json::from_value(v).unwrap());
    let err = compile(json!({"jwt": {"algorithm": "none"}})).unwrap_err();
    assert_eq!(
        (err.path.as_str(), err.message.as_str()),
        ("$.settings.jwt.algorithm", "Unrecognized algorithm type 'none'")
    );
    let err = compile(json!({"jwt": {"signingKey": "-----BEGIN PUBLIC KEY-----\nabc"}})).unwrap_err();
    assert_eq!(err.path, "$.settings.jwt.signingKey");
    let err = compile(json!({"jwt": {"algorithm": "RS256", "verifyingKey": "not a key"}})).unwrap_err();
    assert_eq!(err.path, "$.settings.jwt.verifyingKey");
    let err = compile(json!({"jwt": {"authTokenClasses": ["Nope"]}})).unwrap_err();
    assert_eq!(err.path, "$.settings.jwt.authTokenClasses[0]");
    let settings = compile(json!({})).unwrap();
    let jwt = settings.builtin_class("jwt").unwrap();
    assert_eq!(settings.check_classes([&jwt]).unwrap_err().path, "$.settings.jwt.signingKey");
    assert_eq!(jwt.authenticate_header().as_deref(), Some("Bearer realm=\"api\""));
}

#[test]
fn jwk_keys_are_accepted() {
    // The ES256 public key of the vectors as a JWK (x, y from the PEM's SEC1 point).
    let keys: Value = serde_json::from_str(include_str!("authentication_vectors/jwt_keys.json")).unwrap();
    let jwks: Value = serde_json::from_str(include_str!("authentication_vectors/jwt_jwks.json")).unwrap();
    let vectors: Value = common::jsonl(include_str!("authentication_vectors/jwt.jsonl"));
    let now = vectors["now"].as_f64().unwrap();
    for (scenario, alg, jwk) in [("es256", "ES256", &jwks["p256"]), ("rs256", "RS256", &jwks["rsa"])] {
        let settings: AuthenticationSettings =
            serde_json::from_value(json!({"jwt": {"algorithm": alg, "verifyingKey": jwk}})).unwrap();
        let settings = CompiledSettings::compile(&settings).unwrap();
        let valid = &vectors["scenarios"][scenario]["cases"][0];
        assert_eq!(valid["label"], "valid");
        assert_eq!(run(&settings, valid["header"].as_str().unwrap(), false, now), json!({"user": "alice"}));
        // A private key PEM also works as VERIFYING_KEY, as in PyJWT.
        let private = if alg == "ES256" { &keys["p256"]["private"] } else { &keys["rsa"]["private"] };
        let settings: AuthenticationSettings =
            serde_json::from_value(json!({"jwt": {"algorithm": alg, "verifyingKey": private}})).unwrap();
        let settings = CompiledSettings::compile(&settings).unwrap();
        assert_eq!(run(&settings, valid["header"].as_str().unwrap(), false, now), json!({"user": "alice"}));
    }
}
