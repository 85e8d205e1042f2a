//! The JavaScript binding (wasm-bindgen): the only module that touches JS.
//!
//! Internal: the package's public API is the plain JS `Gate` of `pkg/src/gate.js`, which calls
//! these exports (none of them is in the public TypeScript; the build runs wasm-bindgen with
//! `--no-typescript`). They translate and nothing else: JS values in (policy, context, user,
//! object), the core's answers out, and the core's error values as JS `Error` subclasses
//! (`PolicyError`, `ContextError`) with a stable `name` and `code`. Nothing here panics or traps:
//! bad input becomes a thrown error and the instance stays usable for the next call.
//!
//! ```js
//! // pkg/src/gate.js, the one caller:
//! const core = new wasm.GateCore({ views: { posts: {} } });
//! JSON.parse(core.check({ view: "posts", action: "list" })).status; // 200
//! ```

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::{Object, Reflect};
use serde_json::Value;
use wasm_bindgen::prelude::*;

use crate::user::{User, UserInput};

/// The core, under the names the binding uses.
mod core {
    pub use crate::{ContextError, Gate, PolicyError};
}

// The error classes live in JS so that they are real `Error` subclasses (stack, `instanceof`).
#[wasm_bindgen(module = "/pkg/src/errors.js")]
extern "C" {
    type JsPolicyError;
    #[wasm_bindgen(constructor, js_class = "PolicyError")]
    fn new(message: &str, code: &str, path: &str, line: Option<u32>, column: Option<u32>) -> JsPolicyError;

    type JsContextError;
    #[wasm_bindgen(constructor, js_class = "ContextError")]
    fn new(message: &str, code: &str, path: &str) -> JsContextError;
}

fn policy_error(error: &core::PolicyError) -> JsValue {
    JsPolicyError::new(&error.message, error.code, &error.path, error.line, error.column).into()
}

fn context_error(error: &core::ContextError) -> JsValue {
    JsContextError::new(&error.message, error.code, &error.path).into()
}

fn invalid_context(message: &str, path: &str) -> JsValue {
    // Bounded as core::ContextError is: serde's messages and paths quote the caller's keys.
    let (message, path) = (crate::error::bounded(message.to_owned()), crate::error::bounded(path.to_owned()));
    JsContextError::new(&message, "invalid_context", &path).into()
}

/// Longest JSON text (in UTF-16 code units, as `JSON.stringify` makes it) that crosses into wasm
/// memory, which never shrinks: a policy, and a raw-request step (a 4 MiB body as base64, its
/// headers and the resolvers' answers).
const MAX_TEXT: u32 = 8 * 1024 * 1024;
/// The same for a context, a user or an object (`check`, `can`, `permissionsFor`, `subject`),
/// and for a string argument (a view or action name, a URL path).
const MAX_CONTEXT_TEXT: u32 = 1024 * 1024;

/// The longest encoded user or object taken (`pkg/src/gate.js` sends at most 1 MiB of JSON, under 3 MiB
/// encoded): wasm memory never shrinks.
const MAX_ENCODED_USER: u32 = 4 * 1024 * 1024;

/// Why a JS value did not cross as JSON text.
enum TextError {
    /// Functions, symbols, BigInt, cycles: what JSON cannot hold.
    NotJson,
    /// Longer than the limit (its length).
    TooLong(u32, u32),
    /// The caller's own exception (a getter or `toJSON` that throws), rethrown as it is: the
    /// typed paths, which read the same members, let it through too.
    Thrown(JsValue),
}

impl TextError {
    fn message(&self, what: &str) -> String {
        match self {
            TextError::NotJson if what.is_empty() => "not representable as JSON".to_owned(),
            TextError::NotJson => format!("{what} is not representable as JSON"),
            TextError::TooLong(length, limit) if what.is_empty() => {
                format!("{length} characters long, more than the {limit} that may be checked")
            }
            TextError::TooLong(length, limit) => {
                format!("{what} is {length} characters long as JSON, more than the {limit} that may be checked")
            }
            TextError::Thrown(_) => format!("{what} threw while written as JSON"),
        }
    }

    /// The error the caller gets: its own exception, else a `ContextError` at `path`.
    fn context_error(self, what: &str, path: &str) -> JsValue {
        match self {
            TextError::Thrown(thrown) => thrown,
            other => invalid_context(&other.message(what), path),
        }
    }
}

/// A string's text, refused before it is copied when it is longer than `limit`.
fn bounded_string(value: &JsValue, limit: u32) -> Option<Result<String, TextError>> {
    let text = value.dyn_ref::<js_sys::JsString>()?;
    let length = text.length();
    if length > limit {
        return Some(Err(TextError::TooLong(length, limit)));
    }
    text.as_string().map(Ok)
}

/// A JS value as JSON text (`JSON.stringify`): one crossing of the boundary, however deep the
/// value, and at most `limit` characters of it.
fn json_text(value: &JsValue, limit: u32) -> Result<String, TextError> {
    // JSON.stringify's own refusals (a cycle, a BigInt) are TypeErrors, and so may be the
    // caller's own: only a policy object and direct callers of these bindings get here; gate.js
    // sends users, objects, contexts and requests encoded or as value.js `exactJson`'s text,
    // which tell the two apart (pkg/README.md "Errors").
    let text = js_sys::JSON::stringify(value).map_err(|thrown| {
        if thrown.is_instance_of::<js_sys::TypeError>() {
            TextError::NotJson
        } else {
            TextError::Thrown(thrown)
        }
    })?;
    bounded_string(&text, limit).unwrap_or(Err(TextError::NotJson))
}

/// Reads a serde type from a JS value; a mismatch is a `ContextError` naming where it is.
fn from_js<T: serde::de::DeserializeOwned>(value: &JsValue, prefix: &str) -> Result<T, JsValue> {
    let text = json_text(value, MAX_CONTEXT_TEXT).map_err(|error| error.context_error("", prefix))?;
    crate::json::from_text(&text).map_err(|error| invalid_context(&error.message(), &error.path(prefix)))
}

