//! Deciding a raw HTTP request, as a DRF server would: route it, run the view's authentication
//! classes on its headers, cookies and body, then the permission stage.
//!
//! User lookups go through a [`Resolver`]. A caller whose lookups are asynchronous (Workers KV,
//! a database) answers [`EdgeOutcome::NeedsLookup`] by awaiting the lookup, storing the answer in
//! an [`AnswerCache`], and asking again: the run is deterministic, so earlier answers replay.

use std::borrow::Cow;
use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::authentication::{
    authenticate_resuming, Answer, AnswerCache, Authenticated as AuthenticatedRequest, AuthenticationOutcome,
    Authenticator, LookupKey, Progress, RawRequest, RawRequestInput, Resolver, Undecided,
};
use crate::decision::{Decision, TextIds};
use crate::error::{ContextError, ContextErrorCode};
use crate::gate::{resolve_target, Gate};
use crate::json::{from_text, Json};
use crate::middleware::SessionUse;
use crate::permissions::api_key::{ApiKeyForward, ApiKeyStop, EdgeApiKeys};
use crate::user::{User, UserInput};
use crate::views::{Authenticated, Authentication, ObjectArg};

/// Moved to [`crate::http`]; kept here for existing callers.
pub use crate::http::query_parameter;

/// Which view a raw request addresses, and what the caller knows of its object.
///
/// ```
/// let target: drf_gate::edge::RequestTarget = serde_json::from_str(r#"{"view": "posts", "detail": true}"#).unwrap();
/// assert_eq!(target.view.as_deref(), Some("posts"));
/// ```
#[derive(Clone, Debug, Default, Deserialize)]
// Not `object_only!`: it is read flattened into the step's input (a map already), where serde
// passes it only its own fields through `deserialize_struct`.
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RequestTarget {
    /// The view; default: found by the policy's `routes` from the request path.
    #[serde(default)]
    pub view: Option<String>,
    /// The action (a custom `@action` route), when `view` is given.
    #[serde(default)]
    pub action: Option<String>,
    /// Detail route, when `view` is given.
    #[serde(default)]
    pub detail: Option<bool>,
    /// The object (`null`: lookup miss; absent: the object stage is left to the origin).
    #[serde(default, deserialize_with = "present")]
    pub object: Option<Option<Value>>,
    /// The lookup value does not fit the field (a bare `Http404`).
    #[serde(default)]
    pub lookup_error: bool,
    /// Record the evaluation trace.
    #[serde(default)]
    pub trace: bool,
    /// The `format` query parameter (`?format=json`); read from the request's URL by
    /// [`Gate::check_request_json`].
    #[serde(default)]
    pub format: Option<String>,
}

impl RequestTarget {
    /// The members of its JSON shape (read flattened into the JSON input of
    /// [`Gate::check_request_json`]).
    ///
    /// ```
    /// assert!(drf_gate::edge::RequestTarget::FIELDS.contains(&"lookupError"));
    /// ```
    pub const FIELDS: &'static [&'static str] =
        &["view", "action", "detail", "object", "lookupError", "trace", "format"];
}

fn present<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Option<Option<Value>>, D::Error> {
    Option::<Value>::deserialize(deserializer).map(Some)
}

/// What a raw-request check produced.
#[derive(Debug)]
pub enum EdgeOutcome<'g> {
    /// DRF's answer (or `allowed`), with what authentication produced (`None` when DRF answered
    /// before authenticating, e.g. a 406 from content negotiation).
    Decided(Box<Decision<'g>>, Option<Box<AuthenticatedRequest>>),
    /// A user lookup is needed before authentication can finish.
    NeedsLookup(LookupKey),
    /// The CSRF check reads the request body, which the caller has not read yet
    /// ([`RawRequest::body_pending`]): read at most `max_bytes` and ask again.
    NeedsBody {
        /// The most bytes the edge reads; a longer body is given as too large.
        max_bytes: usize,
    },
    /// The edge cannot be certain of DRF's answer: send the request to the origin.
    Forward(ForwardReason),
    /// The path matches no route: not DRF's to answer here.
    NoRoute,
}

/// Why a raw request goes to the origin undecided.
///
/// ```
/// use drf_gate::authentication::LookupKey;
/// use drf_gate::edge::ForwardReason;
/// let reason = ForwardReason::UnknownLookup { lookup: LookupKey::Token { key: "abc".into() } };
/// assert_eq!(serde_json::to_string(&reason).unwrap(), r#"{"reason":"unknown-lookup","lookup":{"kind":"token","key":"abc"}}"#);
/// assert_eq!(serde_json::to_string(&ForwardReason::BodyTooLarge).unwrap(), r#"{"reason":"body-too-large"}"#);
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "reason", rename_all = "kebab-case")]
pub enum ForwardReason {
    /// A lookup answered "not known here" (a store miss that is not authoritative, an outage,
    /// a timeout).
    UnknownLookup {
        /// The lookup.
        lookup: LookupKey,
    },
    /// The CSRF check needs a body larger than the edge reads.
    BodyTooLarge,
    /// The headers exceed what the usual servers pass to Django
    /// ([`RawRequest::beyond_server_limits`]): the origin's server answers (its own 400/431) or,
    /// when it is more lenient, DRF does.
    HeadersBeyondServerLimits {
        /// Which limit (`too_many_headers`, `header_field_too_large`, `headers_too_large`).
        limit: &'static str,
    },
    /// djangorestframework-api-key: the key's row has a legacy (non-`sha512$$`) hash; Django's
    /// password hashers check it, and the package re-hashes and saves the row on success.
    ApiKeyLegacyHash {
        /// The lookup that found the row.
        lookup: LookupKey,
    },
    /// `API_KEY_CUSTOM_HEADER` names a `request.META` entry that is not a header, and the
    /// request carries none: only the origin's server environment has it.
    ApiKeyNotVisible,
    /// The query string has more fields than `DATA_UPLOAD_MAX_NUMBER_FIELDS`: DRF's negotiation
    /// reads `request.query_params` first thing, and Django answers `TooManyFieldsSent` with
    /// its own 400 page.
    QueryBeyondFieldLimit,
    /// A header the decision read was also given spelt with `_` for `-` (`X_CSRFToken`):
    /// WSGI servers drop it, ASGI servers pass it to Django as the same META key
    /// ([`RawRequest::read_ambiguous_header`]).
    AmbiguousHeaderName,
    /// A header the decision read holds `", "` and came from a Fetch `Headers` object: it may
    /// be repeated lines, which Django's servers join with `","`
    /// ([`RawRequest::read_joined_header`]).
    JoinedHeader,
    /// In a runtime that drops empty header lines (workerd), a cookie the decision read is the
    /// `Cookie` header's first pair: an empty `Cookie:` line before it, which workerd drops and
    /// Django's servers join with `","`, renames it for Django
    /// ([`RawRequest::read_first_cookie`]).
    DroppedCookieLine,
    /// Django cannot build the request with this `Content-Type` (an RFC 2231 parameter whose
    /// charset Python does not know: `ValueError` before any middleware, the server's 500), or
    /// its parameters name a codec this crate does not emulate
    /// ([`RawRequest::content_type_unparsable`]).
    ContentTypeUnparsable,
    /// The origin's middleware makes every response to this request its own, whoever the user
    /// is and whatever DRF answers, decided from the request alone (a host `ALLOWED_HOSTS`
    /// refuses, `SECURE_SSL_REDIRECT` over http, a malformed `csrftoken` cookie under
    /// `CsrfViewMiddleware`, ...: see [`crate::middleware`]): forwarded before authentication,
    /// with no lookup, object or body read.
    MiddlewareRenders,
}

