#![cfg(test)]
//! URL routing against Django 5.2's resolver (tests/authentication_vectors/routes.jsonl, written
//! by gen_routes.py from a real URLconf and drf-gate's exporter): a URL the edge routes must be one
//! Django resolves to the same view with the same parameters; a URL Django resolves that the edge
//! does not route must be one of the routes the exporter leaves to the origin.

mod common;

use drf_gate::Gate;
use serde_json::Value;

fn vectors() -> Value {
    common::jsonl(include_str!("authentication_vectors/routes.jsonl"))
}

/// Django's `int` converter hands the view `int(segment)`: compare decimal forms.
fn same_param(edge: &str, django: &str) -> bool {
    let canonical = |s: &str| {
        let digits = s.trim_start_matches('0');
        if s.bytes().all(|b| b.is_ascii_digit()) && !s.is_empty() {
            if digits.is_empty() {
                "0".to_string()
            } else {
                digits.to_string()
            }
        } else {
            s.to_string()
        }
    };
    edge == django || canonical(edge) == canonical(django)
}

/// The URLconf's routes the exporter cannot express exactly (`\d+`, the `path` converter), the
/// format-suffix routes, and paths that are not UTF-8 once decoded (Django re-percent-encodes
/// them): the edge passes their URLs to the origin.
fn left_to_origin(path: &str, django: &Value) -> bool {
    let name = django["urlName"].as_str().unwrap_or_default();
    django["params"].get("format").is_some()
        || name.starts_with("digits-")
        || name == "path"
        || name == "redigits"
        || path.contains("%E9")
}

fn check(gate: &Gate, label: &str) -> (usize, usize) {
    let doc = vectors();
    let (mut routed, mut forwarded) = (0, 0);
    for case in doc["cases"].as_array().unwrap() {
        let path = case["path"].as_str().unwrap();
        let django = &case["django"];
        match gate.route(path) {
            Some(hit) => {
                assert!(!django.is_null(), "{label}: {path:?} routed to {} but Django resolves nothing", hit.view);
                assert_eq!(hit.view, django["view"].as_str().unwrap(), "{label}: {path:?}");
                let params = django["params"].as_object().unwrap();
                assert_eq!(hit.params.len(), params.len(), "{label}: {path:?} {:?} vs {params:?}", hit.params);
                for (name, value) in &hit.params {
                    let expected = params[*name].as_str().unwrap();
                    assert!(same_param(value, expected), "{label}: {path:?}: {name} = {value:?}, Django {expected:?}");
                }
                routed += 1;
            }
            None if django.is_null() => {}
            None => {
                assert!(left_to_origin(path, django), "{label}: {path:?} not routed; Django resolves {django}");
                forwarded += 1;
            }
        }
    }
    (routed, forwarded)
}

#[test]
fn routes_match_what_djangos_resolver_matches() {
    let doc = vectors();
    let gate = Gate::from_value(doc["policy"].clone()).unwrap();
    let (routed, forwarded) = check(&gate, "json policy");
    // Every form is exercised: routed detail URLs of each converter, and forwarded ones.
    assert!(routed >= 150, "only {routed} URLs routed");
    assert!(forwarded >= 20, "only {forwarded} URLs forwarded");
    let compiled = Gate::from_compiled(&gate.to_compiled()).unwrap();
    assert_eq!(check(&compiled, "compiled policy"), (routed, forwarded));
}

#[test]
fn the_exporter_leaves_inexact_routes_to_the_origin() {
    let doc = vectors();
    let warnings: Vec<&str> = doc["warnings"].as_array().unwrap().iter().filter_map(Value::as_str).collect();
    for pattern in ["/api/digits/{pk}/", "/path/{pk}/", "/redigits/{pk}/"] {
        assert!(warnings.iter().any(|w| w.contains(pattern) && w.contains("left to the origin")), "{pattern}");
        let routes = doc["policy"]["routes"].as_array().unwrap();
        let prefix = pattern.trim_end_matches("{pk}/");
        assert!(!routes.iter().any(|r| r["pattern"].as_str().unwrap().starts_with(&format!("{prefix}{{"))));
    }
}

#[test]
fn route_parameters_name_a_known_converter() {
    for pattern in ["/p/{pk:path}/", "/p/{pk:}/", "/p/{:int}/", "/p/{pk:Int}/"] {
        let policy = serde_json::json!({"views": {"v": {}}, "routes": [{"pattern": pattern, "view": "v"}]});
        let err = Gate::from_value(policy).err().unwrap_or_else(|| panic!("{pattern} compiled"));
        assert!(err.to_string().contains("not a valid parameter"), "{pattern}: {err}");
    }
}
