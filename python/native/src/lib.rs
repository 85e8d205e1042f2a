//! `drfgate._native`: the drf-gate core in CPython, so that `drfgate_export` / `drfgate_check`
//! compile and decide in-process (no Node, no checkout). JSON text in, JSON text out: the Python
//! wrapper (`drfgate/core.py`) parses it, so the shapes are exactly `docs/policy.md`'s.
//!
//! ```python
//! from drfgate import _native
//! gate = _native.Gate('{"permissions": ["IsAuthenticated"], "views": {"posts": {}}}')
//! gate.check('{"view": "posts", "method": "GET"}')   # '{"allowed":false,"status":403,...}'
//! ```

use drf_gate::{ContextError, Gate as CoreGate, PolicyError};
use pyo3::create_exception;
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::PyBytes;

create_exception!(_native, NativePolicyError, PyValueError, "A policy drf-gate cannot compile.");
create_exception!(_native, NativeContextError, PyValueError, "A context that does not fit the policy.");

/// Errors cross as `(message, code, path, line, column)`; `drfgate.core` turns them into
/// `drfgate.PolicyError` / `drfgate.ContextError` with those attributes.
fn policy_error(err: PolicyError) -> PyErr {
    NativePolicyError::new_err((err.message, err.code, err.path, err.line, err.column))
}

fn context_error(err: ContextError) -> PyErr {
    NativeContextError::new_err((err.message, err.code, err.path, None::<u32>, None::<u32>))
}

fn to_text<T: serde::Serialize>(value: &T) -> PyResult<String> {
    serde_json::to_string(value).map_err(|err| PyValueError::new_err(err.to_string()))
}

/// A compiled, immutable policy (`docs/policy.md` §1).
///
/// ```python
/// Gate('{"views": {"posts": {}}}').view_names()   # ['posts']
/// ```
#[pyclass(frozen, module = "drfgate._native")]
struct Gate {
    inner: CoreGate,
}

#[pymethods]
impl Gate {
    /// Compiles a policy given as JSON text.
    #[new]
    fn new(policy: &str) -> PyResult<Self> {
        CoreGate::from_json(policy).map(|inner| Gate { inner }).map_err(policy_error)
    }

    /// Decides a context (JSON text, `docs/policy.md` §2); returns the decision as JSON text (§3).
    fn check(&self, py: Python<'_>, context: &str) -> PyResult<String> {
        let gate = &self.inner;
        let decision = py.detach(|| gate.check_json(context).map_err(context_error).and_then(|d| to_text(&d)));
        decision
    }

    /// One step of the edge path for a raw request (JSON text: request, target, `now`, answers):
    /// a decision, a lookup the caller must answer, or `{"noRoute": true}`.
    fn check_request(&self, py: Python<'_>, input: &str) -> PyResult<String> {
        let gate = &self.inner;
        py.detach(|| gate.check_request_json(input).map_err(context_error).and_then(|s| to_text(&s)))
    }

    /// The compiled form of this policy (`docs/policy.md`, "compiled policies"): the same bytes as
    /// `npx drf-gate compile policy.json` and `gate.toCompiled()` for the same policy.
    ///
    /// ```python
    /// Gate('{"views": {"posts": {}}}').to_compiled()[:8]   # b'DRFGATE\x01'
    /// ```
    fn to_compiled<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, &self.inner.to_compiled())
    }

    /// Loads a compiled policy (`to_compiled()`, `npx drf-gate compile`): `PolicyError` with code
    /// `corrupt_compiled_policy` or `incompatible_compiled_policy` for bytes it cannot load.
    #[staticmethod]
    fn from_compiled(bytes: &[u8]) -> PyResult<Self> {
        CoreGate::from_compiled(bytes).map(|inner| Gate { inner }).map_err(policy_error)
    }

    /// The route a URL path reaches by the policy's `routes` (`docs/policy.md` §1.6), as the edge
    /// routes it: `(view, action, detail)`, or `None`: no route matches, the origin answers.
    ///
    /// ```python
    /// gate = Gate('{"views": {"posts": {}}, "routes": [{"pattern": "/posts/{pk:int}/", "view": "posts", "detail": true}]}')
    /// gate.route("/posts/7/")     # ('posts', None, True)
    /// gate.route("/posts/abc/")   # None
    /// ```
    fn route(&self, path: &str) -> Option<(String, Option<String>, bool)> {
        self.inner.route(path).map(|hit| (hit.view.to_owned(), hit.action.map(str::to_owned), hit.detail))
    }

    /// The policy's view names.
    fn view_names(&self) -> Vec<String> {
        self.inner.view_names().map(str::to_owned).collect()
    }
}

/// The version of the drf-gate core compiled into this module.
#[pyfunction]
fn core_version() -> &'static str {
    env!("CARGO_PKG_VERSION")
}

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<Gate>()?;
    m.add_function(wrap_pyfunction!(core_version, m)?)?;
    m.add("PolicyError", m.py().get_type::<NativePolicyError>())?;
    m.add("ContextError", m.py().get_type::<NativeContextError>())?;
    Ok(())
}