/// Why `perform_authentication` stopped before a decision.
enum Stop {
    Error(ContextError),
    NeedsLookup(LookupKey),
    NeedsBody(usize),
    Forward(ForwardReason),
}

/// What the view's classes produced on a raw request.
struct EdgeAuthentication {
    user: User,
    authenticated: AuthenticatedRequest,
    /// What authentication did to the session (for the origin's `SessionMiddleware`).
    session: SessionUse,
}

impl Authentication for EdgeAuthentication {
    fn user(&self) -> &User {
        &self.user
    }

    fn authenticated(&self) -> Authenticated<'_> {
        match &self.authenticated.outcome {
            AuthenticationOutcome::Failed(failure) => Authenticated::Failed(failure),
            AuthenticationOutcome::Succeeded(_) => Authenticated::Succeeded,
            AuthenticationOutcome::None(_) => Authenticated::Anonymous,
        }
    }
}

impl Gate {
    /// Decides a raw request. `now` is the current time in seconds since the epoch (JWT expiry).
    ///
    /// # Errors
    /// A [`ContextError`] for an unknown view or action, or a policy that cannot authenticate
    /// (a JWT class without a key).
    ///
    /// ```
    /// use drf_gate::authentication::{AnswerCache, RawRequest};
    /// use drf_gate::edge::{EdgeOutcome, RequestTarget};
    /// let gate = drf_gate::Gate::from_json(r#"{"authentication": ["token"], "permissions": ["IsAuthenticated"], "views": {"posts": {}}}"#)?;
    /// let request = RawRequest::new("GET").header("Authorization", "Token")?;
    /// let target = RequestTarget { view: Some("posts".into()), ..Default::default() };
    /// let EdgeOutcome::Decided(decision, _) = gate.check_request(&request, &target, &AnswerCache::default(), 0.0)? else { panic!() };
    /// assert_eq!(decision.body, r#"{"detail":"Invalid token header. No credentials provided."}"#);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn check_request(
        &self,
        request: &RawRequest,
        target: &RequestTarget,
        resolver: &dyn Resolver,
        now: f64,
    ) -> Result<EdgeOutcome<'_>, ContextError> {
        self.check_request_resuming(request, target, resolver, now, &mut Progress::default())
    }

    /// [`Gate::check_request`] for one step of a request whose earlier steps stopped for a
    /// lookup or the body: authentication resumes where `progress` says (see [`Progress`]).
    /// [`PendingRequest`] keeps the request, the answers and the progress between steps.
    ///
    /// # Errors
    /// As [`Gate::check_request`].
    pub fn check_request_resuming(
        &self,
        request: &RawRequest,
        target: &RequestTarget,
        resolver: &dyn Resolver,
        now: f64,
        progress: &mut Progress,
    ) -> Result<EdgeOutcome<'_>, ContextError> {
        let outcome = self.check_request_unambiguous(request, target, resolver, now, progress)?;
        if request.read_ambiguous_header() {
            return Ok(EdgeOutcome::Forward(ForwardReason::AmbiguousHeaderName));
        }
        if request.read_joined_header() {
            return Ok(EdgeOutcome::Forward(ForwardReason::JoinedHeader));
        }
        if request.read_first_cookie() {
            return Ok(EdgeOutcome::Forward(ForwardReason::DroppedCookieLine));
        }
        Ok(outcome)
    }

    /// [`Gate::check_request_resuming`] before the check for headers spelt with `_`.
    fn check_request_unambiguous(
        &self,
        request: &RawRequest,
        target: &RequestTarget,
        resolver: &dyn Resolver,
        now: f64,
        progress: &mut Progress,
    ) -> Result<EdgeOutcome<'_>, ContextError> {
        // Django parses `Content-Type` while building the request, before any middleware.
        if request.content_type_unparsable() {
            return Ok(EdgeOutcome::Forward(ForwardReason::ContentTypeUnparsable));
        }
        // django-cors-headers answers a preflight before URL resolution and DRF.
        if let Some(preflight) = self.middleware().and_then(|m| m.preflight(request)) {
            return Ok(EdgeOutcome::Decided(Box::new(preflight), None));
        }
        let (view_name, action, detail) = match &target.view {
            Some(view) => (view.as_str(), target.action.as_deref(), target.detail),
            None => match self.route(request.request_path()) {
                Some(hit) => (hit.view, hit.action, Some(hit.detail)),
                None => return Ok(EdgeOutcome::NoRoute),
            },
        };
        let view = self.view_or_error(view_name, "$.view")?;
        let has_object = target.object.as_ref().is_some_and(Option::is_some);
        let resolved = resolve_target(view, action, Some(request.method()), detail, has_object)?;
        if let Some(limit) = request.beyond_server_limits() {
            return Ok(EdgeOutcome::Forward(ForwardReason::HeadersBeyondServerLimits { limit }));
        }
        if self.settings().settings.upload.data_max_number_fields.is_some_and(|max| request.query_fields() > max) {
            return Ok(EdgeOutcome::Forward(ForwardReason::QueryBeyondFieldLimit));
        }
        // The middleware would leave any decision to the origin (`rendered_by_origin`): deciding
        // it would only cost the lookups, the object and the body.
        if self.middleware().is_some_and(|m| m.origin_renders_every_response(request)) {
            return Ok(EdgeOutcome::Forward(ForwardReason::MiddlewareRenders));
        }
        let perform_authentication = |authenticators: &[Authenticator]| {
            self.settings()
                .check_classes(authenticators.iter().map(|a| &a.class))
                .map_err(|err| Stop::Error(err.into()))?;
            let authenticated =
                match authenticate_resuming(request, authenticators, self.settings(), resolver, now, progress) {
                    Ok(authenticated) => authenticated,
                    Err(Undecided::Lookup(needs)) => return Err(Stop::NeedsLookup(needs.key)),
                    Err(Undecided::Unknown(needs)) => {
                        return Err(Stop::Forward(ForwardReason::UnknownLookup { lookup: needs.key }))
                    }
                    Err(Undecided::Body { max_bytes, .. }) => return Err(Stop::NeedsBody(max_bytes)),
                    Err(Undecided::BodyTooLarge { .. }) => return Err(Stop::Forward(ForwardReason::BodyTooLarge)),
                };
            let user = match &authenticated.user {
                Some(input) => self.compile_user(input),
                None => User::anonymous(),
            };
            let classes = authenticators.iter().map(|a| &a.class);
            let session = SessionUse::from_authentication(classes, authenticated.class_index);
            Ok(EdgeAuthentication { user, authenticated, session })
        };
        // get_object() is `filter_queryset(get_queryset())`: with a parameter the view's filter
        // backends read, a filter may hide the object or answer 400; the origin looks it up.
        let filtered = !view.filter_params.is_empty()
            && request
                .query_names()
                .any(|name| view.filter_params.iter().any(|prefix| name.starts_with(prefix.as_str())));
        let object = match filtered {
            true => ObjectArg::Filtered,
            false => ObjectArg::from_input(target.object.as_ref(), target.lookup_error),
        };
        // `HasAPIKey` asks its lookup from inside the permission stage, only when DRF runs it.
        let api_keys = EdgeApiKeys {
            request,
            custom_header: self.settings().settings.api_key_custom_header.as_deref(),
            resolver,
            now,
            stop: Default::default(),
        };
        let initial = view.initial(
            &self.policy(),
            &resolved,
            request.header_value("accept"),
            // workerd drops an empty `Accept:` line, which DRF reads as no acceptable type.
            request.empty_headers_dropped(),
            target.format.as_deref(),
            perform_authentication,
            &api_keys,
            object,
            target.trace,
        );
        let initial = match (initial, api_keys.take_stop()) {
            (Ok(_), Some(ApiKeyStop::Lookup(key))) => Err(Stop::NeedsLookup(key)),
            (Ok(_), Some(ApiKeyStop::Forward(reason))) => Err(Stop::Forward(match reason {
                ApiKeyForward::NotVisible => ForwardReason::ApiKeyNotVisible,
                ApiKeyForward::UnknownLookup(lookup) => ForwardReason::UnknownLookup { lookup },
                ApiKeyForward::LegacyHash(lookup) => ForwardReason::ApiKeyLegacyHash { lookup },
            })),
            (initial, _) => initial,
        };
        match initial {
            Ok((mut decision, authentication)) => {
                // The origin's middleware (security headers, Vary, CORS): a thin layer over DRF's
                // decision; a 406 from negotiation never read the session.
                if let Some(middleware) = self.middleware() {
                    let session = authentication.as_ref().map_or_else(SessionUse::default, |a| a.session);
                    middleware.render(&mut decision, request, session);
                }
                Ok(EdgeOutcome::Decided(
                    Box::new(decision),
                    authentication.map(|authentication| Box::new(authentication.authenticated)),
                ))
            }
            Err(Stop::NeedsLookup(key)) => Ok(EdgeOutcome::NeedsLookup(key)),
            Err(Stop::NeedsBody(max_bytes)) => Ok(EdgeOutcome::NeedsBody { max_bytes }),
            Err(Stop::Forward(reason)) => Ok(EdgeOutcome::Forward(reason)),
            Err(Stop::Error(error)) => Err(error),
        }
    }

    /// The JSON-shaped form of [`Gate::check_request`], one step of the lookup protocol: the
    /// input carries the request, the target, `now`, and the answers so far.
    ///
    /// ```
    /// let gate = drf_gate::Gate::from_json(r#"{"authentication": ["token"], "permissions": ["IsAuthenticated"], "views": {"posts": {}}}"#).unwrap();
    /// let step = gate.check_request_json(r#"{"request": {"method": "GET", "headers": {"Authorization": "Token abc"}}, "view": "posts"}"#).unwrap();
    /// assert_eq!(serde_json::to_string(&step).unwrap(), r#"{"lookup":{"kind":"token","key":"abc"}}"#);
    /// let step = gate.check_request_json(r#"{"request": {"method": "GET", "headers": {"Authorization": "Token abc"}}, "view": "posts",
    ///     "answers": [{"key": {"kind": "token", "key": "abc"}, "answer": {"notFound": true}}]}"#).unwrap();
    /// assert!(serde_json::to_string(&step).unwrap().contains(r#""status":401"#));
    /// ```
    #[cfg(feature = "compiler")]
    pub fn check_request_json(&self, input: &str) -> Result<EdgeStep<'_>, ContextError> {
        let (request, target, now, cache) = parse_edge_input(input)?;
        Ok(EdgeStep::from_outcome(self.check_request(&request, &target, &cache, now)?))
    }
}

