//! The JavaScript binding (wasm-bindgen): the only module that touches JS.
//!
//! It translates and nothing else: JS values in (policy, context, user, object), the core's
//! answers out, and the core's error values as JS `Error` subclasses (`PolicyError`,
//! `ContextError`) with a stable `name` and `code`. Nothing here panics or traps: bad input
//! becomes a thrown error and the instance stays usable for the next call.
//!
//! ```js
//! import { Gate } from "drf-gate";
//! const gate = new Gate({ permissions: ["IsAuthenticated"], views: { posts: { model: "blog.Post" } } });
//! gate.check({ view: "posts", action: "list", user: null }).status; // 403
//! ```

use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;
use std::rc::Rc;

use js_sys::{Object, Reflect};
use serde::Serialize;
use serde_json::Value;
use wasm_bindgen::prelude::*;

use self::core_api as core;

// TEMPORARY: the core's Gate API is being written on main; this stand-in has its exact
// signatures so the package, its build and its tests can be built first.
mod core_api {
    use serde::{Deserialize, Serialize};
    use serde_json::Value;

    pub use crate::user::{User, UserInput};

    pub struct Gate {
        views: Vec<String>,
    }

    #[derive(Debug)]
    pub struct PolicyError {
        pub code: &'static str,
        pub message: String,
        pub path: String,
        pub line: Option<u32>,
        pub column: Option<u32>,
    }

    #[derive(Debug)]
    pub struct ContextError {
        pub code: &'static str,
        pub message: String,
        pub path: String,
    }

    #[derive(Deserialize)]
    #[allow(dead_code)]
    #[serde(rename_all = "camelCase", deny_unknown_fields)]
    pub struct Context {
        pub view: String,
        #[serde(default)]
        pub action: Option<String>,
        #[serde(default)]
        pub method: Option<String>,
        #[serde(default)]
        pub detail: Option<bool>,
        #[serde(default)]
        pub user: Option<UserInput>,
        #[serde(default)]
        pub authentication: Option<Value>,
        #[serde(default)]
        pub object: Option<Value>,
        #[serde(default)]
        pub trace: bool,
    }

    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    pub struct Decision {
        pub allowed: bool,
        pub status: u16,
        pub body: Option<String>,
        pub headers: std::collections::BTreeMap<String, String>,
        pub code: Option<String>,
        pub stage: Option<String>,
        pub decided_by: Option<String>,
        pub object_check: &'static str,
    }

    fn policy_error(code: &'static str, message: &str, path: &str) -> PolicyError {
        PolicyError { code, message: message.into(), path: path.into(), line: None, column: None }
    }

    impl Gate {
        pub fn from_json(text: &str) -> Result<Gate, PolicyError> {
            match serde_json::from_str::<Value>(text) {
                Ok(value) => Gate::from_value(value),
                Err(error) => Err(PolicyError {
                    code: "invalid_json",
                    message: error.to_string(),
                    path: "$".into(),
                    line: u32::try_from(error.line()).ok(),
                    column: u32::try_from(error.column()).ok(),
                }),
            }
        }
        pub fn from_value(value: Value) -> Result<Gate, PolicyError> {
            let Some(views) = value.get("views").and_then(Value::as_object) else {
                return Err(policy_error("invalid_policy", "views must be an object", "$.views"));
            };
            Ok(Gate { views: views.keys().cloned().collect() })
        }
        pub fn views(&self) -> impl Iterator<Item = &str> {
            self.views.iter().map(String::as_str)
        }
        fn view(&self, view: &str) -> Result<(), ContextError> {
            if self.views.iter().any(|v| v == view) {
                Ok(())
            } else {
                Err(ContextError { code: "unknown_view", message: "no such view".into(), path: "$.view".into() })
            }
        }
        pub fn check(&self, ctx: &Context) -> Result<Decision, ContextError> {
            self.view(&ctx.view)?;
            let allowed = ctx.user.is_some();
            Ok(Decision {
                allowed,
                status: if allowed { 200 } else { 403 },
                body: (!allowed).then(|| "{\"detail\":\"Authentication credentials were not provided.\"}".into()),
                headers: Default::default(),
                code: None,
                stage: None,
                decided_by: None,
                object_check: "notRequired",
            })
        }
        pub fn compile_user(&self, user: &UserInput) -> User {
            User::compile(user, &crate::perm_table::PermissionTable::default())
        }
        pub fn can(&self, user: &User, view: &str, action: &str, object: Option<&Value>) -> Result<bool, ContextError> {
            self.view(view)?;
            let _ = (action, object);
            Ok(user.is_authenticated())
        }
        pub fn permissions_for(&self, user: &User, view: &str, object: Option<&Value>) -> Result<Vec<(String, bool)>, ContextError> {
            let mut out = Vec::new();
            for action in ["list", "create", "retrieve", "update", "partial_update", "destroy"] {
                out.push((action.to_string(), self.can(user, view, action, object)?));
            }
            Ok(out)
        }
    }
}

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &'static str = r#"
/** Any JSON value. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
/** A JSON object. */
export type JsonObject = { [key: string]: JsonValue };

