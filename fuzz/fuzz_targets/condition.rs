#![no_main]
//! The condition language: a fuzzed source compiled as a class's `hasPermission` and
//! `hasObjectPermission`, then evaluated against a fuzzed user and object.
use drf_gate::Gate;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let mut parts = text.splitn(3, '\u{1}');
    let source = parts.next().unwrap_or_default();
    let user = parts.next().unwrap_or("{}");
    let object = parts.next().unwrap_or("{}");
    let policy = serde_json::json!({
        "classes": {"C": {"hasPermission": source, "hasObjectPermission": source}},
        "views": {"v": {"permissions": ["C"], "model": "app.widget"}},
    });
    let Ok(gate) = Gate::from_value(policy) else { return };
    for method in ["GET", "POST"] {
        for user in [user, r#"{"id": 1, "isStaff": true, "attributes": {"level": 3, "tags": ["a"]}}"#] {
            let context =
                format!(r#"{{"view": "v", "method": "{method}", "detail": true, "user": {user}, "object": {object}}}"#);
            let _ = gate.check_json(&context);
        }
    }
});
