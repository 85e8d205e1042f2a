//! The browser runtime's JS binding (built without the `compiler` and `edge` features): it loads
//! a compiled policy and decides, with users, objects and outcomes crossing in the binary value
//! encoding of [`crate::compiled::value`] (written by `pkg/src/value.js`) and names as strings.
//! No JSON reader, no policy compiler: `pkg/src/gate.js` (`runtime: true`) is the public API.
//! Built with `--cfg drf_gate_can_only` it is the UI-gating build (`drf-gate/can`): the same
//! bindings without `check` (no `checkPacked`, no rendering or content negotiation reached).

use std::cell::RefCell;
use std::rc::Rc;

use crate::value::Value;
use wasm_bindgen::prelude::*;

use crate::compiled::value::{decode_user, decode_value};
use crate::error::{ContextError, PolicyError};
use crate::gate::ResolvedTarget;
use crate::user::User;

#[wasm_bindgen(module = "/pkg/src/errors.js")]
extern "C" {
    type JsPolicyError;
    #[wasm_bindgen(constructor, js_class = "PolicyError")]
    fn new(message: &str, code: &str, path: &str, line: Option<u32>, column: Option<u32>) -> JsPolicyError;
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

/// A loaded compiled policy (internal: `pkg/src/gate.js` with `runtime: true` wraps it). Same
/// names as the full build's `GateCore`; users, objects and outcomes arrive encoded.
#[wasm_bindgen]
pub struct GateCore {
    inner: Rc<crate::Gate>,
    targets: RefCell<Vec<ResolvedTarget>>,
    /// Typed checks (`checkPacked`, `checkResolved`, ...: [`crate::typed_check`]).
    #[cfg(not(drf_gate_can_only))]
    check: RefCell<crate::typed_check::TypedCheck>,
}

#[cfg(not(drf_gate_can_only))]
typed_check_bindings!();
program_bindings!();

/// A user compiled against one gate (`core.subject(bytes)`).
#[wasm_bindgen]
pub struct SubjectCore {
    gate: Rc<crate::Gate>,
    user: User,
}

fn user_of(bytes: &[u8], path: &str) -> Result<Option<crate::user::UserInput>, JsValue> {
    decode_user(bytes, path).map_err(|e| context_error(&e))
}

fn object_of(bytes: Option<Vec<u8>>) -> Result<Option<Value>, JsValue> {
    match bytes {
        Some(bytes) => decode_value(&bytes, "$.object").map(Some).map_err(|e| context_error(&e)),
        None => Ok(None),
    }
}

#[wasm_bindgen]
impl GateCore {
    /// Loads a compiled policy; throws `PolicyError` (`incompatible_compiled_policy`,
    /// `corrupt_compiled_policy`).
    #[wasm_bindgen(constructor)]
    pub fn new(bytes: &[u8]) -> Result<GateCore, JsValue> {
        let inner = crate::Gate::from_compiled(bytes).map_err(|error| policy_error(&error))?;
        Ok(GateCore {
            inner: Rc::new(inner),
            targets: RefCell::new(Vec::new()),
            #[cfg(not(drf_gate_can_only))]
            check: RefCell::default(),
        })
    }

    /// The views, in policy order.
    pub fn views(&self) -> Vec<String> {
        self.inner.view_names().map(str::to_owned).collect()
    }

    /// The actions of a view; `undefined` for an unknown view.
    pub fn actions(&self, view: JsValue) -> Option<Vec<String>> {
        let view = view.as_string()?;
        self.inner.actions(&view).map(|actions| actions.map(str::to_owned).collect())
    }

    fn compile(&self, user: &[u8]) -> Result<User, JsValue> {
        Ok(match user_of(user, "$.user")? {
            Some(input) => self.inner.compile_user(&input),
            None => User::anonymous(),
        })
    }

    /// Compiles an encoded user once.
    pub fn subject(&self, user: &[u8]) -> Result<SubjectCore, JsValue> {
        Ok(SubjectCore { gate: Rc::clone(&self.inner), user: self.compile(user)? })
    }

    /// Resolves a view and action (or method) once; returns the target's id.
    pub fn target(&self, view: JsValue, action_or_method: JsValue, with_object: bool) -> Result<u32, JsValue> {
        let view = view.as_string().ok_or_else(|| invalid("expected a string", "view"))?;
        let action = action_or_method.as_string().ok_or_else(|| invalid("expected a string", "actionOrMethod"))?;
        let resolved = self.inner.resolve(&view, &action, with_object).map_err(|e| context_error(&e))?;
        let mut targets = self.targets.try_borrow_mut().map_err(|_| invalid("re-entrant call", "$"))?;
        let id = u32::try_from(targets.len()).map_err(|_| invalid("too many targets", "$"))?;
        targets.push(resolved);
        Ok(id)
    }

    /// Forgets every target id.
    #[wasm_bindgen(js_name = clearTargets)]
    pub fn clear_targets(&self) -> Result<(), JsValue> {
        self.targets.try_borrow_mut().map_err(|_| invalid("re-entrant call", "$"))?.clear();
        Ok(())
    }

    fn can(&self, user: &User, target: u32, object: Option<Vec<u8>>) -> Result<bool, JsValue> {
        let object = object_of(object)?;
        let targets = self.targets.try_borrow().map_err(|_| invalid("re-entrant call", "$"))?;
        let target = targets.get(target as usize).ok_or_else(|| invalid("unknown target", "$"))?;
        Ok(self.inner.can_resolved(user, target, object.as_ref()))
    }

    /// The object fields `can` may read for a target id, each path joined with `.` (`[]`: none;
    /// `null`: the object as a whole).
    #[wasm_bindgen(js_name = objectReads)]
    pub fn object_reads(&self, target: u32) -> Result<Option<Vec<String>>, JsValue> {
        let targets = self.targets.try_borrow().map_err(|_| invalid("re-entrant call", "$"))?;
        let target = targets.get(target as usize).ok_or_else(|| invalid("unknown target", "$"))?;
        Ok(self.inner.object_reads(target).map(|paths| {
            paths.iter().map(|path| crate::gate::joined(&mut path.iter().map(String::as_str), ".")).collect()
        }))
    }

    /// `can` for a compiled subject; the object encoded, or absent.
    #[wasm_bindgen(js_name = canSubject)]
    pub fn can_subject(&self, subject: &SubjectCore, target: u32, object: Option<Vec<u8>>) -> Result<bool, JsValue> {
        if !Rc::ptr_eq(&subject.gate, &self.inner) {
            return Err(invalid("this Subject was made by another Gate", "$.user"));
        }
        self.can(&subject.user, target, object)
    }

    /// `can` for an encoded user.
    #[wasm_bindgen(js_name = canUser)]
    pub fn can_user(&self, user: &[u8], target: u32, object: Option<Vec<u8>>) -> Result<bool, JsValue> {
        let user = self.compile(user)?;
        self.can(&user, target, object)
    }

    /// Every action of a view with whether a compiled subject may run it, as JSON text. One
    /// binding: `pkg/src/gate.js` makes a subject of a plain user for the call (one wrapper less).
    #[wasm_bindgen(js_name = permissionsForSubject)]
    pub fn permissions_for_subject(
        &self,
        subject: &SubjectCore,
        view: JsValue,
        object: Option<Vec<u8>>,
    ) -> Result<String, JsValue> {
        if !Rc::ptr_eq(&subject.gate, &self.inner) {
            return Err(invalid("this Subject was made by another Gate", "$.user"));
        }
        self.permissions(&subject.user, view, object)
    }

    fn permissions(&self, user: &User, view: JsValue, object: Option<Vec<u8>>) -> Result<String, JsValue> {
        let view = view.as_string().ok_or_else(|| invalid("expected a string", "view"))?;
        let object = object_of(object)?;
        let allowed = self.inner.permissions_for(user, &view, object.as_ref()).map_err(|e| context_error(&e))?;
        // As serde_json writes the `Map` of them, without building one.
        Ok(crate::json_writer::object(&allowed, |out, allowed| out.push_str(if *allowed { "true" } else { "false" })))
    }

    /// The route a URL path reaches, as JSON text (`null` when none matches).
    pub fn route(&self, url_path: JsValue, method: Option<String>) -> Result<String, JsValue> {
        let url_path = url_path.as_string().ok_or_else(|| invalid("expected a string", "urlPath"))?;
        let Some(found) = self.inner.route(&url_path) else { return Ok("null".to_owned()) };
        let action = match &method {
            Some(method) => self.inner.route_action(&found, method),
            None => found.action,
        };
        // As `json!({"view", "action", "detail", "params"})` writes it, without a `Value` or `Map`.
        let mut out = String::from("{\"view\":");
        crate::json_writer::write_str(&mut out, found.view);
        out.push_str(",\"action\":");
        match action {
            Some(action) => crate::json_writer::write_str(&mut out, action),
            None => out.push_str("null"),
        }
        out.push_str(if found.detail { ",\"detail\":true,\"params\":" } else { ",\"detail\":false,\"params\":" });
        let params: Vec<(&str, &str)> = found.params.iter().map(|(name, value)| (*name, value.as_str())).collect();
        out.push_str(&crate::json_writer::object(&params, |out, value| crate::json_writer::write_str(out, value)));
        out.push('}');
        Ok(out)
    }
}