/**
 * A DRF project's configuration, compiled once by `new Gate(policy)` (docs/policy.md §1).
 * Keys are camelCase; unknown keys are rejected with a `PolicyError`.
 */
export interface Policy {
  /** DEFAULT_AUTHENTICATION_CLASSES; default `["session", "basic"]`. */
  authentication?: string[];
  /** DEFAULT_PERMISSION_CLASSES; default `["AllowAny"]`. Entries are expressions (`"A | ~B"`). */
  permissions?: string[];
  /** The project's own authentication classes, by name. */
  authenticationClasses?: { [name: string]: AuthenticationClassDeclaration };
  /** The project's own permission classes, by name. */
  classes?: { [name: string]: PermissionClassDeclaration };
  /** Options of the authentication classes (edge authentication). */
  settings?: JsonObject;
  /** Views and viewsets, by name. */
  views: { [name: string]: ViewDeclaration };
}

/** A custom authentication class: its `authenticate_header`, or a built-in base with options. */
export type AuthenticationClassDeclaration =
  | { wwwAuthenticate: string | null }
  | { base: string; keyword?: string; realm?: string };

/** A custom permission class (docs/policy.md §1.3), or a composition (`expression`). */
export type PermissionClassDeclaration =
  | {
      base?: string;
      hasPermission?: string;
      hasObjectPermission?: string;
      message?: string | JsonObject | JsonValue[];
      code?: string;
      permsMap?: { [method: string]: string[] };
      authenticatedUsersOnly?: boolean;
    }
  | { expression: string };

/** A DRF view or viewset. */
export interface ViewDeclaration {
  /** `queryset.model` as `app_label.ObjectName`. */
  model?: string;
  authentication?: string[];
  permissions?: string[];
  /** Default: the six ModelViewSet actions. */
  actions?: string[] | { [action: string]: ActionDeclaration };
  ignoreModelPermissions?: boolean;
}

/** One action of a view (`@action(...)` or a standard one with overrides). */
export interface ActionDeclaration {
  detail?: boolean;
  methods?: string[];
  permissions?: string[];
  authentication?: string[];
  /** Whether the handler calls `get_object()` (runs object permissions). */
  getObject?: boolean;
}

/** `request.user` as JSON (docs/policy.md §2). */
export interface User {
  id?: number | string | null;
  username?: string | null;
  isActive?: boolean;
  isStaff?: boolean;
  isSuperuser?: boolean;
  /** Model permissions, `"app_label.codename"`. */
  permissions?: string[];
  /** Object permissions: for the checked object, or by object pk. */
  objectPermissions?: string[] | { [pk: string]: string[] } | null;
  /** simplejwt's `TokenUser`: `has_perm(s)` always False. */
  tokenUser?: boolean;
  /** Other fields, read by conditions as `request.user.<name>`. */
  attributes?: JsonObject;
}

/** What authentication produced. */
export type AuthenticationOutcome =
  | { succeeded: string }
  | { none: true }
  | {
      failed: {
        exception?: "AuthenticationFailed" | "PermissionDenied" | "ParseError";
        detail: string | JsonObject | JsonValue[];
        code?: string | null;
      };
    };

/** One request as DRF sees it after authentication (docs/policy.md §2). */
export interface Context {
  view: string;
  action?: string | null;
  method?: string | null;
  detail?: boolean | null;
  /** `null` or absent: anonymous. */
  user?: User | null;
  authentication?: AuthenticationOutcome;
  /** What `get_object()` returns; `null` is a lookup miss (404); absent: not decided here. */
  object?: JsonObject | null;
  trace?: boolean;
}

