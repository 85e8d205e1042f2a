#![cfg(test)] // test code: clippy.toml lets it unwrap, expect, index and panic
//! A view's `filterParams`: DRF's `get_object()` is `filter_queryset(get_queryset())`, so
//! SearchFilter's `?search=` and django-filter's fields may hide the object (DRF's 404) or be
//! refused (django-filter's 400) before the object permissions run. Observed (DRF 3.18.3,
//! `filter_backends = [SearchFilter]`, `IsOwnerOrReadOnly`): bob's `PUT /api/posts/1/?search=zzz`
//! of alice's post is 404, without the parameter 403 (python/tests/test_check.py). Without any
//! of the parameters the backends do not filter, so the edge answers; with one, the origin does.

use drf_gate::Gate;
use serde_json::{json, Value};

fn policy(filter_params: &[&str]) -> Value {
    json!({
        "authentication": ["token"],
        "classes": {"IsOwner": {"hasObjectPermission": "obj.owner == request.user"}},
        "views": {"posts": {"model": "blog.Post", "permissions": ["IsAuthenticated", "IsOwner"],
                            "filterParams": filter_params}},
    })
}

/// (status, allowed, respond) of bob's PUT of alice's post (or of a missing one) at `query`,
/// through the JSON policy and the compiled one (which must agree).
fn outcome(filter_params: &[&str], query: &str, object: Value) -> (u64, bool, bool) {
    let json_gate = Gate::from_value(policy(filter_params)).unwrap();
    let compiled = Gate::from_compiled(&json_gate.to_compiled()).unwrap();
    let text = json!({
        "request": {"method": "PUT", "url": format!("https://api.example.com/api/posts/1/{query}"),
                    "headers": {"Authorization": "Token bob", "Accept": "application/json"}},
        "view": "posts", "action": "update", "object": object,
        "answers": [{"key": {"kind": "token", "key": "bob"}, "answer": {"user": {"id": 2}}}],
    })
    .to_string();
    let [a, b] = [&json_gate, &compiled].map(|gate| {
        let step = serde_json::to_value(gate.check_request_json(&text).unwrap()).unwrap();
        let decision = &step["decision"];
        (
            decision["status"].as_u64().unwrap(),
            decision["allowed"].as_bool().unwrap(),
            decision["respond"].as_bool().unwrap_or(true),
        )
    });
    assert_eq!(a, b, "{query}");
    a
}

#[test]
fn a_filter_parameter_leaves_the_lookup_and_object_stages_to_the_origin() {
    let params = ["search", "author"];
    let alices = || json!({"id": 1, "owner": 1});
    // No parameter the backends read: they do not filter, the object permission decides.
    for query in ["", "?", "?page=2", "?format=json", "?sear=x", "?&&"] {
        assert_eq!(outcome(&params, query, alices()), (403, false, true), "{query}");
    }
    assert_eq!(outcome(&params, "?page=2", Value::Null).0, 404);
    // One of them, however spelt (Django decodes the name; a name without `=` is a field with an
    // empty value), or a name it begins (django-filter's range widgets read `author_min`): the
    // origin's, for a found object and for a lookup miss alike.
    for query in ["?search=zzz", "?search=", "?search", "?page=1&se%61rch=x", "?author_min=1", "?author%5B%5D=1"] {
        let (status, allowed, _) = outcome(&params, query, alices());
        assert!(allowed && status != 403, "{query}: {status}");
        let (status, allowed, _) = outcome(&params, query, Value::Null);
        assert!(allowed && status != 404, "{query}: {status}");
    }
    // A fragment is no part of the query; a view without filter parameters keeps its answer.
    assert_eq!(outcome(&params, "?#search=x", alices()), (403, false, true));
    assert_eq!(outcome(&[], "?search=zzz", alices()), (403, false, true));
}

/// The decision says why no object decides: `filtered` (an object given is not used, so an edge
/// need not fetch one: drf-gate/guard asks neither `prefetchObject` nor `loadObject`), where a
/// request without the parameters and without an object is `pending`.
#[test]
fn a_filtered_request_says_its_object_is_not_used() {
    let gate = Gate::from_value(policy(&["search"])).unwrap();
    let compiled = Gate::from_compiled(&gate.to_compiled()).unwrap();
    let check = |gate: &Gate, query: &str, object: Option<Value>| {
        let mut input = json!({
            "request": {"method": "PUT", "url": format!("https://api.example.com/api/posts/1/{query}"),
                        "headers": {"Authorization": "Token bob", "Accept": "application/json"}},
            "view": "posts", "action": "update",
            "answers": [{"key": {"kind": "token", "key": "bob"}, "answer": {"user": {"id": 2}}}],
        });
        if let Some(object) = object {
            input["object"] = object;
        }
        let step = serde_json::to_value(gate.check_request_json(&input.to_string()).unwrap()).unwrap();
        (step["decision"]["allowed"].clone(), step["decision"]["objectCheck"].clone())
    };
    for gate in [&gate, &compiled] {
        assert_eq!(check(gate, "?search=x", None), (json!(true), json!("filtered")));
        assert_eq!(check(gate, "?search=x", Some(json!({"id": 1, "owner": 1}))), (json!(true), json!("filtered")));
        assert_eq!(check(gate, "?page=2", None), (json!(true), json!("pending")));
        assert_eq!(check(gate, "", Some(json!({"id": 1, "owner": 1}))), (json!(false), json!("failed")));
    }
}
