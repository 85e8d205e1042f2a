//! The condition language of custom permission classes: a small, statically checked subset of
//! Python evaluated with Python's semantics (`request.method in SAFE_METHODS or obj.owner ==
//! request.user`).
//!
//! A condition is compiled once ([`Condition::compile`]: lexer, parser with Python's precedence,
//! static checker) into an immutable tree with resolved names and interned permissions, then
//! evaluated per request ([`Condition::evaluate`]) without allocating in the common cases.
//!
//! # Semantics
//! - Truthiness, `and`/`or` returning an operand, `not`, chained comparisons (`a < b < c`
//!   evaluates `b` once) are Python's.
//! - `==` between unrelated types is False; `True == 1` and `1 == 1.0` are True (exactly, as
//!   Python compares ints with floats). Ordering incompatible types (`None < 1`, `'a' < 1`, a
//!   dict, a user) raises a TypeError, which is an [`EvalError`] (a DRF server would answer 500).
//! - `x in s` is a substring test on a str (a non-str `x` raises), membership by `==` in a
//!   list or tuple, and key membership in a JSON object (a Python dict).
//! - `is`/`is not` are identity of the singletons `None`, `True`, `False`, of `request.user`,
//!   and of one JSON array/object reached twice; every other pair is not identical (drf-gate has
//!   no other object identity: `1 is 1` is False here, where CPython caches small ints).
//! - `request.user` compared with `==`: an anonymous user (or one without `id`) equals nothing
//!   but itself; a JSON object equals the user when its `id` (else `pk`) equals the user's id; a
//!   number or string is read as a foreign key and compared with the user's id.
//! - `obj.a.b` reads JSON object keys; a missing key, or an attribute of a non-object, raises
//!   AttributeError ([`EvalError`]), as does a missing custom field `request.user.<name>`.
//!
//! # Limits
//! Sources longer than [`MAX_SOURCE_LEN`] bytes and expressions nested deeper than 64 levels are
//! rejected at compile time, so hostile input cannot exhaust the stack.

use crate::value::Value;

use crate::error::PolicyErrorCode;
use crate::perm_table::PermId;
#[cfg(feature = "compiler")]
use crate::perm_table::PermissionTable;
use crate::user::User;

#[cfg(feature = "compiler")]
mod check;
mod codec;
pub(crate) mod eval;
#[cfg(feature = "compiler")]
mod lexer;
#[cfg(feature = "compiler")]
mod parser;
#[cfg(test)]
#[cfg(feature = "compiler")]
mod tests;
pub(crate) mod tree;

/// The longest condition source accepted, in bytes.
pub const MAX_SOURCE_LEN: usize = 4096;

/// Where a condition runs: `has_permission` (no `obj`) or `has_object_permission`.
///
/// ```
/// use drf_gate::condition::{Condition, Scope};
/// use drf_gate::perm_table::PermissionTable;
/// let mut perms = PermissionTable::default();
/// assert!(Condition::compile("obj.public", Scope::Object, &mut perms).is_ok());
/// assert!(Condition::compile("obj.public", Scope::View, &mut perms).is_err());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// `has_permission(request, view)`: `obj` is not available.
    View,
    /// `has_object_permission(request, view, obj)`.
    Object,
}

/// What a condition reads at decision time.
///
/// ```
/// use drf_gate::condition::Environment;
/// use drf_gate::perm_table::PermId;
/// use drf_gate::user::User;
/// struct Get(User);
/// impl Environment for Get {
///     fn method(&self) -> &str { "GET" }
///     fn action(&self) -> Option<&str> { Some("list") }
///     fn user(&self) -> &User { &self.0 }
///     fn object(&self) -> Option<&serde_json::Value> { None }
///     fn has_perm(&self, _: PermId, _: bool) -> bool { false }
/// }
/// assert_eq!(Get(User::anonymous()).method(), "GET");
/// ```
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
///
/// ```
/// use drf_gate::condition::{Condition, Scope};
/// use drf_gate::perm_table::PermissionTable;
/// let err = Condition::compile("request.method && True", Scope::View, &mut PermissionTable::default())
///     .unwrap_err();
/// assert_eq!((err.code.as_str(), err.line, err.column), ("syntax_error", 1, 16));
/// assert!(err.message.contains("use 'and'"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConditionError {
    /// [`PolicyErrorCode::SyntaxError`], [`PolicyErrorCode::TypeError`] or
    /// [`PolicyErrorCode::UnknownName`].
    pub code: PolicyErrorCode,
    /// What is wrong and what was expected.
    pub message: String,
    /// 1-based line inside the condition.
    pub line: u32,
    /// 1-based column inside the condition.
    pub column: u32,
}

/// An error while evaluating (a DRF server would answer 500).
///
/// ```
/// # use drf_gate::condition::{Condition, Environment, Scope};
/// # use drf_gate::perm_table::{PermId, PermissionTable};
/// # use drf_gate::user::User;
/// # struct Env(User);
/// # impl Environment for Env {
/// #     fn method(&self) -> &str { "GET" }
/// #     fn action(&self) -> Option<&str> { None }
/// #     fn user(&self) -> &User { &self.0 }
/// #     fn object(&self) -> Option<&serde_json::Value> { None }
/// #     fn has_perm(&self, _: PermId, _: bool) -> bool { false }
/// # }
/// let cond = Condition::compile("view.action < 1", Scope::View, &mut PermissionTable::default()).unwrap();
/// let err = cond.evaluate(&Env(User::anonymous())).unwrap_err();
/// assert_eq!(err.message, "TypeError: '<' not supported between instances of 'NoneType' and 'int'");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EvalError {
    /// What failed, as Python would say it.
    pub message: String,
}

