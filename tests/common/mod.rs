//! Shared helpers for the native tests.
#![allow(dead_code)]

use drf_gate::Gate;
use serde_json::Value;

/// Status, body and `WWW-Authenticate` of one decision.
#[derive(Debug, PartialEq, Eq)]
pub struct Outcome {
    pub status: u16,
    pub body: String,
    pub www_authenticate: Option<String>,
}

pub fn gate(policy: Value) -> Gate {
    match Gate::from_value(policy) {
        Ok(gate) => gate,
        Err(err) => panic!("policy failed to compile: {err}"),
    }
}

pub fn decide(gate: &Gate, context: Value) -> Outcome {
    match gate.check_value(context) {
        Ok(decision) => Outcome {
            status: decision.status,
            body: decision.body.to_string(),
            www_authenticate: decision.www_authenticate().map(str::to_owned),
        },
        Err(err) => panic!("context rejected: {err}"),
    }
}

pub fn outcome(status: u16, body: &str, www_authenticate: Option<&str>) -> Outcome {
    Outcome { status, body: body.to_owned(), www_authenticate: www_authenticate.map(str::to_owned) }
}

pub const NOT_AUTHENTICATED: &str = r#"{"detail":"Authentication credentials were not provided."}"#;
pub const PERMISSION_DENIED: &str = r#"{"detail":"You do not have permission to perform this action."}"#;
pub const BASIC: Option<&str> = Some("Basic realm=\"api\"");

pub fn allowed() -> Outcome {
    outcome(200, "", None)
}

/// Reads a vector file written as JSON Lines by `tests/authentication_vectors/jsonl.py` back
/// into its document: `{"key": v}` sets `key`, `{"key[]": v}` appends to the array `key`, and a
/// `/` in a key is a path through objects (`{"scenarios/hs256/cases[]": case}`).
pub fn jsonl(text: &str) -> Value {
    let mut doc = Value::Object(serde_json::Map::new());
    for (number, line) in text.lines().enumerate().filter(|(_, line)| !line.trim().is_empty()) {
        let entry: serde_json::Map<String, Value> =
            serde_json::from_str(line).unwrap_or_else(|e| panic!("line {}: {e}", number + 1));
        assert_eq!(entry.len(), 1, "line {}: one key per line", number + 1);
        let (key, value) = entry.into_iter().next().unwrap();
        let (path, push) = match key.strip_suffix("[]") {
            Some(path) => (path, true),
            None => (key.as_str(), false),
        };
        let mut names: Vec<&str> = path.split('/').collect();
        let last = names.pop().unwrap();
        let mut node = &mut doc;
        for name in names {
            node = node.as_object_mut().unwrap().entry(name).or_insert_with(|| Value::Object(Default::default()));
        }
        let object = node.as_object_mut().unwrap();
        if push {
            object.entry(last).or_insert_with(|| Value::Array(Vec::new())).as_array_mut().unwrap().push(value);
        } else {
            object.insert(last.to_owned(), value);
        }
    }
    doc
}
