//! Binding-layer tests, run in Node by wasm-bindgen-test-runner:
//! `cargo test --target wasm32-unknown-unknown --lib`.
//! Included from `src/wasm.rs` (`#[path]`), so they see the binding's private helpers. They call
//! the exports exactly as `pkg/src/gate.js` does (`GateCore`, `SubjectCore`, target ids).

#![allow(clippy::panic, reason = "a test fails by panicking")]

use js_sys::{Reflect, JSON};
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::wasm_bindgen_test;

use super::*;

fn js(text: &str) -> JsValue {
    JSON::parse(text).unwrap_or(JsValue::UNDEFINED)
}

fn prop(value: &JsValue, name: &str) -> JsValue {
    Reflect::get(value, &JsValue::from_str(name)).unwrap_or(JsValue::UNDEFINED)
}

const POLICY: &str = r#"{"permissions": ["IsAuthenticated"], "views": {"posts": {"model": "blog.Post"}}}"#;

fn gate() -> GateCore {
    match GateCore::new(js(POLICY)) {
        Ok(gate) => gate,
        Err(_) => panic!("the sample policy compiles"),
    }
}

#[wasm_bindgen_test]
fn policy_as_object_and_as_text() {
    assert!(GateCore::new(js(POLICY)).is_ok());
    assert!(GateCore::new(JsValue::from_str(POLICY)).is_ok());
    assert_eq!(gate().views(), vec!["posts".to_string()]);
}

#[wasm_bindgen_test]
fn policy_error_is_an_error_subclass_with_code_and_position() {
    let Err(error) = GateCore::new(JsValue::from_str("{\n  \"views\": }")) else { panic!("invalid JSON compiles") };
    assert!(error.is_instance_of::<js_sys::Error>());
    assert_eq!(prop(&error, "name").as_string().as_deref(), Some("PolicyError"));
    assert_eq!(prop(&error, "code").as_string().as_deref(), Some("invalid_json"));
    assert_eq!(prop(&error, "line").as_f64(), Some(2.0));
    assert!(prop(&error, "column").as_f64().is_some());
    assert!(prop(&error, "path").as_string().is_some());
}

#[wasm_bindgen_test]
fn a_policy_that_is_not_json_shaped_is_a_policy_error() {
    // A function is not JSON: the conversion fails with a PolicyError, no trap.
    let Err(error) = GateCore::new(js_sys::Function::new_no_args("").into()) else { panic!("a function compiles") };
    assert_eq!(prop(&error, "name").as_string().as_deref(), Some("PolicyError"));
}

