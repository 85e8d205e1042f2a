#![cfg(test)]
//! Every struct a caller sends is read from a JSON object only (src/json_object.rs). serde's
//! derive alone reads a struct from a list, field by field in declaration order:
//! `["posts", "list"]` was the context of `posts`' `list` (DRF's 401 for an anonymous user) and
//! `["GET", "https://..."]` a raw request.
use drf_gate::Gate;

const POLICY: &str = r#"{"authentication": ["token", "knox"], "permissions": ["IsAuthenticated", "HasAPIKey"],
    "views": {"posts": {"model": "blog.Post"}}}"#;

fn refused_context(gate: &Gate, context: &str) -> String {
    match gate.check_json(context) {
        Ok(decision) => format!("answered {}", decision.status),
        Err(error) => format!("{} {} {}", error.code, error.path, error.message),
    }
}

#[test]
fn a_context_given_as_a_list_is_refused() {
    let gate = Gate::from_json(POLICY).unwrap();
    assert_eq!(
        refused_context(&gate, r#"["posts", "list"]"#),
        "invalid_context $ invalid type: sequence, expected struct Context"
    );
    assert_eq!(
        refused_context(&gate, r#"{"view": "posts", "authentication": {"failed": ["authenticationFailed", "no"]}}"#),
        "invalid_context $.authentication.failed invalid type: sequence, expected struct AuthenticationFailure"
    );
    // The object forms decide.
    assert_eq!(refused_context(&gate, r#"{"view": "posts", "action": "list"}"#), "answered 401");
}

#[cfg(feature = "edge")]
mod edge {
    use super::*;

    fn refused_request(gate: &Gate, input: &str) -> String {
        match gate.check_request_json(input) {
            Ok(step) => format!("answered {}", serde_json::to_string(&step).unwrap()),
            Err(error) => format!("{} {} {}", error.code, error.path, error.message),
        }
    }

    const GET: &str =
        r#"{"method": "GET", "url": "https://api.test/posts/", "headers": {"Authorization": "Token abc"}}"#;

    #[test]
    fn a_raw_request_or_its_parts_given_as_lists_are_refused() {
        let gate = Gate::from_json(POLICY).unwrap();
        let cases = [
            (r#"[{"method": "GET"}, "posts"]"#.to_owned(), "$", "struct EdgeInput"),
            (
                r#"{"request": ["GET", "https://api.test/posts/"], "view": "posts"}"#.to_owned(),
                "$.request",
                "struct RawRequestInput",
            ),
            (
                format!(
                    r#"{{"request": {GET}, "view": "posts", "answers": [[{{"kind": "token", "key": "abc"}}, {{"notFound": true}}]]}}"#
                ),
                "$.answers[0]",
                "struct AnswerEntry",
            ),
            (
                format!(
                    r#"{{"request": {GET}, "view": "posts", "answers": [{{"key": {{"kind": "token", "key": "abc"}}, "answer": {{"user": [1, "ann", true, true]}}}}]}}"#
                ),
                "$.answers[0].answer.user",
                "struct UserInput",
            ),
        ];
        for (input, path, expected) in cases {
            let got = refused_request(&gate, &input);
            assert!(
                got.starts_with("invalid_context ")
                    && got.contains(&format!(" {path} invalid type: sequence, expected {expected}")),
                "{input}: {got}"
            );
        }
        // The object form decides: a token the store does not hold is DRF's 401.
        let answered = refused_request(
            &gate,
            &format!(
                r#"{{"request": {GET}, "view": "posts", "answers": [{{"key": {{"kind": "token", "key": "abc"}}, "answer": {{"notFound": true}}}}]}}"#
            ),
        );
        assert!(answered.contains(r#""status":401"#), "{answered}");
    }

    #[test]
    fn knox_and_api_key_rows_given_as_lists_are_refused() {
        use drf_gate::authentication::{ApiKeyRow, KnoxToken};
        let knox = serde_json::from_str::<KnoxToken>(r#"[{"id": 1}, null]"#).unwrap_err().to_string();
        assert!(knox.starts_with("invalid type: sequence, expected struct KnoxToken"), "{knox}");
        let row = serde_json::from_str::<ApiKeyRow>(r#"["sha512$$ab", false, null]"#).unwrap_err().to_string();
        assert!(row.starts_with("invalid type: sequence, expected struct ApiKeyRow"), "{row}");
    }
}
