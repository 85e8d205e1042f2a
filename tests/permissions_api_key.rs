#![cfg(test)] // test code: clippy.toml lets it unwrap, expect, index and panic
//! djangorestframework-api-key's `HasAPIKey`: the policy forms, the context's stated outcome, the
//! edge's permission-stage lookup (asked only when DRF evaluates the class), verification, expiry,
//! and what is forwarded. The real package is the oracle in `conformance/thirdparty.sh`; these
//! pin the protocol.

use std::cell::RefCell;

use drf_gate::authentication::*;
use drf_gate::edge::{EdgeOutcome, EdgeStep, ForwardReason, PendingRequest, RequestTarget};
use drf_gate::Gate;
use serde_json::{json, Value};

const KEY: &str = "Ab12Cd34.s3cretKey";
const MODEL: &str = "rest_framework_api_key.APIKey";

/// `hashlib.sha512(text.encode()).hexdigest()`.
fn sha512_hex(text: &str) -> String {
    drf_gate::authentication::knox::hash_token(text, KnoxHash::Sha512)
}

/// The oracle's database: one row per (model, prefix), and every lookup asked, in order.
struct Rows {
    rows: Vec<(&'static str, &'static str, ApiKeyRow)>,
    asked: RefCell<Vec<(String, String)>>,
    authoritative: bool,
}

impl Rows {
    fn new(rows: Vec<(&'static str, &'static str, ApiKeyRow)>) -> Self {
        Rows { rows, asked: RefCell::default(), authoritative: true }
    }
}

fn row(key: &str, revoked: bool, expiry: Option<f64>) -> ApiKeyRow {
    ApiKeyRow { hashed_key: format!("sha512$${}", sha512_hex(key)), revoked, expiry }
}

impl Resolver for Rows {
    fn api_key(&self, model: &str, prefix: &str) -> Lookup<ApiKeyRow> {
        self.asked.borrow_mut().push((model.into(), prefix.into()));
        match self.rows.iter().find(|(m, p, _)| *m == model && *p == prefix) {
            Some((_, _, row)) => Lookup::Found(row.clone()),
            None if self.authoritative => Lookup::NotFound,
            None => Lookup::Unknown,
        }
    }
    fn token(&self, key: &str) -> Lookup {
        if key == "user-token" {
            Lookup::Found(serde_json::from_value(json!({"id": 1, "username": "ann"})).unwrap())
        } else {
            Lookup::NotFound
        }
    }
}

fn gate(permissions: Value, extra: Value) -> Gate {
    let mut policy = json!({
        "authentication": ["token"],
        "permissions": permissions,
        "views": {"widgets": {}},
    });
    if let (Some(policy), Some(extra)) = (policy.as_object_mut(), extra.as_object()) {
        for (key, value) in extra {
            policy.insert(key.clone(), value.clone());
        }
    }
    Gate::from_json(&policy.to_string()).unwrap()
}

/// (status, body) at the edge, or what stopped it.
fn edge(gate: &Gate, headers: &[(&str, &str)], rows: &Rows, now: f64) -> Value {
    let mut request = RawRequest::new("GET");
    for (name, value) in headers {
        request = request.header(name, value).unwrap();
    }
    let target = RequestTarget { view: Some("widgets".into()), action: Some("list".into()), ..Default::default() };
    match gate.check_request(&request, &target, rows, now).unwrap() {
        EdgeOutcome::Decided(decision, _) => json!([decision.status, decision.body]),
        EdgeOutcome::Forward(reason) => json!({"forward": serde_json::to_value(reason).unwrap()}),
        EdgeOutcome::NeedsLookup(key) => json!({"lookup": serde_json::to_value(key).unwrap()}),
        other => panic!("{other:?}"),
    }
}

const ALLOWED: (u16, &str) = (200, "");
const NOT_AUTHENTICATED: &str = r#"{"detail":"Authentication credentials were not provided."}"#;

fn status(value: &Value) -> (u16, String) {
    (value[0].as_u64().unwrap() as u16, value[1].as_str().unwrap().to_owned())
}

