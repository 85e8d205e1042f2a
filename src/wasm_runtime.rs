//! The browser runtime's JS binding (built without the `compiler` and `edge` features): it loads
//! a compiled policy and decides, with users, objects and outcomes crossing in the binary value
//! encoding of [`crate::compiled::value`] (written by `pkg/src/value.js`) and names as strings.
//! No JSON reader, no policy compiler: `pkg/src/runtime.js` is the public API over these exports.

use std::cell::RefCell;

use serde_json::Value;
use wasm_bindgen::prelude::*;

use crate::compiled::value::{decode_value, outcome_from_value, user_from_value};
use crate::context::Context;
use crate::error::{ContextError, PolicyError};
use crate::gate::ResolvedTarget;
use crate::user::User;

#[wasm_bindgen(module = "/pkg/src/errors.js")]
extern "C" {
    #[wasm_bindgen(js_name = PolicyError)]
    type JsPolicyError;
    #[wasm_bindgen(constructor, js_class = "PolicyError")]
    fn new(message: &str, code: &str, path: &str, line: Option<u32>, column: Option<u32>) -> JsPolicyError;
    #[wasm_bindgen(js_name = ContextError)]
    type JsContextError;
    #[wasm_bindgen(constructor, js_class = "ContextError")]
    fn new(message: &str, code: &str, path: &str) -> JsContextError;
}

fn policy_error(error: &PolicyError) -> JsValue {
    JsPolicyError::new(&error.message, error.code, &error.path, error.line, error.column).into()
}

fn context_error(error: &ContextError) -> JsValue {
    JsContextError::new(&error.message, error.code, &error.path).into()
}

fn invalid(message: &str, path: &str) -> JsValue {
    JsContextError::new(message, "invalid_context", path).into()
}

/// A loaded compiled policy (hidden: `pkg/src/runtime.js` wraps it).
#[wasm_bindgen(js_name = RuntimeGate)]
pub struct RuntimeGate {
    inner: crate::Gate,
    /// Compiled subjects by handle; `None` once released. Handle 0 is the anonymous user.
    subjects: RefCell<Vec<Option<User>>>,
    targets: RefCell<Vec<ResolvedTarget>>,
}

fn user_of(bytes: &[u8], path: &str) -> Result<Option<crate::user::UserInput>, JsValue> {
    let value = decode_value(bytes, path).map_err(|e| context_error(&e))?;
    if value.is_null() {
        return Ok(None);
    }
    user_from_value(&value, path).map(Some).map_err(|e| context_error(&e))
}

#[wasm_bindgen(js_class = RuntimeGate)]
impl RuntimeGate {
    /// Loads a compiled policy; throws `PolicyError` (`incompatible_compiled_policy`,
    /// `corrupt_compiled_policy`).
    #[wasm_bindgen(js_name = fromCompiled)]
    pub fn from_compiled(bytes: &[u8]) -> Result<RuntimeGate, JsValue> {
        let inner = crate::Gate::from_compiled(bytes).map_err(|error| policy_error(&error))?;
        Ok(RuntimeGate {
            inner,
            subjects: RefCell::new(vec![Some(User::anonymous())]),
            targets: RefCell::new(Vec::new()),
        })
    }

    /// The views, in policy order.
    pub fn views(&self) -> Vec<String> {
        self.inner.view_names().map(str::to_owned).collect()
    }

    /// The actions of a view; `undefined` for an unknown view.
    pub fn actions(&self, view: &str) -> Option<Vec<String>> {
        self.inner.actions(view).map(|actions| actions.map(str::to_owned).collect())
    }

    /// Compiles an encoded user once; returns its handle (0: anonymous).
    #[wasm_bindgen(js_name = __subject)]
    pub fn subject(&self, user: &[u8]) -> Result<u32, JsValue> {
        let Some(input) = user_of(user, "$.user")? else { return Ok(0) };
        let user = self.inner.compile_user(&input);
        let mut subjects = self.subjects.try_borrow_mut().map_err(|_| invalid("re-entrant call", "$"))?;
        let free = subjects.iter().skip(1).position(Option::is_none).map(|index| index + 1);
        Ok(match free {
            Some(index) => {
                if let Some(slot) = subjects.get_mut(index) {
                    *slot = Some(user);
                }
                index as u32
            }
            None => {
                subjects.push(Some(user));
                (subjects.len() - 1) as u32
            }
        })
    }

