//! The decision: what DRF answers, plus what DRF never tells its users — which check decided, at
//! which stage, and (on request) the trace of every check evaluated.

use std::borrow::Cow;

use serde::ser::{SerializeMap, SerializeStruct};
use serde::{Serialize, Serializer};

use crate::exceptions::Raise;

/// Where in DRF's pipeline the decision was made.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Stage {
    /// Content negotiation (`Accept`, `?format=`), which DRF runs before authentication.
    Negotiation,
    /// `perform_authentication`: an authentication class raised.
    Authentication,
    /// `check_permissions` (`has_permission`).
    View,
    /// The handler lookup: no handler for the method (405).
    Handler,
    /// `get_object`'s lookup: no such object (404).
    Lookup,
    /// `check_object_permissions` (`has_object_permission`).
    Object,
    /// A middleware answered before DRF ran (django-cors-headers' CORS preflight).
    Middleware,
}

/// What happened to the object stage.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum ObjectCheck {
    /// The action never calls `get_object()`.
    NotRequired,
    /// The action calls `get_object()`, but no object was given: whoever has it decides.
    Pending,
    /// `check_object_permissions` passed.
    Passed,
    /// `check_object_permissions` (or the lookup) failed.
    Failed,
    /// The decision was made before the object stage.
    NotReached,
    /// The action calls `get_object()` on `filter_queryset(get_queryset())`, and the request
    /// carries a parameter the view's filter backends read (`filterParams`): a filter may hide
    /// the object or refuse the value, so only the origin's lookup decides; an object given is
    /// not used (an edge need not fetch one).
    Filtered,
}

/// Which permission-list entry decided a denial.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DecidedBy<'a> {
    /// Index in the view's permission list.
    pub entry: usize,
    /// The entry as written (`"IsOwner | IsAdminUser"`).
    pub source: &'a str,
}

/// Which method of a permission object ran.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum CheckName {
    /// `has_permission(request, view)`.
    #[serde(rename = "has_permission")]
    HasPermission,
    /// `has_object_permission(request, view, obj)`.
    #[serde(rename = "has_object_permission")]
    HasObjectPermission,
}

/// The result of one evaluated check.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum StepResult {
    /// Returned True.
    True,
    /// Returned False.
    False,
    /// Raised `Http404`.
    RaisedNotFound,
    /// Raised `MethodNotAllowed`.
    RaisedMethodNotAllowed,
    /// Failed with an error (DRF: 500).
    Error,
}

/// One evaluated check, in evaluation order; `depth` nests composed operands under their
/// operator, so the list draws as a tree. Checks skipped by short-circuiting do not appear.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TraceStep<'a> {
    /// The stage.
    pub stage: Stage,
    /// Index of the permission-list entry.
    pub entry: usize,
    /// Nesting depth inside the entry (0 = the entry itself).
    pub depth: u8,
    /// A class name, or `&`, `|`, `~`.
    pub label: &'a str,
    /// Which method ran.
    pub check: CheckName,
    /// What it returned.
    pub result: StepResult,
}

/// Receives each check as it runs. The no-op [`NoTrace`] compiles away.
pub trait Tracer<'a> {
    /// A check starts; returns a token for [`Tracer::exit`].
    fn enter(&mut self, label: &'a str, check: CheckName) -> usize;
    /// The check ended.
    fn exit(&mut self, token: usize, result: &Result<bool, Raise>);
    /// The next checks belong to this stage and permission-list entry.
    fn begin_entry(&mut self, stage: Stage, entry: usize);
}

/// A tracer that records nothing.
pub struct NoTrace;

impl<'a> Tracer<'a> for NoTrace {
    #[inline(always)]
    fn enter(&mut self, _label: &'a str, _check: CheckName) -> usize {
        0
    }
    #[inline(always)]
    fn exit(&mut self, _token: usize, _result: &Result<bool, Raise>) {}
    #[inline(always)]
    fn begin_entry(&mut self, _stage: Stage, _entry: usize) {}
}