/** What DRF would answer (docs/policy.md §3). */
export interface Decision {
  allowed: boolean;
  status: number;
  /** The exact response body; `null` when allowed. */
  body: string | null;
  headers: { [name: string]: string };
  code: string | null;
  stage: "authentication" | "view" | "handler" | "lookup" | "object" | null;
  decidedBy: { entry: number; source: string } | null;
  objectCheck: "passed" | "failed" | "pending" | "notRequired";
  trace?: JsonValue[];
}
"#;

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
    JsContextError::new(message, "invalid_context", path).into()
}

/// `$.a.b[1]` from serde_path_to_error's path, prefixed by where the value sits.
fn json_path(prefix: &str, path: &serde_path_to_error::Path) -> String {
    use serde_path_to_error::Segment;
    let mut out = String::from(prefix);
    for segment in path.iter() {
        match segment {
            Segment::Seq { index } => {
                out.push('[');
                out.push_str(&index.to_string());
                out.push(']');
            }
            Segment::Map { key } | Segment::Enum { variant: key } => {
                out.push('.');
                out.push_str(key);
            }
            Segment::Unknown => out.push_str(".?"),
        }
    }
    out
}

/// A JS value as JSON text (`JSON.stringify`): one crossing of the boundary, however deep the
/// value. `None` for what JSON cannot hold (functions, symbols, BigInt, cycles).
fn json_text(value: &JsValue) -> Option<String> {
    js_sys::JSON::stringify(value).ok().and_then(|text| text.as_string())
}

/// serde_json's message without its ` at line L column C` suffix: positions in text the caller
/// never wrote mean nothing; the path says where.
fn message_of(error: &serde_json::Error) -> String {
    let message = error.to_string();
    match message.rfind(" at line ") {
        Some(end) => message.get(..end).unwrap_or(&message).to_string(),
        None => message,
    }
}

/// Reads a serde type from a JS value; a mismatch is a `ContextError` naming where it is.
fn from_js<T: serde::de::DeserializeOwned>(value: &JsValue, prefix: &str) -> Result<T, JsValue> {
    let Some(text) = json_text(value) else {
        return Err(invalid_context("not representable as JSON", prefix));
    };
    serde_path_to_error::deserialize(&mut serde_json::Deserializer::from_str(&text))
        .map_err(|error| invalid_context(&message_of(error.inner()), &json_path(prefix, error.path())))
}

/// A string argument; anything else is a `ContextError` (a non-string must never reach the
/// glue's string copy, which would read out of bounds).
fn string_arg(value: &JsValue, name: &str) -> Result<String, JsValue> {
    value.as_string().ok_or_else(|| invalid_context("expected a string", name))
}

// Objects for maps (headers) and null for absent options, as the TypeScript types declare.
const SERIALIZER: serde_wasm_bindgen::Serializer =
    serde_wasm_bindgen::Serializer::new().serialize_maps_as_objects(true).serialize_missing_as_null(true);

/// A compiled, immutable DRF policy: permission classes, authentication classes and views.
///
/// Build one per policy and reuse it; every decision is a cheap read of it.
///
/// ```js
/// const gate = new Gate({
///   permissions: ["IsAuthenticatedOrReadOnly"],
///   views: { posts: { model: "blog.Post" } },
/// });
/// ```
#[wasm_bindgen]
pub struct Gate {
    inner: Rc<core::Gate>,
}

#[wasm_bindgen]
impl Gate {
    /// Compiles a policy, given as an object or as JSON text.
    ///
    /// Throws `PolicyError` (`code`, `path`, and `line`/`column` inside JSON text or an
    /// expression) when the policy is invalid.
    ///
    /// ```js
    /// const gate = new Gate('{"views": {"posts": {"model": "blog.Post"}}}');
    /// ```
    #[wasm_bindgen(constructor)]
    pub fn new(#[wasm_bindgen(unchecked_param_type = "Policy | string")] policy: JsValue) -> Result<Gate, JsValue> {
        let compiled = match policy.as_string() {
            Some(text) => core::Gate::from_json(&text),
            None => {
                let value: Value = json_text(&policy)
                    .and_then(|text| serde_json::from_str(&text).ok())
                    .ok_or_else(|| JsValue::from(JsPolicyError::new("the policy is not JSON-shaped", "invalid_policy", "$", None, None)))?;
                core::Gate::from_value(value)
            }
        };
        compiled.map(|gate| Gate { inner: Rc::new(gate) }).map_err(|error| policy_error(&error))
    }