/// Most steps one raw request may take (lookups and the body): each class asks for at most one
/// lookup per step, and a view lists a handful of classes (gate.js stops at 33 with its own error).
pub const MAX_STEPS: usize = 64;

/// One raw request between the steps of the one-pass protocol: the parsed request, its target
/// and `now`, the answers so far, and authentication's [`Progress`]. The first
/// [`PendingRequest::step`] parses nothing again and authenticates; a lookup or the body stops
/// it; [`PendingRequest::answer`] or [`PendingRequest::give_body`] supplies what it asked for,
/// and the next step resumes where it stopped (a verified JWT is not verified again).
///
/// Bounded: at most [`MAX_STEPS`] steps and answers; the body within the request's own cap.
///
/// ```
/// use drf_gate::authentication::{Answer, RawRequest};
/// use drf_gate::edge::{EdgeStep, PendingRequest, RequestTarget};
/// let gate = drf_gate::Gate::from_json(r#"{"authentication": ["token"], "permissions": ["IsAuthenticated"], "views": {"posts": {}}}"#)?;
/// let request = RawRequest::new("GET").header("Authorization", "Token abc")?;
/// let target = RequestTarget { view: Some("posts".into()), ..Default::default() };
/// let mut pending = PendingRequest::new(request, target, 0.0);
/// assert!(matches!(pending.step(&gate)?, EdgeStep::Lookup(_)));
/// pending.answer(Answer::NotFound(true))?;
/// let EdgeStep::Decision { decision, .. } = pending.step(&gate)? else { panic!() };
/// assert_eq!(decision.status, 401);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug)]
pub struct PendingRequest {
    request: RawRequest,
    target: RequestTarget,
    now: f64,
    answers: AnswerCache,
    progress: Progress,
    /// The lookup the last step asked for.
    awaiting: Option<LookupKey>,
    steps: usize,
}

impl PendingRequest {
    /// A request about to take its first step.
    pub fn new(request: RawRequest, target: RequestTarget, now: f64) -> Self {
        PendingRequest {
            request,
            target,
            now,
            answers: AnswerCache::default(),
            progress: Progress::default(),
            awaiting: None,
            steps: 0,
        }
    }

    /// The JSON input of [`Gate::check_request_json`] without `answers` (given, they are
    /// stored as if answered), parsed and validated once.
    ///
    /// # Errors
    /// A [`ContextError`] naming what is wrong in the input.
    #[cfg(feature = "compiler")]
    pub fn from_json(input: &str) -> Result<Self, ContextError> {
        let (request, target, now, answers) = parse_edge_input(input)?;
        let mut pending = PendingRequest::new(request, target, now);
        pending.answers = answers;
        Ok(pending)
    }

