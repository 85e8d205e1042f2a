//! `rest_framework/views.py` and `viewsets.py`: a view's routes and actions, and the order in
//! which `APIView.dispatch` decides: authentication, `check_permissions`, the handler lookup
//! (405), `get_object` (404), `check_object_permissions`.

use std::borrow::Cow;

use crate::value::Value;

use crate::authentication::{AuthenticationFailure, Authenticator, FailureKind};
use crate::condition::Condition;
use crate::decision::{DecidedBy, Decision, ObjectCheck, Stage, Tracer};
use crate::exceptions::{
    self, authentication_failed, method_not_allowed, not_authenticated, not_found, parse_error, permission_denied,
};
use crate::negotiation::Negotiated;
use crate::perm_table::PermissionTable;
use crate::permissions::api_key::ApiKeys;
use crate::permissions::{
    has_object_permission, has_permission, in_queryset, Node, PermissionClass, Raise, RaisedFor, Request, SAFE_METHODS,
};
use crate::renderers::render_detail;
use crate::user::User;

/// `queryset.model._meta` (the compiler's: a compiled policy has the permissions resolved).
#[cfg(feature = "compiler")]
#[derive(Clone, Debug)]
pub(crate) struct ModelMeta {
    pub app_label: String,
    pub object_name: String,
    pub model_name: String,
}

/// One entry of `permission_classes`.
#[derive(Clone, Debug)]
pub(crate) struct Entry {
    pub source: String,
    pub node: Node,
    /// The class, when the entry is a single class: only then are `message`/`code` read.
    pub single_class: Option<usize>,
}

/// `authentication_classes`, with what `get_authenticate_header` returns for them.
#[derive(Clone, Debug)]
pub(crate) struct AuthenticationList {
    /// The classes, each under its canonical name.
    pub classes: Vec<Authenticator>,
    /// The first class's `authenticate_header`: `Some` means 401, `None` means 403.
    pub header: Option<String>,
}

/// Which URL a request hit: the list route, the detail route, or an `@action`'s own route.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum RouteKind {
    List,
    Detail,
    Extra,
}

#[derive(Clone, Debug)]
pub(crate) struct Route {
    pub kind: RouteKind,
    /// method → action index (HEAD follows GET; OPTIONS is `metadata`).
    pub handlers: Vec<(String, usize)>,
    /// Methods that reach a handler (`http_method_names` with a method of the view), in
    /// `http_method_names` order: the `Allow` header's list.
    pub handled: Vec<String>,
    /// The `Allow` header.
    pub allow: String,
    /// Permission list for methods without an action (unmapped methods).
    pub permissions: usize,
    /// Permission list for OPTIONS (action `metadata`).
    pub options_permissions: usize,
    pub authentication: usize,
    /// The `route` name grouping custom actions (the compiler's, to write it back).
    #[cfg(feature = "compiler")]
    pub group: Option<String>,
}

#[derive(Clone, Debug)]
pub(crate) struct Action {
    pub name: String,
    pub route: usize,
    pub methods: Vec<String>,
    pub get_object: bool,
    pub permissions: usize,
}

#[derive(Clone, Debug)]
pub(crate) struct View {
    pub name: String,
    /// `renderer_classes`.
    pub renderers: Vec<crate::negotiation::Renderer>,
    #[cfg(feature = "compiler")]
    pub model: Option<ModelMeta>,
    /// `{"detail":"No <Model> matches the given query."}`.
    pub no_match_body: String,
    pub ignore_model_permissions: bool,
    /// `throttle_classes` set: what DRF decides after `check_throttles` is the origin's.
    pub throttled: bool,
    /// The `get_queryset()` filter (index into the gate's conditions): `get_object()` finds only
    /// the objects it holds for.
    pub queryset: Option<usize>,
    /// The query parameters (by prefix) the filter backends read: present in a request, its
    /// lookup and object stages are the origin's. Only the edge reads requests' URLs.
    #[cfg(any(feature = "compiler", feature = "edge"))]
    pub filter_params: Vec<String>,
    pub routes: Vec<Route>,
    pub actions: Vec<Action>,
    pub permission_lists: Vec<Vec<Entry>>,
    pub authentication_lists: Vec<AuthenticationList>,
}