/// `target[name] = value` as an own data property, as `JSON.parse` makes one: a name from the
/// policy or the URL (a route parameter `{__proto__}`) must not set the object's prototype.
fn set_own(target: &Object, name: &str, value: &JsValue) -> Result<(), JsValue> {
    if name != "__proto__" {
        return Reflect::set(target, &JsValue::from_str(name), value).map(drop);
    }
    let descriptor = Object::new();
    Reflect::set(&descriptor, &JsValue::from_str("value"), value)?;
    for flag in ["writable", "enumerable", "configurable"] {
        Reflect::set(&descriptor, &JsValue::from_str(flag), &JsValue::TRUE)?;
    }
    Object::define_property(target, &JsValue::from_str(name), &descriptor);
    Ok(())
}

/// A string argument; anything else is a `ContextError` (a non-string must never reach the
/// glue's string copy, which would read out of bounds).
fn string_arg(value: &JsValue, name: &str) -> Result<String, JsValue> {
    match bounded_string(value, MAX_CONTEXT_TEXT) {
        Some(Ok(text)) => Ok(text),
        Some(Err(error)) => Err(error.context_error("", name)),
        None => Err(invalid_context("expected a string", name)),
    }
}

/// A compiled policy (the core's `Gate`), for `pkg/src/gate.js`.
///
/// ```js
/// const core = new wasm.GateCore('{"views": {"posts": {"model": "blog.Post"}}}');
/// ```
#[wasm_bindgen]
pub struct GateCore {
    inner: Rc<core::Gate>,
    /// Targets resolved by `target`, by id (gate.js caches the ids by view and action).
    targets: RefCell<Vec<crate::gate::ResolvedTarget>>,
    /// Typed checks (`checkPacked`, `checkResolved`, ...: [`crate::typed_check`]).
    check: RefCell<crate::typed_check::TypedCheck>,
}

typed_check_bindings!(api_keys);
program_bindings!();
resolved_check_bindings!();

#[wasm_bindgen]
impl GateCore {
    /// Compiles a policy, given as an object or as JSON text; throws `PolicyError`.
    ///
    /// ```js
    /// new wasm.GateCore({ views: { posts: {} } });
    /// ```
    #[cfg(feature = "compiler")]
    #[wasm_bindgen(constructor)]
    pub fn new(policy: JsValue) -> Result<GateCore, JsValue> {
        // One parser for both forms (the core's JSON one): an object crosses as JSON text.
        let refused = |error: TextError| match error {
            TextError::Thrown(thrown) => thrown,
            other => JsValue::from(JsPolicyError::new(&other.message("the policy"), "invalid_policy", "$", None, None)),
        };
        let compiled = match bounded_string(&policy, MAX_TEXT) {
            Some(text) => core::Gate::from_json(&text.map_err(refused)?),
            None => {
                let text = json_text(&policy, MAX_TEXT).map_err(|error| match error {
                    TextError::NotJson => JsValue::from(JsPolicyError::new(
                        "the policy is not JSON-shaped",
                        "invalid_policy",
                        "$",
                        None,
                        None,
                    )),
                    too_long => refused(too_long),
                })?;
                core::Gate::from_json(&text).map_err(|mut error| {
                    // Positions in text the caller never wrote mean nothing; the path says where.
                    if matches!(error.code, "invalid_json" | "invalid_policy") {
                        error.line = None;
                        error.column = None;
                    }
                    error
                })
            }
        };
        compiled
            .map(|gate| GateCore { inner: Rc::new(gate), targets: RefCell::new(Vec::new()), check: RefCell::default() })
            .map_err(|error| policy_error(&error))
    }

    /// Loads a compiled policy (`toCompiled()`, `npx drf-gate compile`); throws `PolicyError`
    /// (`incompatible_compiled_policy`, `corrupt_compiled_policy`).
    ///
    /// ```js
    /// const core = wasm.GateCore.fromCompiled(bytes);
    /// ```
    #[wasm_bindgen(js_name = fromCompiled)]
    pub fn from_compiled(bytes: &[u8]) -> Result<GateCore, JsValue> {
        core::Gate::from_compiled(bytes)
            .map(|gate| GateCore { inner: Rc::new(gate), targets: RefCell::new(Vec::new()), check: RefCell::default() })
            .map_err(|error| policy_error(&error))
    }

    /// The compiled form of this policy (a `Uint8Array`), for the browser runtime.
    ///
    /// ```js
    /// const bytes = new wasm.GateCore(policy).toCompiled();
    /// ```
    #[cfg(feature = "compiler")]
    #[wasm_bindgen(js_name = toCompiled)]
    pub fn to_compiled(&self) -> Vec<u8> {
        self.inner.to_compiled()
    }

    /// `gate.check(context)`: the decision as JSON text (one crossing; gate.js parses it). The
    /// context is a value or its JSON text.
    ///
    /// Not in the Worker build (no compiler): its `check` crosses typed only (`checkPacked`,
    /// `text`), as the browser runtime's, without serde's `Context` reader.
    ///
    /// ```js
    /// JSON.parse(core.check({ view: "posts", action: "list", user: null })).status;
    /// ```
    #[cfg(feature = "compiler")]
    pub fn check(&self, context: JsValue) -> Result<String, JsValue> {
        // A string is the context's JSON text (gate.js sends one when a value holds a BigInt:
        // its ids stay exact); anything else crosses as `JSON.stringify` writes it.
        let text = match bounded_string(&context, MAX_CONTEXT_TEXT) {
            Some(text) => text,
            None => json_text(&context, MAX_CONTEXT_TEXT),
        }
        .map_err(|error| error.context_error("the context", "$"))?;
        let decision = self.inner.check_json(&text).map_err(|error| context_error(&error))?;
        serde_json::to_string(&decision).map_err(|error| invalid_context(&error.to_string(), "$"))
    }

    /// Compiles a user once against this gate (`gate.subject(user)`).
    ///
    /// ```js
    /// const handle = core.subject({ id: 3 });
    /// ```
    pub fn subject(&self, user: JsValue) -> Result<SubjectCore, JsValue> {
        Ok(SubjectCore { gate: Rc::clone(&self.inner), user: self.user(&user)? })
    }

