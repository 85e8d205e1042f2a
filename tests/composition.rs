#![cfg(test)] // test code: clippy.toml lets it unwrap, expect, index and panic
//! Truth tables of `&`, `|`, `~` with Python precedence, as DRF's PermissionsCompositionTests.

mod common;

use common::*;
use serde_json::json;

/// `T` always passes, `F` never does (for a non-staff user).
fn allows(expression: &str) -> bool {
    let expression = expression.replace('T', "AllowAny").replace('F', "IsAdminUser");
    let gate = gate(json!({"authentication": ["basic"], "permissions": [expression], "views": {"v": {}}}));
    decide(&gate, json!({"view": "v", "action": "list", "user": {"id": 1}})).status == 200
}

#[test]
fn and_or_not_truth_tables() {
    assert!(allows("T & T"));
    assert!(!allows("T & F"));
    assert!(!allows("F & T"));
    assert!(!allows("F & F"));
    assert!(allows("T | T"));
    assert!(allows("T | F"));
    assert!(allows("F | T"));
    assert!(!allows("F | F"));
    assert!(!allows("~T"));
    assert!(allows("~F"));
    assert!(allows("~~T"));
}

#[test]
fn python_precedence() {
    // `|` binds loosest: F & F | T == (F & F) | T.
    assert!(allows("F & F | T"));
    // `~` binds tightest: ~F & F == (~F) & F.
    assert!(!allows("~F & F"));
    assert!(allows("~(F & F)"));
    // DRF's test_several_levels_and_precedence: A & ~B & A & ~(B & B) with A=T, B=F.
    assert!(allows("T & ~F & T & ~(F & F)"));
    assert!(allows("T & T | T & T"));
    assert!(!allows("F | F & T"));
}

#[test]
fn trace_shows_short_circuit_laziness() {
    let gate =
        gate(json!({"authentication": ["basic"], "permissions": ["IsAuthenticated | AllowAny"], "views": {"v": {}}}));
    let decision =
        gate.check_value(json!({"view": "v", "action": "retrieve", "object": {"id": 1}, "trace": true})).unwrap();
    assert!(decision.allowed);
    let object_stage: Vec<(String, &str)> = decision
        .trace
        .unwrap()
        .iter()
        .filter(|step| step.stage == drf_gate::decision::Stage::Object)
        .map(|step| (serde_json::to_value(step.check).unwrap().as_str().unwrap().to_owned(), step.label))
        .collect();
    // Object stage: OR re-runs has_permission per operand; IsAuthenticated.has_object_permission
    // is never called because IsAuthenticated.has_permission is False (test_object_or_laziness).
    assert_eq!(
        object_stage,
        vec![
            ("has_object_permission".to_owned(), "|"),
            ("has_permission".to_owned(), "IsAuthenticated"),
            ("has_permission".to_owned(), "AllowAny"),
            ("has_object_permission".to_owned(), "AllowAny"),
        ]
    );
}