    /// Releases a subject handle.
    #[wasm_bindgen(js_name = __release)]
    pub fn release(&self, handle: u32) {
        if handle == 0 {
            return;
        }
        if let Ok(mut subjects) = self.subjects.try_borrow_mut() {
            if let Some(slot) = subjects.get_mut(handle as usize) {
                *slot = None;
            }
        }
    }

    /// Resolves a view and action (or method) once; returns the target's id.
    #[wasm_bindgen(js_name = __target)]
    pub fn target(&self, view: &str, action_or_method: &str, with_object: bool) -> Result<u32, JsValue> {
        let resolved = self.inner.resolve(view, action_or_method, with_object).map_err(|e| context_error(&e))?;
        let mut targets = self.targets.try_borrow_mut().map_err(|_| invalid("re-entrant call", "$"))?;
        if let Some(index) = targets.iter().position(|target| *target == resolved) {
            return Ok(index as u32);
        }
        targets.push(resolved);
        Ok((targets.len() - 1) as u32)
    }

    /// `can` for a subject handle and a target id; the object encoded, or absent.
    #[wasm_bindgen(js_name = __can)]
    pub fn can(&self, subject: u32, target: u32, object: Option<Vec<u8>>) -> Result<bool, JsValue> {
        let object = match object {
            Some(bytes) => Some(decode_value(&bytes, "$.object").map_err(|e| context_error(&e))?),
            None => None,
        };
        let subjects = self.subjects.try_borrow().map_err(|_| invalid("re-entrant call", "$"))?;
        let user = subjects.get(subject as usize).and_then(Option::as_ref);
        let user = user.ok_or_else(|| invalid("this subject was released", "$.user"))?;
        let targets = self.targets.try_borrow().map_err(|_| invalid("re-entrant call", "$"))?;
        let target = targets.get(target as usize).ok_or_else(|| invalid("unknown target", "$"))?;
        Ok(self.inner.can_resolved(user, target, object.as_ref()))
    }

    /// `check` with the context's fields typed (`object`: 0 absent, 1 a lookup miss, 2 given in
    /// `object_bytes`); answers the decision as JSON text, as the full build's `__checkJson`.
    #[wasm_bindgen(js_name = __check)]
    #[allow(clippy::too_many_arguments)]
    pub fn check(
        &self,
        view: String,
        action: Option<String>,
        method: Option<String>,
        detail: Option<bool>,
        user: Option<Vec<u8>>,
        authentication: Option<Vec<u8>>,
        object_state: u8,
        object_bytes: Option<Vec<u8>>,
        accept: Option<String>,
        lookup_error: bool,
        trace: bool,
    ) -> Result<String, JsValue> {
        let user = match user {
            Some(bytes) => user_of(&bytes, "$.user")?,
            None => None,
        };
        let authentication = match authentication {
            Some(bytes) => {
                let value = decode_value(&bytes, "$.authentication").map_err(|e| context_error(&e))?;
                if value.is_null() {
                    None
                } else {
                    Some(outcome_from_value(&value, "$.authentication").map_err(|e| context_error(&e))?)
                }
            }
            None => None,
        };
        let object: Option<Option<Value>> = match (object_state, object_bytes) {
            (0, _) => None,
            (1, _) => Some(None),
            (_, Some(bytes)) => {
                let value = decode_value(&bytes, "$.object").map_err(|e| context_error(&e))?;
                Some((!value.is_null()).then_some(value))
            }
            (_, None) => Some(None),
        };
        let context =
            Context { view, action, method, detail, user, authentication, object, accept, lookup_error, trace };
        let decision = self.inner.check(&context).map_err(|e| context_error(&e))?;
        serde_json::to_string(&decision).map_err(|error| invalid(&error.to_string(), "$"))
    }
}