    /// Resolves a view and an action (or HTTP method) once: an id for `canSubject`/`canUser`.
    /// Throws `ContextError` (`unknown_view`, `unknown_action`).
    ///
    /// ```js
    /// const id = core.target("posts", "destroy", true);
    /// ```
    pub fn target(&self, view: JsValue, action_or_method: JsValue, with_object: bool) -> Result<u32, JsValue> {
        let view = string_arg(&view, "view")?;
        let action_or_method = string_arg(&action_or_method, "actionOrMethod")?;
        let target =
            self.inner.resolve(&view, &action_or_method, with_object).map_err(|error| context_error(&error))?;
        let mut targets = self.targets.try_borrow_mut().map_err(|_| invalid_context("re-entrant call", "$"))?;
        let id = u32::try_from(targets.len()).map_err(|_| invalid_context("too many targets", "$"))?;
        targets.push(target);
        Ok(id)
    }

    /// Forgets every target id (gate.js bounds its cache with this).
    #[wasm_bindgen(js_name = clearTargets)]
    pub fn clear_targets(&self) -> Result<(), JsValue> {
        let mut targets = self.targets.try_borrow_mut().map_err(|_| invalid_context("re-entrant call", "$"))?;
        targets.clear();
        Ok(())
    }

    /// `gate.can(subject, ...)` for a target id from `target`.
    ///
    /// ```js
    /// core.canSubject(handle, core.target("posts", "list", false));
    /// ```
    #[wasm_bindgen(js_name = canSubject)]
    pub fn can_subject(&self, subject: &SubjectCore, target: u32, object: Option<JsValue>) -> Result<bool, JsValue> {
        self.can_at(self.own(subject)?, target, object)
    }

    /// `gate.can(user, ...)` for a plain user object (or `null`: anonymous) and a target id.
    ///
    /// ```js
    /// core.canUser({ id: 3 }, core.target("posts", "list", false));
    /// ```
    #[wasm_bindgen(js_name = canUser)]
    pub fn can_user(&self, user: JsValue, target: u32, object: Option<JsValue>) -> Result<bool, JsValue> {
        let user = self.user(&user)?;
        self.can_at(&user, target, object)
    }

    /// The object fields `can` may read for a target id, each path joined with `.` (`[]`: none;
    /// `null`: the object as a whole). gate.js extracts just these and caches on them.
    ///
    /// ```js
    /// core.objectReads(core.target("posts", "destroy", true)); // ["owner"]
    /// ```
    #[wasm_bindgen(js_name = objectReads)]
    pub fn object_reads(&self, target: u32) -> Result<Option<Vec<String>>, JsValue> {
        let targets = self.targets.try_borrow().map_err(|_| invalid_context("re-entrant call", "$"))?;
        let target = targets.get(target as usize).ok_or_else(|| invalid_context("unknown target", "$"))?;
        Ok(self.inner.object_reads(target).map(|paths| paths.iter().map(|path| path.join(".")).collect()))
    }

    /// `canSubject` with the object in the binary value encoding (`pkg/src/value.js`): no JSON.
    ///
    /// ```js
    /// core.canSubjectEncoded(handle, id, encodeValue({ owner: 3 }));
    /// ```
    #[wasm_bindgen(js_name = canSubjectEncoded)]
    pub fn can_subject_encoded(&self, subject: &SubjectCore, target: u32, object: &[u8]) -> Result<bool, JsValue> {
        let user = self.own(subject)?;
        let object = crate::compiled::value::decode_value(object, "$.object").map_err(|error| context_error(&error))?;
        self.can_value(user, target, Some(&object))
    }

    /// `canUser` with the object in the binary value encoding.
    ///
    /// ```js
    /// core.canUserEncoded({ id: 3 }, id, encodeValue({ owner: 3 }));
    /// ```
    #[wasm_bindgen(js_name = canUserEncoded)]
    pub fn can_user_encoded(&self, user: JsValue, target: u32, object: &[u8]) -> Result<bool, JsValue> {
        let user = self.user(&user)?;
        let object = crate::compiled::value::decode_value(object, "$.object").map_err(|error| context_error(&error))?;
        self.can_value(&user, target, Some(&object))
    }

    /// `gate.permissionsFor(subject, view, object)`.
    ///
    /// ```js
    /// core.permissionsForSubject(handle, "posts"); // { list: true, ... }
    /// ```
    #[wasm_bindgen(js_name = permissionsForSubject)]
    pub fn permissions_for_subject(
        &self,
        subject: &SubjectCore,
        view: JsValue,
        object: Option<JsValue>,
    ) -> Result<JsValue, JsValue> {
        self.permissions_at(self.own(subject)?, view, object)
    }

    /// `gate.permissionsFor(user, view, object)` for a plain user object (or `null`).
    ///
    /// ```js
    /// core.permissionsForUser({ id: 3 }, "posts"); // { list: true, ... }
    /// ```
    #[wasm_bindgen(js_name = permissionsForUser)]
    pub fn permissions_for_user(
        &self,
        user: JsValue,
        view: JsValue,
        object: Option<JsValue>,
    ) -> Result<JsValue, JsValue> {
        let view_name = string_arg(&view, "view")?;
        // Name errors before user errors, as `check` reports them.
        self.inner.view_or_error(&view_name, "view").map_err(|error| context_error(&error))?;
        let user = self.user(&user)?;
        self.permissions_at(&user, view, object)
    }

    /// The view names of the policy, in policy order.
    ///
    /// ```js
    /// core.views(); // ["posts"]
    /// ```
    pub fn views(&self) -> Vec<String> {
        self.inner.view_names().map(String::from).collect()
    }

    /// The actions of a view, in policy order; `undefined` for an unknown view.
    ///
    /// ```js
    /// core.actions("posts"); // ["list", "create", ...]
    /// ```
    pub fn actions(&self, view: JsValue) -> Option<Vec<String>> {
        let view = bounded_string(&view, MAX_CONTEXT_TEXT)?.ok()?;
        Some(self.inner.actions(&view)?.map(String::from).collect())
    }

