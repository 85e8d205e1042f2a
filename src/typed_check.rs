//! `gate.check` without JSON, for the JS bindings of every build (`src/wasm.rs`,
//! `src/wasm_runtime.rs`): the one owner of the typed check arguments and of what a check
//! returns across the boundary.
//!
//! Two ways in:
//! - [`TypedCheck::render`] then [`TypedCheck::pack`]: a whole context as typed fields
//!   ([`EncodedContext`]: names as strings, users, outcomes and objects in the binary value
//!   encoding), the decision as seven integers ([`Decision::pack`]);
//! - the common context `{view, action, user, object}`: the view and action resolved once
//!   ([`TypedCheck::target`], an id the caller keeps), then [`TypedCheck::check`] with the user
//!   and the object encoded in one buffer; the decision comes back as one integer, the id of its
//!   seven words in a per-gate table ([`TypedCheck::decision`]), so a caller builds each distinct
//!   decision's texts once.
//!
//! ```
//! use drf_gate::typed_check::{TypedCheck, NOT_PACKED, OBJECT_ENCODED, USER_ENCODED};
//! let gate = drf_gate::Gate::from_json(r#"{"permissions": ["IsAuthenticated"], "views": {"posts": {}}}"#).unwrap();
//! let mut check = TypedCheck::default();
//! let list = check.target(&gate, "posts", "list", false).unwrap();
//! let id = check.check(&gate, list, 0, 0, &[]).unwrap();
//! assert_ne!(id, NOT_PACKED);
//! assert_eq!(check.decision(id).unwrap()[0] & 0x3ff, 403);
//! // `{"id": 3}` as the user: allowed.
//! let user = [8, 1, 2, b'i', b'd', 3, 3];
//! let id = check.check(&gate, list, USER_ENCODED, user.len() as u32, &user).unwrap();
//! assert_eq!(check.decision(id).unwrap()[0] & 0x3ff, 200);
//! # let _ = OBJECT_ENCODED;
//! ```

use crate::compiled::value::{decode_user, decode_value, EncodedContext};
use crate::context::Context;
use crate::decision::{Decision, TextIds};
use crate::error::{ContextError, ContextErrorCode};
use crate::gate::{Gate, ResolvedTarget};

/// [`TypedCheck::check`]'s answer for a decision that cannot be packed (a 405 naming the
/// method, an evaluation error, the middleware's headers): ask the whole way instead.
pub const NOT_PACKED: u32 = u32::MAX;

/// `state` of [`TypedCheck::check`]: the user is the first `user_len` bytes.
pub const USER_ENCODED: u32 = 1;
/// `state`: the object is `null` (a lookup miss).
pub const OBJECT_MISSING: u32 = 2;
/// `state`: the object is the bytes after the user.
pub const OBJECT_ENCODED: u32 = 4;

// Distinct packed decisions kept per gate. A policy has few (statuses x stages x texts); past
// this, decisions are answered NOT_PACKED (bounded memory whatever the policy).
const MAX_DECISIONS: usize = 4096;
// Targets resolved per gate; past this the caller starts again (`clear_targets`).
const MAX_TARGETS: usize = 4096;

/// The per-gate state of typed checks: resolved targets, text ids, packed decisions.
#[derive(Debug, Default)]
pub struct TypedCheck {
    targets: Vec<ResolvedTarget>,
    // Per target: resolved with an object (the object stage runs).
    with_object: Vec<bool>,
    texts: TextIds,
    decisions: Vec<[u32; 7]>,
    // The texts made for the last decision packed whole (the builds without the compiler: the
    // browser runtime, the Worker build).
    transient: Vec<String>,
}

fn invalid(message: &str) -> ContextError {
    ContextError::new(ContextErrorCode::InvalidContext, "$", message)
}

impl TypedCheck {
    /// A whole context in typed fields, decided (then [`TypedCheck::pack`], or rendered whole).
    ///
    /// # Errors
    /// The [`ContextError`] the JSON path gives for the same context.
    ///
    /// ```
    /// use drf_gate::compiled::value::EncodedContext;
    /// let gate = drf_gate::Gate::from_json(r#"{"views": {"posts": {}}}"#).unwrap();
    /// let context = EncodedContext { view: "posts".into(), action: Some("list".into()), ..Default::default() };
    /// assert!(drf_gate::typed_check::TypedCheck::render(&gate, context).unwrap().allowed);
    /// ```
    #[inline(never)]
    pub fn render<'g>(gate: &'g Gate, context: EncodedContext<'_>) -> Result<Decision<'g>, ContextError> {
        gate.check(&context.decode()?)
    }

