#![cfg(test)] // test code: clippy.toml lets it unwrap, expect, index and panic
//! django-rest-knox's TokenAuthentication: the digest lookup, expiry, inactive users, the header
//! rules. The real package is the oracle in `conformance/thirdparty.sh`; these pin the protocol.

use drf_gate::authentication::knox::hash_token;
use drf_gate::authentication::*;
use drf_gate::user::UserInput;
use serde_json::{json, Value};

const TOKEN: &str = "0123456789abcdefXYZ";
// hashlib.sha512(b"0123456789abcdefXYZ").hexdigest()
const DIGEST: &str = "92adfb5deea65a9be79d40cf2a9826cffd76a005bc79cd69f051e20d987f901b8d924f0fc8d3b07812b98800e2b33a5a4706e2da198abe436a6be3334c5059ad";

struct Rows;

impl Resolver for Rows {
    fn knox_token(&self, digest: &str, token_key: &str) -> Lookup<KnoxToken> {
        let user = |active| UserInput { username: Some("ann".into()), is_active: active, ..Default::default() };
        match (digest == DIGEST, token_key) {
            (true, "0123456789abcde") => Lookup::Found(KnoxToken { user: user(true), expiry: Some(1000.0) }),
            _ if digest == hash_token("inactive-token", KnoxHash::Sha512) => {
                Lookup::Found(KnoxToken { user: user(false), expiry: None })
            }
            _ => Lookup::NotFound,
        }
    }
}

fn outcome(header: &str, now: f64, knox: Value) -> Value {
    let settings: AuthenticationSettings = serde_json::from_value(json!({ "knox": knox })).unwrap();
    let settings = CompiledSettings::compile(&settings).unwrap();
    let classes = [Authenticator::new("knox", settings.builtin_class("knox").unwrap())];
    let request = RawRequest::new("GET").header("Authorization", header).unwrap();
    match authenticate(&request, &classes, &settings, &Rows, now) {
        Ok(result) => match result.outcome {
            AuthenticationOutcome::None(_) => json!("none"),
            AuthenticationOutcome::Succeeded(_) => json!({"user": result.user.unwrap().username}),
            AuthenticationOutcome::Failed(failure) => json!({"failed": failure.detail, "exception": failure.exception}),
        },
        Err(Undecided::Unknown(needs)) => json!({"forward": serde_json::to_value(&needs.key).unwrap()}),
        Err(other) => panic!("{other:?}"),
    }
}

#[test]
fn a_live_token_authenticates_its_user() {
    assert_eq!(outcome(&format!("Token {TOKEN}"), 999.0, json!({})), json!({"user": "ann"}));
    assert_eq!(outcome(&format!("tOKEN \t {TOKEN}"), 999.0, json!({})), json!({"user": "ann"}));
}

#[test]
fn expired_unknown_and_inactive_tokens_fail_as_knox_says() {
    let failed = |detail: &str| json!({"failed": detail, "exception": "AuthenticationFailed"});
    assert_eq!(outcome(&format!("Token {TOKEN}"), 1000.5, json!({})), failed("Invalid token."));
    assert_eq!(outcome("Token nope", 0.0, json!({})), failed("Invalid token."));
    assert_eq!(outcome("Token inactive-token", 0.0, json!({})), failed("User inactive or deleted."));
    assert_eq!(outcome("Token", 0.0, json!({})), failed("Invalid token header. No credentials provided."));
    assert_eq!(
        outcome("Token a b", 0.0, json!({})),
        failed("Invalid token header. Token string should not contain spaces.")
    );
    assert_eq!(outcome("Bearer x", 0.0, json!({})), json!("none"));
}

#[test]
fn a_token_that_is_not_utf8_is_the_servers_500() {
    assert_eq!(outcome("Token caf\u{e9}", 0.0, json!({}))["exception"], "ServerError");
}

#[test]
fn prefix_hash_and_auto_refresh_settings() {
    let sha256 = hash_token(TOKEN, KnoxHash::Sha256);
    assert_eq!(sha256.len(), 64);
    assert_eq!(outcome(&format!("Bearer {TOKEN}"), 0.0, json!({"authHeaderPrefix": "Bearer"})), json!({"user": "ann"}));
    assert_eq!(
        outcome(&format!("Token {TOKEN}"), 0.0, json!({"secureHashAlgorithm": "sha256"})),
        json!({"failed": "Invalid token.", "exception": "AuthenticationFailed"})
    );
    // AUTO_REFRESH writes a new expiry: only the origin can do that.
    let forwarded = outcome(&format!("Token {TOKEN}"), 0.0, json!({"autoRefresh": true}));
    assert_eq!(forwarded["forward"]["kind"], "knoxToken");
    assert_eq!(forwarded["forward"]["tokenKey"], "0123456789abcde");
}

#[test]
fn the_lookup_is_asked_for_and_answered_through_the_cache() {
    let settings = CompiledSettings::compile(&AuthenticationSettings::default()).unwrap();
    let classes = [Authenticator::new("knox", settings.builtin_class("knox").unwrap())];
    let request = RawRequest::new("GET").header("Authorization", &format!("Token {TOKEN}")).unwrap();
    let mut cache = AnswerCache::default();
    let Err(Undecided::Lookup(needs)) = authenticate(&request, &classes, &settings, &cache, 0.0) else { panic!() };
    assert_eq!(
        serde_json::to_value(&needs.key).unwrap(),
        json!({"kind": "knoxToken", "digest": DIGEST, "tokenKey": "0123456789abcde"})
    );
    // A bare user is not enough: the expiry decides. Not known: forwarded.
    let answer: Answer = serde_json::from_value(json!({"user": {"id": 1}})).unwrap();
    cache.insert(needs.key.clone(), answer);
    assert!(matches!(authenticate(&request, &classes, &settings, &cache, 0.0), Err(Undecided::Unknown(_))));
    let answer: Answer =
        serde_json::from_value(json!({"knoxToken": {"user": {"id": 1, "isActive": true}, "expiry": null}})).unwrap();
    cache.insert(needs.key, answer);
    let result = authenticate(&request, &classes, &settings, &cache, 0.0).unwrap();
    assert_eq!(result.outcome, AuthenticationOutcome::Succeeded("knox".into()));
    assert_eq!(classes[0].class.authenticate_header().as_deref(), Some("Token"));
}