    /// The route a URL path reaches; `null` when no route matches. With `method`, `action` is
    /// the action that method runs there (DRF's router method map), `null` for none.
    ///
    /// ```js
    /// core.route("/api/posts/7/", "DELETE"); // { view: "posts", action: "destroy", detail: true, params: { pk: "7" } }
    /// ```
    pub fn route(&self, url_path: JsValue, method: Option<JsValue>) -> Result<JsValue, JsValue> {
        let url_path = string_arg(&url_path, "urlPath")?;
        let method = match method.filter(|value| !value.is_null() && !value.is_undefined()) {
            Some(value) => Some(string_arg(&value, "method")?),
            None => None,
        };
        let Some(found) = self.inner.route(&url_path) else {
            return Ok(JsValue::NULL);
        };
        let action = match &method {
            Some(method) => self.inner.route_action(&found, method),
            None => found.action,
        };
        let out = Object::new();
        let params = Object::new();
        for (name, value) in &found.params {
            set_own(&params, name, &JsValue::from_str(value))?;
        }
        Reflect::set(&out, &JsValue::from_str("view"), &JsValue::from_str(found.view))?;
        Reflect::set(&out, &JsValue::from_str("action"), &action.map_or(JsValue::NULL, JsValue::from_str))?;
        Reflect::set(&out, &JsValue::from_str("detail"), &JsValue::from_bool(found.detail))?;
        Reflect::set(&out, &JsValue::from_str("params"), &params)?;
        Ok(out.into())
    }

    /// Starts a raw request and takes its first step: the step as JSON text when it is the last
    /// (a decision, a forward, no route), else `[stepText, handle]` with the handle to answer
    /// the lookup or give the body to. Most requests decide in one step and make no handle.
    /// Edge build only.
    ///
    /// ```js
    /// const first = core.startRequest('{"request": {"method": "GET"}, "view": "posts", "now": 0}');
    /// if (typeof first === "string") JSON.parse(first); else { const [text, pending] = first; }
    /// ```
    /// Not in the Worker build (edge without the compiler), which reads raw requests typed only
    /// (`requestInputError` gives this method's refusals there).
    #[cfg(all(feature = "edge", feature = "compiler"))]
    #[wasm_bindgen(js_name = startRequest)]
    pub fn start_request(&self, input: JsValue) -> Result<JsValue, JsValue> {
        let text = request_input_text(&input)?;
        let pending = crate::edge::PendingRequest::from_json(&text).map_err(|error| context_error(&error))?;
        self.first_step(pending)
    }

    /// `gate.checkRequestSync`'s first step, the request typed (`PendingRequest::from_parts`:
    /// `count` strings joined by NUL, which parts are present in `flags`, the body and the
    /// target's encoded `object` apart): a
    /// decided step as the number of its packed form (`sync_step`), else the step as JSON text, or
    /// `undefined` when the parts do not split as counted. A lookup step
    /// keeps the request on a stack of synchronous requests (a resolver may check another
    /// request on any gate before it returns: they nest), where `answerRequestSync` answers it
    /// and `dropRequestSync` removes it; no handle object, no finalizer. Edge build only.
    ///
    /// ```js
    /// const step = core.requestSync(text, count, flags, undefined, undefined, now); // JSON text or a number
    /// if (step.lookup) try { JSON.parse(answerRequestSync({ notFound: true })); } finally { dropRequestSync(); }
    /// ```
    #[cfg(feature = "edge")]
    #[wasm_bindgen(js_name = requestSync)]
    pub fn request_sync(
        &self,
        text: &str,
        count: u32,
        flags: u32,
        body: Option<String>,
        object: Option<Vec<u8>>,
        now: f64,
    ) -> Result<JsValue, JsValue> {
        let Some((pending, step)) = self.typed_first_step(text, count, flags, body, object.as_deref(), now)? else {
            return Ok(JsValue::UNDEFINED);
        };
        let lookup = matches!(step, crate::edge::EdgeStep::Lookup(_));
        let (out, _) = sync_step(&self.inner, step, &pending)?;
        if lookup {
            SYNC_REQUESTS.with(|requests| {
                let mut requests = requests.try_borrow_mut().map_err(|_| invalid_context("re-entrant call", "$"))?;
                requests.push(SyncRequest { gate: Rc::clone(&self.inner), pending });
                Ok::<(), JsValue>(())
            })?;
        }
        Ok(out)
    }

    /// `gate.checkRequest`'s first step, the request typed as for `requestSync`, each step
    /// as `requestSync` gives it (a decided step as the number of its packed form, a `userById`
    /// lookup as a negative number, else JSON text); a step that needs a lookup's answer or the
    /// body comes as `[step, handle]`, and the handle (`RawRequestCore`) answers and steps on
    /// (`answerUser`, `answerPacked`, `stepPacked`). A handle per request, not the synchronous
    /// stack: awaited requests interleave. `undefined` when the parts do not split as counted.
    /// Edge build only.
    ///
    /// ```js
    /// const first = core.requestPacked(text, count, flags, undefined, undefined, now); // number, text or [step, handle]
    /// ```
    #[cfg(feature = "edge")]
    #[wasm_bindgen(js_name = requestPacked)]
    pub fn request_packed(
        &self,
        text: &str,
        count: u32,
        flags: u32,
        body: Option<String>,
        object: Option<Vec<u8>>,
        now: f64,
    ) -> Result<JsValue, JsValue> {
        let Some((pending, step)) = self.typed_first_step(text, count, flags, body, object.as_deref(), now)? else {
            return Ok(JsValue::UNDEFINED);
        };
        let more = match &step {
            crate::edge::EdgeStep::Lookup(_) => true,
            crate::edge::EdgeStep::Body(_) => pending.is_body_pending(),
            _ => false,
        };
        let (out, _) = sync_step(&self.inner, step, &pending)?;
        if !more {
            return Ok(out);
        }
        let handle = RawRequestCore { gate: Rc::clone(&self.inner), pending };
        Ok(js_sys::Array::of2(&out, &JsValue::from(handle)).into())
    }

    /// A text of a packed step's decision (`requestSync`, `answerRequestSync`) by id; gate.js
    /// fetches each once per gate. Edge build only.
    ///
    /// ```js
    /// const body = core.stepText(words[1]);
    /// ```
    #[cfg(feature = "edge")]
    #[wasm_bindgen(js_name = stepText)]
    pub fn step_text_by_id(&self, id: u32) -> Option<String> {
        with_step_texts(&self.inner, |texts| texts.decision.text(id).map(str::to_owned)).ok().flatten()
    }

