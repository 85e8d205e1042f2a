#![cfg(test)] // test code: clippy.toml lets it unwrap, expect, index and panic
//! One list of error codes: the Rust enums (`PolicyErrorCode::ALL`, `ContextErrorCode::ALL`) are
//! the list; the TypeScript unions in `pkg/src` and the table in `docs/policy.md` must say the
//! same, no code more, no code less.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use drf_gate::error::{ContextErrorCode, PolicyErrorCode};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn d_ts_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            d_ts_files(&path, out);
        } else if path.to_string_lossy().ends_with(".d.ts") {
            out.push(path);
        }
    }
}

/// The members of `export type <name> = | "a" | "b";`, from whichever `.d.ts` under `pkg/src`
/// declares it (the declaration may move between files; there must be exactly one).
fn typescript_union(name: &str) -> BTreeSet<String> {
    let mut files = Vec::new();
    d_ts_files(&root().join("pkg/src"), &mut files);
    let needle = format!("export type {name} =");
    let mut found = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        if let Some(start) = text.find(&needle) {
            let rest = &text[start + needle.len()..];
            let body = &rest[..rest.find(';').expect("the union ends with `;`")];
            let members: BTreeSet<String> = body
                .split('|')
                .map(str::trim)
                .filter(|member| !member.is_empty())
                .map(|member| member.trim_matches('"').to_owned())
                .collect();
            found.push((file, members));
        }
    }
    assert_eq!(found.len(), 1, "`{needle}` should be declared once under pkg/src: {found:?}");
    found.pop().unwrap().1
}

/// The rows `| `code` | PolicyError, ContextError | ... |` of the error table in docs/policy.md.
fn docs_table() -> (BTreeSet<String>, BTreeSet<String>) {
    let text = std::fs::read_to_string(root().join("docs/policy.md")).unwrap();
    let (mut policy, mut context) = (BTreeSet::new(), BTreeSet::new());
    for line in text.lines() {
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        let [_, code, raised_by, ..] = cells.as_slice() else { continue };
        let Some(code) = code.strip_prefix('`').and_then(|c| c.strip_suffix('`')) else { continue };
        if raised_by.contains("PolicyError") {
            policy.insert(code.to_owned());
        }
        if raised_by.contains("ContextError") {
            context.insert(code.to_owned());
        }
    }
    (policy, context)
}

fn rust(codes: impl IntoIterator<Item = &'static str>) -> BTreeSet<String> {
    codes.into_iter().map(str::to_owned).collect()
}

/// Names what one list has and another lacks.
fn differences(what: &str, rust: &BTreeSet<String>, other_name: &str, other: &BTreeSet<String>) -> Vec<String> {
    let mut out = Vec::new();
    for code in rust.difference(other) {
        out.push(format!("{what} `{code}` is in Rust but not in {other_name}"));
    }
    for code in other.difference(rust) {
        out.push(format!("{what} `{code}` is in {other_name} but not in Rust"));
    }
    out
}

#[test]
fn rust_typescript_and_docs_have_the_same_error_codes() {
    let policy = rust(PolicyErrorCode::ALL.iter().map(|code| code.as_str()));
    let context = rust(ContextErrorCode::ALL.iter().map(|code| code.as_str()));
    let (docs_policy, docs_context) = docs_table();
    let mut problems = Vec::new();
    problems.extend(differences(
        "PolicyErrorCode",
        &policy,
        "the TypeScript union",
        &typescript_union("PolicyErrorCode"),
    ));
    problems.extend(differences(
        "ContextErrorCode",
        &context,
        "the TypeScript union",
        &typescript_union("ContextErrorCode"),
    ));
    problems.extend(differences("PolicyError code", &policy, "docs/policy.md", &docs_policy));
    problems.extend(differences("ContextError code", &context, "docs/policy.md", &docs_context));
    assert!(problems.is_empty(), "error codes drifted:\n{}", problems.join("\n"));
}

#[test]
fn codes_are_distinct_snake_case_strings() {
    for all in [
        PolicyErrorCode::ALL.iter().map(|code| code.as_str()).collect::<Vec<_>>(),
        ContextErrorCode::ALL.iter().map(|code| code.as_str()).collect::<Vec<_>>(),
    ] {
        let distinct: BTreeSet<&str> = all.iter().copied().collect();
        assert_eq!(distinct.len(), all.len(), "{all:?}");
        for code in all {
            assert!(code.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'), "{code}");
        }
    }
}

#[test]
fn errors_carry_the_enum_string() {
    let err = drf_gate::Gate::from_json(r#"{"views": {"posts": {"permissions": ["Nope"]}}}"#).unwrap_err();
    assert_eq!(err.code, PolicyErrorCode::UnknownClass.as_str());
    let gate = drf_gate::Gate::from_json(r#"{"views": {"posts": {}}}"#).unwrap();
    let err = gate.check_json(r#"{"view": "posts", "action": "nope"}"#).unwrap_err();
    assert_eq!(err.code, ContextErrorCode::UnknownAction.as_str());
}