/// A request resolved onto a view: its route, its action (`None`: no handler, or OPTIONS), and
/// its method.
pub(crate) struct Target<'g, 'c> {
    pub route: &'g Route,
    pub action: Option<&'g Action>,
    pub method: Cow<'c, str>,
}

/// The authentication outcome, resolved against the view's list.
#[derive(Clone, Copy)]
pub(crate) enum Authenticated<'c> {
    /// A class of the view's list succeeded.
    Succeeded,
    /// No class succeeded.
    Anonymous,
    /// A class raised.
    Failed(&'c AuthenticationFailure),
}

/// The object stage input.
#[derive(Clone, Copy)]
pub(crate) enum ObjectArg<'c> {
    /// Not given: decided elsewhere.
    Absent,
    /// Not usable: the request's filter parameters decide the lookup (`filterParams`; raw
    /// requests only, which the edge builds read).
    #[cfg(feature = "edge")]
    Filtered,
    /// `get_object_or_404` found nothing.
    Missing,
    /// The lookup value does not fit the field (`pk='abc'` for an integer pk): a bare `Http404`.
    InvalidLookup,
    /// The object.
    Found(&'c Value),
}

/// Everything the pipeline reads from the compiled policy.
pub(crate) struct Policy<'g> {
    pub table: &'g PermissionTable,
    pub classes: &'g [PermissionClass],
    pub conditions: &'g [Condition],
}

/// What `perform_authentication` produced: `request.user`, and how the view's classes ended.
pub(crate) trait Authentication {
    /// `request.user` (anonymous when no class succeeded).
    fn user(&self) -> &User;
    /// The outcome, resolved against the view's list.
    fn authenticated(&self) -> Authenticated<'_>;
}

impl<'c> ObjectArg<'c> {
    /// From what a caller knows: a lookup error, no object, a lookup miss (`null`), an object.
    pub(crate) fn from_input(object: Option<&'c Option<Value>>, lookup_error: bool) -> Self {
        match object {
            _ if lookup_error => ObjectArg::InvalidLookup,
            None => ObjectArg::Absent,
            Some(None) => ObjectArg::Missing,
            Some(Some(object)) => ObjectArg::Found(object),
        }
    }
}