    /// The words of a packed step (`requestSync`, `answerRequestSync`) by its number; gate.js
    /// fetches each once per gate. Edge build only.
    ///
    /// ```js
    /// const words = core.stepWords(step); // Uint32Array(10)
    /// ```
    #[cfg(feature = "edge")]
    #[wasm_bindgen(js_name = stepWords)]
    pub fn step_words(&self, id: u32) -> Option<Vec<u32>> {
        with_step_texts(&self.inner, |texts| texts.step(id).map(|words| words.to_vec())).ok().flatten()
    }

    /// An authentication class's name of a packed step (word 8) by id. Edge build only.
    ///
    /// ```js
    /// const name = core.stepName(words[8]);
    /// ```
    #[cfg(feature = "edge")]
    #[wasm_bindgen(js_name = stepName)]
    pub fn step_name_by_id(&self, id: u32) -> Option<String> {
        with_step_texts(&self.inner, |texts| texts.name(id).map(str::to_owned)).ok().flatten()
    }

    #[cfg(all(feature = "edge", feature = "compiler"))]
    fn first_step(&self, mut pending: crate::edge::PendingRequest) -> Result<JsValue, JsValue> {
        let step = pending.step(&self.inner).map_err(|error| context_error(&error))?;
        let more = match &step {
            crate::edge::EdgeStep::Lookup(_) => true,
            crate::edge::EdgeStep::Body(_) => pending.is_body_pending(),
            _ => false,
        };
        let text = step_text(&step)?;
        if !more {
            return Ok(JsValue::from_str(&text));
        }
        let handle = RawRequestCore { gate: Rc::clone(&self.inner), pending };
        Ok(js_sys::Array::of2(&JsValue::from_str(&text), &JsValue::from(handle)).into())
    }
}

/// `startRequest`'s input as text: gate.js sends the JSON text (value.js `exactJson`: read once,
/// the caller's own exceptions as they are); a value crosses as `JSON.stringify` writes it.
#[cfg(feature = "edge")]
fn request_input_text(input: &JsValue) -> Result<String, JsValue> {
    match bounded_string(input, MAX_TEXT) {
        Some(text) => text,
        None => json_text(input, MAX_TEXT),
    }
    .map_err(|error| error.context_error("the request", "$"))
}

/// The error `startRequest` gives for its input (`edge::request_input_error`), without reading
/// the request: for the Worker build, which has no `startRequest` and sends a request the typed
/// crossing refused again, parsed from this text, once this finds nothing. Worker build only
/// (the other edge builds read the text itself: `startRequest`).
///
/// ```js
/// requestInputError('{"request": {"method": "GET"}, "view": null, "now": 0}'); // no error
/// ```
#[cfg(all(feature = "edge", not(feature = "compiler")))]
#[wasm_bindgen(js_name = requestInputError)]
pub fn request_input_error(input: JsValue) -> Result<(), JsValue> {
    let text = request_input_text(&input)?;
    crate::edge::request_input_error(&text).map_err(|error| context_error(&error))
}

/// A step as the JSON text gate.js parses.
#[cfg(feature = "edge")]
fn step_text(step: &crate::edge::EdgeStep<'_>) -> Result<String, JsValue> {
    serde_json::to_string(step).map_err(|error| invalid_context(&error.to_string(), "$"))
}

/// A step of `checkRequestSync` as it crosses: a decided step as the number of its packed form
/// (`PendingRequest::pack_step`, numbered per gate by `StepTexts::step_id`: gate.js renders each
/// distinct one once, from `stepWords`), its user kept for `takeStepUser`; a `userById` lookup
/// as the negative number `-(1 + EdgeStep::pack_lookup)`; else the step's JSON text. `true`
/// with a packed decided step.
#[cfg(feature = "edge")]
fn sync_step(
    gate: &Rc<core::Gate>,
    mut step: crate::edge::EdgeStep<'_>,
    pending: &crate::edge::PendingRequest,
) -> Result<(JsValue, bool), JsValue> {
    let (id, lookup) = with_step_texts(gate, |texts| match pending.pack_step(&step, texts) {
        Some(words) => (texts.step_id(words), None),
        None => (None, step.pack_lookup(texts)),
    })?;
    if let Some(code) = lookup {
        // Below 2^48: exact as a JS number.
        return Ok((JsValue::from(-1.0 - code as f64), false));
    }
    if let Some(id) = id {
        let user = match &mut step {
            crate::edge::EdgeStep::Decision { user, .. } => user.take(),
            _ => None,
        };
        STEP_USER.with(|slot| *slot.borrow_mut() = user);
        return Ok((JsValue::from(id), true));
    }
    Ok((JsValue::from_str(&step_text(&step)?), false))
}

#[cfg(feature = "edge")]
thread_local! {
    /// Each live gate's packed-step texts. The `Weak` keeps the gate's allocation, so a freed
    /// gate's address is never another's; its entry goes when it is seen dead.
    static STEP_TEXTS: RefCell<Vec<(std::rc::Weak<core::Gate>, crate::edge::StepTexts)>> = const { RefCell::new(Vec::new()) };
    /// The user of the last packed step (gate.js takes it as JSON right away, or rebuilds it).
    static STEP_USER: RefCell<Option<Box<crate::user::UserInput>>> = const { RefCell::new(None) };
}

#[cfg(feature = "edge")]
fn with_step_texts<R>(gate: &Rc<core::Gate>, f: impl FnOnce(&mut crate::edge::StepTexts) -> R) -> Result<R, JsValue> {
    STEP_TEXTS.with(|tables| {
        let mut tables = tables.try_borrow_mut().map_err(|_| invalid_context("re-entrant call", "$"))?;
        let at = match tables.iter().position(|(weak, _)| std::ptr::eq(weak.as_ptr(), Rc::as_ptr(gate))) {
            Some(at) => at,
            None => {
                tables.retain(|(weak, _)| weak.strong_count() > 0);
                tables.push((Rc::downgrade(gate), crate::edge::StepTexts::default()));
                tables.len() - 1
            }
        };
        let (_, texts) = tables.get_mut(at).ok_or_else(|| invalid_context("step texts", "$"))?;
        Ok(f(texts))
    })
}

