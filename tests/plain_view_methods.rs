#![cfg(test)] // test code: clippy.toml lets it unwrap, expect, index and panic
//! A plain APIView whose `get_permissions()` chooses by method: `ListCreateAPIView` with
//! `permission_classes = [AllowAny]` and `[IsAdminUser()]` for POST. Observed (DRF 3.18.3, Basic
//! authentication): anonymous `GET /api/feed/` 200, anonymous `POST` 401, a plain user's `POST`
//! 403, anonymous `PUT` 405 (AllowAny runs for it, then no handler). The exporter writes each
//! action's list; the policy was refused ("actions on route `feed` must agree"). So was an
//! `@action` whose `.mapping.delete` extra method never calls `get_object()` (DRF: 204 for any
//! pk) while the action does (404 for a missing pk).

use drf_gate::Gate;
use serde_json::{json, Value};

fn policy() -> Value {
    json!({
        "authentication": ["basic"],
        "permissions": ["AllowAny"],
        "views": {"feed": {"actions": {
            "get": {"route": "feed", "detail": false, "methods": ["GET"]},
            "post": {"route": "feed", "detail": false, "methods": ["POST"], "permissions": ["IsAdminUser"]},
        }},
        "posts": {"actions": {
            "pin": {"route": "pin", "detail": true, "methods": ["POST"]},
            "unpin": {"route": "pin", "detail": true, "methods": ["DELETE"], "getObject": false},
        }}},
    })
}

#[test]
fn each_action_on_a_plain_view_route_keeps_its_permissions() {
    let json_gate = Gate::from_value(policy()).unwrap();
    let compiled = Gate::from_compiled(&json_gate.to_compiled()).unwrap();
    let user = json!({"id": 3});
    let contexts = [
        json!({"view": "feed", "action": "get"}),
        json!({"view": "feed", "action": "post"}),
        json!({"view": "feed", "action": "post", "user": user, "authentication": {"succeeded": "basic"}}),
        json!({"view": "feed", "method": "PUT", "detail": false}),
        json!({"view": "feed", "method": "OPTIONS", "detail": false}),
    ];
    for gate in [&json_gate, &compiled] {
        let statuses: Vec<u16> = contexts.iter().map(|c| gate.check_json(&c.to_string()).unwrap().status).collect();
        assert_eq!(statuses, [200, 401, 403, 405, 200]);
        let missing = |action: &str| {
            let context = json!({"view": "posts", "action": action, "user": user, "authentication": {"succeeded": "basic"}, "object": null});
            gate.check_json(&context.to_string()).unwrap().status
        };
        assert_eq!((missing("pin"), missing("unpin")), (404, 200));
    }
}