impl View {
    /// [`View::dispatch`], recording the evaluation trace when asked to.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn dispatch_traced<'g>(
        &'g self,
        policy: &Policy<'g>,
        target: &Target<'g, '_>,
        user: &User,
        authenticated: Authenticated<'_>,
        api_keys: &dyn ApiKeys,
        object: ObjectArg<'_>,
        trace: bool,
    ) -> Decision<'g> {
        // perform_authentication: an authenticator that raised ends the request here. Handled
        // before `dispatch`, which `can` shares: the UI-gating build links no error-body renderer.
        let succeeded = match authenticated {
            Authenticated::Failed(failure) => {
                let route = target.route;
                let mut decision = self
                    .responder(route, self.authentication_lists.get(route.authentication))
                    .authentication_failure(failure);
                if trace {
                    decision.trace = Some(Vec::new());
                }
                return decision;
            }
            Authenticated::Succeeded => true,
            Authenticated::Anonymous => false,
        };
        // The browser runtime walks the permissions through `dyn Tracer`: one copy of `dispatch`
        // and the permission walk for both tracers (size); other builds keep one per tracer (speed).
        if !trace {
            #[cfg(not(any(feature = "compiler", feature = "edge")))]
            let no_trace: &mut dyn Tracer<'g> = &mut crate::decision::NoTrace;
            #[cfg(any(feature = "compiler", feature = "edge"))]
            let no_trace = &mut crate::decision::NoTrace;
            return self.dispatch(policy, target, user, succeeded, api_keys, object, no_trace);
        }
        let mut recorder = crate::decision::Recorder::new();
        #[cfg(not(any(feature = "compiler", feature = "edge")))]
        let recorder_tracer: &mut dyn Tracer<'g> = &mut recorder;
        #[cfg(any(feature = "compiler", feature = "edge"))]
        let recorder_tracer = &mut recorder;
        let mut decision = self.dispatch(policy, target, user, succeeded, api_keys, object, recorder_tracer);
        decision.trace = Some(recorder.steps);
        decision
    }

    /// `APIView.initial` and the rest of `dispatch`, once for every caller: content negotiation
    /// (a 406, or a 404 for an unknown `?format=`, whatever the credentials), then
    /// `perform_authentication` (the caller's: an outcome a context states, or the classes run on
    /// a raw request; it receives the route's classes), then `check_permissions` and the object
    /// stage ([`View::dispatch`]); the body rendered as negotiated. `None` authentication: the
    /// request ended at negotiation. `accept_may_be_dropped`: the runtime drops empty header
    /// lines (workerd), so no `Accept` may have been an empty one ([`View::negotiate`]).
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn initial<'g, A: Authentication, E>(
        &'g self,
        policy: &Policy<'g>,
        target: &Target<'g, '_>,
        accept: Option<&str>,
        accept_may_be_dropped: bool,
        format: Option<&str>,
        perform_authentication: impl FnOnce(&'g [Authenticator]) -> Result<A, E>,
        api_keys: &dyn ApiKeys,
        object: ObjectArg<'_>,
        trace: bool,
    ) -> Result<(Decision<'g>, Option<A>), E> {
        // The runtime may have dropped an empty `Accept:` line (workerd), which DRF reads as no
        // acceptable type (its 406, before authentication): where the two negotiate apart, any
        // decision of the absent one's (`*/*`), an allowed one too, is the origin's (its 500 here).
        let dropped = accept.is_none()
            && accept_may_be_dropped
            && crate::negotiation::negotiate(&self.renderers, None, format)
                != crate::negotiation::negotiate(&self.renderers, Some(""), format);
        let negotiated = match self.negotiate(target, accept, format) {
            Ok(negotiated) => negotiated,
            Err(decision) if dropped && decision.respond() => return Ok((self.undecided(target), None)),
            Err(decision) => return Ok((*decision, None)),
        };
        let list = self.authentication_lists.get(target.route.authentication);
        let authentication = perform_authentication(list.map_or(&[][..], |list| list.classes.as_slice()))?;
        let decision = self.dispatch_traced(
            policy,
            target,
            authentication.user(),
            authentication.authenticated(),
            api_keys,
            object,
            trace,
        );
        let decision = render_as_negotiated(decision, &negotiated);
        if dropped {
            return Ok((self.undecided(target), Some(authentication)));
        }
        Ok((decision, Some(authentication)))
    }

    /// The server's 500 at negotiation: only the origin can answer.
    fn undecided<'g>(&'g self, target: &Target<'g, '_>) -> Decision<'g> {
        let route = target.route;
        let respond = self.responder(route, self.authentication_lists.get(route.authentication));
        let mut decision = respond.denied(500, Cow::Borrowed(""), exceptions::SERVER_ERROR, Stage::Negotiation, None);
        // As any negotiation error (`negotiate`): rendered by `renderers[0]`.
        if self.renderers.first().is_none_or(|renderer| !renderer.json) {
            decision.rendered_by_origin = true;
        }
        decision
    }

    pub(crate) fn route_for(&self, kind: RouteKind) -> Option<&Route> {
        self.routes.iter().find(|route| route.kind == kind)
    }

    pub(crate) fn action(&self, name: &str) -> Option<&Action> {
        self.actions.iter().find(|action| action.name == name)
    }

    /// The action a method reaches on a route (`self.action_map.get(method)`).
    pub(crate) fn action_on(&self, route: &Route, method: &str) -> Option<&Action> {
        route.handlers.iter().find(|(handled, _)| handled == method).and_then(|(_, index)| self.actions.get(*index))
    }

    /// The content negotiation DRF runs before authentication: a 406 (or a 404 for an unknown
    /// `?format=`) whatever the credentials, else how the decision's body is rendered.
    pub(crate) fn negotiate<'g>(
        &'g self,
        target: &Target<'g, '_>,
        accept: Option<&str>,
        format: Option<&str>,
    ) -> Result<Negotiated, Box<Decision<'g>>> {
        let route = target.route;
        let auth_list = self.authentication_lists.get(route.authentication);
        let respond = self.responder(route, auth_list);
        let negotiated = crate::negotiation::negotiate(&self.renderers, accept, format);
        let decision = match negotiated {
            Negotiated::NotAcceptable => respond.denied(
                406,
                Cow::Borrowed(exceptions::NOT_ACCEPTABLE_BODY),
                exceptions::NOT_ACCEPTABLE,
                Stage::Negotiation,
                None,
            ),
            Negotiated::UnknownFormat => {
                respond.denied(404, Cow::Borrowed(not_found::BODY), not_found::CODE, Stage::Negotiation, None)
            }
            Negotiated::ServerError => return Err(Box::new(self.undecided(target))),
            other => return Ok(other),
        };
        // `finalize_response` renders the exception with `renderers[0]` (`force=True`): HTML from
        // the browsable API, an IndexError without renderers. Only the server renders those.
        let mut decision = decision;
        if self.renderers.first().is_none_or(|renderer| !renderer.json) {
            decision.rendered_by_origin = true;
        }
        Err(Box::new(decision))
    }

    fn responder<'g>(&'g self, route: &'g Route, auth_list: Option<&'g AuthenticationList>) -> Responder<'g> {
        Responder {
            allow: &route.allow,
            header: auth_list.and_then(|list| list.header.as_deref()),
            vary_accept: self.renderers.len() > 1,
            throttled: self.throttled,
        }
    }

    /// `APIView.dispatch`, up to the handler, after authentication: `succeeded` when a class of
    /// the view's list authenticated (a class that raised is [`View::dispatch_traced`]'s).
    /// `api_keys` answers `HasAPIKey`.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn dispatch<'g, T: Tracer<'g> + ?Sized>(
        &'g self,
        policy: &Policy<'g>,
        target: &Target<'g, '_>,
        user: &User,
        succeeded: bool,
        api_keys: &dyn ApiKeys,
        object: ObjectArg<'_>,
        tracer: &mut T,
    ) -> Decision<'g> {
        let route = target.route;
        let authentication_index = route.authentication;
        let permissions_index = match target.action {
            Some(action) => action.permissions,
            None if target.method == "OPTIONS" => route.options_permissions,
            None => route.permissions,
        };
        let auth_list = self.authentication_lists.get(authentication_index);
        let respond = self.responder(route, auth_list);
        let has_authenticators = auth_list.is_some_and(|list| !list.classes.is_empty());

        // permission_denied: NotAuthenticated when authenticators exist and none succeeded.
        let not_authenticated = has_authenticators && !succeeded;

        let method: &str = &target.method;
        let request = Request {
            method,
            safe: SAFE_METHODS.contains(&method),
            user,
            action: target.action.map(|action| action.name.as_str()).or(if method == "OPTIONS" {
                Some("metadata")
            } else {
                None
            }),
            ignore_model_permissions: self.ignore_model_permissions,
            table: policy.table,
            classes: policy.classes,
            conditions: policy.conditions,
            api_keys,
        };
        let entries: &'g [Entry] = self.permission_lists.get(permissions_index).map_or(&[], Vec::as_slice);

        // check_permissions: first failing entry wins.
        for (index, entry) in entries.iter().enumerate() {
            tracer.begin_entry(Stage::View, index);
            match has_permission(&entry.node, &request, tracer) {
                Ok(true) => {}
                Ok(false) => return respond.permission_denied(policy, entry, index, Stage::View, not_authenticated),
                Err(raise) => return respond.raised(raise, method, entry, index, Stage::View),
            }
        }

        // Handler lookup: permissions ran first, so 401/403 beat 405.
        if !route.handled.iter().any(|handled| handled == method) {
            return respond.method_not_allowed(method);
        }
        let Some(action) = target.action else {
            // OPTIONS: APIView.options answers with metadata.
            return respond.allowed(Stage::View, ObjectCheck::NotRequired);
        };
        if !action.get_object {
            return respond.allowed(Stage::View, ObjectCheck::NotRequired);
        }

        // get_object: the lookup, then check_object_permissions.
        let object = match object {
            ObjectArg::Absent => return respond.allowed(Stage::View, ObjectCheck::Pending),
            #[cfg(feature = "edge")]
            ObjectArg::Filtered => return respond.allowed(Stage::View, ObjectCheck::Filtered),
            ObjectArg::Missing => {
                return respond.denied(404, Cow::Borrowed(&self.no_match_body), not_found::CODE, Stage::Lookup, None)
            }
            ObjectArg::InvalidLookup => {
                return respond.denied(404, Cow::Borrowed(not_found::BODY), not_found::CODE, Stage::Lookup, None)
            }
            ObjectArg::Found(object) => object,
        };
        // get_object_or_404(self.filter_queryset(self.get_queryset()), ...): an object outside
        // the queryset is not found, before any object permission runs.
        if let Some(queryset) = self.queryset {
            match in_queryset(queryset, &request, object) {
                Ok(true) => {}
                Ok(false) => {
                    return respond.denied(
                        404,
                        Cow::Borrowed(&self.no_match_body),
                        not_found::CODE,
                        Stage::Lookup,
                        None,
                    )
                }
                Err(message) => return respond.queryset_failed(message),
            }
        }
        for (index, entry) in entries.iter().enumerate() {
            tracer.begin_entry(Stage::Object, index);
            match has_object_permission(&entry.node, &request, object, tracer) {
                Ok(true) => {}
                Ok(false) => return respond.permission_denied(policy, entry, index, Stage::Object, not_authenticated),
                Err(raise) => return respond.raised(raise, method, entry, index, Stage::Object),
            }
        }
        respond.allowed(Stage::Object, ObjectCheck::Passed)
    }
}