    /// The typed form of [`PendingRequest::from_json`] (what `gate.checkRequest*` sends for a
    /// plain request, without JSON): `count` strings joined by [`PARTS_SEPARATOR`] (the method;
    /// the view, action, URL, path, `format`, host, port, content type and `bodyBase64` that
    /// `flags` says are present; the cookies' and then META's number of pairs and their name and
    /// value pairs when given; then header name and value pairs), and the body; booleans are
    /// flags; the target's `object` in the binary value encoding (`compiled::value`) when
    /// `flags` has [`parts::OBJECT`]. The same request as the JSON input with these members, read
    /// by the same code. `Ok(None)`: the text is not `count` parts (a separator inside one), so
    /// the caller sends the parts again escaped ([`parts::ESCAPED`], [`escape_part`]). A `now`
    /// that is not finite is refused as the JSON path refuses it (`JSON.stringify` writes `null`).
    /// With [`parts::REQUEST_JSON`], `body` is the JSON of a request the caller could not send
    /// typed, read only for the JSON path's error on it (`Ok(None)` when it has none to give).
    ///
    /// # Errors
    /// As [`PendingRequest::from_json`] for the same request.
    ///
    /// ```
    /// use drf_gate::edge::{parts, PendingRequest, PARTS_SEPARATOR};
    /// let text = ["GET", "posts", "/api/posts/", "Authorization", "Token abc"].join(&PARTS_SEPARATOR.to_string());
    /// let typed = PendingRequest::from_parts(&text, 5, parts::VIEW | parts::PATH, None, None, 0.0)?.unwrap();
    /// let json = PendingRequest::from_json(r#"{"request": {"method": "GET", "path": "/api/posts/",
    ///     "headers": {"Authorization": "Token abc"}}, "view": "posts"}"#)?;
    /// assert_eq!(format!("{typed:?}"), format!("{json:?}"));
    /// # Ok::<(), drf_gate::ContextError>(())
    /// ```
    pub fn from_parts(
        text: &str,
        count: usize,
        flags: u32,
        body: Option<String>,
        object: Option<&[u8]>,
        now: f64,
    ) -> Result<Option<Self>, ContextError> {
        if flags & parts::REQUEST_JSON != 0 {
            return request_json_error(body.as_deref().unwrap_or_default()).map(|()| None);
        }
        // A NUL inside a part: every part escaped (`parts::ESCAPED`; an escape that is not one of
        // the two is refused like a miscount).
        let escaped = flags & parts::ESCAPED != 0;
        if escaped && !escapes_well_formed(text) {
            return Ok(None);
        }
        let mut split =
            text.split(PARTS_SEPARATOR).map(|part| if escaped { unescape_part(part) } else { Cow::Borrowed(part) });
        let mut used = 0usize;
        let mut next = || {
            used += 1;
            split.next()
        };
        let Some(method) = next() else { return Ok(None) };
        let mut take = |flag: u32| -> Result<Option<Cow<'_, str>>, ()> {
            if flags & flag == 0 {
                return Ok(None);
            }
            next().map(Some).ok_or(())
        };
        let (Ok(view), Ok(action), Ok(url), Ok(path), Ok(format)) =
            (take(parts::VIEW), take(parts::ACTION), take(parts::URL), take(parts::PATH), take(parts::FORMAT))
        else {
            return Ok(None);
        };
        let (Ok(host), Ok(port), Ok(content_type), Ok(body_base64)) =
            (take(parts::HOST), take(parts::PORT), take(parts::CONTENT_TYPE), take(parts::BODY_BASE64))
        else {
            return Ok(None);
        };
        // Cookies, then META: a part with the number of name and value pairs that follow; the
        // parts after them are header pairs.
        let mut section = |flag: u32| -> Result<Option<BTreeMap<String, String>>, ()> {
            if flags & flag == 0 {
                return Ok(None);
            }
            let n: usize = next().ok_or(())?.parse().map_err(|_| ())?;
            let mut out = BTreeMap::new();
            for _ in 0..n {
                let (Some(name), Some(value)) = (next(), next()) else { return Err(()) };
                out.insert(name.into_owned(), value.into_owned());
            }
            Ok(Some(out))
        };
        let (Ok(cookies), Ok(meta)) = (section(parts::COOKIES), section(parts::META)) else {
            return Ok(None);
        };
        let meta = meta.unwrap_or_default();
        let mut headers = Vec::new();
        while let Some(name) = next() {
            let Some(value) = next() else { return Ok(None) };
            headers.push((name, value));
        }
        // `next` counted the `None` that ended the loop. A separator inside a part makes more
        // parts than counted.
        if used - 1 != count {
            return Ok(None);
        }
        // JSON.stringify writes a `now` that is not finite as `null`, which the JSON path's
        // reader refuses after the request's members and before the target's.
        if !now.is_finite() {
            let Err(error) = from_text::<f64>("null") else { return Ok(None) };
            return Err(ContextError::new(ContextErrorCode::InvalidContext, error.path("$.now"), error.message()));
        }
        // The JSON input's `BTreeMap` order: by name, the last value of a repeated name (a
        // stable sort keeps the given order among equal names).
        headers.sort_by(|a, b| a.0.cmp(&b.0));
        let sorted: Vec<(&str, &str)> = headers
            .iter()
            .enumerate()
            .filter(|&(i, (name, _))| headers.get(i + 1).is_none_or(|next| next.0 != *name))
            .map(|(_, (name, value))| (name.as_ref(), value.as_ref()))
            .collect();
        let input = RawRequestInput {
            method: method.into_owned(),
            url: url.map(Cow::into_owned),
            path: path.map(Cow::into_owned),
            cookies,
            secure: (flags & parts::HAS_SECURE != 0).then_some(flags & parts::SECURE != 0),
            host: host.map(Cow::into_owned),
            port: port.map(Cow::into_owned),
            body,
            body_base64: body_base64.map(Cow::into_owned),
            body_pending: flags & parts::BODY_PENDING != 0,
            empty_headers_dropped: flags & parts::EMPTY_HEADERS_DROPPED != 0,
            body_too_large: flags & parts::BODY_TOO_LARGE != 0,
            headers_joined: flags & parts::HEADERS_JOINED != 0,
            content_type: content_type.map(Cow::into_owned),
            meta,
            ..Default::default()
        };
        let target = RequestTarget {
            view: view.map(Cow::into_owned),
            action: action.map(Cow::into_owned),
            detail: (flags & parts::HAS_DETAIL != 0).then_some(flags & parts::DETAIL != 0),
            lookup_error: flags & parts::LOOKUP_ERROR != 0,
            trace: flags & parts::TRACE != 0,
            format: format.map(Cow::into_owned),
            object: (flags & parts::OBJECT != 0).then(|| crate::compiled::value::decode_object(object)).transpose()?,
        };
        let (request, target) = request_and_target(input, target, &sorted)?;
        Ok(Some(PendingRequest::new(request, target, now)))
    }

    /// The next step: a decision, a lookup to answer, the body to read, a forward, or no route.
    ///
    /// # Errors
    /// As [`Gate::check_request`]; also after [`MAX_STEPS`] steps (`invalid_context`).
    pub fn step<'g>(&mut self, gate: &'g Gate) -> Result<EdgeStep<'g>, ContextError> {
        self.steps += 1;
        if self.steps > MAX_STEPS {
            return Err(ContextError::new(
                ContextErrorCode::InvalidContext,
                "$",
                "too many steps (user lookups and body reads) for one request",
            ));
        }
        self.awaiting = None;
        let outcome =
            gate.check_request_resuming(&self.request, &self.target, &self.answers, self.now, &mut self.progress)?;
        let step = EdgeStep::from_outcome(outcome);
        if let EdgeStep::Lookup(key) = &step {
            self.awaiting = Some(key.clone());
        }
        Ok(step)
    }

    /// Answers the lookup the last step asked for.
    ///
    /// # Errors
    /// `invalid_context` when the last step asked for no lookup.
    pub fn answer(&mut self, answer: Answer) -> Result<(), ContextError> {
        let Some(key) = self.awaiting.take() else {
            return Err(ContextError::new(ContextErrorCode::InvalidContext, "$", "no lookup is awaiting an answer"));
        };
        self.answers.insert(key, answer);
        Ok(())
    }

    /// The body the last step asked for: its bytes, or `None` when it is longer than the step's
    /// `maxBytes` (a check that needs it then forwards).
    pub fn give_body(&mut self, body: Option<&[u8]>) {
        let request = std::mem::take(&mut self.request).body_pending(false);
        self.request = match body {
            Some(bytes) => request.body(bytes),
            None => request.body_too_large(),
        };
    }

    /// Whether the request has a body the caller has not given yet.
    pub fn is_body_pending(&self) -> bool {
        self.request.is_body_pending()
    }

    /// The request's one answered lookup (`None`: none or several), for [`EdgeStep::pack`].
    pub fn answered(&self) -> Option<&LookupKey> {
        self.answers.sole_key()
    }

    /// [`EdgeStep::pack`] of this request's step, with [`packed_step::USER_IS_ANSWER`] set when
    /// the step's `user` is, unchanged, the user of the one answered lookup's `{"user": ...}`
    /// answer (the caller that sent that user can then rebuild it instead of reading it back).
    ///
    /// ```
    /// use drf_gate::authentication::{Answer, RawRequest};
    /// use drf_gate::edge::{packed_step, PendingRequest, RequestTarget, StepTexts};
    /// use drf_gate::user::UserInput;
    /// let gate = drf_gate::Gate::from_json(r#"{"authentication": ["token"], "permissions": ["IsAuthenticated"], "views": {"posts": {}}}"#)?;
    /// let target = RequestTarget { view: Some("posts".into()), ..Default::default() };
    /// let mut pending = PendingRequest::new(RawRequest::new("GET").header("Authorization", "Token abc")?, target, 0.0);
    /// pending.step(&gate)?;
    /// pending.answer(Answer::User(UserInput { id: Some(1.into()), ..Default::default() }))?;
    /// let step = pending.step(&gate)?;
    /// let words = pending.pack_step(&step, &mut StepTexts::default()).unwrap();
    /// assert_ne!(words[9] & packed_step::USER_IS_ANSWER, 0);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn pack_step(&self, step: &EdgeStep<'_>, texts: &mut StepTexts) -> Option<[u32; PACKED_STEP_WORDS]> {
        let mut words = step.pack(texts, self.answered())?;
        if let (EdgeStep::Decision { user: Some(user), .. }, Some((_, Answer::User(answer)))) =
            (step, self.answers.sole())
        {
            if words[9] & packed_step::USER_LOOKUP_ANSWERED != 0 && **user == *answer {
                words[9] |= packed_step::USER_IS_ANSWER;
            }
        }
        Some(words)
    }
}