    /// A decision's packed words ([`Decision::pack`]) with this gate's text ids; `None` when it
    /// must be rendered whole.
    ///
    /// ```
    /// use drf_gate::compiled::value::EncodedContext;
    /// let gate = drf_gate::Gate::from_json(r#"{"views": {"posts": {}}}"#).unwrap();
    /// let mut check = drf_gate::typed_check::TypedCheck::default();
    /// let context = EncodedContext { view: "posts".into(), action: Some("list".into()), ..Default::default() };
    /// let decision = drf_gate::typed_check::TypedCheck::render(&gate, context).unwrap();
    /// assert_eq!(check.pack(&decision).unwrap()[0] & 0x3ff, 200);
    /// ```
    pub fn pack(&mut self, decision: &Decision<'_>) -> Option<[u32; 7]> {
        decision.pack(&mut self.texts)
    }

    /// A decision [`TypedCheck::pack`] could not pack, whole ([`Decision::pack_whole`]): the
    /// builds without the compiler (the browser runtime, the Worker build) answer it in the same
    /// call; its texts made for this request are [`TypedCheck::text`]'s until the next one.
    ///
    /// ```
    /// use drf_gate::compiled::value::EncodedContext;
    /// let gate = drf_gate::Gate::from_json(r#"{"views": {"posts": {"actions": ["list"]}}}"#).unwrap();
    /// let mut check = drf_gate::typed_check::TypedCheck::default();
    /// let context = EncodedContext { view: "posts".into(), method: Some("PATCH".into()), ..Default::default() };
    /// let decision = drf_gate::typed_check::TypedCheck::render(&gate, context).unwrap();
    /// let words = check.pack_whole(&decision).unwrap();
    /// assert_eq!(check.text(words[1]), Some(r#"{"detail":"Method \"PATCH\" not allowed."}"#));
    /// ```
    pub fn pack_whole(&mut self, decision: &Decision<'_>) -> Option<Vec<u32>> {
        self.transient.clear();
        decision.pack_whole(&mut self.texts, &mut self.transient)
    }

    /// Resolves a context's view and action once (with or without an object): the id for
    /// [`TypedCheck::check`].
    ///
    /// # Errors
    /// The [`ContextError`] `check` gives for that view and action; `invalid_context` when
    /// [`MAX_TARGETS`](TypedCheck::clear_targets) are held.
    ///
    /// ```
    /// let gate = drf_gate::Gate::from_json(r#"{"views": {"posts": {}}}"#).unwrap();
    /// let mut check = drf_gate::typed_check::TypedCheck::default();
    /// assert_eq!(check.target(&gate, "posts", "list", false).unwrap(), 0);
    /// assert_eq!(check.target(&gate, "blog", "list", false).unwrap_err().code, "unknown_view");
    /// ```
    pub fn target(&mut self, gate: &Gate, view: &str, action: &str, has_object: bool) -> Result<u32, ContextError> {
        if self.targets.len() >= MAX_TARGETS {
            return Err(invalid("too many targets"));
        }
        let target = gate.resolve_check(view, action, has_object)?;
        let id = u32::try_from(self.targets.len()).map_err(|_| invalid("too many targets"))?;
        self.targets.push(target);
        self.with_object.push(has_object);
        Ok(id)
    }

    /// Forgets every target id.
    ///
    /// ```
    /// let mut check = drf_gate::typed_check::TypedCheck::default();
    /// check.clear_targets();
    /// ```
    pub fn clear_targets(&mut self) {
        self.targets.clear();
        self.with_object.clear();
    }

    /// `check`'s program of a target id ([`Gate::check_program`]): for one user, the index of
    /// the step that decides, computed in JS, stands for the object in `check`'s memo.
    ///
    /// # Errors
    /// `invalid_context` for an unknown target id.
    ///
    /// ```
    /// use drf_gate::compiled::program::ops;
    /// let gate = drf_gate::Gate::from_json(r#"{"permissions": ["IsAuthenticated"], "views": {"posts": {}}}"#).unwrap();
    /// let mut check = drf_gate::typed_check::TypedCheck::default();
    /// let list = check.target(&gate, "posts", "list", false).unwrap();
    /// assert_eq!(check.program(&gate, list).unwrap().code, [ops::STEPS, 5, ops::FACT, 3, 0]);
    /// ```
    pub fn program(&self, gate: &Gate, target: u32) -> Result<crate::compiled::program::Program, ContextError> {
        let resolved = self.targets.get(target as usize).ok_or_else(|| invalid("unknown target"))?;
        let with_object = self.with_object.get(target as usize).copied().unwrap_or(false);
        Ok(gate.check_program(resolved, with_object))
    }