#[test]
fn a_valid_key_passes_and_every_invalid_one_is_denied() {
    let gate = gate(json!(["HasAPIKey"]), json!({}));
    let rows = Rows::new(vec![
        (MODEL, "Ab12Cd34", row(KEY, false, None)),
        (MODEL, "Revoked0", row("Revoked0.x", true, None)),
        (MODEL, "Expiring", row("Expiring.x", false, Some(1000.0))),
    ]);
    let allowed = |header: &str, now: f64| status(&edge(&gate, &[("Authorization", header)], &rows, now));
    let denied = (401, NOT_AUTHENTICATED.to_owned());
    assert_eq!(allowed(&format!("Api-Key {KEY}"), 0.0), (ALLOWED.0, ALLOWED.1.into()));
    assert_eq!(allowed(&format!("api-KEY {KEY}"), 0.0).0, 200, "the keyword compares lower-cased");
    assert_eq!(allowed("Expiring Expiring.x", 0.0), denied, "another keyword");
    assert_eq!(allowed("Api-Key Expiring.x", 999.9).0, 200);
    assert_eq!(allowed("Api-Key Expiring.x", 1000.5), denied, "expiry_date < now");
    assert_eq!(allowed("Api-Key Revoked0.x", 0.0), denied, "revoked: not a usable key");
    assert_eq!(allowed("Api-Key Ab12Cd34.wrong", 0.0), denied, "wrong secret");
    assert_eq!(allowed("Api-Key Ab12Cd34", 0.0), denied, "no dot: the whole key is the prefix");
    assert_eq!(allowed(&format!("Api-Key {KEY} "), 0.0), denied, "the key keeps its spaces");
    assert_eq!(allowed(&format!("Api-Key  {KEY}"), 0.0), denied, "split at the first space only");
    assert_eq!(allowed(&format!("Api-Key\t{KEY}"), 0.0), denied, "a tab is not the separator");
    assert_eq!(allowed("Api-Key Nope0000.x", 0.0), denied, "no such prefix");
    assert_eq!(allowed("Api-Key ", 0.0), denied, "an empty key");
    let asked: Vec<String> = rows.asked.borrow().iter().map(|(_, prefix)| prefix.clone()).collect();
    // Neither `Expiring ...` nor the tab, nor the empty key, asked anything.
    assert!(!asked.iter().any(|p| p.contains('\t') || p.is_empty()), "{asked:?}");
}

#[test]
fn a_latin1_key_is_hashed_as_its_utf8_text() {
    let key = "Lat1n5ab.s\u{e9}cr\u{e8}t";
    let gate = gate(json!(["HasAPIKey"]), json!({}));
    let rows = Rows::new(vec![(MODEL, "Lat1n5ab", row(key, false, None))]);
    assert_eq!(status(&edge(&gate, &[("Authorization", &format!("Api-Key {key}"))], &rows, 0.0)).0, 200);
}

#[test]
fn composition_asks_the_lookup_only_when_drf_evaluates_the_class() {
    let rows = Rows::new(vec![(MODEL, "Ab12Cd34", row(KEY, false, None))]);
    // IsAuthenticated | HasAPIKey with an authenticated user: HasAPIKey never runs.
    let or = gate(json!(["IsAuthenticated | HasAPIKey"]), json!({}));
    assert_eq!(status(&edge(&or, &[("Authorization", "Token user-token")], &rows, 0.0)).0, 200);
    // IsAuthenticated & HasAPIKey, anonymous: the AND stops at IsAuthenticated.
    let and = gate(json!(["IsAuthenticated & HasAPIKey"]), json!({}));
    assert_eq!(status(&edge(&and, &[("Authorization", &format!("Api-Key {KEY}"))], &rows, 0.0)).0, 401);
    assert!(rows.asked.borrow().is_empty());
    // HasAPIKey | IsAuthenticated, anonymous with a key: asked once, allowed.
    let key_first = gate(json!(["HasAPIKey | IsAuthenticated"]), json!({}));
    assert_eq!(status(&edge(&key_first, &[("Authorization", &format!("Api-Key {KEY}"))], &rows, 0.0)).0, 200);
    assert_eq!(rows.asked.borrow().len(), 1);
    // ~HasAPIKey with a valid key: denied.
    let not = gate(json!(["~HasAPIKey"]), json!({}));
    assert_eq!(status(&edge(&not, &[("Authorization", &format!("Api-Key {KEY}"))], &rows, 0.0)).0, 401);
}