/// The user of a `{"user": ...}` answer from its typed parts (what `checkRequestSync` sends for a
/// plain record instead of its JSON): the same [`UserInput`] as the JSON `{"id": id, "username":
/// username, "isActive": ..., "isStaff": ..., "isSuperuser": ..., "tokenUser": ..., "permissions":
/// [...]}`, the permissions `count` strings joined by [`PARTS_SEPARATOR`]. `None` (send JSON
/// instead) for an id number that is not a safe integer, or permissions that do not split as
/// counted. Flags: [`typed_user`].
///
/// ```
/// use drf_gate::edge::{typed_user, user_from_parts};
/// let flags = typed_user::ID_NUMBER | typed_user::IS_ACTIVE;
/// let user = user_from_parts(3.0, None, Some("ann".into()), flags, Some("a\0b"), 2).unwrap();
/// let json: drf_gate::user::UserInput = serde_json::from_str(r#"{"id": 3, "username": "ann", "isActive": true, "permissions": ["a", "b"]}"#).unwrap();
/// assert_eq!(user, json);
/// ```
pub fn user_from_parts(
    id_number: f64,
    id_text: Option<String>,
    username: Option<String>,
    flags: u32,
    permissions: Option<&str>,
    count: usize,
) -> Option<UserInput> {
    const MAX_SAFE: f64 = 9_007_199_254_740_991.0;
    let id = if flags & typed_user::ID_NUMBER != 0 {
        if !id_number.is_finite() || id_number.abs() > MAX_SAFE || id_number.fract() != 0.0 {
            return None;
        }
        // What serde_json reads from `JSON.stringify` of the number (-0 is written `0`).
        Some(if id_number >= 0.0 { Value::from(id_number as u64) } else { Value::from(id_number as i64) })
    } else {
        id_text.map(Value::String)
    };
    let permissions: Vec<String> = match permissions {
        Some(text) if count > 0 => text.split(PARTS_SEPARATOR).map(str::to_owned).collect(),
        _ => Vec::new(),
    };
    if permissions.len() != count {
        return None;
    }
    Some(UserInput {
        id,
        username,
        is_active: flags & typed_user::IS_ACTIVE != 0,
        is_staff: flags & typed_user::IS_STAFF != 0,
        is_superuser: flags & typed_user::IS_SUPERUSER != 0,
        permissions,
        object_permissions: None,
        token_user: flags & typed_user::TOKEN_USER != 0,
        attributes: serde_json::Map::new(),
    })
}

/// The flags of [`user_from_parts`].
pub mod typed_user {
    /// The id is the number given (else the text given, or none).
    pub const ID_NUMBER: u32 = 1;
    /// `isActive`.
    pub const IS_ACTIVE: u32 = 1 << 1;
    /// `isStaff`.
    pub const IS_STAFF: u32 = 1 << 2;
    /// `isSuperuser`.
    pub const IS_SUPERUSER: u32 = 1 << 3;
    /// `tokenUser`.
    pub const TOKEN_USER: u32 = 1 << 4;
}

impl<'g> EdgeStep<'g> {
    fn from_outcome(outcome: EdgeOutcome<'g>) -> Self {
        match outcome {
            EdgeOutcome::Decided(decision, authenticated) => {
                let (authentication, user, user_lookup) = match authenticated.map(|a| *a) {
                    Some(a) => (Some(a.outcome), a.user.map(Box::new), a.user_lookup),
                    None => (None, None, None),
                };
                EdgeStep::Decision { decision, authentication, user, user_lookup }
            }
            EdgeOutcome::NeedsLookup(key) => EdgeStep::Lookup(key),
            EdgeOutcome::NeedsBody { max_bytes } => EdgeStep::Body(BodyStep { max_bytes }),
            EdgeOutcome::Forward(reason) => EdgeStep::Forward(reason),
            EdgeOutcome::NoRoute => EdgeStep::NoRoute(true),
        }
    }
}

/// Separates the strings of [`PendingRequest::from_parts`]: NUL, which no header, method, path or
/// view name of a real request holds; a part that does makes more parts than counted, so the
/// text is refused and the parts sent again escaped ([`escape_part`]). ASCII, so the glue copies
/// the text without `TextEncoder` (its ASCII loop stops at the first other character).
pub const PARTS_SEPARATOR: char = '\0';