    /// The object's top-level fields a target's decision may read (see [`Gate::object_reads`]):
    /// two objects that agree on them (as JSON values) get the same decision. `None`: it may
    /// read the object as a whole.
    ///
    /// # Errors
    /// `invalid_context` for an unknown target id.
    ///
    /// ```
    /// let gate = drf_gate::Gate::from_json(r#"{"classes": {"IsOwner": {"hasObjectPermission": "obj.owner.id == request.user"}},
    ///   "permissions": ["IsOwner"], "views": {"posts": {}}}"#).unwrap();
    /// let mut check = drf_gate::typed_check::TypedCheck::default();
    /// let destroy = check.target(&gate, "posts", "destroy", true).unwrap();
    /// assert_eq!(check.object_reads(&gate, destroy).unwrap(), Some(vec!["owner".to_owned()]));
    /// ```
    pub fn object_reads(&self, gate: &Gate, target: u32) -> Result<Option<Vec<String>>, ContextError> {
        let resolved = self.targets.get(target as usize).ok_or_else(|| invalid("unknown target"))?;
        let Some(paths) = gate.object_reads(resolved) else { return Ok(None) };
        let mut names: Vec<String> = Vec::new();
        for path in paths {
            // A name with `,` (the bindings' separator) counts as reading the whole object.
            let Some(name) = path.into_iter().next().filter(|name| !name.contains(',')) else { return Ok(None) };
            if !names.contains(&name) {
                names.push(name);
            }
        }
        Ok(Some(names))
    }

    /// Decides `{view, action, user, object}` for a target id: `state` says which of the user
    /// ([`USER_ENCODED`]: the first `user_len` bytes) and the object ([`OBJECT_ENCODED`]: the
    /// bytes after the user; [`OBJECT_MISSING`]: `null`) are given. Returns the decision's id
    /// for [`TypedCheck::decision`], or [`NOT_PACKED`].
    ///
    /// # Errors
    /// The [`ContextError`] the JSON path gives for that user or object; `invalid_context` for
    /// an unknown target id.
    ///
    /// ```
    /// let gate = drf_gate::Gate::from_json(r#"{"views": {"posts": {}}}"#).unwrap();
    /// let mut check = drf_gate::typed_check::TypedCheck::default();
    /// let list = check.target(&gate, "posts", "list", false).unwrap();
    /// let user = [8, 1, 4, b'n', b'a', b'm', b'e', 0];
    /// let error = check.check(&gate, list, 1, user.len() as u32, &user).unwrap_err();
    /// assert_eq!((error.code, error.path.as_str()), ("invalid_context", "$.user.name"));
    /// ```
    pub fn check(
        &mut self,
        gate: &Gate,
        target: u32,
        state: u32,
        user_len: u32,
        bytes: &[u8],
    ) -> Result<u32, ContextError> {
        let split = usize::try_from(user_len).map_err(|_| invalid("user length out of range"))?;
        let (user_bytes, object_bytes) =
            bytes.split_at_checked(split).ok_or_else(|| invalid("user length out of range"))?;
        let user = if state & USER_ENCODED != 0 { decode_user(user_bytes, "$.user")? } else { None };
        let object = if state & OBJECT_ENCODED != 0 {
            match decode_value(object_bytes, "$.object")? {
                crate::value::Value::Null => Some(None),
                value => Some(Some(value)),
            }
        } else if state & OBJECT_MISSING != 0 {
            Some(None)
        } else {
            None
        };
        let context = Context { user, object, ..Context::default() };
        let resolved = self.targets.get(target as usize).ok_or_else(|| invalid("unknown target"))?;
        let decision = gate.check_resolved(resolved, &context)?;
        let Some(words) = decision.pack(&mut self.texts) else { return Ok(NOT_PACKED) };
        Ok(self.decision_id(words))
    }

    // The id of a packed decision, given one on first sight.
    fn decision_id(&mut self, words: [u32; 7]) -> u32 {
        if let Some(index) = self.decisions.iter().position(|known| *known == words) {
            return u32::try_from(index).unwrap_or(NOT_PACKED);
        }
        if self.decisions.len() >= MAX_DECISIONS {
            return NOT_PACKED;
        }
        self.decisions.push(words);
        u32::try_from(self.decisions.len() - 1).unwrap_or(NOT_PACKED)
    }