#[test]
fn the_step_protocol_asks_an_api_key_lookup() {
    let gate = gate(json!(["HasAPIKey"]), json!({}));
    let request = RawRequest::new("GET").header("Authorization", &format!("Api-Key {KEY}")).unwrap();
    let target = RequestTarget { view: Some("widgets".into()), action: Some("list".into()), ..Default::default() };
    let step = |answer: Option<Answer>| {
        let mut pending = PendingRequest::new(request.clone(), target.clone(), 0.0);
        let EdgeStep::Lookup(key) = pending.step(&gate).unwrap() else { panic!("no lookup") };
        assert_eq!(
            serde_json::to_value(&key).unwrap(),
            json!({"kind": "apiKey", "model": MODEL, "prefix": "Ab12Cd34"})
        );
        pending.answer(answer.unwrap()).unwrap();
        serde_json::to_value(pending.step(&gate).unwrap()).unwrap()
    };
    let answer = |value: Value| Some(serde_json::from_value::<Answer>(value).unwrap());
    let hashed = format!("sha512$${}", sha512_hex(KEY));
    assert_eq!(
        step(answer(json!({"apiKey": {"hashedKey": hashed, "revoked": false, "expiry": null}})))["decision"]["status"],
        200
    );
    assert_eq!(step(answer(json!({"notFound": true})))["decision"]["status"], 401);
    assert_eq!(
        step(answer(json!({"unknown": true}))),
        json!({"forward": {"reason": "unknown-lookup", "lookup": {"kind": "apiKey", "model": MODEL, "prefix": "Ab12Cd34"}}})
    );
    // A user-shaped answer is not a row: not known.
    assert!(step(answer(json!({"user": {"id": 1}}))).get("forward").is_some());
}

#[test]
fn what_the_edge_cannot_be_certain_of_is_forwarded() {
    let gate_default = gate(json!(["HasAPIKey"]), json!({}));
    let legacy = ApiKeyRow { hashed_key: "pbkdf2_sha256$870000$salt$hash".into(), revoked: false, expiry: None };
    let rows = Rows::new(vec![(MODEL, "Legacy00", legacy)]);
    let forwarded = edge(&gate_default, &[("Authorization", "Api-Key Legacy00.x")], &rows, 0.0);
    assert_eq!(forwarded["forward"]["reason"], "api-key-legacy-hash");
    let mut lagging = Rows::new(vec![]);
    lagging.authoritative = false;
    let forwarded = edge(&gate_default, &[("Authorization", "Api-Key Nope0000.x")], &lagging, 0.0);
    assert_eq!(forwarded["forward"]["reason"], "unknown-lookup");
    // API_KEY_CUSTOM_HEADER naming a META entry that is not a header.
    let environ = gate(json!(["HasAPIKey"]), json!({"settings": {"apiKeyCustomHeader": "API_KEY"}}));
    assert_eq!(edge(&environ, &[], &rows, 0.0)["forward"]["reason"], "api-key-not-visible");
}

#[test]
fn the_custom_header_setting_replaces_authorization() {
    let gate = gate(json!(["HasAPIKey"]), json!({"settings": {"apiKeyCustomHeader": "HTTP_X_API_KEY"}}));
    let rows = Rows::new(vec![(MODEL, "Ab12Cd34", row(KEY, false, None))]);
    assert_eq!(status(&edge(&gate, &[("X-Api-Key", KEY)], &rows, 0.0)).0, 200);
    assert_eq!(status(&edge(&gate, &[("Authorization", &format!("Api-Key {KEY}"))], &rows, 0.0)).0, 401);
    assert_eq!(status(&edge(&gate, &[("X-Api-Key", &format!("Api-Key {KEY}"))], &rows, 0.0)).0, 401);
    assert_eq!(status(&edge(&gate, &[("X-Api-Key", "")], &rows, 0.0)).0, 401);
}