/// A compiled condition.
///
/// ```
/// use drf_gate::condition::{Condition, Environment, Scope};
/// use drf_gate::perm_table::{PermId, PermissionTable};
/// use drf_gate::user::{User, UserInput};
/// use serde_json::{json, Value};
///
/// struct Env { method: &'static str, user: User, obj: Value }
/// impl Environment for Env {
///     fn method(&self) -> &str { self.method }
///     fn action(&self) -> Option<&str> { None }
///     fn user(&self) -> &User { &self.user }
///     fn object(&self) -> Option<&Value> { Some(&self.obj) }
///     fn has_perm(&self, _: PermId, _: bool) -> bool { false }
/// }
///
/// let mut perms = PermissionTable::default();
/// let is_owner = Condition::compile(
///     "request.method in SAFE_METHODS or obj.owner == request.user", Scope::Object, &mut perms).unwrap();
/// let user = User::compile(&UserInput { id: Some(3.into()), ..Default::default() }, &perms);
/// let env = |method, owner| Env { method, user: user.clone(), obj: json!({ "owner": owner }) };
/// assert_eq!(is_owner.evaluate(&env("GET", 4)), Ok(true));
/// assert_eq!(is_owner.evaluate(&env("DELETE", 3)), Ok(true));
/// assert_eq!(is_owner.evaluate(&env("DELETE", 4)), Ok(false));
/// ```
#[derive(Clone, Debug)]
pub struct Condition {
    source: String,
    scope: Scope,
    reads_object: bool,
    root: tree::Node,
}

impl Condition {
    /// Compiles `source`, interning every `has_perm` literal into `perms`.
    ///
    /// A condition that fails to compile may still have interned some names (harmless: an
    /// unused id); the policy that contains it fails to compile anyway.
    ///
    /// ```
    /// use drf_gate::condition::{Condition, Scope};
    /// use drf_gate::perm_table::PermissionTable;
    /// let mut perms = PermissionTable::default();
    /// Condition::compile("request.user.has_perm('blog.publish_post')", Scope::View, &mut perms).unwrap();
    /// assert!(perms.get("blog.publish_post").is_some());
    /// let err = Condition::compile("obj.owner == request.user", Scope::View, &mut perms).unwrap_err();
    /// assert_eq!((err.code.as_str(), err.column), ("unknown_name", 1));
    /// ```
    #[cfg(feature = "compiler")]
    pub fn compile(source: &str, scope: Scope, perms: &mut PermissionTable) -> Result<Self, ConditionError> {
        if source.len() > MAX_SOURCE_LEN {
            return Err(ConditionError {
                code: PolicyErrorCode::SyntaxError,
                message: format!("condition too long ({} bytes; at most {MAX_SOURCE_LEN})", source.len()),
                line: 1,
                column: 1,
            });
        }
        let tokens = lexer::tokenize(source);
        let expr = parser::Parser::new(tokens).parse_condition()?;
        let mut checker = check::Checker { scope, perms, depth: 0, reads_object: false };
        let (root, _) = checker.check(&expr)?;
        Ok(Condition { source: source.to_owned(), scope, reads_object: checker.reads_object, root })
    }

    /// Evaluates the condition and returns its truthiness.
    ///
    /// See [`Condition`] for an example.
    pub fn evaluate(&self, env: &dyn Environment) -> Result<bool, EvalError> {
        eval::eval(&self.root, env).and_then(|value| eval::truthy(&value))
    }

    /// The source text.
    ///
    /// ```
    /// use drf_gate::condition::{Condition, Scope};
    /// let c = Condition::compile("view.action == 'publish'", Scope::View, &mut Default::default()).unwrap();
    /// assert_eq!(c.source(), "view.action == 'publish'");
    /// ```
    pub fn source(&self) -> &str {
        &self.source
    }

    /// Where the condition was compiled to run.
    ///
    /// ```
    /// use drf_gate::condition::{Condition, Scope};
    /// let c = Condition::compile("True", Scope::Object, &mut Default::default()).unwrap();
    /// assert_eq!(c.scope(), Scope::Object);
    /// ```
    pub fn scope(&self) -> Scope {
        self.scope
    }

    /// Whether evaluation may read the object: `obj` appears, directly or as the second argument
    /// of `has_perm`/`has_perms`. A `hasObjectPermission` condition that does not read it can
    /// be decided before the object is known (and still runs only where DRF runs it).
    ///
    /// ```
    /// use drf_gate::condition::{Condition, Scope};
    /// let mut perms = Default::default();
    /// let staff = Condition::compile("request.user.is_staff", Scope::Object, &mut perms).unwrap();
    /// assert!(!staff.reads_object());
    /// let owner = Condition::compile("obj.owner == request.user", Scope::Object, &mut perms).unwrap();
    /// assert!(owner.reads_object());
    /// ```
    pub fn reads_object(&self) -> bool {
        self.reads_object
    }

    /// The compiled tree (read by the `can` program lowering, `compiled::program`).
    pub(crate) fn root(&self) -> &tree::Node {
        &self.root
    }
}
