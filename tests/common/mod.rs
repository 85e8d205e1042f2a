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