/// A tracer that records every check.
pub(crate) struct Recorder<'a> {
    pub steps: Vec<TraceStep<'a>>,
    pub stage: Stage,
    pub entry: usize,
    depth: u8,
}

impl<'a> Recorder<'a> {
    pub(crate) fn new() -> Self {
        Recorder { steps: Vec::new(), stage: Stage::View, entry: 0, depth: 0 }
    }
}

impl<'a> Tracer<'a> for Recorder<'a> {
    fn enter(&mut self, label: &'a str, check: CheckName) -> usize {
        self.steps.push(TraceStep {
            stage: self.stage,
            entry: self.entry,
            depth: self.depth,
            label,
            check,
            result: StepResult::Error,
        });
        self.depth = self.depth.saturating_add(1);
        self.steps.len() - 1
    }
    fn begin_entry(&mut self, stage: Stage, entry: usize) {
        self.stage = stage;
        self.entry = entry;
        self.depth = 0;
    }
    fn exit(&mut self, token: usize, result: &Result<bool, Raise>) {
        self.depth = self.depth.saturating_sub(1);
        if let Some(step) = self.steps.get_mut(token) {
            step.result = match result {
                Ok(true) => StepResult::True,
                Ok(false) => StepResult::False,
                Err(Raise::NotFound) => StepResult::RaisedNotFound,
                Err(Raise::MethodNotAllowed(_)) => StepResult::RaisedMethodNotAllowed,
                Err(Raise::Error(_) | Raise::Undecided) => StepResult::Error,
            };
        }
    }
}

/// What DRF would answer. Borrowed from the compiled policy wherever the text is fixed, so a
/// decision allocates only what it returns (the trace, a 405 body naming the method).
///
/// ```
/// let gate = drf_gate::Gate::from_json(r#"{"authentication": ["token"], "permissions": ["IsAuthenticated"],
///                                        "views": {"posts": {}}}"#).unwrap();
/// let decision = gate.check_json(r#"{"view": "posts", "action": "list"}"#).unwrap();
/// assert_eq!(decision.status, 401);
/// assert_eq!(decision.body, r#"{"detail":"Authentication credentials were not provided."}"#);
/// assert_eq!(decision.www_authenticate(), Some("Token"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decision<'a> {
    /// Whether DRF lets the request reach the handler.
    pub allowed: bool,
    /// 200 when allowed; otherwise DRF's status.
    pub status: u16,
    /// The exact JSON body DRF sends (empty when allowed).
    pub body: Cow<'a, str>,
    /// The `code` of the exception (not in the body, as with DRF's default handler).
    pub code: Option<Cow<'a, str>>,
    /// The `WWW-Authenticate` header, when DRF sends one.
    pub www_authenticate: Option<Cow<'a, str>>,
    /// The `Allow` header DRF sends on every response of the view.
    pub allow: &'a str,
    /// Where the decision was made.
    pub stage: Stage,
    /// The permission entry that denied, if one did.
    pub decided_by: Option<DecidedBy<'a>>,
    /// What happened to the object stage.
    pub object_check: ObjectCheck,
    /// The evaluation trace, when asked for.
    pub trace: Option<Vec<TraceStep<'a>>>,
    /// Why a check failed to evaluate (status 500), for the developer.
    pub error: Option<String>,
    /// More than one renderer: DRF adds `Vary: Accept`.
    pub vary_accept: bool,
    /// Negotiation picked a renderer drf-gate does not render (the browsable API's HTML), or
    /// the origin's middleware would change the response in a way only it can (see
    /// [`crate::middleware`]).
    pub rendered_by_origin: bool,
    /// Every response header once the origin's middleware ran (see [`crate::middleware`]);
    /// `None`: DRF's own headers only.
    pub response_headers: Option<Vec<(&'static str, String)>>,
}

