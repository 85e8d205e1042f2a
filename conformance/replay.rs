//! Replays the cases real DRF answered (`conformance/out/cases.json`, made by
//! `conformance/run.sh`) through drf-gate and reports every disagreement.
//!
//! ```text
//! DRF_GATE_CASES=conformance/out/cases.json cargo test --release --test conformance
//! ```
//!
//! A case with `raw` (its outcome depends on raw credentials) is PENDING until the
//! edge-authentication path exists. A policy drf-gate refuses to compile, or a context it
//! refuses, is a disagreement: DRF accepted both.

use std::process::ExitCode;

use serde_json::Value;

fn main() -> ExitCode {
    let Ok(path) = std::env::var("DRF_GATE_CASES") else {
        eprintln!("conformance: DRF_GATE_CASES is not set; run conformance/run.sh");
        return ExitCode::FAILURE;
    };
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(err) => {
            eprintln!("conformance: cannot read {path}: {err}; run conformance/run.sh");
            return ExitCode::FAILURE;
        }
    };
    let document: Value = match serde_json::from_str(&text) {
        Ok(document) => document,
        Err(err) => {
            eprintln!("conformance: {path} is not JSON: {err}");
            return ExitCode::FAILURE;
        }
    };
    let seed = document.get("seed").map_or_else(|| "?".to_string(), Value::to_string);
    let Some(cases) = document.get("cases").and_then(Value::as_array) else {
        eprintln!("conformance: {path} has no \"cases\" array");
        return ExitCode::FAILURE;
    };

    let (mut agree, mut disagree, mut pending) = (0usize, 0usize, 0usize);
    for case in cases {
        if case.get("raw").is_some_and(|raw| !raw.is_null()) {
            pending += 1;
            continue;
        }
        match replay(case) {
            Ok(()) => agree += 1,
            Err(diff) => {
                disagree += 1;
                println!("{}", line(case, &diff));
            }
        }
    }
    println!(
        "conformance: {} cases, {agree} agree, {disagree} disagree, {pending} pending (seed {seed})",
        cases.len()
    );
    if disagree > 0 || cases.is_empty() {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

/// What drf-gate answered, when it did not answer as DRF.
enum Diff {
    Policy(String),
    Context(String),
    Outcome { status: u16, body: String, www: Option<String> },
}

fn replay(case: &Value) -> Result<(), Diff> {
    let policy = case.get("policy").cloned().unwrap_or(Value::Null);
    let context = case.get("context").cloned().unwrap_or(Value::Null);
    let gate = drf_gate::Gate::from_value(policy)
        .map_err(|err| Diff::Policy(format!("{} at {}: {}", err.code, err.path, err.message)))?;
    let context: drf_gate::Context =
        serde_json::from_value(context).map_err(|err| Diff::Context(format!("invalid context: {err}")))?;
    let decision = gate
        .check(&context)
        .map_err(|err| Diff::Context(format!("{} at {}: {}", err.code, err.path, err.message)))?;
    let expected = case.get("expected");
    let status = expected.and_then(|e| e.get("status")).and_then(Value::as_u64);
    let body = expected.and_then(|e| e.get("body")).and_then(Value::as_str);
    let www = expected.and_then(|e| e.get("wwwAuthenticate")).and_then(Value::as_str);
    if status == Some(u64::from(decision.status)) && body == Some(&*decision.body) && www == decision.www_authenticate() {
        Ok(())
    } else {
        Err(Diff::Outcome {
            status: decision.status,
            body: decision.body.to_string(),
            www: decision.www_authenticate().map(str::to_string),
        })
    }
}

fn line(case: &Value, diff: &Diff) -> String {
    let id = case.get("id").and_then(Value::as_str).unwrap_or("?");
    let source = case.get("source").and_then(Value::as_str).unwrap_or("?");
    let expected = case.get("expected").cloned().unwrap_or(Value::Null);
    let want = outcome(
        expected.get("status").and_then(Value::as_u64).unwrap_or(0),
        expected.get("body").and_then(Value::as_str).unwrap_or(""),
        expected.get("wwwAuthenticate").and_then(Value::as_str),
    );
    let got = match diff {
        Diff::Policy(err) => format!("policy rejected: {err}"),
        Diff::Context(err) => format!("context rejected: {err}"),
        Diff::Outcome { status, body, www } => outcome(u64::from(*status), body, www.as_deref()),
    };
    format!(
        "DISAGREE {id} [{source}] {} | policy {} | expected {want} | got {got}",
        context_summary(case.get("context").unwrap_or(&Value::Null)),
        policy_summary(case),
    )
}

fn outcome(status: u64, body: &str, www: Option<&str>) -> String {
    let www = www.map_or_else(|| "-".to_string(), |w| format!("{w:?}"));
    format!("{status} {body} www={www}")
}

fn context_summary(context: &Value) -> String {
    let mut parts = Vec::new();
    let text = |key: &str| context.get(key).map(compact);
    if let Some(view) = text("view") {
        parts.push(format!("view={view}"));
    }
    for key in ["action", "method", "detail"] {
        if let Some(value) = text(key) {
            parts.push(format!("{key}={value}"));
        }
    }
    match context.get("user") {
        None | Some(Value::Null) => parts.push("user=anonymous".into()),
        Some(user) => parts.push(format!("user={}", compact(user))),
    }
    if let Some(auth) = text("authentication") {
        parts.push(format!("auth={auth}"));
    }
    match context.get("object") {
        None => {}
        Some(Value::Null) => parts.push("object=miss".into()),
        Some(object) => parts.push(format!("object={}", compact(object))),
    }
    parts.join(" ")
}

fn policy_summary(case: &Value) -> String {
    let policy = case.get("policy").map(compact).unwrap_or_default();
    if policy.chars().count() > 600 {
        let cut: String = policy.chars().take(600).collect();
        format!("{cut}…")
    } else {
        policy
    }
}

fn compact(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}
