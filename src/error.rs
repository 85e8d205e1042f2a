//! Errors are values with a stable `code` and a location, so a caller (or a JS `Error`) can say
//! exactly what is wrong and where.

use std::fmt;

use serde::Serialize;

/// A policy that cannot be compiled. Nothing about it reaches decision time.
///
/// ```
/// let err = drf_gate::Gate::from_json(r#"{"permissions": ["IsAuthenticated &"]}"#).unwrap_err();
/// assert_eq!(err.code, "syntax_error");
/// assert_eq!(err.path, "$.permissions[0]");
/// assert_eq!((err.line, err.column), (Some(1), Some(18)));
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PolicyError {
    /// A stable code: `invalid_json`, `invalid_policy`, `unknown_class`,
    /// `unknown_authentication_class`, `cycle`, `syntax_error`, `type_error`, `unknown_name`,
    /// `invalid_perms_map`, `missing_model`, `invalid_message`.
    pub code: &'static str,
    /// What is wrong and what was expected.
    pub message: String,
    /// A JSON path into the policy (`$.views.posts.permissions[1]`).
    pub path: String,
    /// 1-based line: inside the expression for expression errors, in the document for JSON errors.
    pub line: Option<u32>,
    /// 1-based column, likewise.
    pub column: Option<u32>,
}

impl PolicyError {
    pub(crate) fn new(code: &'static str, path: impl Into<String>, message: impl Into<String>) -> Self {
        PolicyError { code, message: message.into(), path: path.into(), line: None, column: None }
    }

    #[cfg_attr(not(feature = "compiler"), allow(dead_code))]
    pub(crate) fn at(mut self, line: u32, column: u32) -> Self {
        self.line = Some(line);
        self.column = Some(column);
        self
    }
}

impl fmt::Display for PolicyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} at {}", self.message, self.path)?;
        if let (Some(line), Some(column)) = (self.line, self.column) {
            write!(f, " (line {line}, column {column})")?;
        }
        Ok(())
    }
}

impl std::error::Error for PolicyError {}

/// A request context that does not fit the policy (an unknown view, a malformed user, ...).
///
/// ```
/// let gate = drf_gate::Gate::from_json(r#"{"views": {"posts": {}}}"#).unwrap();
/// let err = gate.check_json(r#"{"view": "comments", "method": "GET"}"#).unwrap_err();
/// assert_eq!(err.code, "unknown_view");
/// assert_eq!(err.path, "$.view");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ContextError {
    /// A stable code: `invalid_context`, `unknown_view`, `unknown_action`, `method_mismatch`,
    /// `unknown_authentication_class`.
    pub code: &'static str,
    /// What is wrong and what was expected.
    pub message: String,
    /// A JSON path into the context.
    pub path: String,
}

impl ContextError {
    pub(crate) fn new(code: &'static str, path: impl Into<String>, message: impl Into<String>) -> Self {
        ContextError { code, message: message.into(), path: path.into() }
    }
}

impl fmt::Display for ContextError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} at {}", self.message, self.path)
    }
}

impl std::error::Error for ContextError {}
