#![cfg(test)] // test code: clippy.toml lets it unwrap, expect, index and panic
//! A view with `throttle_classes`: DRF runs `check_throttles` after the permissions and before
//! the handler lookup and `get_object()`. Observed (DRF 3.18.3, `AnonRateThrottle` 1/min, AllowAny,
//! a list-only viewset): `POST /api/w/` answers 405 `{"detail":"Method \"POST\" not allowed."}`,
//! then 429 `{"detail":"Request was throttled. Expected available in 60 seconds."}` with
//! `Retry-After: 60`. Only the origin knows the rate, so the edge forwards what comes after the
//! throttles (405, the lookup's 404, object-stage denials) and still answers the view stage.

use drf_gate::Gate;
use serde_json::{json, Value};

fn policy(throttled: bool) -> Value {
    json!({
        "authentication": ["basic"],
        "classes": {"ObjDeny": {"hasObjectPermission": "False"}},
        "views": {"w": {"model": "testapp.Widget", "permissions": ["IsAuthenticated", "ObjDeny"], "throttled": throttled,
                        "actions": ["list", "retrieve"]}},
    })
}

/// (status, respond) of each context, through the JSON policy and the compiled one.
fn outcomes(throttled: bool) -> Vec<(u16, bool)> {
    let contexts = [
        json!({"view": "w", "method": "GET", "detail": false}),
        json!({"view": "w", "method": "POST", "detail": false, "user": {"id": 3}, "authentication": {"succeeded": "basic"}}),
        json!({"view": "w", "action": "retrieve", "user": {"id": 3}, "authentication": {"succeeded": "basic"}, "object": {"id": 7}}),
        json!({"view": "w", "action": "retrieve", "user": {"id": 3}, "authentication": {"succeeded": "basic"}, "object": null}),
    ];
    let json_gate = Gate::from_value(policy(throttled)).unwrap();
    let compiled = Gate::from_compiled(&json_gate.to_compiled()).unwrap();
    let mut out = Vec::new();
    for gate in [&json_gate, &compiled] {
        for context in &contexts {
            let decision = gate.check_json(&context.to_string()).unwrap();
            out.push((decision.status, decision.respond()));
        }
    }
    out
}

#[test]
fn a_throttled_view_leaves_what_follows_the_throttles_to_the_origin() {
    // Anonymous 401 (view stage, before the throttles): answered. 405, the object stage's 403 and
    // the lookup's 404: forwarded.
    let expected = [(401, true), (405, false), (403, false), (404, false)];
    assert_eq!(outcomes(true), [expected, expected].concat());
    let plain = [(401, true), (405, true), (403, true), (404, true)];
    assert_eq!(outcomes(false), [plain, plain].concat());
}