    /// The seven words ([`Decision::pack`]) of a decision id from [`TypedCheck::check`].
    ///
    /// ```
    /// assert!(drf_gate::typed_check::TypedCheck::default().decision(0).is_none());
    /// ```
    pub fn decision(&self, id: u32) -> Option<[u32; 7]> {
        self.decisions.get(id as usize).copied()
    }

    /// The text of an id in packed words: a policy's text, or one made for the last decision
    /// packed whole ([`packed::TRANSIENT`](crate::decision::packed::TRANSIENT)).
    ///
    /// ```
    /// assert!(drf_gate::typed_check::TypedCheck::default().text(0).is_none());
    /// ```
    pub fn text(&self, id: u32) -> Option<&str> {
        match id.checked_sub(crate::decision::packed::TRANSIENT) {
            Some(index) => self.transient.get(index as usize).map(String::as_str),
            None => self.texts.text(id),
        }
    }
}

/// The `check` bindings, once for every build's `GateCore` (a struct with `inner: Rc<Gate>`
/// and `check: RefCell<TypedCheck>`, in a module with `context_error(&ContextError) -> JsValue`):
/// the typed arguments are listed here only. `typed_check_bindings!(api_keys)` adds `apiKeys`
/// (the builds with `compiler` or `edge`; the browser runtime states no key).
#[cfg(target_arch = "wasm32")]
macro_rules! typed_check_bindings {
    ($($api_keys:ident)?) => {
        #[wasm_bindgen]
        impl GateCore {
            fn typed(&self) -> Result<std::cell::RefMut<'_, $crate::typed_check::TypedCheck>, JsValue> {
                self.check.try_borrow_mut().map_err(|_| {
                    context_error(&$crate::ContextError::new(
                        $crate::error::ContextErrorCode::InvalidContext,
                        "$",
                        "re-entrant call",
                    ))
                })
            }

            /// `check` with the context's fields typed, status first: the decision as seven
            /// integers (`Decision::pack`: status and flags, then text ids for `text`), or, when
            /// it cannot be packed so: the builds without the compiler (the browser runtime, the
            /// Worker build) answer it whole in the same call (`Decision::pack_whole`: more
            /// words; texts made for it read with `text` too); the builds with it answer none
            /// and ask their JSON path. Users, outcomes
            /// and objects arrive in the binary value encoding (`pkg/src/value.js`);
            /// `object_state`: 0 absent, 1 a lookup miss, 2 in `object`. `api_keys` (encoded
            /// too; `typed_check_bindings!(api_keys)`) in every build but the browser runtime,
            /// which states no key (wasm-bindgen takes no `cfg` on a parameter).
            ///
            /// ```js
            /// core.checkPacked("posts", "list", undefined, undefined, undefined, undefined, 0, undefined, undefined, false, false);
            /// ```
            #[wasm_bindgen(js_name = checkPacked)]
            #[allow(clippy::too_many_arguments)]
            pub fn check_packed(
                &self,
                view: String,
                action: Option<String>,
                method: Option<String>,
                detail: Option<bool>,
                user: Option<Vec<u8>>,
                authentication: Option<Vec<u8>>,
                object_state: u8,
                object: Option<Vec<u8>>,
                accept: Option<String>,
                lookup_error: bool,
                trace: bool,
                $($api_keys: Option<Vec<u8>>,)?
            ) -> Result<Vec<u32>, JsValue> {
                let context = $crate::compiled::value::EncodedContext {
                    view,
                    action,
                    method,
                    detail,
                    user: user.as_deref(),
                    authentication: authentication.as_deref(),
                    object_state,
                    object: object.as_deref(),
                    accept,
                    lookup_error,
                    trace,
                    $($api_keys: $api_keys.as_deref(),)?
                };
                let mut typed = self.typed()?;
                let decision = $crate::typed_check::TypedCheck::render(&self.inner, context)
                    .map_err(|error| context_error(&error))?;
                if let Some(words) = typed.pack(&decision) {
                    return Ok(words.to_vec());
                }
                #[cfg(not(feature = "compiler"))]
                return typed.pack_whole(&decision).ok_or_else(|| {
                    context_error(&$crate::ContextError::new(
                        $crate::error::ContextErrorCode::InvalidContext,
                        "$",
                        "the decision could not be packed",
                    ))
                });
                #[cfg(feature = "compiler")]
                Ok(Vec::new())
            }

            /// The text of an id in packed words (a policy's, or one made for the last decision
            /// `checkPacked` answered whole: not to be kept by id).
            ///
            /// ```js
            /// core.text(0); // "{\"detail\":\"Authentication credentials were not provided.\"}"
            /// ```
            pub fn text(&self, id: u32) -> Option<String> {
                self.check.try_borrow().ok()?.text(id).map(str::to_owned)
            }
        }
    };
}

