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

use crate::user::{User, UserInput};

/// The core, under the names the binding uses.
mod core {
    pub use crate::{ContextError, Gate, PolicyError};
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
  /** A JSON-schema reference, ignored (lets editors validate the file). */
  $schema?: string;
  /** DEFAULT_AUTHENTICATION_CLASSES; default `["session", "basic"]`. */
  authentication?: string[];
  /** DEFAULT_PERMISSION_CLASSES; default `["AllowAny"]`. Entries are expressions (`"A | ~B"`). */
  permissions?: string[];
  /** DEFAULT_RENDERER_CLASSES; default `["JSONRenderer", "BrowsableAPIRenderer"]` (content negotiation, `Vary: Accept`). */
  renderers?: string[];
  /** The project's own authentication classes, by name. */
  authenticationClasses?: { [name: string]: AuthenticationClassDeclaration };
  /** The project's own permission classes, by name. */
  classes?: { [name: string]: PermissionClassDeclaration };
  /** Options of the authentication classes (edge authentication; docs/policy.md §5). */
  settings?: AuthenticationSettings;
  /** Views and viewsets, by name. */
  views?: { [name: string]: ViewDeclaration };
  /** URL routes to views, as DRF's routers map them (docs/policy.md §1.6). */
  routes?: RouteDeclaration[];
  /** Views an exporter left to the origin server (informational). */
  leftToOrigin?: JsonValue[];
}

/** A custom authentication class: its `authenticate_header`, or a built-in base with options. */
export interface AuthenticationClassDeclaration {
  base?: string;
  /** What `authenticate_header` returns; `null`: none (failures are 403). */
  wwwAuthenticate?: string | null;
  /** `TokenAuthentication.keyword`. */
  keyword?: string;
  /** `www_authenticate_realm`. */
  realm?: string;
}

/** A custom permission class (docs/policy.md §1.3), or a composition (`expression`). */
export interface PermissionClassDeclaration {
  base?: string;
  hasPermission?: string;
  hasObjectPermission?: string;
  /** A string, or a JSON object/array that becomes the whole body. */
  message?: string | JsonObject | JsonValue[];
  code?: string;
  permsMap?: { [method: string]: string[] };
  authenticatedUsersOnly?: boolean;
  /** Instead of the keys above: `"IsOwner | IsAdminUser"`. */
  expression?: string;
}

/** A DRF view or viewset. */
export interface ViewDeclaration {
  /** `queryset.model` as `app_label.ObjectName`. */
  model?: string;
  authentication?: string[];
  permissions?: string[];
  /** `renderer_classes`. */
  renderers?: string[];
  /** Default: the six ModelViewSet actions. */
  actions?: string[] | { [action: string]: ActionDeclaration };
  ignoreModelPermissions?: boolean;
  /** `http_method_names`, in order: orders `Allow`, limits which methods reach a handler. */
  httpMethodNames?: string[];
}

/** One action of a view (`@action(...)` or a standard one with overrides). */
export interface ActionDeclaration {
  methods?: string[];
  detail?: boolean;
  /** Whether the handler calls `get_object()` (runs object permissions). */
  getObject?: boolean;
  permissions?: string[];
  /** Custom actions: the classes for requests on the route that do not run this action (default: `permissions`). */
  routePermissions?: string[];
  authentication?: string[];
  /** Actions naming the same route share it (a plain APIView's handlers). */
  route?: string;
}

/** A URL route: `{ pattern: "/api/posts/{pk}/", view: "posts", detail: true }`. */
export interface RouteDeclaration {
  pattern: string;
  view: string;
  detail?: boolean;
  action?: string | null;
  /** The router's method -> action map. */
  actions?: { [method: string]: string };
  regex?: string | null;
}