/// The `flags` of [`PendingRequest::from_parts`]: which parts are present, and the booleans.
pub mod parts {
    /// The view part is present (`view`; absent: routed by the path).
    pub const VIEW: u32 = 1;
    /// The action part is present.
    pub const ACTION: u32 = 1 << 1;
    /// `detail` is given ...
    pub const HAS_DETAIL: u32 = 1 << 2;
    /// ... and true.
    pub const DETAIL: u32 = 1 << 3;
    /// The URL part is present (`request.url`).
    pub const URL: u32 = 1 << 4;
    /// The path part is present (`request.path`).
    pub const PATH: u32 = 1 << 5;
    /// The `format` part is present (the target's `format`).
    pub const FORMAT: u32 = 1 << 6;
    /// `request.bodyPending`.
    pub const BODY_PENDING: u32 = 1 << 7;
    /// `request.emptyHeadersDropped`.
    pub const EMPTY_HEADERS_DROPPED: u32 = 1 << 8;
    /// `request.headersJoined`.
    pub const HEADERS_JOINED: u32 = 1 << 9;
    /// The target's `lookupError`.
    pub const LOOKUP_ERROR: u32 = 1 << 10;
    /// The target's `trace`.
    pub const TRACE: u32 = 1 << 11;
    /// `request.secure` is given ...
    pub const HAS_SECURE: u32 = 1 << 12;
    /// ... and true.
    pub const SECURE: u32 = 1 << 13;
    /// The `request.host` part is present.
    pub const HOST: u32 = 1 << 14;
    /// The `request.port` part is present.
    pub const PORT: u32 = 1 << 15;
    /// The `request.contentType` part is present.
    pub const CONTENT_TYPE: u32 = 1 << 16;
    /// `request.cookies` is given: a part with its number of pairs, then the pairs.
    pub const COOKIES: u32 = 1 << 17;
    /// `request.meta` is given: a part with its number of pairs, then the pairs.
    pub const META: u32 = 1 << 18;
    /// `request.bodyTooLarge`.
    pub const BODY_TOO_LARGE: u32 = 1 << 19;
    /// The `request.bodyBase64` part is present.
    pub const BODY_BASE64: u32 = 1 << 20;
    /// `object` is given (its encoding apart; none, or an encoded `null`: a lookup miss).
    pub const OBJECT: u32 = 1 << 21;
    /// Every part is escaped ([`escape_part`](super::escape_part)): a part holds a NUL.
    pub const ESCAPED: u32 = 1 << 22;
    /// The typed crossing refused the request for a member's value (a lone surrogate, a type
    /// JSON's reader refuses): the body argument is `{"request": ...}` as `JSON.stringify` writes
    /// it, read only for the JSON path's error ([`PendingRequest::from_parts`]).
    pub const REQUEST_JSON: u32 = 1 << 23;
}

/// Escapes a part of [`PendingRequest::from_parts`] that holds a [`PARTS_SEPARATOR`] (sent with
/// [`parts::ESCAPED`]): U+0001 as U+0001 U+0001 and NUL as U+0001 U+0002, ASCII both, so the
/// parts still split at each NUL. pkg/src/check-request.js `escapePart` writes the same.
///
/// ```
/// assert_eq!(drf_gate::edge::escape_part("a\0b\u{1}"), "a\u{1}\u{2}b\u{1}\u{1}");
/// ```
pub fn escape_part(part: &str) -> String {
    part.replace('\u{1}', "\u{1}\u{1}").replace('\0', "\u{1}\u{2}")
}

/// Every U+0001 of an escaped text starts one of [`escape_part`]'s two escapes.
fn escapes_well_formed(text: &str) -> bool {
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1}' && !matches!(chars.next(), Some('\u{1}' | '\u{2}')) {
            return false;
        }
    }
    true
}

/// A part as [`escape_part`] was given it (its escapes well-formed: [`escapes_well_formed`]).
fn unescape_part(part: &str) -> Cow<'_, str> {
    if !part.contains('\u{1}') {
        return Cow::Borrowed(part);
    }
    let mut out = String::with_capacity(part.len());
    let mut chars = part.chars();
    while let Some(c) = chars.next() {
        out.push(match c {
            '\u{1}' if chars.next() == Some('\u{2}') => '\0',
            other => other,
        });
    }
    Cow::Owned(out)
}

/// The JSON path's error for a request the typed crossing refused ([`parts::REQUEST_JSON`]:
/// `{"request": ...}` as `JSON.stringify` writes it, at the depth and path the JSON input has it):
/// the text's syntax error (a lone surrogate, nesting), else the first member, in order, whose
/// value its field's type refuses. `Ok(())` when there is none: an unknown member or no `method`
/// (the JSON path words those itself), or nothing wrong at all.
fn request_json_error(text: &str) -> Result<(), ContextError> {
    let at = |path: String, message: String| ContextError::new(ContextErrorCode::InvalidContext, path, message);
    let json = Json::parse(text).map_err(|error| at(error.path("$"), error.message()))?;
    let Json::Object(entries) = &json else { return Ok(()) };
    let Some((_, Json::Object(members))) = entries.first() else { return Ok(()) };
    for (name, value) in members {
        let Some(read) = RawRequestInput::read_member(name, value) else { return Ok(()) };
        read.map_err(|error| at(error.path(&format!("$.request.{name}")), error.message().to_owned()))?;
    }
    Ok(())
}

/// The error the JSON path's reader ([`PendingRequest::from_json`]: serde's derived `EdgeInput`,
/// `RawRequestInput` and the flattened [`RequestTarget`]) gives for its input text, found without
/// that reader, for the build that has none (the Worker build, `drf-gate/worker`: it reads raw
/// requests typed only). `Ok(())`: the reader takes the text, and what `gate.checkRequest*` then
/// sends typed (the text parsed again) is read as that reader would read it; a refusal of what
/// was read (`invalid_request`: a URL, a header's bytes) comes from the typed reader itself.
///
/// In the reader's order: the text's syntax error (a lone surrogate, nesting, the cap on values),
/// then each member as it comes (the request's members in order, then "missing field `method`";
/// `now`), then "missing field `request`", the target's members (serde reads them flattened, so
/// their errors are at `$`), and a member that is none of these ("unknown field", at `$`). The
/// text is `JSON.stringify`'s (no repeated member). `answers` (answers given in advance, read
/// only by the JSON path) is refused at `$.answers`.
///
/// # Errors
/// That error, or the refusal of `answers`.
///
/// ```
/// let error = drf_gate::edge::request_input_error(r#"{"request": {"method": "GET", "meta": null}, "now": 0}"#).unwrap_err();
/// assert_eq!(error.to_string(), "invalid type: null, expected a map at $.request.meta");
/// assert!(drf_gate::edge::request_input_error(r#"{"request": {"method": "GET"}, "view": null, "now": 0}"#).is_ok());
/// ```
pub fn request_input_error(text: &str) -> Result<(), ContextError> {
    let at = |path: String, message: String| ContextError::new(ContextErrorCode::InvalidContext, path, message);
    let typed = |prefix: &str, error: crate::json::PathError| at(error.path(prefix), error.message().to_owned());
    let json = Json::parse(text).map_err(|error| at(error.path("$"), error.message()))?;
    let Json::Object(entries) = &json else {
        return from_json_shape(&json, "struct EdgeInput").map_err(|error| typed("$", error));
    };
    let mut request = false;
    let mut rest = Vec::new();
    for (name, value) in entries {
        match name.as_str() {
            "request" => {
                request = true;
                request_members_error(value)?;
            }
            "now" => crate::json::from_json::<f64>(value).map(drop).map_err(|error| typed("$.now", error))?,
            "answers" => {
                return Err(at(
                    "$.answers".into(),
                    "answers given in advance are read only by the JSON path, which this build has not".into(),
                ))
            }
            _ => rest.push((name.as_str(), value)),
        }
    }
    if !request {
        return Err(at(
            "$".into(),
            <crate::json::PathError as serde::de::Error>::missing_field("request").message().into(),
        ));
    }
    // The target's members, read flattened (serde's buffered values: errors at `$`).
    for (name, value) in &rest {
        let read = match *name {
            "view" | "action" | "format" => crate::json::from_json::<Option<String>>(value).map(drop),
            "detail" => crate::json::from_json::<Option<bool>>(value).map(drop),
            "lookupError" | "trace" => crate::json::from_json::<bool>(value).map(drop),
            _ => Ok(()),
        };
        read.map_err(|error| at("$".into(), error.message().to_owned()))?;
    }
    match rest.iter().find(|(name, _)| !RequestTarget::FIELDS.contains(name)) {
        Some((name, _)) => Err(at("$".into(), format!("unknown field `{name}`"))),
        None => Ok(()),
    }
}