#[wasm_bindgen_test]
fn context_errors_name_the_path_and_the_gate_keeps_working() {
    let gate = gate();
    let Err(error) = gate.check(js(r#"{"view": "posts", "user": {"isStaff": "yes"}}"#)) else {
        panic!("a malformed user is accepted")
    };
    assert!(error.is_instance_of::<js_sys::Error>());
    assert_eq!(prop(&error, "name").as_string().as_deref(), Some("ContextError"));
    assert_eq!(prop(&error, "code").as_string().as_deref(), Some("invalid_context"));
    assert_eq!(prop(&error, "path").as_string().as_deref(), Some("$.user.isStaff"));
    let Err(error) = gate.check(js(r#"{"view": "nope", "action": "list"}"#)) else { panic!("unknown view") };
    assert_eq!(prop(&error, "code").as_string().as_deref(), Some("unknown_view"));
    // Still usable after errors.
    assert!(gate.check(js(r#"{"view": "posts", "action": "list", "user": {"id": 1}}"#)).is_ok());
}

#[wasm_bindgen_test]
fn decisions_cross_as_json_text() {
    let decision = gate().check(js(r#"{"view": "posts", "action": "list", "user": null}"#));
    let Ok(text) = decision else { panic!("the context is valid") };
    let decision = JSON::parse(&text).unwrap_or(JsValue::UNDEFINED);
    assert!(decision.is_object());
    assert_eq!(prop(&decision, "allowed").as_bool(), Some(false));
    assert_eq!(prop(&decision, "status").as_f64(), Some(403.0));
}

fn target(gate: &GateCore, view: &str, action: &str, with_object: bool) -> u32 {
    match gate.target(view.into(), action.into(), with_object) {
        Ok(id) => id,
        Err(_) => panic!("{view}.{action} resolves"),
    }
}

#[wasm_bindgen_test]
fn subjects_are_reusable_and_bound_to_their_gate() {
    let gate = gate();
    let Ok(subject) = gate.subject(js(r#"{"id": 3}"#)) else { panic!("a valid user") };
    let list = target(&gate, "posts", "list", false);
    for _ in 0..3 {
        assert_eq!(gate.can_subject(&subject, list, None).ok(), Some(true));
    }
    let other = self::gate();
    let other_list = target(&other, "posts", "list", false);
    let Err(error) = other.can_subject(&subject, other_list, None) else { panic!("a subject of another gate") };
    assert_eq!(prop(&error, "name").as_string().as_deref(), Some("ContextError"));
    assert_eq!(prop(&error, "code").as_string().as_deref(), Some("invalid_context"));
    let Err(error) = other.permissions_for_subject(&subject, "posts".into(), None) else { panic!("another gate") };
    assert_eq!(prop(&error, "code").as_string().as_deref(), Some("invalid_context"));
    assert_eq!(gate.can_user(JsValue::NULL, list, None).ok(), Some(false));
    assert_eq!(gate.can_user(js(r#"{"id": 3}"#), list, None).ok(), Some(true));
}

#[wasm_bindgen_test]
fn targets_name_unknown_views_and_actions() {
    let gate = gate();
    for (view, action, code) in [("nope", "list", "unknown_view"), ("posts", "destory", "unknown_action")] {
        let Err(error) = gate.target(view.into(), action.into(), false) else { panic!("{view}.{action} resolves") };
        assert_eq!(prop(&error, "name").as_string().as_deref(), Some("ContextError"));
        assert_eq!(prop(&error, "code").as_string().as_deref(), Some(code));
    }
    // An id the gate never gave (or gave before `clearTargets`) is an error, not a wrong answer.
    let list = target(&gate, "posts", "list", false);
    assert!(gate.clear_targets().is_ok());
    assert!(gate.can_user(JsValue::NULL, list, None).is_err());
}

#[wasm_bindgen_test]
fn permissions_for_is_an_object_of_booleans() {
    let Ok(map) = gate().permissions_for_user(js(r#"{"id": 3}"#), "posts".into(), None) else { panic!("valid") };
    assert_eq!(prop(&map, "list").as_bool(), Some(true));
    let gate = gate();
    let Ok(subject) = gate.subject(JsValue::NULL) else { panic!("anonymous") };
    let Ok(map) = gate.permissions_for_subject(&subject, "posts".into(), None) else { panic!("valid") };
    assert_eq!(prop(&map, "list").as_bool(), Some(false));
}

#[wasm_bindgen_test]
fn route_gives_the_action_a_method_runs() {
    let policy = r#"{"views": {"posts": {}}, "routes": [{"pattern": "/posts/", "view": "posts"}, {"pattern": "/posts/{pk}/", "view": "posts", "detail": true}]}"#;
    let Ok(gate) = GateCore::new(js(policy)) else { panic!("the policy compiles") };
    let Ok(hit) = gate.route("/posts/7/".into(), Some("DELETE".into())) else { panic!("a route") };
    assert_eq!(prop(&hit, "action").as_string().as_deref(), Some("destroy"));
    assert_eq!(prop(&prop(&hit, "params"), "pk").as_string().as_deref(), Some("7"));
    let Ok(hit) = gate.route("/posts/".into(), None) else { panic!("a route") };
    assert!(prop(&hit, "action").is_null());
    assert_eq!(gate.route("/nope/".into(), None).ok().map(|v| v.is_null()), Some(true));
}

#[wasm_bindgen_test]
fn getrandom_reads_the_js_crypto_api() {
    let mut bytes = [0u8; 32];
    assert!(getrandom::fill(&mut bytes).is_ok());
    assert!(bytes.iter().any(|byte| *byte != 0));
}

#[wasm_bindgen_test]
fn non_string_names_are_context_errors() {
    let gate = gate();
    for bad in [JsValue::from_f64(0.0), JsValue::UNDEFINED, JsValue::NULL, js("{}")] {
        let Err(error) = gate.target(bad.clone(), "list".into(), false) else { panic!("a non-string view") };
        assert_eq!(prop(&error, "name").as_string().as_deref(), Some("ContextError"));
        assert!(gate.target("posts".into(), bad.clone(), false).is_err());
        assert!(gate.permissions_for_user(JsValue::NULL, bad, None).is_err());
    }
}