impl Decision<'_> {
    /// Whether this decision is a response to send: a denial DRF renders as JSON. `false` when
    /// the request should go on to the server: it is allowed (or its object stage is pending),
    /// or only the server can render the answer (Django's own 400/500 pages, a condition that
    /// would crash it).
    ///
    /// ```
    /// let gate = drf_gate::Gate::from_json(r#"{"permissions": ["IsAuthenticated"], "views": {"posts": {}}}"#).unwrap();
    /// assert!(gate.check_json(r#"{"view": "posts", "action": "list"}"#).unwrap().respond());
    /// assert!(!gate.check_json(r#"{"view": "posts", "action": "list", "user": {"id": 1}}"#).unwrap().respond());
    /// ```
    pub fn respond(&self) -> bool {
        use crate::exceptions::{BAD_REQUEST, EVALUATION_ERROR, SERVER_ERROR};
        !self.allowed
            && !self.rendered_by_origin
            && !matches!(self.code.as_deref(), Some(BAD_REQUEST | SERVER_ERROR | EVALUATION_ERROR))
    }

    /// The `WWW-Authenticate` header value.
    pub fn www_authenticate(&self) -> Option<&str> {
        self.www_authenticate.as_deref()
    }

    /// The response headers DRF sends with this decision (none when allowed).
    ///
    /// ```
    /// let gate = drf_gate::Gate::from_json(r#"{"permissions": ["IsAdminUser"], "views": {"posts": {}}}"#).unwrap();
    /// let decision = gate.check_json(r#"{"view": "posts", "action": "list", "user": {"id": 1}}"#).unwrap();
    /// let names: Vec<_> = decision.headers().map(|(name, _)| name).collect();
    /// assert_eq!(names, ["Content-Type", "Vary", "Allow"]); // DRF's default renderers: JSON + browsable API
    /// ```
    pub fn headers(&self) -> impl Iterator<Item = (&'static str, &str)> {
        let denied = !self.allowed && self.response_headers.is_none();
        let rendered = self.response_headers.iter().flatten().map(|(name, value)| (*name, value.as_str()));
        rendered.chain(
            [
                denied.then_some(("Content-Type", "application/json")),
                self.www_authenticate.as_deref().filter(|_| denied).map(|value| ("WWW-Authenticate", value)),
                // DRF's order: `finalize_response` patches `Vary` before it sets `Allow`.
                (denied && self.vary_accept).then_some(("Vary", "Accept")),
                denied.then_some(("Allow", self.allow)),
            ]
            .into_iter()
            .flatten(),
        )
    }
}

struct Headers<'d, 'a>(&'d Decision<'a>);

impl Serialize for Headers<'_, '_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        for (name, value) in self.0.headers() {
            map.serialize_entry(name, value)?;
        }
        map.end()
    }
}

impl Serialize for Decision<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut out = serializer.serialize_struct("Decision", 12)?;
        out.serialize_field("allowed", &self.allowed)?;
        out.serialize_field("respond", &self.respond())?;
        out.serialize_field("status", &self.status)?;
        out.serialize_field("body", &self.body)?;
        out.serialize_field("headers", &Headers(self))?;
        out.serialize_field("code", &self.code)?;
        out.serialize_field("stage", &self.stage)?;
        out.serialize_field("decidedBy", &self.decided_by)?;
        out.serialize_field("objectCheck", &self.object_check)?;
        out.serialize_field("trace", &self.trace)?;
        out.serialize_field("error", &self.error)?;
        out.end()
    }
}

/// Ids for the texts a decision borrows from its compiled policy (bodies, codes, `Allow`,
/// `WWW-Authenticate`, permission entries): each text crosses to JS once, then decisions cross
/// as a few integers ([`Decision::pack`]). Only borrowed texts get ids, and a decision borrows
/// only from its gate, so the table is bounded by the policy's size.
///
/// ```
/// let mut ids = drf_gate::decision::TextIds::default();
/// let id = ids.id("Allow");
/// assert_eq!((ids.id("Allow"), ids.text(id)), (id, Some("Allow")));
/// ```
#[derive(Debug, Default)]
pub struct TextIds {
    /// Address, length and id (a policy's texts do not move; a hit is checked against the text).
    /// A policy has a few dozen such texts: a scan is as fast as hashing, and smaller.
    by_address: Vec<(usize, usize, u32)>,
    texts: Vec<String>,
}