/// [`request_input_error`] for the request's members.
fn request_members_error(value: &Json) -> Result<(), ContextError> {
    let at = |path: String, message: String| ContextError::new(ContextErrorCode::InvalidContext, path, message);
    let Json::Object(members) = value else {
        let error = from_json_shape(value, "struct RawRequestInput").err();
        return error.map_or(Ok(()), |error| Err(at(error.path("$.request"), error.message().to_owned())));
    };
    let mut method = false;
    for (name, value) in members {
        let path = || format!("$.request.{name}");
        let Some(read) = RawRequestInput::read_member(name, value) else {
            let error = <crate::json::PathError as serde::de::Error>::unknown_field(name, RawRequestInput::FIELDS);
            return Err(at(path(), error.message().to_owned()));
        };
        read.map_err(|error| at(error.path(&path()), error.message().to_owned()))?;
        method |= name == "method";
    }
    if method {
        return Ok(());
    }
    let error = <crate::json::PathError as serde::de::Error>::missing_field("method");
    Err(at("$.request".into(), error.message().to_owned()))
}

/// What a struct's reader (`object_only!`) says of a value that is not an object.
fn from_json_shape(value: &Json, expecting: &'static str) -> Result<(), crate::json::PathError> {
    struct Shape(&'static str);
    impl<'de> serde::de::Visitor<'de> for Shape {
        type Value = ();
        fn expecting(&self, formatter: &mut core::fmt::Formatter) -> core::fmt::Result {
            formatter.write_str(self.0)
        }
        fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
            while map.next_entry::<serde::de::IgnoredAny, serde::de::IgnoredAny>()?.is_some() {}
            Ok(())
        }
    }
    serde::Deserializer::deserialize_map(value, Shape(expecting))
}

/// The request, target, `now` and answers of a [`Gate::check_request_json`] input.
#[cfg(feature = "compiler")]
fn parse_edge_input(input: &str) -> Result<(RawRequest, RequestTarget, f64, AnswerCache), ContextError> {
    let input: EdgeInput = from_text(input)
        .map_err(|error| ContextError::new(ContextErrorCode::InvalidContext, error.path("$"), error.message()))?;
    let mut request = input.request;
    let headers = std::mem::take(&mut request.headers);
    let headers: Vec<(&str, &str)> = headers.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
    let (request, target) = request_and_target(request, input.target, &headers)?;
    let mut cache = AnswerCache::default();
    for entry in input.answers {
        cache.insert(entry.key, entry.answer);
    }
    Ok((request, target, input.now, cache))
}

/// The request and its target from their input shapes: `?format=` read from the URL (or path)
/// when the target does not give it. One place for the JSON and the typed inputs.
fn request_and_target(
    request: RawRequestInput,
    mut target: RequestTarget,
    headers: &[(&str, &str)],
) -> Result<(RawRequest, RequestTarget), ContextError> {
    if target.format.is_none() {
        let url = request.url.as_deref().or(request.path.as_deref()).unwrap_or_default();
        target.format = query_parameter(url, "format");
    }
    let request = RawRequest::from_input_with_headers(request, headers).map_err(ContextError::from)?;
    Ok((request, target))
}

/// The input of [`Gate::check_request_json`].
#[cfg(feature = "compiler")]
#[derive(Deserialize)]
#[serde(remote = "Self", rename_all = "camelCase", deny_unknown_fields)]
struct EdgeInput {
    request: RawRequestInput,
    #[serde(flatten)]
    target: RequestTarget,
    #[serde(default)]
    now: f64,
    #[serde(default)]
    answers: Vec<AnswerEntry>,
}
#[cfg(feature = "compiler")]
object_only!(EdgeInput, "struct EdgeInput");

#[cfg(feature = "compiler")]
#[derive(Deserialize)]
#[serde(remote = "Self", deny_unknown_fields)]
struct AnswerEntry {
    key: LookupKey,
    answer: Answer,
}
#[cfg(feature = "compiler")]
object_only!(AnswerEntry, "struct AnswerEntry");

/// One step of the raw-request protocol: a decision, a lookup to answer, the body to read, a
/// forward (the edge is not certain), or no route.
///
/// JSON: `{"lookup": {...}}`, `{"body": {"maxBytes": N}}` (read the body, at most N bytes, and
/// ask again with `request.bodyBase64`, or `request.bodyTooLarge: true`), `{"forward":
/// {"reason": "unknown-lookup", "lookup": {...}}}`, `{"noRoute": true}`, or `{"decision": ...,
/// "authentication": ..., "user": ..., "userLookup": ...}`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum EdgeStep<'g> {
    /// Answer this lookup and ask again.
    Lookup(LookupKey),
    /// Read the body and ask again.
    Body(BodyStep),
    /// Send the request to the origin: the edge is not certain of DRF's answer.
    Forward(ForwardReason),
    /// Not a route of the policy.
    NoRoute(bool),
    /// Decided; with what authentication produced.
    #[serde(untagged)]
    Decision {
        /// The decision.
        decision: Box<Decision<'g>>,
        /// The authentication outcome.
        authentication: Option<AuthenticationOutcome>,
        /// DRF's `request.user` when a class succeeded (simplejwt's `TokenUser` has `tokenUser`).
        #[serde(skip_serializing_if = "Option::is_none")]
        user: Option<Box<UserInput>>,
        /// The lookup that answered `request.user` (absent for a `TokenUser`).
        #[serde(rename = "userLookup", skip_serializing_if = "Option::is_none")]
        user_lookup: Option<LookupKey>,
    },
}

/// Words of [`EdgeStep::pack`].
pub const PACKED_STEP_WORDS: usize = 10;

/// Word 7 and word 9 of [`EdgeStep::pack`].
pub mod packed_step {
    /// Word 7: `authentication` is `null` (DRF answered before authenticating).
    pub const AUTHENTICATION_NULL: u32 = 0;
    /// Word 7: `authentication` is `{"none": true}`.
    pub const AUTHENTICATION_NONE: u32 = 1;
    /// Word 7: `authentication` is `{"succeeded": name}`, the name's id in word 8.
    pub const AUTHENTICATION_SUCCEEDED: u32 = 2;
    /// Word 9: the step has a `user` (its JSON text goes apart: [`super::EdgeStep::user_text`]).
    pub const USER: u32 = 1;
    /// Word 9: the step's `userLookup` is the request's one answered lookup.
    pub const USER_LOOKUP_ANSWERED: u32 = 1 << 1;
    /// Word 9: the step's `user` is the user of that lookup's `{"user": ...}` answer, unchanged
    /// ([`super::PendingRequest::pack_step`]).
    pub const USER_IS_ANSWER: u32 = 1 << 2;
}