    /// What DRF would answer to one request: status, exact body, headers, and which check decided.
    ///
    /// Throws `ContextError` when the context is malformed or names an unknown view or action.
    ///
    /// ```js
    /// const decision = gate.check({ view: "posts", action: "destroy", user: { id: 3 }, object: { owner: 3 } });
    /// if (!decision.allowed) return new Response(decision.body, { status: decision.status, headers: decision.headers });
    /// ```
    #[wasm_bindgen(unchecked_return_type = "Decision")]
    pub fn check(&self, #[wasm_bindgen(unchecked_param_type = "Context")] context: JsValue) -> Result<JsValue, JsValue> {
        let context: core::Context = from_js(&context, "$")?;
        let decision = self.inner.check(&context).map_err(|error| context_error(&error))?;
        decision.serialize(&SERIALIZER).map_err(JsValue::from)
    }

    /// Whether `user` may run `actionOrMethod` (an action name such as `"destroy"`, or an HTTP
    /// method) on `view`, and on `object` when given (object permissions).
    ///
    /// `user` is a user object, a `Subject` from [`Gate.subject`], or `null` for anonymous.
    ///
    /// ```js
    /// gate.can({ id: 3 }, "posts", "destroy", { id: 7, owner: 3 }); // true
    /// gate.can(null, "posts", "create"); // false
    /// ```
    pub fn can(
        &self,
        #[wasm_bindgen(unchecked_param_type = "User | Subject | null | undefined")] user: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string")] view: JsValue,
        #[wasm_bindgen(js_name = actionOrMethod, unchecked_param_type = "string")] action_or_method: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "object | null")] object: Option<JsValue>,
    ) -> Result<bool, JsValue> {
        let view = string_arg(&view, "view")?;
        let action_or_method = string_arg(&action_or_method, "actionOrMethod")?;
        let object = object_value(object)?;
        let user = self.user(user)?;
        self.inner.can(user.get(), &view, &action_or_method, object.as_ref()).map_err(|error| context_error(&error))
    }

    /// Every action of `view` mapped to whether `user` may run it: what a UI needs to show or
    /// hide its controls.
    ///
    /// ```js
    /// gate.permissionsFor({ id: 3 }, "posts", post); // { list: true, create: true, ..., destroy: true }
    /// ```
    #[wasm_bindgen(js_name = permissionsFor, unchecked_return_type = "Record<string, boolean>")]
    pub fn permissions_for(
        &self,
        #[wasm_bindgen(unchecked_param_type = "User | Subject | null | undefined")] user: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string")] view: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "object | null")] object: Option<JsValue>,
    ) -> Result<JsValue, JsValue> {
        let view = string_arg(&view, "view")?;
        let object = object_value(object)?;
        let user = self.user(user)?;
        let actions = self.inner.permissions_for(user.get(), &view, object.as_ref()).map_err(|error| context_error(&error))?;
        let out = Object::new();
        for (action, allowed) in actions {
            Reflect::set(&out, &JsValue::from_str(&action), &JsValue::from_bool(allowed))?;
        }
        Ok(out.into())
    }