impl TextIds {
    /// The id of `text`, given one on first sight.
    pub fn id(&mut self, text: &str) -> u32 {
        let (address, len) = (text.as_ptr() as usize, text.len());
        let hit = self.by_address.iter().find(|(a, l, _)| *a == address && *l == len).map(|(_, _, id)| *id);
        if let Some(id) = hit {
            if self.texts.get(id as usize).is_some_and(|known| known == text) {
                return id;
            }
        }
        let id = match self.texts.iter().position(|known| known == text) {
            Some(index) => u32::try_from(index).unwrap_or(u32::MAX),
            None => {
                self.texts.push(text.to_owned());
                u32::try_from(self.texts.len() - 1).unwrap_or(u32::MAX)
            }
        };
        match self.by_address.iter_mut().find(|(a, l, _)| *a == address && *l == len) {
            Some(entry) => entry.2 = id,
            None => self.by_address.push((address, len, id)),
        }
        id
    }

    /// The text of an id.
    pub fn text(&self, id: u32) -> Option<&str> {
        self.texts.get(id as usize).map(String::as_str)
    }
}

/// Flags of [`Decision::pack`]'s first word (bits 0-9 are the status).
pub mod packed {
    /// `allowed`.
    pub const ALLOWED: u32 = 1 << 10;
    /// `respond`.
    pub const RESPOND: u32 = 1 << 11;
    /// The stage (3 bits, [`super::Stage`] in declaration order) starts here.
    pub const STAGE_SHIFT: u32 = 12;
    /// The object check (3 bits, [`super::ObjectCheck`] in declaration order) starts here.
    pub const OBJECT_CHECK_SHIFT: u32 = 15;
    /// `Vary: Accept` goes with a denial.
    pub const VARY_ACCEPT: u32 = 1 << 18;
    /// Word 2 holds the code's id.
    pub const HAS_CODE: u32 = 1 << 19;
    /// Word 3 holds the `WWW-Authenticate` id.
    pub const HAS_WWW_AUTHENTICATE: u32 = 1 << 20;
    /// Words 5 and 6 hold `decidedBy` (entry, source id).
    pub const HAS_DECIDED_BY: u32 = 1 << 21;
    /// In [`super::Decision::pack_whole`]'s words: a text made for this decision, by its index
    /// in the list that call filled (not a policy text of [`super::TextIds`]).
    pub const TRANSIENT: u32 = 1 << 31;
    /// In [`super::Decision::pack_whole`]'s words: no error, no trace, DRF's own headers.
    pub const NONE: u32 = u32::MAX;
}

impl<'a> Decision<'a> {
    /// The decision as seven integers: flags and status, then text ids (body, code,
    /// `WWW-Authenticate`, `Allow`, decided-by entry and source; see [`packed`]). `None` when a
    /// text was made for this request (a 405 naming the method), or it carries a trace, an
    /// error or the middleware's headers: the caller renders it whole instead.
    ///
    /// ```
    /// let gate = drf_gate::Gate::from_json(r#"{"permissions": ["IsAdminUser"], "views": {"posts": {}}}"#).unwrap();
    /// let decision = gate.check_json(r#"{"view": "posts", "action": "list", "user": {"id": 1}}"#).unwrap();
    /// let mut ids = drf_gate::decision::TextIds::default();
    /// let words = decision.pack(&mut ids).unwrap();
    /// assert_eq!(words[0] & 0x3ff, 403);
    /// assert_eq!(ids.text(words[1]), Some(&*decision.body));
    /// ```
    pub fn pack(&self, ids: &mut TextIds) -> Option<[u32; 7]> {
        if self.trace.is_some() || self.error.is_some() || self.response_headers.is_some() {
            return None;
        }
        self.words(ids, &mut |_| None)
    }

