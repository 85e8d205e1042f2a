#![cfg(test)]
// test code: clippy.toml lets it unwrap, expect, index and panic
// With the compiler, the crate's value is serde_json's: `Value::from` is then the identity.
#![allow(clippy::useless_conversion)]
//! The runtime build (no `compiler`, no `edge`: `cargo test --no-default-features`) loads a
//! compiled policy and decides. `tests/fixtures/blog.gate` is `examples/blog/policy.json`
//! compiled; `tests/compiled.rs` checks it is up to date.

use drf_gate::compiled::value::{decode_value, user_from_value};
use drf_gate::user::UserInput;
use drf_gate::{Context, Gate};

// The crate's value type (serde_json's in builds with the compiler, the runtime's own without).
macro_rules! json {
    ($($value:tt)+) => {
        drf_gate::value::Value::from(serde_json::json!($($value)+))
    };
}

fn blog() -> Gate {
    let bytes = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/blog.gate")).unwrap();
    Gate::from_compiled(&bytes).unwrap_or_else(|err| panic!("{err}"))
}

fn user(id: u64) -> UserInput {
    UserInput { id: Some(json!(id)), ..UserInput::default() }
}

#[test]
fn a_compiled_policy_decides_without_the_compiler() {
    let gate = blog();
    assert_eq!(gate.view_names().count(), 9);
    let anonymous = drf_gate::user::User::anonymous();
    let owner = gate.compile_user(&user(3));
    let post = json!({"id": 7, "owner": 3, "published": true});
    assert!(gate.can(&anonymous, "posts", "list", None).unwrap());
    assert!(!gate.can(&anonymous, "posts", "create", None).unwrap());
    assert!(gate.can(&owner, "posts", "destroy", Some(&post)).unwrap());
    assert!(!gate.can(&owner, "posts", "destroy", Some(&json!({"id": 8, "owner": 4, "published": true}))).unwrap());

    let context = Context { view: "posts".into(), action: Some("create".into()), ..Context::default() };
    let decision = gate.check(&context).unwrap();
    assert_eq!(decision.status, 401);
    assert_eq!(decision.body, r#"{"detail":"Authentication credentials were not provided."}"#);
    assert_eq!(decision.www_authenticate(), Some("Bearer realm=\"api\""));
    assert_eq!(gate.route("/api/posts/7/").map(|hit| hit.view), Some("posts"));
}

#[test]
fn users_cross_in_the_binary_encoding() {
    // {"id": 3, "isStaff": true}
    let bytes = [8, 2, 2, b'i', b'd', 3, 3, 7, b'i', b's', b'S', b't', b'a', b'f', b'f', 2];
    let input = user_from_value(&decode_value(&bytes, "$.user").unwrap(), "$.user").unwrap();
    let gate = blog();
    let staff = gate.compile_user(&input);
    assert!(gate.can(&staff, "tags", "create", None).unwrap());
    let err = user_from_value(&json!({"isStaff": 1}), "$.user").unwrap_err();
    assert_eq!((err.code, err.path.as_str()), ("invalid_context", "$.user.isStaff"));
}

#[test]
fn can_programs_come_from_the_compiled_policy() {
    use drf_gate::compiled::program::ops;
    let gate = blog();
    // Lowered by the compiler and stored: the runtime has no lowering.
    let create = gate.resolve("posts", "create", false).unwrap();
    assert_eq!(gate.program(&create, false).code.first(), Some(&ops::AND));
    let destroy = gate.resolve("posts", "destroy", true).unwrap();
    assert_ne!(gate.program(&destroy, true).code, [ops::ASK, 2]);
    // A method the compiler did not store asks wasm in the runtime (a build with the compiler
    // lowers it).
    let purge = gate.resolve("posts", "PURGE", false).unwrap();
    let asks = gate.program(&purge, false).code == [ops::ASK, 2];
    assert_eq!(asks, cfg!(not(feature = "compiler")));
}

/// An object of `pairs` in the binary encoding, integer values.
fn encoded_object(pairs: &[(String, u64)]) -> Vec<u8> {
    fn varint(out: &mut Vec<u8>, mut value: u64) {
        while value >= 0x80 {
            out.push((value as u8) | 0x80);
            value >>= 7;
        }
        out.push(value as u8);
    }
    let mut bytes = vec![8];
    varint(&mut bytes, pairs.len() as u64);
    for (key, value) in pairs {
        varint(&mut bytes, key.len() as u64);
        bytes.extend_from_slice(key.as_bytes());
        bytes.push(3);
        varint(&mut bytes, *value);
    }
    bytes
}

#[test]
fn objects_read_as_serde_json_reads_them_repeated_keys_too() {
    // Many repeated keys (a hostile object) and many distinct ones: the decoded object has
    // serde_json's members in serde_json's order (a repeated key: its first place, its last
    // value), whichever value type the build holds them in.
    let repeated: Vec<(String, u64)> =
        (0..40_000).map(|i| (["b", "a", "b", "c"][i % 4].to_owned(), i as u64)).collect();
    let distinct: Vec<(String, u64)> = (0..40_000u64).map(|i| (format!("k{}", (i * 7919) % 40_000), i)).collect();
    for pairs in [repeated, distinct] {
        let text = format!(
            "{{{}}}",
            pairs.iter().map(|(key, value)| format!("\"{key}\":{value}")).collect::<Vec<_>>().join(",")
        );
        let expected: serde_json::Value = serde_json::from_str(&text).unwrap();
        let decoded = decode_value(&encoded_object(&pairs), "$.object").unwrap();
        let keys: Vec<&str> = decoded.as_object().unwrap().keys().map(String::as_str).collect();
        let expected_keys: Vec<&str> = expected.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(keys, expected_keys);
        assert_eq!(decoded, drf_gate::value::Value::from(expected.clone()));
        for key in expected_keys.iter().take(100) {
            assert_eq!(decoded.get(key), Some(&json!(expected[*key])));
        }
    }
}