/// The user's JSON text of the last packed step (`undefined` when it had none); taken once.
/// Edge build only.
///
/// ```js
/// const user = JSON.parse(takeStepUser());
/// ```
#[cfg(feature = "edge")]
#[wasm_bindgen(js_name = takeStepUser)]
pub fn take_step_user() -> Result<Option<String>, JsValue> {
    let user = STEP_USER.with(|slot| slot.borrow_mut().take());
    user.map(|user| serde_json::to_string(&user)).transpose().map_err(|error| invalid_context(&error.to_string(), "$"))
}

/// A request of `checkRequestSync` waiting for its lookup's answer.
#[cfg(feature = "edge")]
struct SyncRequest {
    gate: Rc<core::Gate>,
    pending: crate::edge::PendingRequest,
}

#[cfg(feature = "edge")]
thread_local! {
    /// The synchronous requests waiting for a lookup, innermost last. Synchronous checks nest
    /// (a resolver may check another request before it returns) and each removes its own entry
    /// before its caller resumes (`finally`), so the innermost is always the one answered; the
    /// stack is as deep as the nesting.
    static SYNC_REQUESTS: RefCell<Vec<SyncRequest>> = const { RefCell::new(Vec::new()) };
}

/// Answers the lookup of the innermost synchronous request (`requestSync`) and takes its next
/// step, as `requestSync` gives it; a decided step given as a number also removes the request
/// from the stack (no `dropRequestSync` then). The answer comes as its JSON text (`JSON.stringify` in gate.js,
/// within the context limit) or, when that failed, as the value (`answer`), which then fails
/// here as on the handle path. Edge build only.
///
/// ```js
/// const step = answerRequestSync('{"user":{"id":1}}', undefined); // JSON text or a number
/// ```
#[cfg(feature = "edge")]
#[wasm_bindgen(js_name = answerRequestSync)]
pub fn answer_request_sync(text: Option<String>, answer: JsValue) -> Result<JsValue, JsValue> {
    answer_sync(read_answer(text, &answer)?)
}

/// An answer as gate.js sends it: its JSON text (`answerText`), or the value when that failed.
#[cfg(feature = "edge")]
fn read_answer(text: Option<String>, answer: &JsValue) -> Result<crate::authentication::Answer, JsValue> {
    // serde_json reads the text directly when it cannot hold more values than the reader with
    // paths allows (each value takes a byte); what it refuses, that reader reads again for the
    // error and its path. Both read with serde_json's parser: the same answers. The Worker build
    // has only the reader with paths: the direct one is a second copy of every answer type's
    // `Deserialize` (~54 KB of its .wasm, validated on every cold isolate) for a few µs per
    // answer that is not a plain user record (those cross typed: `answerUser`).
    #[cfg(feature = "compiler")]
    let fast = match &text {
        Some(text) if text.len() <= crate::json::MAX_JSON_VALUES => {
            serde_json::from_str::<crate::authentication::Answer>(text).ok()
        }
        _ => None,
    };
    #[cfg(not(feature = "compiler"))]
    let fast: Option<crate::authentication::Answer> = None;
    let answer: crate::authentication::Answer = match (fast, text) {
        (Some(answer), _) => answer,
        (None, Some(text)) if text.len() <= MAX_CONTEXT_TEXT as usize * 3 => {
            crate::json::from_text(&text).map_err(|error| invalid_context(&error.message(), &error.path("$.answer")))?
        }
        (None, _) => from_js(answer, "$.answer")?,
    };
    Ok(answer)
}

/// `answerRequestSync` for a `{ user }` answer whose record is plain (`edge::user_from_parts`:
/// the id as a safe integer or a string, the username, the flags, the permissions joined by
/// NUL), without its JSON; `undefined` when the parts are refused (nothing was answered:
/// gate.js then sends the JSON). Edge build only.
///
/// ```js
/// const step = answerUserSync(1, undefined, "ann", 1 | 2, undefined, 0); // as answerRequestSync
/// ```
#[cfg(feature = "edge")]
#[wasm_bindgen(js_name = answerUserSync)]
pub fn answer_user_sync(
    id_number: f64,
    id_text: Option<String>,
    username: Option<String>,
    flags: u32,
    permissions: Option<String>,
    count: u32,
) -> Result<JsValue, JsValue> {
    match crate::edge::user_from_parts(id_number, id_text, username, flags, permissions.as_deref(), count as usize) {
        Some(user) => answer_sync(crate::authentication::Answer::User(user)),
        None => Ok(JsValue::UNDEFINED),
    }
}

/// Answers the innermost synchronous request and takes its next step.
#[cfg(feature = "edge")]
fn answer_sync(answer: crate::authentication::Answer) -> Result<JsValue, JsValue> {
    SYNC_REQUESTS.with(|requests| {
        let mut requests = requests.try_borrow_mut().map_err(|_| invalid_context("re-entrant call", "$"))?;
        let Some(request) = requests.last_mut() else {
            return Err(invalid_context("no request is awaiting an answer", "$"));
        };
        request.pending.answer(answer).map_err(|error| context_error(&error))?;
        let (out, packed) = {
            let step = request.pending.step(&request.gate).map_err(|error| context_error(&error))?;
            sync_step(&request.gate, step, &request.pending)?
        };
        if packed {
            // Decided: the request leaves the stack here (gate.js then skips dropRequestSync).
            requests.pop();
        }
        Ok(out)
    })
}

/// Removes the innermost synchronous request (gate.js, `finally`, once per lookup step of
/// `requestSync`). Edge build only.
#[cfg(feature = "edge")]
#[wasm_bindgen(js_name = dropRequestSync)]
pub fn drop_request_sync() {
    SYNC_REQUESTS.with(|requests| {
        if let Ok(mut requests) = requests.try_borrow_mut() {
            requests.pop();
        }
    });
}