    /// The whole decision as integers, for the builds without a JSON `check` (the browser
    /// runtime, the Worker build): [`Decision::pack`]'s seven words, where a text made for this
    /// request is [`packed::TRANSIENT`] and its index in `owned`, then the error's text id, the
    /// trace (its length, then three words a step: stage, check, result and depth; entry; label
    /// id) and the middleware's headers (their count, then name and value ids), each
    /// [`packed::NONE`] when absent. `None` only for an index past `u32`.
    ///
    /// ```
    /// use drf_gate::decision::{packed, TextIds};
    /// let gate = drf_gate::Gate::from_json(r#"{"views": {"posts": {"actions": ["list"]}}}"#).unwrap();
    /// let decision = gate.check_json(r#"{"view": "posts", "method": "PATCH", "trace": true}"#).unwrap();
    /// let (mut ids, mut owned) = (TextIds::default(), Vec::new());
    /// let words = decision.pack_whole(&mut ids, &mut owned).unwrap();
    /// assert_eq!((words[0] & 0x3ff, words[1]), (405, packed::TRANSIENT));
    /// assert_eq!(owned, [r#"{"detail":"Method \"PATCH\" not allowed."}"#]);
    /// // No error; one step (stage 2, view: `AllowAny`'s has_permission, true, entry 0); DRF's headers.
    /// assert_eq!((words[7], words[8], words[9], words[10]), (packed::NONE, 1, 2, 0));
    /// assert_eq!((ids.text(words[11]), words[12]), (Some("AllowAny"), packed::NONE));
    /// ```
    pub fn pack_whole(&self, ids: &mut TextIds, owned: &mut Vec<String>) -> Option<Vec<u32>> {
        let mut keep = |text: &str| {
            let index = u32::try_from(owned.len()).ok().filter(|index| *index < packed::TRANSIENT)?;
            owned.push(text.to_owned());
            Some(index | packed::TRANSIENT)
        };
        let mut words = self.words(ids, &mut keep)?.to_vec();
        words.push(match &self.error {
            Some(error) => keep(error)?,
            None => packed::NONE,
        });
        match &self.trace {
            Some(steps) => {
                words.push(u32::try_from(steps.len()).ok()?);
                for step in steps {
                    words.push(
                        step.stage as u32
                            | (step.check as u32) << 3
                            | (step.result as u32) << 4
                            | u32::from(step.depth) << 8,
                    );
                    words.push(u32::try_from(step.entry).ok()?);
                    words.push(ids.id(step.label));
                }
            }
            None => words.push(packed::NONE),
        }
        match &self.response_headers {
            Some(headers) => {
                words.push(u32::try_from(headers.len()).ok()?);
                for (name, value) in headers {
                    words.push(ids.id(name));
                    words.push(keep(value)?);
                }
            }
            None => words.push(packed::NONE),
        }
        Some(words)
    }

    // The seven words; `owned` gives the id of a text made for this request (`None`: unpackable).
    fn words(&self, ids: &mut TextIds, owned: &mut dyn FnMut(&str) -> Option<u32>) -> Option<[u32; 7]> {
        let mut id = |text: &Cow<'a, str>| match text {
            Cow::Borrowed(text) => Some(ids.id(text)),
            Cow::Owned(text) => owned(text),
        };
        let body = id(&self.body)?;
        let mut flags = u32::from(self.status) & 0x3ff;
        let mut words = [0u32; 7];
        if self.allowed {
            flags |= packed::ALLOWED;
        }
        if self.respond() {
            flags |= packed::RESPOND;
        }
        flags |= (self.stage as u32) << packed::STAGE_SHIFT;
        flags |= (self.object_check as u32) << packed::OBJECT_CHECK_SHIFT;
        if self.vary_accept {
            flags |= packed::VARY_ACCEPT;
        }
        if let Some(code) = &self.code {
            flags |= packed::HAS_CODE;
            words[2] = id(code)?;
        }
        if let Some(www) = &self.www_authenticate {
            flags |= packed::HAS_WWW_AUTHENTICATE;
            words[3] = id(www)?;
        }
        words[4] = id(&Cow::Borrowed(self.allow))?;
        if let Some(decided_by) = &self.decided_by {
            flags |= packed::HAS_DECIDED_BY;
            words[5] = u32::try_from(decided_by.entry).ok()?;
            words[6] = id(&Cow::Borrowed(decided_by.source))?;
        }
        words[0] = flags;
        words[1] = body;
        Some(words)
    }
}