/** What `gate.route(urlPath)` found. */
export interface RouteMatch {
  view: string;
  action: string | null;
  detail: boolean;
  /** URL parameters (`pk`), percent-decoded. */
  params: { [name: string]: string };
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
  | { none: boolean }
  | {
      failed: {
        exception?: "AuthenticationFailed" | "PermissionDenied" | "ParseError";
        detail: JsonValue;
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
  authentication?: AuthenticationOutcome | null;
  /** What `get_object()` returns; `null` is a lookup miss (404); absent: not decided here. */
  object?: JsonValue;
  /** The URL's lookup value does not fit the field: a bare 404. */
  lookupError?: boolean;
  /** The `Accept` header: DRF negotiates before authentication (406, `indent`). */
  accept?: string | null;
  /** Include the evaluation trace. */
  trace?: boolean;
}

/** One evaluated check of the trace. */
export interface TraceStep {
  stage: Stage;
  entry: number;
  depth: number;
  /** A class name, or `&`, `|`, `~`. */
  label: string;
  check: "has_permission" | "has_object_permission";
  result: "true" | "false" | "raisedNotFound" | "raisedMethodNotAllowed" | "error";
}

/** Where in DRF's pipeline the decision was made. */
export type Stage = "negotiation" | "authentication" | "view" | "handler" | "lookup" | "object" | "middleware";

/** Options of the authentication classes: DRF's, simplejwt's `SIMPLE_JWT`, Django's CSRF. */
export interface AuthenticationSettings {
  token?: { keyword?: string };
  basic?: { realm?: string };
  session?: { cookieName?: string; cookieDomain?: string | null };
  remoteUser?: { header?: string };
  jwt?: {
    algorithm?: "HS256" | "HS384" | "HS512" | "RS256" | "RS384" | "RS512" | "ES256" | "ES384";
    /** The HMAC secret (HS*); never ship it to browsers. */
    signingKey?: string | null;
    /** PEM public key or JWK (RS*, ES*). */
    verifyingKey?: string | JsonObject | null;
    audience?: string | string[] | null;
    issuer?: string | string[] | null;
    leeway?: number;
    authHeaderTypes?: string | string[];
    authHeaderName?: string;
    userIdClaim?: string;
    userIdField?: string;
    tokenTypeClaim?: string | null;
    jtiClaim?: string | null;
    authTokenClasses?: string[];
    checkUserIsActive?: boolean;
    realm?: string;
  };
  csrf?: {
    cookieName?: string;
    /** The META name, as Django's setting (`HTTP_X_CSRFTOKEN`). */
    headerName?: string;
    trustedOrigins?: string[];
    cookieDomain?: string | null;
    useSessions?: boolean;
    /** ALLOWED_HOSTS; `null`: any well-formed host. */
    allowedHosts?: string[] | null;
  };
}

/** A raw HTTP request as plain data (or pass a Fetch `Request` to `checkRequest`). */
export interface RawRequest {
  method: string;
  url?: string;
  path?: string;
  /** Header values carry ISO-8859-1 characters, as HTTP bytes. */
  headers?: { [name: string]: string };
  cookies?: { [name: string]: string };
  secure?: boolean;
  host?: string;
  port?: string;
  body?: string;
  bodyBase64?: string;
  contentType?: string;
  /** Extra WSGI environ entries (`REMOTE_USER`). */
  meta?: { [name: string]: string };
}

/** Looks users up for the authentication classes; each may return a Promise in `checkRequest`. */
export interface Resolvers {
  /** TokenAuthentication: the token's user, or null. */
  token?(key: string): User | null | undefined | Promise<User | null | undefined>;
  /** BasicAuthentication: the user these credentials authenticate (Django's `authenticate()`), or null. */
  basic?(username: string, password: string): User | null | undefined | Promise<User | null | undefined>;
  /** SessionAuthentication: the session's user, or null. */
  session?(sessionKey: string): User | null | undefined | Promise<User | null | undefined>;
  /** CSRF_USE_SESSIONS: the CSRF secret stored in the session. */
  sessionCsrfSecret?(sessionKey: string): string | null | undefined | Promise<string | null | undefined>;
  /** JWTAuthentication: the user whose `field` equals the token's user id claim. */
  userById?(field: string, id: JsonValue): User | null | undefined | Promise<User | null | undefined>;
  /** RemoteUserAuthentication. */
  remoteUser?(name: string): User | null | undefined | Promise<User | null | undefined>;
  /** A custom class: a user, null (`authenticate` returned None), or `{ failure }` (it raised). */
  custom?(className: string, request: RawRequest): User | { failure: { exception?: string; detail: JsonValue; code?: string | null } } | null | undefined | Promise<User | { failure: { exception?: string; detail: JsonValue; code?: string | null } } | null | undefined>;
}

/** Options of `checkRequest`: where the request goes, what is known of its object, and who resolves users. */
export interface CheckRequestOptions {
  /** The view; default: found from the URL by the policy's `routes`. */
  view?: string;
  action?: string;
  detail?: boolean;
  /** The object (`null`: lookup miss); absent: the object stage is left to the server. */
  object?: JsonValue;
  lookupError?: boolean;
  trace?: boolean;
  /** `?format=`; default: read from the request URL. */
  format?: string;
  /** Seconds since the epoch (JWT expiry); default now. */
  now?: number;
  resolvers?: Resolvers;
}

/** What `checkRequest` decided, and what authentication produced. */
export interface RequestDecision {
  decision: Decision;
  authentication: AuthenticationOutcome | null;
}

export interface Gate {
  /**
   * Decides a raw request (a Fetch `Request` or plain data) as the DRF server would, running
   * the view's authentication classes. `null`: no route of the policy matches the URL.
   * Edge build only (Node, workerd, `drf-gate/web-edge`): the core build (`drf-gate/web`, the
   * browser default) rejects with an `Error` whose `code` is `"needs_edge_build"`.
   *
   * ```js
   * const result = await gate.checkRequest(request, { resolvers: { token: (key) => env.TOKENS.get(key, "json") } });
   * if (result?.decision.respond) return new Response(result.decision.body, result.decision);
   * ```
   */
  checkRequest(request: Request | RawRequest, options?: CheckRequestOptions): Promise<RequestDecision | null>;
  /** `checkRequest` for plain request data and synchronous resolvers. */
  checkRequestSync(request: RawRequest, options?: CheckRequestOptions): RequestDecision | null;
}

/** A masked CSRF token (what Django puts in forms) and its secret (the `csrftoken` cookie). */
export interface MintedCsrfToken {
  /** 64 characters: send it as `X-CSRFToken` or `csrfmiddlewaretoken`. */
  token: string;
  /** 32 characters: the cookie value. */
  secret: string;
  /** Whether `secret` was newly made (no secret was given). */
  newSecret: boolean;
}

/** What DRF would answer (docs/policy.md §3). */
export interface Decision {
  allowed: boolean;
  /** Whether to send this response (a DRF JSON denial); false: let the request go on to the server. */
  respond: boolean;
  /** 200 when allowed; otherwise DRF's status. */
  status: number;
  /** The exact response body DRF sends; `""` when allowed. */
  body: string;
  /** The response headers (`Content-Type`, `WWW-Authenticate`, `Allow`); none when allowed. */
  headers: { [name: string]: string };
  /** The exception's code (not in the body, as with DRF's default handler). */
  code: string | null;
  stage: Stage;
  /** The permission-list entry that denied, if one did. */
  decidedBy: { entry: number; source: string } | null;
  objectCheck: "notRequired" | "pending" | "passed" | "failed" | "notReached";
  /** The evaluation trace, when the context asked for it. */
  trace: TraceStep[] | null;
  /** Why a check failed to evaluate (status 500), for the developer. */
  error: string | null;
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

/// A JS value as JSON text (`JSON.stringify`): one crossing of the boundary, however deep the
/// value. `None` for what JSON cannot hold (functions, symbols, BigInt, cycles).
fn json_text(value: &JsValue) -> Option<String> {
    js_sys::JSON::stringify(value).ok().and_then(|text| text.as_string())
}

/// Reads a serde type from a JS value; a mismatch is a `ContextError` naming where it is.
fn from_js<T: serde::de::DeserializeOwned>(value: &JsValue, prefix: &str) -> Result<T, JsValue> {
    let Some(text) = json_text(value) else {
        return Err(invalid_context("not representable as JSON", prefix));
    };
    crate::json::from_text(&text).map_err(|error| invalid_context(&error.message(), &error.path(prefix)))
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
    /// Targets resolved by `__target`, by id (the JS glue caches ids by view and action).
    targets: RefCell<Vec<crate::gate::ResolvedTarget>>,
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
        // One parser for both forms (the core's JSON one): an object crosses as JSON text.
        let compiled = match policy.as_string() {
            Some(text) => core::Gate::from_json(&text),
            None => {
                let text = json_text(&policy).ok_or_else(|| {
                    JsValue::from(JsPolicyError::new(
                        "the policy is not JSON-shaped",
                        "invalid_policy",
                        "$",
                        None,
                        None,
                    ))
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
            .map(|gate| Gate { inner: Rc::new(gate), targets: RefCell::new(Vec::new()) })
            .map_err(|error| policy_error(&error))
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
    pub fn check(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Context")] context: JsValue,
    ) -> Result<JsValue, JsValue> {
        let Some(text) = json_text(&context) else {
            return Err(invalid_context("the context is not representable as JSON", "$"));
        };
        let decision = self.inner.check_json(&text).map_err(|error| context_error(&error))?;
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
        let actions =
            self.inner.permissions_for(user.get(), &view, object.as_ref()).map_err(|error| context_error(&error))?;
        let out = Object::new();
        for (action, allowed) in actions {
            Reflect::set(&out, &JsValue::from_str(action), &JsValue::from_bool(allowed))?;
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
            User::anonymous()
        } else {
            let input: UserInput = from_js(&user, "$.user")?;
            self.inner.compile_user(&input)
        };
        let key = NEXT_SUBJECT.with(|next| {
            let key = next.get();
            next.set(key.wrapping_add(1));
            key
        });
        let entry = Rc::new(SubjectEntry { gate: Rc::clone(&self.inner), user: compiled });
        let stored = SUBJECTS.with(|subjects| {
            subjects.try_borrow_mut().map(|mut subjects| subjects.insert(key, Rc::clone(&entry))).is_ok()
        });
        if !stored {
            return Err(invalid_context("subject registry busy", "$.user"));
        }
        let handle = JsValue::from(Subject { key, entry: Rc::clone(&entry) });
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
        self.inner.view_names().map(String::from).collect()
    }

    /// The actions of a view, in policy order; `undefined` for an unknown view.
    ///
    /// ```js
    /// gate.actions("posts"); // ["list", "create", "retrieve", "update", "partial_update", "destroy"]
    /// ```
    pub fn actions(&self, #[wasm_bindgen(unchecked_param_type = "string")] view: JsValue) -> Option<Vec<String>> {
        let view = view.as_string()?;
        Some(self.inner.actions(&view)?.map(String::from).collect())
    }

    /// One step of the raw-request protocol (used by `checkRequest`): `{ decision, authentication }`,
    /// `{ lookup }` (a user to resolve) or `{ noRoute: true }`. Edge build only: without it,
    /// `checkRequest` says which entry point has it.
    #[cfg(feature = "edge")]
    #[wasm_bindgen(js_name = checkRequestStep)]
    pub fn check_request_step(&self, input: JsValue) -> Result<JsValue, JsValue> {
        let Some(text) = json_text(&input) else {
            return Err(invalid_context("the request is not representable as JSON", "$"));
        };
        let step = self.inner.check_request_json(&text).map_err(|error| context_error(&error))?;
        step.serialize(&SERIALIZER).map_err(JsValue::from)
    }

    /// Resolves a view and action once; the id is for `__canTarget` (used by the JS `can`).
    #[wasm_bindgen(js_name = __target)]
    pub fn target(&self, view: JsValue, action_or_method: JsValue, with_object: bool) -> Result<u32, JsValue> {
        let view = string_arg(&view, "view")?;
        let action_or_method = string_arg(&action_or_method, "actionOrMethod")?;
        let target =
            self.inner.resolve(&view, &action_or_method, with_object).map_err(|error| context_error(&error))?;
        let mut targets = self.targets.try_borrow_mut().map_err(|_| invalid_context("re-entrant call", "$"))?;
        targets.push(target);
        Ok((targets.len() - 1) as u32)
    }

    /// `can` for a compiled subject and a resolved target; the object as JSON text.
    #[wasm_bindgen(js_name = __canTarget)]
    pub fn can_target(&self, subject: &Subject, target: u32, object: Option<String>) -> Result<bool, JsValue> {
        if !Rc::ptr_eq(&subject.entry.gate, &self.inner) {
            return Err(invalid_context("this Subject was made by another Gate", "$.user"));
        }
        let object: Option<Value> = match object {
            Some(text) => Some(
                crate::json::from_text(&text)
                    .map_err(|error| invalid_context(&error.message(), &error.path("$.object")))?,
            ),
            None => None,
        };
        let targets = self.targets.try_borrow().map_err(|_| invalid_context("re-entrant call", "$"))?;
        let target = targets.get(target as usize).ok_or_else(|| invalid_context("unknown target", "$"))?;
        Ok(self.inner.can_resolved(&subject.entry.user, target, object.as_ref()))
    }

    /// `check`, answering with the decision as JSON text (one crossing; the JS glue parses it).
    #[wasm_bindgen(js_name = __checkJson)]
    pub fn check_json(&self, context: JsValue) -> Result<String, JsValue> {
        let Some(text) = json_text(&context) else {
            return Err(invalid_context("the context is not representable as JSON", "$"));
        };
        let decision = self.inner.check_json(&text).map_err(|error| context_error(&error))?;
        serde_json::to_string(&decision).map_err(|error| invalid_context(&error.to_string(), "$"))
    }

    /// The route a URL path reaches, from the policy's `routes` (DRF's routers); `null` when no
    /// route matches (pass the request through to the origin).
    ///
    /// ```js
    /// gate.route("/api/posts/7/"); // { view: "posts", action: null, detail: true, params: { pk: "7" } }
    /// ```
    #[wasm_bindgen(unchecked_return_type = "RouteMatch | null")]
    pub fn route(
        &self,
        #[wasm_bindgen(js_name = urlPath, unchecked_param_type = "string")] url_path: JsValue,
    ) -> Result<JsValue, JsValue> {
        let url_path = string_arg(&url_path, "urlPath")?;
        let Some(found) = self.inner.route(&url_path) else {
            return Ok(JsValue::NULL);
        };
        let out = Object::new();
        let params = Object::new();
        for (name, value) in &found.params {
            Reflect::set(&params, &JsValue::from_str(name), &JsValue::from_str(value))?;
        }
        Reflect::set(&out, &JsValue::from_str("view"), &JsValue::from_str(found.view))?;
        Reflect::set(&out, &JsValue::from_str("action"), &found.action.map_or(JsValue::NULL, JsValue::from_str))?;
        Reflect::set(&out, &JsValue::from_str("detail"), &JsValue::from_bool(found.detail))?;
        Reflect::set(&out, &JsValue::from_str("params"), &params)?;
        Ok(out.into())
    }
}

impl Gate {
    /// The user argument: a `Subject`, `null`/`undefined` (anonymous) or a user object.
    fn user(&self, user: JsValue) -> Result<UserArg, JsValue> {
        if user.is_null() || user.is_undefined() {
            return Ok(UserArg::Owned(User::anonymous()));
        }
        if let Some(key) = Reflect::get(&user, &JsValue::from_str(SUBJECT_KEY)).ok().and_then(|key| key.as_f64()) {
            let entry =
                SUBJECTS.with(|subjects| subjects.try_borrow().ok().and_then(|s| s.get(&(key as u64)).cloned()));
            let Some(entry) = entry else {
                return Err(invalid_context("this Subject was freed", "$.user"));
            };
            if !Rc::ptr_eq(&entry.gate, &self.inner) {
                return Err(invalid_context("this Subject was made by another Gate", "$.user"));
            }
            return Ok(UserArg::Subject(entry));
        }
        let input: UserInput = from_js(&user, "$.user")?;
        Ok(UserArg::Owned(self.inner.compile_user(&input)))
    }
}

/// A user argument: compiled for this call, or borrowed from a `Subject`.
enum UserArg {
    Owned(User),
    Subject(Rc<SubjectEntry>),
}

impl UserArg {
    fn get(&self) -> &User {
        match self {
            UserArg::Owned(user) => user,
            UserArg::Subject(entry) => &entry.user,
        }
    }
}

/// `undefined` or `null` means no object (the object stage is left pending); anything else is
/// the object `get_object()` would return.
fn object_value(object: Option<JsValue>) -> Result<Option<Value>, JsValue> {
    match object {
        None => Ok(None),
        Some(object) if object.is_null() => Ok(None),
        Some(object) => from_js(&object, "$.object").map(Some),
    }
}

const SUBJECT_KEY: &str = "__drfGateSubject";

struct SubjectEntry {
    gate: Rc<core::Gate>,
    user: User,
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
    entry: Rc<SubjectEntry>,
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
    minted.serialize(&SERIALIZER).map_err(JsValue::from)
}

#[cfg(test)]
#[path = "../wasm-tests/bindings.rs"]
mod tests;