/// Builds decisions the way `handle_exception` + the default `exception_handler` respond.
struct Responder<'g> {
    allow: &'g str,
    /// The first authentication class's `authenticate_header`.
    header: Option<&'g str>,
    /// More than one renderer: DRF adds `Vary: Accept`.
    vary_accept: bool,
    /// Throttles run between the permissions and the handler: a client over its rate gets 429
    /// there, which only the origin knows.
    throttled: bool,
}

impl<'g> Responder<'g> {
    fn allowed(&self, stage: Stage, object_check: ObjectCheck) -> Decision<'g> {
        Decision {
            allowed: true,
            status: 200,
            body: Cow::Borrowed(""),
            code: None,
            www_authenticate: None,
            allow: self.allow,
            stage,
            decided_by: None,
            object_check,
            trace: None,
            error: None,
            vary_accept: self.vary_accept,
            rendered_by_origin: false,
            response_headers: None,
        }
    }

    fn denied(
        &self,
        status: u16,
        body: Cow<'g, str>,
        code: &'g str,
        stage: Stage,
        decided_by: Option<DecidedBy<'g>>,
    ) -> Decision<'g> {
        let object_check = match stage {
            Stage::Lookup | Stage::Object => ObjectCheck::Failed,
            _ => ObjectCheck::NotReached,
        };
        Decision {
            allowed: false,
            status,
            body,
            code: Some(Cow::Borrowed(code)),
            www_authenticate: None,
            allow: self.allow,
            stage,
            decided_by,
            object_check,
            trace: None,
            error: None,
            vary_accept: self.vary_accept,
            rendered_by_origin: self.throttled && matches!(stage, Stage::Handler | Stage::Lookup | Stage::Object),
            response_headers: None,
        }
    }

    /// `NotAuthenticated` / `AuthenticationFailed`: 401 with the first class's header, else 403.
    fn unauthenticated(
        &self,
        body: Cow<'g, str>,
        code: Cow<'g, str>,
        stage: Stage,
        decided_by: Option<DecidedBy<'g>>,
    ) -> Decision<'g> {
        let mut decision = self.denied(if self.header.is_some() { 401 } else { 403 }, body, "", stage, decided_by);
        decision.code = Some(code);
        decision.www_authenticate = self.header.map(Cow::Borrowed);
        decision
    }

    fn authentication_failure(&self, failure: &AuthenticationFailure) -> Decision<'g> {
        let code = |default: &'static str| Cow::Owned(failure.code.clone().unwrap_or_else(|| default.to_owned()));
        let (status, default_code) = match failure.exception {
            FailureKind::AuthenticationFailed => {
                let body = Cow::Owned(render_detail(&failure.detail));
                return self.unauthenticated(body, code(authentication_failed::CODE), Stage::Authentication, None);
            }
            FailureKind::PermissionDenied => (403, permission_denied::CODE),
            FailureKind::ParseError => (400, parse_error::CODE),
            FailureKind::UnsupportedMediaType => (415, exceptions::UNSUPPORTED_MEDIA_TYPE),
            // Django's own HTML pages, not DRF's: the origin server renders those.
            FailureKind::BadRequest => (400, exceptions::BAD_REQUEST),
            FailureKind::ServerError => (500, exceptions::SERVER_ERROR),
        };
        let body = match failure.exception {
            FailureKind::BadRequest | FailureKind::ServerError => Cow::Borrowed(""),
            _ => Cow::Owned(render_detail(&failure.detail)),
        };
        let mut decision = self.denied(status, body, "", Stage::Authentication, None);
        decision.code = Some(code(default_code));
        decision
    }

    /// `APIView.permission_denied(request, message, code)`.
    fn permission_denied(
        &self,
        policy: &Policy<'g>,
        entry: &'g Entry,
        index: usize,
        stage: Stage,
        not_authenticated: bool,
    ) -> Decision<'g> {
        let decided_by = Some(DecidedBy { entry: index, source: &entry.source });
        if not_authenticated {
            // NotAuthenticated ignores the permission's message and code.
            return self.unauthenticated(
                Cow::Borrowed(not_authenticated::BODY),
                Cow::Borrowed(not_authenticated::CODE),
                stage,
                decided_by,
            );
        }
        let class = entry.single_class.and_then(|class| policy.classes.get(class));
        let body = class.and_then(|class| class.message_body.as_deref()).unwrap_or(permission_denied::BODY);
        let code = class.and_then(|class| class.code.as_deref()).unwrap_or(permission_denied::CODE);
        self.denied(403, Cow::Borrowed(body), code, stage, decided_by)
    }

    /// An exception raised inside a permission check.
    fn raised(&self, raise: Raise, method: &str, entry: &'g Entry, index: usize, stage: Stage) -> Decision<'g> {
        let decided_by = Some(DecidedBy { entry: index, source: &entry.source });
        match raise {
            Raise::MethodNotAllowed(which) => {
                let named = match which {
                    RaisedFor::RequestMethod => method,
                    RaisedFor::ReadCheck => "GET",
                };
                self.denied(
                    405,
                    Cow::Owned(exceptions::method_not_allowed_body(named)),
                    method_not_allowed::CODE,
                    stage,
                    decided_by,
                )
            }
            Raise::NotFound => self.denied(404, Cow::Borrowed(not_found::BODY), not_found::CODE, stage, decided_by),
            // The caller stops on its own record of why (see `Raise::Undecided`); this 500 is
            // never returned, and fails closed if it were.
            Raise::Undecided => self.raised(Raise::Error("undecided".into()), method, entry, index, stage),
            Raise::Error(message) => {
                let mut decision = self.denied(
                    500,
                    Cow::Borrowed(exceptions::SERVER_ERROR_BODY),
                    exceptions::EVALUATION_ERROR,
                    stage,
                    decided_by,
                );
                decision.error = Some(message);
                decision
            }
        }
    }

    /// `get_queryset()` itself failed (an evaluation error of its condition): the server's 500.
    fn queryset_failed(&self, message: String) -> Decision<'g> {
        let mut decision = self.denied(
            500,
            Cow::Borrowed(exceptions::SERVER_ERROR_BODY),
            exceptions::EVALUATION_ERROR,
            Stage::Lookup,
            None,
        );
        decision.error = Some(message);
        decision
    }

    fn method_not_allowed(&self, method: &str) -> Decision<'g> {
        self.denied(
            405,
            Cow::Owned(exceptions::method_not_allowed_body(method)),
            method_not_allowed::CODE,
            Stage::Handler,
            None,
        )
    }
}

/// Applies what negotiation chose to a decision's body: `indent`, or a renderer only the server
/// has (its response is the server's to render).
fn render_as_negotiated<'g>(mut decision: Decision<'g>, negotiated: &Negotiated) -> Decision<'g> {
    match negotiated {
        Negotiated::Json { indent: Some(indent) } if !decision.allowed && !decision.body.is_empty() => {
            decision.body = Cow::Owned(crate::negotiation::indent_body(&decision.body, *indent));
        }
        Negotiated::Other => decision.rendered_by_origin = true,
        _ => {}
    }
    decision
}