    /// Compiles a user once against this gate, for many checks (a page full of buttons).
    ///
    /// ```js
    /// const me = gate.subject({ id: 3, permissions: ["blog.add_post"] });
    /// gate.can(me, "posts", "create"); // no re-parsing of the user
    /// ```
    #[wasm_bindgen(unchecked_return_type = "Subject")]
    pub fn subject(
        &self,
        #[wasm_bindgen(unchecked_param_type = "User | null | undefined")] user: JsValue,
    ) -> Result<JsValue, JsValue> {
        let compiled = if user.is_null() || user.is_undefined() {
            core::User::anonymous()
        } else {
            let input: core::UserInput = from_js(&user, "$.user")?;
            self.inner.compile_user(&input)
        };
        let key = NEXT_SUBJECT.with(|next| {
            let key = next.get();
            next.set(key.wrapping_add(1));
            key
        });
        let entry = Rc::new(SubjectEntry { gate: Rc::clone(&self.inner), user: compiled });
        let stored = SUBJECTS.with(|subjects| subjects.try_borrow_mut().map(|mut subjects| subjects.insert(key, entry)).is_ok());
        if !stored {
            return Err(invalid_context("subject registry busy", "$.user"));
        }
        let handle = JsValue::from(Subject { key });
        // The key is a hidden own property (not enumerable, read-only), so a check finds the subject without calling back into wasm.
        let descriptor = Object::new();
        Reflect::set(&descriptor, &JsValue::from_str("value"), &JsValue::from_f64(key as f64))?;
        Object::define_property(&Object::from(handle.clone()), &JsValue::from_str(SUBJECT_KEY), &descriptor);
        Ok(handle)
    }

    /// The view names of the policy, in policy order.
    ///
    /// ```js
    /// gate.views; // ["posts", "comments"]
    /// ```
    #[wasm_bindgen(getter)]
    pub fn views(&self) -> Vec<String> {
        self.inner.views().map(String::from).collect()
    }
}

impl Gate {
    /// The user argument: a `Subject`, `null`/`undefined` (anonymous) or a user object.
    fn user(&self, user: JsValue) -> Result<UserArg, JsValue> {
        if user.is_null() || user.is_undefined() {
            return Ok(UserArg::Owned(core::User::anonymous()));
        }
        if let Some(key) = Reflect::get(&user, &JsValue::from_str(SUBJECT_KEY)).ok().and_then(|key| key.as_f64()) {
            let entry = SUBJECTS.with(|subjects| subjects.try_borrow().ok().and_then(|s| s.get(&(key as u64)).cloned()));
            let Some(entry) = entry else {
                return Err(invalid_context("this Subject was freed", "$.user"));
            };
            if !Rc::ptr_eq(&entry.gate, &self.inner) {
                return Err(invalid_context("this Subject was made by another Gate", "$.user"));
            }
            return Ok(UserArg::Subject(entry));
        }
        let input: core::UserInput = from_js(&user, "$.user")?;
        Ok(UserArg::Owned(self.inner.compile_user(&input)))
    }
}

/// A user argument: compiled for this call, or borrowed from a `Subject`.
enum UserArg {
    Owned(core::User),
    Subject(Rc<SubjectEntry>),
}

impl UserArg {
    fn get(&self) -> &core::User {
        match self {
            UserArg::Owned(user) => user,
            UserArg::Subject(entry) => &entry.user,
        }
    }
}

/// `undefined` means no object (the object stage is not decided); anything else is the object.
fn object_value(object: Option<JsValue>) -> Result<Option<Value>, JsValue> {
    match object {
        None => Ok(None),
        Some(object) => from_js(&object, "$.object").map(Some),
    }
}

const SUBJECT_KEY: &str = "__drfGateSubject";

struct SubjectEntry {
    gate: Rc<core::Gate>,
    user: core::User,
}

thread_local! {
    // wasm is single-threaded; the registry maps a Subject's key to its compiled user.
    static SUBJECTS: RefCell<BTreeMap<u64, Rc<SubjectEntry>>> = const { RefCell::new(BTreeMap::new()) };
    static NEXT_SUBJECT: Cell<u64> = const { Cell::new(1) };
}

/// A user compiled against one `Gate` (see `gate.subject(user)`): pass it wherever a user goes.
///
/// Free it with `subject.free()` or `using` when done; the garbage collector frees it otherwise.
///
/// ```js
/// using me = gate.subject({ id: 3 });
/// gate.can(me, "posts", "update", post);
/// ```
#[wasm_bindgen]
pub struct Subject {
    key: u64,
}

impl Drop for Subject {
    fn drop(&mut self) {
        let key = self.key;
        SUBJECTS.with(|subjects| {
            if let Ok(mut subjects) = subjects.try_borrow_mut() {
                subjects.remove(&key);
            }
        });
    }
}

// A place for `mintCsrfToken()`: the core's CSRF module brings it; getrandom is configured for
// wasm32 (`wasm_js`) already.

#[cfg(test)]
#[path = "../wasm-tests/bindings.rs"]
mod tests;