/// One raw request between its steps (the one-pass protocol of `gate.checkRequest`): the parsed
/// request, the answers so far and authentication's progress, kept in wasm memory. gate.js frees
/// it when the request is decided, fails or is abandoned (`finally`); the glue's finalizer frees
/// one a caller dropped. Edge build only.
///
/// ```js
/// let step = JSON.parse(pending.step());          // { lookup: { kind: "token", key: "abc" } }
/// pending.answer({ notFound: true });
/// step = JSON.parse(pending.step());              // { decision: { status: 401, ... }, ... }
/// pending.free();
/// ```
#[cfg(feature = "edge")]
#[wasm_bindgen]
pub struct RawRequestCore {
    gate: Rc<core::Gate>,
    pending: crate::edge::PendingRequest,
}

#[cfg(feature = "edge")]
#[wasm_bindgen]
impl RawRequestCore {
    /// The next step as JSON text: `{ decision, authentication, user?, userLookup? }`,
    /// `{ lookup }`, `{ body: { maxBytes } }`, `{ forward }` or `{ noRoute: true }`. Not in the
    /// Worker build (its steps cross packed: `stepPacked`).
    #[cfg(feature = "compiler")]
    pub fn step(&mut self) -> Result<String, JsValue> {
        let step = self.pending.step(&self.gate).map_err(|error| context_error(&error))?;
        serde_json::to_string(&step).map_err(|error| invalid_context(&error.to_string(), "$"))
    }

    /// Answers the lookup the last step asked for (`{ user }`, `{ notFound: true }`,
    /// `{ unknown: true }`, `{ secret }`, `{ failure }`, `{ none: true }`), as a value or as its
    /// JSON text (gate.js sends text when a record holds a `BigInt`: `JSON.stringify` refuses it).
    /// Not in the Worker build (`answerPacked`, `answerUser`).
    #[cfg(feature = "compiler")]
    pub fn answer(&mut self, answer: JsValue) -> Result<(), JsValue> {
        let answer: crate::authentication::Answer = match bounded_string(&answer, MAX_CONTEXT_TEXT) {
            Some(text) => {
                let text = text.map_err(|error| error.context_error("", "$.answer"))?;
                crate::json::from_text(&text)
                    .map_err(|error| invalid_context(&error.message(), &error.path("$.answer")))?
            }
            None => from_js(&answer, "$.answer")?,
        };
        self.pending.answer(answer).map_err(|error| context_error(&error))
    }

    /// The body the last step asked for; `undefined` when it is longer than `maxBytes`.
    #[wasm_bindgen(js_name = giveBody)]
    pub fn give_body(&mut self, body: Option<Vec<u8>>) {
        self.pending.give_body(body.as_deref());
    }

    /// Whether the request has a body not given yet.
    #[wasm_bindgen(js_name = bodyPending)]
    pub fn body_pending(&self) -> bool {
        self.pending.is_body_pending()
    }

    /// The next step as `requestPacked` gives it (after `giveBody`).
    #[wasm_bindgen(js_name = stepPacked)]
    pub fn step_packed(&mut self) -> Result<JsValue, JsValue> {
        let step = self.pending.step(&self.gate).map_err(|error| context_error(&error))?;
        Ok(sync_step(&self.gate, step, &self.pending)?.0)
    }

    /// Answers the lookup the last step asked for, as `answerRequestSync` reads an answer, and
    /// takes the next step (`stepPacked`).
    #[wasm_bindgen(js_name = answerPacked)]
    pub fn answer_packed(&mut self, text: Option<String>, answer: JsValue) -> Result<JsValue, JsValue> {
        let answer = read_answer(text, &answer)?;
        self.pending.answer(answer).map_err(|error| context_error(&error))?;
        self.step_packed()
    }

    /// `answerPacked` for a `{ user }` answer whose record is plain, as `answerUserSync` takes it;
    /// `undefined` when the parts are refused (nothing was answered: gate.js then sends JSON).
    #[wasm_bindgen(js_name = answerUser)]
    pub fn answer_user(
        &mut self,
        id_number: f64,
        id_text: Option<String>,
        username: Option<String>,
        flags: u32,
        permissions: Option<String>,
        count: u32,
    ) -> Result<JsValue, JsValue> {
        let Some(user) =
            crate::edge::user_from_parts(id_number, id_text, username, flags, permissions.as_deref(), count as usize)
        else {
            return Ok(JsValue::UNDEFINED);
        };
        self.pending.answer(crate::authentication::Answer::User(user)).map_err(|error| context_error(&error))?;
        self.step_packed()
    }

    /// `GateCore.stepWords` of this request's gate (which may be freed while a lookup is awaited).
    #[wasm_bindgen(js_name = stepWords)]
    pub fn step_words(&self, id: u32) -> Option<Vec<u32>> {
        with_step_texts(&self.gate, |texts| texts.step(id).map(|words| words.to_vec())).ok().flatten()
    }

    /// `GateCore.stepText` of this request's gate.
    #[wasm_bindgen(js_name = stepText)]
    pub fn step_text_by_id(&self, id: u32) -> Option<String> {
        with_step_texts(&self.gate, |texts| texts.decision.text(id).map(str::to_owned)).ok().flatten()
    }

    /// `GateCore.stepName` of this request's gate.
    #[wasm_bindgen(js_name = stepName)]
    pub fn step_name_by_id(&self, id: u32) -> Option<String> {
        with_step_texts(&self.gate, |texts| texts.name(id).map(str::to_owned)).ok().flatten()
    }
}

impl GateCore {
    /// The typed request of `requestSync`/`requestPacked` and its first step; `None` when the
    /// parts do not split as counted (gate.js then sends them escaped, `parts::ESCAPED`).
    #[cfg(feature = "edge")]
    fn typed_first_step(
        &self,
        text: &str,
        count: u32,
        flags: u32,
        body: Option<String>,
        object: Option<&[u8]>,
        now: f64,
    ) -> Result<Option<(crate::edge::PendingRequest, crate::edge::EdgeStep<'_>)>, JsValue> {
        let mut pending = match crate::edge::PendingRequest::from_parts(text, count as usize, flags, body, object, now)
        {
            Ok(Some(pending)) => pending,
            Ok(None) => return Ok(None),
            Err(error) => return Err(context_error(&error)),
        };
        let step = pending.step(&self.inner).map_err(|error| context_error(&error))?;
        Ok(Some((pending, step)))
    }