/// The fast path's bindings (`checkTarget`, `checkResolved`, `checkObjectReads`, `decision`,
/// `clearCheckTargets`), for the builds with the compiler (Node, workerd, the JSON core in
/// browsers); the browser runtime leaves them out for size (its `check` takes `checkPacked`).
/// Same requirements as [`typed_check_bindings`].
#[cfg(all(target_arch = "wasm32", any(feature = "compiler", feature = "edge")))]
macro_rules! resolved_check_bindings {
    () => {
        #[wasm_bindgen]
        impl GateCore {
            /// Resolves `{view, action}` once, with or without an object: an id for
            /// `checkResolved`. Throws the `ContextError` `check` gives for them.
            ///
            /// ```js
            /// const list = core.checkTarget("posts", "list", false);
            /// ```
            #[wasm_bindgen(js_name = checkTarget)]
            pub fn check_target(&self, view: &str, action: &str, has_object: bool) -> Result<u32, JsValue> {
                self.typed()?.target(&self.inner, view, action, has_object).map_err(|error| context_error(&error))
            }

            /// Forgets every `checkTarget` id.
            ///
            /// ```js
            /// core.clearCheckTargets();
            /// ```
            #[wasm_bindgen(js_name = clearCheckTargets)]
            pub fn clear_check_targets(&self) -> Result<(), JsValue> {
                self.typed()?.clear_targets();
                Ok(())
            }

            /// The object's top-level fields a `checkTarget` id's decisions may read, joined
            /// with `,` (`null`: the whole object).
            ///
            /// ```js
            /// core.checkObjectReads(core.checkTarget("posts", "destroy", true)); // "owner"
            /// ```
            #[wasm_bindgen(js_name = checkObjectReads)]
            pub fn check_object_reads(&self, target: u32) -> Result<Option<String>, JsValue> {
                // One string (names are identifiers, `pk` and `id`): less glue than an array.
                let reads = self.typed()?.object_reads(&self.inner, target).map_err(|error| context_error(&error))?;
                Ok(reads.map(|names| crate::gate::joined(&mut names.iter().map(String::as_str), ",")))
            }

            /// `check({view, action, user, object})` for a `checkTarget` id: the user and the
            /// object encoded in `bytes` (`state`: 1 the user is the first `user_len` bytes,
            /// 2 the object is `null`, 4 the object follows the user). Returns a decision id for
            /// `decision`, or 0xFFFFFFFF: ask `checkPacked`.
            ///
            /// ```js
            /// core.decision(core.checkResolved(list, 0, 0, new Uint8Array(0)));
            /// ```
            #[wasm_bindgen(js_name = checkResolved)]
            pub fn check_resolved(&self, target: u32, state: u32, user_len: u32, bytes: &[u8]) -> Result<u32, JsValue> {
                self.typed()?.check(&self.inner, target, state, user_len, bytes).map_err(|error| context_error(&error))
            }

            /// `check`'s program of a `checkTarget` id (`pkg/src/program.js` `makeSteps`): its
            /// code; its texts are `checkProgramTexts(target)`.
            ///
            /// ```js
            /// const code = core.checkProgram(core.checkTarget("posts", "destroy", true));
            /// ```
            #[wasm_bindgen(js_name = checkProgram)]
            pub fn check_program(&self, target: u32) -> Result<Vec<i32>, JsValue> {
                let program = self.typed()?.program(&self.inner, target).map_err(|error| context_error(&error))?;
                Ok(program.code)
            }

            /// The texts a `checkProgram` names by index (member names, string constants).
            ///
            /// ```js
            /// const texts = core.checkProgramTexts(core.checkTarget("posts", "destroy", true));
            /// ```
            #[wasm_bindgen(js_name = checkProgramTexts)]
            pub fn check_program_texts(&self, target: u32) -> Result<Vec<String>, JsValue> {
                let program = self.typed()?.program(&self.inner, target).map_err(|error| context_error(&error))?;
                Ok(program.texts)
            }

            /// The seven words of a decision id from `checkResolved`.
            ///
            /// ```js
            /// core.decision(0); // Uint32Array(7)
            /// ```
            pub fn decision(&self, id: u32) -> Option<Vec<u32>> {
                self.check.try_borrow().ok()?.decision(id).map(|words| words.to_vec())
            }
        }
    };
}
