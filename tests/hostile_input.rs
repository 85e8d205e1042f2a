//! Hostile input (issue 14): inputs built to be large, deep or slow get a decision or a clear
//! error, never a panic or a stack overflow. Costs are measured in `fuzz/` and the adversarial
//! set (`wasm-tests/adversarial/`), not asserted here; these tests pin the behaviour.
use drf_gate::authentication::pyjson::{loads, LoadOptions, PyValue};
use drf_gate::authentication::{AnswerCache, RawRequest, RawRequestInput};
use drf_gate::edge::{EdgeOutcome, ForwardReason, RequestTarget};
use drf_gate::Gate;

fn chain_policy(depth: usize, aliases: bool) -> String {
    let mut classes = Vec::new();
    // Declared deepest first: resolving the first class walks the whole chain.
    for i in (0..depth).rev() {
        let spec = if i == 0 {
            r#"{"hasPermission": "True"}"#.to_string()
        } else if aliases {
            format!(r#"{{"expression": "C{}"}}"#, i - 1)
        } else {
            format!(r#"{{"base": "C{}"}}"#, i - 1)
        };
        classes.push(format!(r#""C{i}": {spec}"#));
    }
    format!(r#"{{"classes": {{{}}}, "views": {{"v": {{"permissions": ["C{}"]}}}}}}"#, classes.join(","), depth - 1)
}

#[test]
fn deep_class_chains_are_policy_errors() {
    for aliases in [false, true] {
        let err = Gate::from_json(&chain_policy(5000, aliases)).err().map(|e| e.to_string()).unwrap_or_default();
        assert!(err.contains("more than 64 levels deep"), "{err}");
        assert!(Gate::from_json(&chain_policy(40, aliases)).is_ok());
        // The same chain declared in dependency order is refused the same way.
        let forward = chain_policy(100, aliases).replace("C", "D");
        let err = Gate::from_json(&forward).err().map(|e| e.to_string()).unwrap_or_default();
        assert!(err.contains("more than 64 levels deep"), "{err}");
    }
}

#[test]
fn long_operator_chains_are_syntax_errors() {
    let chain = vec!["A"; 1000].join("|");
    let policy = format!(r#"{{"classes": {{"A": {{}}}}, "views": {{"v": {{"permissions": ["{chain}"]}}}}}}"#);
    let err = Gate::from_json(&policy).err().map(|e| e.to_string()).unwrap_or_default();
    assert!(err.contains("nested deeper than 64 levels"), "{err}");
    let ok = vec!["AllowAny"; 60].join(" & ");
    assert!(Gate::from_json(&format!(r#"{{"views": {{"v": {{"permissions": ["{ok}"]}}}}}}"#)).is_ok());
}

#[test]
fn duplicate_json_keys_keep_first_position_and_last_value() {
    let mut text = String::from("{");
    for i in 0..100_000 {
        text.push_str(&format!("\"k{}\": {i},", i % 1000));
    }
    text.push_str("\"k0\": \"last\"}");
    let Ok(PyValue::Dict(items)) = loads(&text, LoadOptions::default()) else { panic!("not a dict") };
    assert_eq!(items.len(), 1000);
    assert_eq!(items[0], ("k0".to_string(), PyValue::Str("last".into())));
    assert_eq!(items[999], ("k999".to_string(), PyValue::Int(99_999)));
}

fn target() -> RequestTarget {
    RequestTarget { view: Some("v".into()), ..Default::default() }
}

#[test]
fn requests_beyond_server_limits_are_left_to_the_origin() {
    let gate =
        Gate::from_json(r#"{"authentication": ["token"], "permissions": ["IsAuthenticated"], "views": {"v": {}}}"#)
            .unwrap();
    let mut many = RawRequest::new("GET");
    for i in 0..20_000 {
        many = many.header(&format!("X-H{i}"), "x").unwrap();
    }
    let long = RawRequest::new("GET").header("Authorization", &format!("Token {}", "a".repeat(1_000_000))).unwrap();
    // 100 fields: runserver's http.server counts the blank line too (its 431, not DRF's 401).
    let mut hundred = RawRequest::new("GET");
    for i in 0..100 {
        hundred = hundred.header(&format!("X-H{i}"), "x").unwrap();
    }
    for (request, limit) in
        [(many, "too_many_headers"), (long, "header_field_too_large"), (hundred, "too_many_headers")]
    {
        assert_eq!(request.beyond_server_limits(), Some(limit));
        let outcome = gate.check_request(&request, &target(), &AnswerCache::default(), 0.0).unwrap();
        assert!(
            matches!(outcome, EdgeOutcome::Forward(ForwardReason::HeadersBeyondServerLimits { limit: l }) if l == limit)
        );
    }
    // Within the limits: DRF's own answer.
    let mut fine = RawRequest::new("GET");
    for i in 0..99 {
        fine = fine.header(&format!("X-H{i}"), "x").unwrap();
    }
    let Ok(EdgeOutcome::Decided(decision, _)) = gate.check_request(&fine, &target(), &AnswerCache::default(), 0.0)
    else {
        panic!("no decision")
    };
    assert!(decision.respond());
    assert_eq!(decision.status, 401);
}

#[test]
fn oversized_base64_bodies_are_not_decoded() {
    let encoded = "QUFB".repeat(4_000_000); // 12 MB once decoded, over the 4 MiB cap
    let input = RawRequestInput { method: "POST".into(), body_base64: Some(encoded), ..Default::default() };
    let request = RawRequest::from_input(input).unwrap();
    assert!(request.is_body_too_large());
    assert!(request.body_bytes().is_empty());
    let small = RawRequestInput { method: "POST".into(), body_base64: Some("QUFB".into()), ..Default::default() };
    assert_eq!(RawRequest::from_input(small).unwrap().body_bytes(), b"AAA");
}

#[test]
fn percent_sign_digits_stay_literal_in_paths() {
    let gate = Gate::from_json(
        r#"{"views": {"v": {}}, "routes": [{"pattern": "/items/{pk}/", "view": "v", "detail": true}]}"#,
    )
    .unwrap();
    let hit = gate.route("/items/%+1/").map(|m| m.params.iter().find(|(k, _)| *k == "pk").map(|(_, v)| v.clone()));
    assert_eq!(hit, Some(Some("%+1".to_string())));
    assert_eq!(drf_gate::edge::query_parameter("/x/?format=%+1", "format").as_deref(), Some("% 1"));
}

#[test]
fn context_errors_quote_a_bounded_part_of_the_input() {
    use drf_gate::error::{MAX_ERROR_TEXT, MAX_QUOTED_INPUT};
    let gate =
        Gate::from_json(r#"{"authentication": ["session"], "views": {"posts": {"actions": ["list"]}}}"#).unwrap();
    let long = "v".repeat(1 << 20);
    let quoted = format!("`{}…` (1048576 bytes)", "v".repeat(MAX_QUOTED_INPUT));
    // Names the core quotes itself: the start of the input, then its length.
    for context in [
        serde_json::json!({"view": long, "method": "GET"}),
        serde_json::json!({"view": "posts", "action": long}),
        serde_json::json!({"view": "posts", "method": "GET", "authentication": {"succeeded": long}}),
    ] {
        let err = gate.check_value(context).unwrap_err();
        assert!(err.message.contains(&quoted), "{}", err.message);
        assert!(err.message.len() < 400 && err.path.len() < 100, "{} at {}", err.message, err.path);
    }
    let anonymous = drf_gate::user::User::anonymous();
    let err = gate.can(&anonymous, "posts", &long, None).unwrap_err();
    assert!(err.message.contains(&quoted), "{}", err.message);
    // serde's own messages and paths (an unknown key, an unknown variant) are cut as a whole.
    for context in [
        serde_json::json!({"view": "posts", "method": "GET", long.clone(): 1}),
        serde_json::json!({"view": "posts", "method": "GET", "user": {"id": 1, long.clone(): 1}}),
        serde_json::json!({"view": "posts", "method": "GET", "authentication": {long.clone(): 1}}),
    ] {
        let err = gate.check_value(context.clone()).unwrap_err();
        let text = serde_json::to_string(&context).unwrap();
        let err_text = gate.check_json(&text).unwrap_err();
        for err in [err, err_text] {
            assert_eq!(err.code, "invalid_context");
            let bound = MAX_ERROR_TEXT + "… (2097152 bytes in all)".len();
            assert!(
                err.message.len() <= bound && err.path.len() <= bound,
                "{} / {}",
                err.message.len(),
                err.path.len()
            );
            assert!(err.message.contains("vvvv"), "{}", err.message);
        }
    }
}