    /// The user argument: `null`/`undefined` (anonymous), a user object, or its encoding.
    fn user(&self, user: &JsValue) -> Result<User, JsValue> {
        if user.is_null() || user.is_undefined() {
            return Ok(User::anonymous());
        }
        // gate.js sends a user JSON cannot write (a BigInt id, beyond 2^53) in the binary value
        // encoding (`pkg/src/value.js`), exact, as the browser runtime sends every user.
        if let Some(bytes) = user.dyn_ref::<js_sys::Uint8Array>() {
            if bytes.length() > MAX_ENCODED_USER {
                return Err(invalid_context("the encoded user is longer than may be checked", "$.user"));
            }
            let input = crate::compiled::value::decode_user(&bytes.to_vec(), "$.user")
                .map_err(|error| context_error(&error))?;
            return Ok(input.map_or_else(User::anonymous, |input| self.inner.compile_user(&input)));
        }
        let input: UserInput = from_js(user, "$.user")?;
        Ok(self.inner.compile_user(&input))
    }

    /// The subject's user, if this gate made it.
    fn own<'s>(&self, subject: &'s SubjectCore) -> Result<&'s User, JsValue> {
        if !Rc::ptr_eq(&subject.gate, &self.inner) {
            return Err(invalid_context("this Subject was made by another Gate", "$.user"));
        }
        Ok(&subject.user)
    }

    fn can_at(&self, user: &User, target: u32, object: Option<JsValue>) -> Result<bool, JsValue> {
        let object = object_value(object)?;
        self.can_value(user, target, object.as_ref())
    }

    fn can_value(&self, user: &User, target: u32, object: Option<&Value>) -> Result<bool, JsValue> {
        let targets = self.targets.try_borrow().map_err(|_| invalid_context("re-entrant call", "$"))?;
        let target = targets.get(target as usize).ok_or_else(|| invalid_context("unknown target", "$"))?;
        Ok(self.inner.can_resolved(user, target, object))
    }

    fn permissions_at(&self, user: &User, view: JsValue, object: Option<JsValue>) -> Result<JsValue, JsValue> {
        let view = string_arg(&view, "view")?;
        let object = object_value(object)?;
        let actions =
            self.inner.permissions_for(user, &view, object.as_ref()).map_err(|error| context_error(&error))?;
        let out = Object::new();
        for (action, allowed) in actions {
            set_own(&out, action, &JsValue::from_bool(allowed))?;
        }
        Ok(out.into())
    }
}

/// `undefined` or `null` means no object (the object stage is left pending); anything else is
/// the object `get_object()` would return. gate.js sends it in the binary value encoding
/// (`pkg/src/value.js`: read once, the caller's own exceptions as they are), as the browser
/// runtime does.
fn object_value(object: Option<JsValue>) -> Result<Option<Value>, JsValue> {
    match object {
        None => Ok(None),
        Some(object) if object.is_null() || object.is_undefined() => Ok(None),
        Some(object) => match object.dyn_ref::<js_sys::Uint8Array>() {
            Some(bytes) if bytes.length() <= MAX_ENCODED_USER => {
                crate::compiled::value::decode_value(&bytes.to_vec(), "$.object")
                    .map(Some)
                    .map_err(|error| context_error(&error))
            }
            Some(_) => Err(invalid_context("the encoded object is longer than may be checked", "$.object")),
            None => from_js(&object, "$.object").map(Some),
        },
    }
}

/// A user compiled against one gate; gate.js's `Subject` holds it in a private field.
///
/// ```js
/// const handle = core.subject({ id: 3 });
/// handle.free();
/// ```
#[wasm_bindgen]
pub struct SubjectCore {
    gate: Rc<core::Gate>,
    user: User,
}

/// Randomness for CSRF tokens: the platform's CSPRNG (`crypto.getRandomValues`) via getrandom.
#[cfg(feature = "edge")]
struct PlatformRandom(Result<(), getrandom::Error>);

#[cfg(feature = "edge")]
impl crate::authentication::CsrfRandom for PlatformRandom {
    fn fill_bytes(&mut self, buf: &mut [u8]) {
        if let Err(error) = getrandom::fill(buf) {
            self.0 = Err(error);
        }
    }
}

/// A masked CSRF token as Django makes them, accepted by Django's `CsrfViewMiddleware`.
///
/// With `secret` (the `csrftoken` cookie's value), the token masks that secret; without, a new
/// secret is made too. Throws `ContextError` if the platform has no secure randomness. Edge build
/// only: the core build (`drf-gate/web`) throws an `Error` with `code` `"needs_edge_build"`.
///
/// ```js
/// const { token, secret } = mintCsrfToken();
/// // Set-Cookie: csrftoken=<secret>; send X-CSRFToken: <token>
/// ```
#[cfg(feature = "edge")]
#[wasm_bindgen(js_name = mintCsrfToken, unchecked_return_type = "MintedCsrfToken")]
pub fn mint_csrf_token(
    #[wasm_bindgen(unchecked_optional_param_type = "string | null")] secret: Option<JsValue>,
) -> Result<JsValue, JsValue> {
    let secret = match secret.filter(|value| !value.is_null() && !value.is_undefined()) {
        Some(value) => Some(string_arg(&value, "secret")?),
        None => None,
    };
    let mut random = PlatformRandom(Ok(()));
    let minted = crate::authentication::mint_csrf_token(secret.as_deref(), &mut random);
    if random.0.is_err() {
        return Err(invalid_context("no secure random source is available", "$"));
    }
    // `{ token, secret, newSecret }`, as the TypeScript type declares (no serde_wasm_bindgen).
    let out = Object::new();
    Reflect::set(&out, &JsValue::from_str("token"), &JsValue::from_str(&minted.token))?;
    Reflect::set(&out, &JsValue::from_str("secret"), &JsValue::from_str(&minted.secret))?;
    Reflect::set(&out, &JsValue::from_str("newSecret"), &JsValue::from_bool(minted.new_secret))?;
    Ok(out.into())
}

#[cfg(test)]
#[path = "../wasm-tests/bindings.rs"]
mod tests;
