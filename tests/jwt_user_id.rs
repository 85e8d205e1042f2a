#![cfg(test)] // test code: clippy.toml lets it unwrap, expect, index and panic
//! simplejwt's `User.objects.get(**{USER_ID_FIELD: claim})` for a UUID pk, an integer pk and a
//! text field (`userIdKind`), against outcomes recorded from real simplejwt 5.5.1 / Django 5.2
//! (`tests/authentication_vectors/gen_jwt_user_id.py`): the resolver's not-found is DRF's 401
//! only for a claim the field takes; any other claim is the server's 500, which the edge forwards.

mod common;

use drf_gate::authentication::*;
use drf_gate::user::UserInput;
use serde_json::{json, Value};

/// Answers as an exact resolver would: found when the reference server found the user.
struct Users {
    field: String,
    found: bool,
}

impl Resolver for Users {
    fn user_by_id(&self, field: &str, _id: &Value) -> Lookup {
        assert_eq!(field, self.field);
        if self.found {
            Lookup::Found(UserInput { username: Some("alice".into()), is_active: true, ..Default::default() })
        } else {
            Lookup::NotFound
        }
    }
}

fn run(settings: &CompiledSettings, header: &str, users: &Users, now: f64) -> Value {
    let classes = [Authenticator::new("jwt", settings.builtin_class("jwt").unwrap())];
    let request = RawRequest::new("GET").header("Authorization", header).unwrap();
    let result = match authenticate(&request, &classes, settings, users, now) {
        Ok(result) => result,
        Err(Undecided::Unknown(_)) => return json!("forwarded"),
        Err(other) => panic!("{other:?}"),
    };
    match result.outcome {
        AuthenticationOutcome::Succeeded(_) => json!({"user": result.user.unwrap().username}),
        AuthenticationOutcome::Failed(failure) => {
            assert_eq!(failure.exception, FailureKind::AuthenticationFailed);
            json!({"failed": failure.detail})
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn user_id_kind_matches_django_fields() {
    let vectors: Value = common::jsonl(include_str!("authentication_vectors/jwt_user_id.jsonl"));
    let now = vectors["now"].as_f64().unwrap();
    let (mut answered, mut forwarded) = (0, 0);
    for (name, scenario) in vectors["scenarios"].as_object().unwrap() {
        let field = scenario["userIdField"].as_str().unwrap();
        let jwt =
            json!({"signingKey": vectors["signingKey"], "userIdField": field, "userIdKind": scenario["userIdKind"]});
        let settings: AuthenticationSettings = serde_json::from_value(json!({ "jwt": jwt })).unwrap();
        let settings = CompiledSettings::compile(&settings).unwrap();
        for case in scenario["cases"].as_array().unwrap() {
            let claim = case["claim"].as_str().unwrap();
            for column in ["found", "missing"] {
                let expected = &case[column];
                let users = Users { field: field.into(), found: expected.get("user").is_some() };
                let got = run(&settings, case["header"].as_str().unwrap(), &users, now);
                // A claim beyond 64 bits is forwarded before the lookup (the lookup sees exact ints only).
                let beyond_u64 = claim.parse::<u128>().is_ok_and(|n| n > u128::from(u64::MAX));
                if got == "forwarded" {
                    // A null claim is `field IS NULL` in Django: a store cannot answer it but for the pk.
                    assert!(
                        expected.get("serverError").is_some() || beyond_u64 || (claim == "null" && field == "username"),
                        "{name} {claim} {column}: forwarded, DRF {expected}"
                    );
                    forwarded += 1;
                } else {
                    assert_eq!(&got, expected, "{name} {claim} {column}");
                    answered += 1;
                }
            }
        }
    }
    // Every claim a field rejects is forwarded, and a null claim on a field that is not the pk
    // (found or not); nothing else is (the two beyond u64 aside).
    assert_eq!((answered, forwarded), (280, 216));
}

/// `"user_id": null` is `User.objects.get(uuid=None)`, Django's `uuid IS NULL`: a user whose
/// nullable field is NULL is authenticated (200), several are a 500, none is a 401. A store
/// answering "found" or "not found" for a null id cannot tell these apart: forwarded. The pk is
/// never NULL: 401 "User not found" even from a store that says found.
#[test]
fn a_null_claim_is_forwarded_found_or_not_but_for_the_pk() {
    let vectors: Value = common::jsonl(include_str!("authentication_vectors/jwt_user_id.jsonl"));
    let now = vectors["now"].as_f64().unwrap();
    let jwt = json!({"signingKey": vectors["signingKey"], "userIdField": "uuid", "userIdKind": "uuid"});
    let settings: AuthenticationSettings = serde_json::from_value(json!({ "jwt": jwt })).unwrap();
    let settings = CompiledSettings::compile(&settings).unwrap();
    let null_case = vectors["scenarios"]["uuid_pk"]["cases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|case| case["claim"] == "null")
        .unwrap();
    for found in [true, false] {
        let users = Users { field: "uuid".into(), found };
        assert_eq!(run(&settings, null_case["header"].as_str().unwrap(), &users, now), "forwarded", "found: {found}");
    }
    for field in ["id", "pk"] {
        let jwt = json!({"signingKey": vectors["signingKey"], "userIdField": field, "userIdKind": "uuid"});
        let settings: AuthenticationSettings = serde_json::from_value(json!({ "jwt": jwt })).unwrap();
        let settings = CompiledSettings::compile(&settings).unwrap();
        let users = Users { field: field.into(), found: true };
        let got = run(&settings, null_case["header"].as_str().unwrap(), &users, now);
        assert_eq!(got, null_case["found"], "{field}");
    }
}

#[test]
fn without_a_kind_id_and_pk_are_integer_and_other_fields_text() {
    for (field, kind) in [("id", UserIdKind::Integer), ("pk", UserIdKind::Integer), ("username", UserIdKind::Text)] {
        let jwt: JwtSettings = serde_json::from_value(json!({ "userIdField": field })).unwrap();
        assert_eq!(jwt.user_id_kind(), kind);
    }
    let refused = serde_json::from_value::<JwtSettings>(json!({"userIdKind": "date"})).unwrap_err();
    assert!(refused.to_string().contains("unknown variant `date`"), "{refused}");
}