/// Ids for the texts a packed step names: the decision's texts ([`TextIds`], borrowed from the
/// policy) and the names of authentication classes. Both come from the policy only, so the
/// tables are bounded by its size whatever the requests.
///
/// ```
/// let mut texts = drf_gate::edge::StepTexts::default();
/// let id = texts.name_id("JWTAuthentication");
/// assert_eq!(texts.name(id), Some("JWTAuthentication"));
/// ```
#[derive(Debug, Default)]
pub struct StepTexts {
    /// The decisions' texts.
    pub decision: TextIds,
    names: Vec<String>,
    /// Distinct packed steps, by id ([`StepTexts::step_id`]).
    steps: Vec<[u32; PACKED_STEP_WORDS]>,
    step_ids: std::collections::HashMap<[u32; PACKED_STEP_WORDS], u32>,
}

/// Most distinct packed steps [`StepTexts::step_id`] numbers per gate (a policy has a few dozen:
/// statuses x stages x texts); past it, steps cross as JSON (bounded memory whatever the policy).
pub const MAX_PACKED_STEPS: usize = 4096;

impl StepTexts {
    /// The id of a packed step ([`EdgeStep::pack`]), so that it crosses as one number and the
    /// caller renders each distinct step once; `None` past [`MAX_PACKED_STEPS`].
    ///
    /// ```
    /// let mut texts = drf_gate::edge::StepTexts::default();
    /// let id = texts.step_id([401, 0, 0, 0, 1, 0, 0, 1, 0, 0]).unwrap();
    /// assert_eq!(texts.step_id([401, 0, 0, 0, 1, 0, 0, 1, 0, 0]), Some(id));
    /// assert_eq!(texts.step(id).map(|words| words[0]), Some(401));
    /// ```
    pub fn step_id(&mut self, words: [u32; PACKED_STEP_WORDS]) -> Option<u32> {
        if let Some(id) = self.step_ids.get(&words) {
            return Some(*id);
        }
        if self.steps.len() >= MAX_PACKED_STEPS {
            return None;
        }
        let id = u32::try_from(self.steps.len()).ok()?;
        self.steps.push(words);
        self.step_ids.insert(words, id);
        Some(id)
    }

    /// The words of a packed step's id.
    pub fn step(&self, id: u32) -> Option<&[u32; PACKED_STEP_WORDS]> {
        self.steps.get(id as usize)
    }

    /// The id of an authentication class's name (the policy's names: a handful).
    pub fn name_id(&mut self, name: &str) -> u32 {
        let index = match self.names.iter().position(|known| known == name) {
            Some(index) => index,
            None => {
                self.names.push(name.to_owned());
                self.names.len() - 1
            }
        };
        u32::try_from(index).unwrap_or(u32::MAX)
    }

    /// The name of an id.
    pub fn name(&self, id: u32) -> Option<&str> {
        self.names.get(id as usize).map(String::as_str)
    }
}

impl EdgeStep<'_> {
    /// A decided step as [`PACKED_STEP_WORDS`] integers, for a caller that renders the JSON
    /// shape itself: [`Decision::pack`]'s seven words, then `authentication` ([`packed_step`]:
    /// word 7, the class name's id in word 8) and word 9's flags (`user`, given apart by
    /// [`EdgeStep::user_text`]; `userLookup`, which must be `answered`, the request's one
    /// answered lookup, as the caller knows it). `None`: render the step as JSON (not a
    /// decision, a decision [`Decision::pack`] refuses, a failed authentication, or another
    /// `userLookup`).
    ///
    /// ```
    /// use drf_gate::authentication::RawRequest;
    /// use drf_gate::edge::{packed_step, EdgeStep, PendingRequest, RequestTarget, StepTexts};
    /// let gate = drf_gate::Gate::from_json(r#"{"authentication": ["token"], "permissions": ["IsAuthenticated"], "views": {"posts": {}}}"#)?;
    /// let target = RequestTarget { view: Some("posts".into()), ..Default::default() };
    /// let mut pending = PendingRequest::new(RawRequest::new("GET"), target, 0.0);
    /// let step = pending.step(&gate)?;
    /// let mut texts = StepTexts::default();
    /// let words = step.pack(&mut texts, None).unwrap();
    /// assert_eq!((words[0] & 0x3ff, words[7]), (401, packed_step::AUTHENTICATION_NONE));
    /// assert_eq!(texts.decision.text(words[1]), Some(r#"{"detail":"Authentication credentials were not provided."}"#));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn pack(&self, texts: &mut StepTexts, answered: Option<&LookupKey>) -> Option<[u32; PACKED_STEP_WORDS]> {
        let EdgeStep::Decision { decision, authentication, user, user_lookup } = self else { return None };
        let mut flags = 0;
        match user_lookup {
            None => {}
            Some(key) if Some(key) == answered => flags |= packed_step::USER_LOOKUP_ANSWERED,
            Some(_) => return None,
        }
        let (tag, name) = match authentication {
            None => (packed_step::AUTHENTICATION_NULL, 0),
            Some(AuthenticationOutcome::None(true)) => (packed_step::AUTHENTICATION_NONE, 0),
            Some(AuthenticationOutcome::Succeeded(name)) => {
                (packed_step::AUTHENTICATION_SUCCEEDED, texts.name_id(name))
            }
            Some(_) => return None,
        };
        if user.is_some() {
            flags |= packed_step::USER;
        }
        let words = decision.pack(&mut texts.decision)?;
        let mut out = [0u32; PACKED_STEP_WORDS];
        out[..7].copy_from_slice(&words);
        out[7] = tag;
        out[8] = name;
        out[9] = flags;
        Some(out)
    }

    /// A `userById` lookup step as one number, for a caller that builds the step itself: the
    /// field's id ([`StepTexts::name_id`]) plus 65,536 times the id, when the id is a JSON
    /// integer from 0 to 2^32 - 1 written as JavaScript's `String(n)` writes it (the key's `id`
    /// is then `String(n)`) and the field's id is below 65,536. `None`: the step as JSON.
    ///
    /// ```
    /// use drf_gate::authentication::LookupKey;
    /// use drf_gate::edge::{EdgeStep, StepTexts};
    /// let mut texts = StepTexts::default();
    /// let step = EdgeStep::Lookup(LookupKey::UserById { field: "id".into(), id: "7".into() });
    /// let code = step.pack_lookup(&mut texts).unwrap();
    /// assert_eq!((texts.name((code % 65536) as u32), code / 65536), (Some("id"), 7));
    /// assert!(EdgeStep::Lookup(LookupKey::UserById { field: "id".into(), id: "07".into() }).pack_lookup(&mut texts).is_none());
    /// ```
    pub fn pack_lookup(&self, texts: &mut StepTexts) -> Option<u64> {
        let EdgeStep::Lookup(LookupKey::UserById { field, id }) = self else { return None };
        let canonical = !id.is_empty()
            && id.len() <= 10
            && id.bytes().all(|b| b.is_ascii_digit())
            && (id == "0" || !id.starts_with('0'));
        if !canonical {
            return None;
        }
        let number: u32 = id.parse().ok()?;
        let field_id = texts.name_id(field);
        (field_id < 65_536).then(|| u64::from(field_id) + 65_536 * u64::from(number))
    }

    /// The JSON text of a decided step's `user` (what [`EdgeStep::pack`] leaves apart).
    ///
    /// # Errors
    /// What `serde_json` reports (none for a user read from JSON).
    pub fn user_text(&self) -> Result<Option<String>, serde_json::Error> {
        match self {
            EdgeStep::Decision { user: Some(user), .. } => serde_json::to_string(user).map(Some),
            _ => Ok(None),
        }
    }
}

/// The body step of [`EdgeStep`].
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BodyStep {
    /// Read at most this many bytes.
    pub max_bytes: usize,
}
