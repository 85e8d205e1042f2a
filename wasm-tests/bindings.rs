//! Binding-layer tests, run in Node by wasm-bindgen-test-runner:
//! `cargo test --target wasm32-unknown-unknown --lib`.
//! Included from `src/wasm.rs` (`#[path]`), so they see the binding's private helpers.

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

fn gate() -> Gate {
    match Gate::new(js(POLICY)) {
        Ok(gate) => gate,
        Err(_) => panic!("the sample policy compiles"),
    }
}

#[wasm_bindgen_test]
fn policy_as_object_and_as_text() {
    assert!(Gate::new(js(POLICY)).is_ok());
    assert!(Gate::new(JsValue::from_str(POLICY)).is_ok());
    assert_eq!(gate().views(), vec!["posts".to_string()]);
}

#[wasm_bindgen_test]
fn policy_error_is_an_error_subclass_with_code_and_position() {
    let Err(error) = Gate::new(JsValue::from_str("{\n  \"views\": }")) else { panic!("invalid JSON compiles") };
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
    let Err(error) = Gate::new(js_sys::Function::new_no_args("").into()) else { panic!("a function compiles") };
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
fn decisions_are_plain_objects() {
    let decision = gate().check(js(r#"{"view": "posts", "action": "list", "user": null}"#));
    let Ok(decision) = decision else { panic!("the context is valid") };
    assert!(decision.is_object());
    assert_eq!(prop(&decision, "allowed").as_bool(), Some(false));
    assert_eq!(prop(&decision, "status").as_f64(), Some(403.0));
}

#[wasm_bindgen_test]
fn subjects_are_reusable_and_bound_to_their_gate() {
    let gate = gate();
    let Ok(subject) = gate.subject(js(r#"{"id": 3}"#)) else { panic!("a valid user") };
    for _ in 0..3 {
        assert_eq!(gate.can(subject.clone(), "posts".into(), "list".into(), None).ok(), Some(true));
    }
    let other = self::gate();
    let Err(error) = other.can(subject, "posts".into(), "list".into(), None) else {
        panic!("a subject of another gate")
    };
    assert_eq!(prop(&error, "code").as_string().as_deref(), Some("invalid_context"));
    assert_eq!(gate.can(JsValue::NULL, "posts".into(), "list".into(), None).ok(), Some(false));
}

#[wasm_bindgen_test]
fn permissions_for_is_an_object_of_booleans() {
    let Ok(map) = gate().permissions_for(js(r#"{"id": 3}"#), "posts".into(), None) else { panic!("valid") };
    assert_eq!(prop(&map, "list").as_bool(), Some(true));
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
        let Err(error) = gate.can(JsValue::NULL, bad.clone(), "list".into(), None) else { panic!("a non-string view") };
        assert_eq!(prop(&error, "name").as_string().as_deref(), Some("ContextError"));
        assert!(gate.permissions_for(JsValue::NULL, bad, None).is_err());
    }
}