#[test]
fn subclasses_have_their_model_keyword_and_message() {
    let extra = json!({"classes": {
        "HasOrgAPIKey": {"apiKey": {"model": "orgs.OrgAPIKey"}, "message": "Org key required."},
        "HasKeyKeyword": {"base": "HasAPIKey", "apiKey": {"keyword": "Key"}},
    }, "authentication": []});
    let org = gate(json!(["HasOrgAPIKey"]), extra.clone());
    let rows = Rows::new(vec![("orgs.OrgAPIKey", "Ab12Cd34", row("Ab12Cd34.org", false, None))]);
    assert_eq!(status(&edge(&org, &[("Authorization", "Api-Key Ab12Cd34.org")], &rows, 0.0)).0, 200);
    assert_eq!(
        status(&edge(&org, &[("Authorization", &format!("Api-Key {KEY}"))], &rows, 0.0)),
        (403, r#"{"detail":"Org key required."}"#.to_owned())
    );
    assert_eq!(rows.asked.borrow().last().unwrap().0, "orgs.OrgAPIKey");
    let keyword = gate(json!(["HasKeyKeyword"]), extra);
    let rows = Rows::new(vec![(MODEL, "Ab12Cd34", row(KEY, false, None))]);
    assert_eq!(status(&edge(&keyword, &[("Authorization", &format!("key {KEY}"))], &rows, 0.0)).0, 200);
    assert_eq!(status(&edge(&keyword, &[("Authorization", &format!("Api-Key {KEY}"))], &rows, 0.0)).0, 403);
}

#[test]
fn policy_errors_are_located() {
    let error = |classes: Value| {
        Gate::from_json(&json!({"classes": classes, "permissions": ["C"], "views": {"v": {}}}).to_string())
            .err()
            .map(|e| e.path)
    };
    assert_eq!(error(json!({"C": {"apiKey": {}}})), Some("$.classes.C.apiKey.model".into()));
    assert_eq!(error(json!({"C": {"apiKey": {"model": "nolabel"}}})), Some("$.classes.C.apiKey.model".into()));
    assert_eq!(
        error(json!({"C": {"apiKey": {"model": "a.B"}, "hasPermission": "True"}})),
        Some("$.classes.C.hasPermission".into())
    );
    assert_eq!(
        error(json!({"C": {"apiKey": {"model": "a.B"}, "expression": "IsAuthenticated"}})),
        Some("$.classes.C".into())
    );
    assert!(error(json!({"C": {"base": "HasAPIKey", "message": "m"}})).is_none());
}

#[test]
fn a_context_states_the_outcome_per_model() {
    let gate = gate(json!(["HasAPIKey | IsAuthenticated"]), json!({"authentication": []}));
    let check = |context: Value| gate.check_json(&context.to_string()).unwrap().status;
    assert_eq!(check(json!({"view": "widgets", "action": "list"})), 403);
    assert_eq!(check(json!({"view": "widgets", "action": "list", "apiKeys": {MODEL: true}})), 200);
    assert_eq!(check(json!({"view": "widgets", "action": "list", "apiKeys": {MODEL: false}})), 403);
    assert_eq!(check(json!({"view": "widgets", "action": "list", "apiKeys": {"orgs.OrgAPIKey": true}})), 403);
    // A class name wins over its model (two keywords on one model).
    assert_eq!(check(json!({"view": "widgets", "action": "list", "apiKeys": {"HasAPIKey": true, MODEL: false}})), 200);
    assert_eq!(check(json!({"view": "widgets", "action": "list", "apiKeys": {"HasAPIKey": false, MODEL: true}})), 403);
    // UI gating: no key.
    assert!(!gate.can(&drf_gate::user::User::anonymous(), "widgets", "list", None).unwrap());
}

#[test]
fn compiled_policies_carry_the_class() {
    let extra = json!({"classes": {"HasOrgAPIKey": {"apiKey": {"model": "orgs.OrgAPIKey", "keyword": "Key"}}},
        "settings": {"apiKeyCustomHeader": "HTTP_X_API_KEY"}});
    let json_gate = gate(json!(["HasOrgAPIKey | HasAPIKey"]), extra);
    let compiled = Gate::from_compiled(&json_gate.to_compiled()).unwrap();
    let rows = Rows::new(vec![
        ("orgs.OrgAPIKey", "Ab12Cd34", row("Ab12Cd34.org", false, None)),
        (MODEL, "Ab12Cd34", row(KEY, false, None)),
    ]);
    for key in ["Ab12Cd34.org", KEY, "Ab12Cd34.nope", ""] {
        let headers = [("X-Api-Key", key)];
        assert_eq!(edge(&json_gate, &headers, &rows, 0.0), edge(&compiled, &headers, &rows, 0.0), "{key}");
    }
    assert_eq!(status(&edge(&compiled, &[("X-Api-Key", KEY)], &rows, 0.0)).0, 200);
    let _ = ForwardReason::ApiKeyNotVisible;
}
