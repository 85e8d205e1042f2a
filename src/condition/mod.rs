//! The condition language of custom permission classes: a small, statically checked subset of
//! Python evaluated with Python's semantics (`request.method in SAFE_METHODS or obj.owner ==
//! request.user`).
//!
//! INTERFACE STUB: the real lexer, parser, checker and evaluator replace this file.

use serde_json::Value;

use crate::perm_table::{PermId, PermissionTable};
use crate::user::User;

/// Where a condition runs: `has_permission` (no `obj`) or `has_object_permission`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// `has_permission(request, view)`: `obj` is not available.
    View,
    /// `has_object_permission(request, view, obj)`.
    Object,
}

/// What a condition reads at decision time.
pub trait Environment {
    /// `request.method`, upper case.
    fn method(&self) -> &str;
    /// `view.action`.
    fn action(&self) -> Option<&str>;
    /// `request.user`.
    fn user(&self) -> &User;
    /// `obj` (only in [`Scope::Object`]).
    fn object(&self) -> Option<&Value>;
    /// `request.user.has_perm(perm)` or, with `with_object`, `request.user.has_perm(perm, obj)`.
    fn has_perm(&self, perm: PermId, with_object: bool) -> bool;
}

/// A compile error inside a condition, located by 1-based line and column.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConditionError {
    /// `syntax_error`, `type_error` or `unknown_name`.
    pub code: &'static str,
    /// What is wrong and what was expected.
    pub message: String,
    /// 1-based line inside the condition.
    pub line: u32,
    /// 1-based column inside the condition.
    pub column: u32,
}

/// An error while evaluating (a DRF server would answer 500).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EvalError {
    /// What failed, as Python would say it.
    pub message: String,
}

/// A compiled condition.
#[derive(Clone, Debug)]
pub struct Condition {
    source: String,
}

impl Condition {
    /// Compiles `source`, interning every `has_perm` literal into `perms`.
    pub fn compile(source: &str, scope: Scope, perms: &mut PermissionTable) -> Result<Self, ConditionError> {
        let _ = (source, scope, perms);
        Err(ConditionError { code: "syntax_error", message: "conditions are not supported yet".into(), line: 1, column: 1 })
    }

    /// Evaluates the condition and returns its truthiness.
    pub fn evaluate(&self, env: &dyn Environment) -> Result<bool, EvalError> {
        let _ = env;
        Err(EvalError { message: "conditions are not supported yet".into() })
    }

    /// The source text.
    pub fn source(&self) -> &str {
        &self.source
    }
}
