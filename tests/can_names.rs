#![cfg(test)] // test code: clippy.toml lets it unwrap, expect, index and panic
//! `Gate::can`, `Gate::resolve` and `Gate::permissions_for` refuse names the policy does not
//! have, as `check` does: a typo is a `ContextError`, never a silent `false`.

use drf_gate::user::User;
use drf_gate::Gate;

fn gate() -> Gate {
    let policy = r#"{"permissions": ["IsAuthenticatedOrReadOnly"], "views": {
        "posts": {"actions": {"list": {}, "create": {}, "retrieve": {}, "destroy": {},
                  "publish": {"detail": true, "methods": ["POST"]}}},
        "ping": {"actions": {"get": {"route": "ping", "detail": false, "methods": ["GET"]}}}
      }}"#;
    match Gate::from_json(policy) {
        Ok(gate) => gate,
        Err(error) => panic!("the policy compiles: {error:?}"),
    }
}

fn code(result: Result<bool, drf_gate::ContextError>) -> &'static str {
    match result {
        Ok(allowed) => panic!("answered {allowed}, expected an error"),
        Err(error) => error.code,
    }
}

#[test]
fn a_misspelt_action_is_unknown_action() {
    let gate = gate();
    let anonymous = User::anonymous();
    for name in ["destory", "delete", "Destroy", "", "GET /", "lis t", "créate"] {
        assert_eq!(code(gate.can(&anonymous, "posts", name, None)), "unknown_action", "{name:?}");
        let resolved = gate.resolve("posts", name, false).map(|_| ());
        assert_eq!(resolved.map_err(|e| e.code), Err("unknown_action"), "{name:?}");
    }
}

#[test]
fn an_unknown_view_is_unknown_view() {
    let gate = gate();
    let anonymous = User::anonymous();
    assert_eq!(code(gate.can(&anonymous, "post", "list", None)), "unknown_view");
    assert_eq!(gate.resolve("post", "list", false).map(|_| ()).map_err(|e| e.code), Err("unknown_view"));
    assert_eq!(gate.permissions_for(&anonymous, "post", None).map(|_| ()).map_err(|e| e.code), Err("unknown_view"));
}

#[test]
fn actions_and_upper_case_method_tokens_are_answered() {
    let gate = gate();
    let anonymous = User::anonymous();
    let ann = gate.compile_user(&serde_json::from_str(r#"{"id": 3}"#).unwrap_or_default());
    assert_eq!(gate.can(&anonymous, "posts", "list", None).ok(), Some(true));
    assert_eq!(gate.can(&anonymous, "posts", "GET", None).ok(), Some(true));
    assert_eq!(gate.can(&anonymous, "posts", "DELETE", None).ok(), Some(false));
    assert_eq!(gate.can(&ann, "posts", "publish", None).ok(), Some(true));
    // A method token no handler takes: DRF answers 405, so not allowed; never an error.
    for method in ["PURGE", "M-SEARCH", "PUT"] {
        assert_eq!(gate.can(&ann, "posts", method, None).ok(), Some(false), "{method}");
    }
    // An action named like a method is the action.
    assert_eq!(gate.can(&anonymous, "ping", "get", None).ok(), Some(true));
}
