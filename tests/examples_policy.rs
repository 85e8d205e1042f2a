#![cfg(test)] // test code: clippy.toml lets it unwrap, expect, index and panic
//! The sample project's exported policy compiles, and its routes resolve.

#[test]
fn blog_policy_compiles_and_routes() {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/blog/policy.json")).unwrap();
    let gate = match drf_gate::Gate::from_json(&text) {
        Ok(gate) => gate,
        Err(err) => panic!("{err}"),
    };
    let hit = gate.route("/api/posts/7/publish/").unwrap();
    assert_eq!((hit.view, hit.action), ("posts", Some("publish")));
    let me = gate.route("/api/me/").unwrap();
    assert_eq!(me.view, "me");
    let decision = gate.check_json(r#"{"view": "me", "method": "PUT"}"#).unwrap();
    assert_eq!(decision.allow, "GET, PATCH, HEAD, OPTIONS");
}
