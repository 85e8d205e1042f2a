//! Deciding a raw HTTP request, as a DRF server would: route it, run the view's authentication
//! classes on its headers, cookies and body, then the permission stage.
//!
//! User lookups go through a [`Resolver`]. A caller whose lookups are asynchronous (Workers KV,
//! a database) answers [`EdgeOutcome::NeedsLookup`] by awaiting the lookup, storing the answer in
//! an [`AnswerCache`], and asking again: the run is deterministic, so earlier answers replay.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::authentication::{
    authenticate, Answer, AnswerCache, AuthenticationOutcome, LookupKey, RawRequest, RawRequestInput, Resolver,
};
use crate::decision::Decision;
use crate::error::ContextError;
use crate::gate::{resolve_target, Gate};
use crate::json::from_text;
use crate::middleware::SessionUse;
use crate::user::User;
use crate::views::{Authenticated, ObjectArg};

/// Which view a raw request addresses, and what the caller knows of its object.
///
/// ```
/// let target: drf_gate::edge::RequestTarget = serde_json::from_str(r#"{"view": "posts", "detail": true}"#).unwrap();
/// assert_eq!(target.view.as_deref(), Some("posts"));
/// ```
#[derive(Clone, Debug, Default, Deserialize)]
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

fn present<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Option<Option<Value>>, D::Error> {
    Option::<Value>::deserialize(deserializer).map(Some)
}

/// What a raw-request check produced.
#[derive(Debug)]
pub enum EdgeOutcome<'g> {
    /// DRF's answer (or `allowed`).
    Decided(Box<Decision<'g>>, Option<AuthenticationOutcome>),
    /// A user lookup is needed before authentication can finish.
    NeedsLookup(LookupKey),
    /// The path matches no route: not DRF's to answer here.
    NoRoute,
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
        let negotiated = match view.negotiate(&resolved, request.header_value("accept"), target.format.as_deref()) {
            Ok(negotiated) => negotiated,
            Err(mut decision) => {
                if let Some(middleware) = self.middleware() {
                    middleware.render(&mut decision, request, SessionUse::default());
                }
                return Ok(EdgeOutcome::Decided(decision, None));
            }
        };
        let list = view.authentication_lists.get(resolved.route.authentication);
        let authenticators = list.map_or(&[][..], |list| list.classes.as_slice());
        self.settings()
            .check_classes(authenticators.iter().map(|a| &a.class))
            .map_err(|err| ContextError::new(err.code, err.path, err.message))?;
        let authenticated = match authenticate(request, authenticators, self.settings(), resolver, now) {
            Ok(authenticated) => authenticated,
            Err(needs) => return Ok(EdgeOutcome::NeedsLookup(needs.key)),
        };
        let user = match &authenticated.user {
            Some(input) => self.compile_user(input),
            None => User::anonymous(),
        };
        let state = match &authenticated.outcome {
            AuthenticationOutcome::Failed(failure) => Authenticated::Failed(failure),
            AuthenticationOutcome::Succeeded(_) => Authenticated::Succeeded,
            AuthenticationOutcome::None(_) => Authenticated::Anonymous,
        };
        let object = ObjectArg::from_input(target.object.as_ref(), target.lookup_error);
        let decision = view.dispatch_traced(&self.policy(), &resolved, &user, state, object, target.trace);
        let mut decision = crate::gate::render_as_negotiated(decision, &negotiated);
        if let Some(middleware) = self.middleware() {
            let succeeded = matches!(authenticated.outcome, AuthenticationOutcome::Succeeded(_));
            let classes = authenticators.iter().map(|a| &a.class);
            let session = SessionUse::from_authentication(classes, authenticated.class_index, succeeded);
            middleware.render(&mut decision, request, session);
        }
        Ok(EdgeOutcome::Decided(Box::new(decision), Some(authenticated.outcome)))
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
    pub fn check_request_json(&self, input: &str) -> Result<EdgeStep<'_>, ContextError> {
        let input: EdgeInput =
            from_text(input).map_err(|error| ContextError::new("invalid_context", error.path("$"), error.message()))?;
        let mut target = input.target;
        if target.format.is_none() {
            let url = input.request.url.as_deref().or(input.request.path.as_deref()).unwrap_or_default();
            target.format = query_parameter(url, "format");
        }
        let request =
            RawRequest::from_input(input.request).map_err(|err| ContextError::new(err.code, err.path, err.message))?;
        let mut cache = AnswerCache::default();
        for entry in input.answers {
            cache.insert(entry.key, entry.answer);
        }
        Ok(match self.check_request(&request, &target, &cache, input.now)? {
            EdgeOutcome::Decided(decision, authentication) => EdgeStep::Decision { decision, authentication },
            EdgeOutcome::NeedsLookup(key) => EdgeStep::Lookup(key),
            EdgeOutcome::NoRoute => EdgeStep::NoRoute(true),
        })
    }
}

/// `request.query_params.get(name)` from a URL or path: the last value, `+` and `%XX` decoded.
///
/// ```
/// assert_eq!(drf_gate::edge::query_parameter("/api/posts/?format=json&x=1", "format").as_deref(), Some("json"));
/// assert_eq!(drf_gate::edge::query_parameter("/api/posts/", "format"), None);
/// ```
pub fn query_parameter(url: &str, name: &str) -> Option<String> {
    let query = url.split_once('?')?.1.split('#').next().unwrap_or_default();
    let decode = |text: &str| -> String {
        let bytes = text.replace('+', " ").into_bytes();
        let mut out = Vec::with_capacity(bytes.len());
        let mut index = 0;
        while let Some(&byte) = bytes.get(index) {
            let hex = bytes
                .get(index + 1..index + 3)
                .and_then(|h| std::str::from_utf8(h).ok())
                .and_then(|h| u8::from_str_radix(h, 16).ok());
            match (byte, hex) {
                (b'%', Some(decoded)) => {
                    out.push(decoded);
                    index += 3;
                }
                _ => {
                    out.push(byte);
                    index += 1;
                }
            }
        }
        String::from_utf8_lossy(&out).into_owned()
    };
    query.split('&').rev().find_map(|pair| {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        (decode(key) == name).then(|| decode(value))
    })
}

/// The input of [`Gate::check_request_json`].
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct EdgeInput {
    request: RawRequestInput,
    #[serde(flatten)]
    target: RequestTarget,
    #[serde(default)]
    now: f64,
    #[serde(default)]
    answers: Vec<AnswerEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AnswerEntry {
    key: LookupKey,
    answer: Answer,
}

/// One step of the raw-request protocol: a decision, a lookup to answer, or no route.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum EdgeStep<'g> {
    /// Answer this lookup and ask again.
    Lookup(LookupKey),
    /// Not a route of the policy.
    NoRoute(bool),
    /// Decided; with what authentication produced.
    #[serde(untagged)]
    Decision {
        /// The decision.
        decision: Box<Decision<'g>>,
        /// The authentication outcome.
        authentication: Option<AuthenticationOutcome>,
    },
}
