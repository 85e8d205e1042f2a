//! [`Gate`]: a compiled policy and the questions it answers.

use crate::text::cat;
use std::borrow::Cow;

use crate::value::Value;

use crate::authentication::{canonical_authentication_name, AuthenticationOutcome, Authenticator};
#[cfg(feature = "compiler")]
use crate::compile::compile;
use crate::condition::Condition;
use crate::context::Context;
use crate::decision::{Decision, NoTrace};
use crate::error::{ContextError, ContextErrorCode};
#[cfg(feature = "compiler")]
use crate::error::{PolicyError, PolicyErrorCode};
use crate::http::normalize_method;
#[cfg(any(feature = "compiler", feature = "edge"))]
use crate::json::{from_json, from_text, InputError, Json};
#[cfg(feature = "compiler")]
use crate::json::{PathError, SyntaxError};
use crate::perm_table::PermissionTable;
use crate::permissions::api_key::NoApiKey;
use crate::permissions::PermissionClass;
#[cfg(feature = "compiler")]
use crate::policy::PolicyDocument;
use crate::user::{User, UserInput};
use crate::views::{Authenticated, Authentication, ObjectArg, Policy, RouteKind, Target, View};

/// A compiled, immutable policy. Compile once; every decision is a cheap read.
///
/// ```
/// use drf_gate::Gate;
/// let gate = Gate::from_json(r#"{
///   "authentication": ["token"],
///   "classes": {"IsOwner": {"hasObjectPermission": "obj.owner == request.user"}},
///   "views": {"posts": {"model": "blog.Post", "permissions": ["IsAuthenticated", "IsOwner | IsAdminUser"]}}
/// }"#)?;
/// let ann = gate.compile_user(&serde_json::from_str(r#"{"id": 3}"#)?);
/// let post = serde_json::json!({"id": 7, "owner": 3});
/// assert!(gate.can(&ann, "posts", "destroy", Some(&post))?);
/// assert!(!gate.can(&ann, "posts", "destroy", Some(&serde_json::json!({"id": 8, "owner": 4})))?);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct Gate {
    pub(crate) table: PermissionTable,
    pub(crate) classes: Vec<PermissionClass>,
    pub(crate) conditions: Vec<Condition>,
    pub(crate) views: Vec<View>,
    pub(crate) view_index: crate::perm_table::NameMap<usize>,
    pub(crate) routes: Vec<crate::routing::Route>,
    #[cfg(feature = "edge")]
    pub(crate) settings: crate::authentication::CompiledSettings,
    /// The authentication settings' section of the compiled form, for [`Gate::to_compiled`].
    #[cfg(feature = "compiler")]
    pub(crate) settings_wire: Vec<u8>,
    /// The origin's middleware, when the policy records it.
    #[cfg(feature = "edge")]
    pub(crate) middleware: Option<crate::middleware::Middleware>,
    /// The `can` programs a compiled policy carries (`None` for a JSON policy: lowered on demand).
    pub(crate) programs: Option<crate::compiled::stored::StoredPrograms>,
}

impl std::fmt::Debug for Gate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Gate")
            .field("views", &self.views.iter().map(|v| &v.name).collect::<Vec<_>>())
            .finish_non_exhaustive()
    }
}

#[cfg(feature = "compiler")]
/// A policy's JSON text that is not JSON: `invalid_json`, with its position in the text.
fn invalid_json(error: &SyntaxError) -> PolicyError {
    let (line, column) = error.position();
    let error = if error.trailing() {
        PolicyError::new(PolicyErrorCode::InvalidJson, "$", "trailing characters after the policy")
    } else {
        PolicyError::new(PolicyErrorCode::InvalidJson, error.path("$"), error.message())
    };
    error.at(line, column)
}

#[cfg(feature = "compiler")]
fn policy_error(error: &PathError) -> PolicyError {
    PolicyError::new(PolicyErrorCode::InvalidPolicy, error.path("$"), error.message())
}

#[cfg(any(feature = "compiler", feature = "edge"))]
fn context_error(error: &InputError) -> ContextError {
    ContextError::new(ContextErrorCode::InvalidContext, error.path("$"), error.message())
}

impl Gate {
    /// Compiles a policy from JSON text.
    ///
    /// # Errors
    /// A [`PolicyError`] naming the place: `invalid_json` (with line/column in the document),
    /// `invalid_policy` (unknown keys, wrong types), `unknown_class`, `cycle`, `syntax_error`, ...
    ///
    /// ```
    /// let err = drf_gate::Gate::from_json(r#"{"views": {"posts": {"permisions": []}}}"#).unwrap_err();
    /// assert_eq!((err.code, err.path.as_str()), ("invalid_policy", "$.views.posts.permisions"));
    /// ```
    #[cfg(feature = "compiler")]
    pub fn from_json(text: &str) -> Result<Gate, PolicyError> {
        let json = Json::parse_document(text).map_err(|error| invalid_json(&error))?;
        Gate::from_json_tree(&json)
    }

    /// Compiles a policy from a JSON value.
    ///
    /// ```
    /// let gate = drf_gate::Gate::from_value(serde_json::json!({"views": {"posts": {}}})).unwrap();
    /// assert_eq!(gate.view_names().collect::<Vec<_>>(), ["posts"]);
    /// ```
    #[cfg(feature = "compiler")]
    pub fn from_value(value: Value) -> Result<Gate, PolicyError> {
        Gate::from_json_tree(&Json::from(value))
    }

    #[cfg(feature = "compiler")]
    fn from_json_tree(json: &Json) -> Result<Gate, PolicyError> {
        let document: PolicyDocument = from_json(json).map_err(|error| policy_error(&error))?;
        Gate::from_document(&document)
    }

    /// Compiles a parsed policy document.
    #[cfg(feature = "compiler")]
    pub fn from_document(document: &PolicyDocument) -> Result<Gate, PolicyError> {
        #[cfg_attr(not(feature = "edge"), allow(unused_mut))]
        let mut compiled = compile(document)?;
        #[cfg(feature = "edge")]
        let middleware = match &document.middleware {
            Some(spec) => {
                compiled.settings.proxy_ssl_header = spec.security.proxy_ssl_header.clone();
                Some(crate::middleware::Middleware::compile(spec, &document.settings)?)
            }
            None => None,
        };
        let settings_wire =
            crate::compiled::settings::encode(&compiled.settings.settings, document.middleware.as_ref());
        Ok(Gate {
            #[cfg(feature = "edge")]
            middleware,
            table: compiled.table,
            classes: compiled.classes,
            conditions: compiled.conditions,
            views: compiled.views,
            view_index: compiled.view_index,
            routes: compiled.routes,
            #[cfg(feature = "edge")]
            settings: compiled.settings,
            settings_wire,
            programs: None,
        })
    }

    /// The route a URL path reaches (see [`crate::routing`]); `None`: not a DRF route here.
    pub fn route(&self, url_path: &str) -> Option<crate::routing::RouteMatch<'_>> {
        crate::routing::route(&self.routes, url_path)
    }

    /// The action `method` runs on a route [`Gate::route`] found: DRF's router method map
    /// (SimpleRouter's `list`/`create` on a list route, `retrieve`/`update`/`partial_update`/
    /// `destroy` on a detail route, the `@action` on its own route), as the view dispatches it;
    /// `None` when the method has no handler there.
    ///
    /// ```
    /// let gate = drf_gate::Gate::from_json(r#"{"views": {"posts": {}},
    ///   "routes": [{"pattern": "/posts/", "view": "posts"}, {"pattern": "/posts/{pk}/", "view": "posts", "detail": true}]}"#).unwrap();
    /// let hit = gate.route("/posts/7/").unwrap();
    /// assert_eq!(gate.route_action(&hit, "delete"), Some("destroy"));
    /// assert_eq!(gate.route_action(&gate.route("/posts/").unwrap(), "POST"), Some("create"));
    /// assert_eq!(gate.route_action(&hit, "POST"), None);
    /// ```
    pub fn route_action<'g>(&'g self, hit: &crate::routing::RouteMatch<'g>, method: &str) -> Option<&'g str> {
        let view = self.view(hit.view)?;
        let target = resolve_target(view, hit.action, Some(method), Some(hit.detail), false).ok()?;
        target.action.map(|action| action.name.as_str())
    }

    /// The views, in policy order.
    pub fn view_names(&self) -> impl Iterator<Item = &str> {
        self.views.iter().map(|view| view.name.as_str())
    }

    /// The actions of a view, in policy order.
    ///
    /// ```
    /// let gate = drf_gate::Gate::from_json(r#"{"views": {"posts": {"actions": ["list", "retrieve"]}}}"#).unwrap();
    /// assert_eq!(gate.actions("posts").unwrap().collect::<Vec<_>>(), ["list", "retrieve"]);
    /// ```
    pub fn actions(&self, view: &str) -> Option<impl Iterator<Item = &str>> {
        self.view(view).map(|view| view.actions.iter().map(|action| action.name.as_str()))
    }

    /// The permission names the policy can ask about (`blog.add_post`, ...).
    pub fn permission_table(&self) -> &PermissionTable {
        &self.table
    }

    /// Compiles a user once, for many checks (UI gating renders many buttons for one user).
    pub fn compile_user(&self, user: &UserInput) -> User {
        User::compile(user, &self.table)
    }

    #[cfg(feature = "edge")]
    pub(crate) fn middleware(&self) -> Option<&crate::middleware::Middleware> {
        self.middleware.as_ref()
    }

    /// The origin's middleware this gate renders (the policy's `middleware` section), as given
    /// or as a compiled policy carried it; `None` without the section.
    ///
    /// ```
    /// let gate = drf_gate::Gate::from_json(r#"{"views": {}, "middleware": {"classes": [], "xFrameOptions": "SAMEORIGIN"}}"#).unwrap();
    /// let loaded = drf_gate::Gate::from_compiled(&gate.to_compiled()).unwrap();
    /// assert_eq!(loaded.middleware_spec().unwrap().x_frame_options, "SAMEORIGIN");
    /// ```
    #[cfg(feature = "edge")]
    pub fn middleware_spec(&self) -> Option<&crate::middleware::MiddlewareSpec> {
        self.middleware.as_ref().map(crate::middleware::Middleware::spec)
    }

    #[cfg(feature = "edge")]
    pub(crate) fn settings(&self) -> &crate::authentication::CompiledSettings {
        &self.settings
    }

    /// The authentication settings this gate runs with (the policy's `settings`, defaults filled
    /// in), as given or as a compiled policy carried them.
    ///
    /// ```
    /// let gate = drf_gate::Gate::from_json(r#"{"settings": {"token": {"keyword": "Bearer"}}, "views": {}}"#).unwrap();
    /// assert_eq!(gate.authentication_settings().token.keyword, "Bearer");
    /// let loaded = drf_gate::Gate::from_compiled(&gate.to_compiled()).unwrap();
    /// assert_eq!(loaded.authentication_settings().token.keyword, "Bearer");
    /// ```
    #[cfg(feature = "edge")]
    pub fn authentication_settings(&self) -> &crate::authentication::AuthenticationSettings {
        self.settings.settings()
    }

    pub(crate) fn view(&self, name: &str) -> Option<&View> {
        self.view_index.get(name).and_then(|index| self.views.get(*index))
    }

    pub(crate) fn view_or_error(&self, name: &str, path: &str) -> Result<&View, ContextError> {
        self.view(name).ok_or_else(|| {
            ContextError::new(
                ContextErrorCode::UnknownView,
                path,
                cat!("unknown view ", crate::error::quoted(name), "; the policy has: ", listed(&mut self.view_names())),
            )
        })
    }

    pub(crate) fn policy(&self) -> Policy<'_> {
        Policy { table: &self.table, classes: &self.classes, conditions: &self.conditions }
    }

    /// Decides a request context (see `docs/policy.md` §2).
    ///
    /// # Errors
    /// A [`ContextError`] when the context names an unknown view or action, or contradicts itself.
    ///
    /// ```
    /// let gate = drf_gate::Gate::from_json(r#"{"authentication": ["session"], "permissions": ["IsAuthenticated"], "views": {"posts": {}}}"#).unwrap();
    /// let decision = gate.check_json(r#"{"view": "posts", "method": "GET"}"#).unwrap();
    /// assert_eq!((decision.status, decision.www_authenticate()), (403, None));
    /// ```
    pub fn check(&self, context: &Context) -> Result<Decision<'_>, ContextError> {
        let view = self.view_or_error(&context.view, "$.view")?;
        let target = resolve_target(
            view,
            context.action.as_deref(),
            context.method.as_deref(),
            context.detail,
            context.object.as_ref().is_some_and(Option::is_some),
        )?;
        self.decide(view, &target, context)
    }

    /// `check` after the target: negotiation, authentication from the context, permissions.
    #[inline(never)]
    fn decide<'g>(
        &'g self,
        view: &'g View,
        target: &Target<'g, '_>,
        context: &Context,
    ) -> Result<Decision<'g>, ContextError> {
        let object = ObjectArg::from_input(context.object.as_ref(), context.lookup_error);
        let perform_authentication = |authenticators: &[Authenticator]| {
            let user = match &context.user {
                Some(input) => User::compile(input, &self.table),
                None => User::anonymous(),
            };
            let authenticated =
                resolve_authentication(authenticators, context.authentication.as_ref(), context.user.is_some())?;
            Ok::<_, ContextError>(ContextAuthentication { user, authenticated })
        };
        let (decision, _) = view.initial(
            &self.policy(),
            target,
            context.accept.as_deref(),
            false,
            None,
            perform_authentication,
            &context_api_keys(context),
            object,
            context.trace,
        )?;
        Ok(decision)
    }

    /// Resolves `check`'s view and action once, for [`Gate::check_resolved`]: the target a
    /// context `{view, action}` (no `method`, `detail`) reaches, with or without an object.
    ///
    /// # Errors
    /// The [`ContextError`] `check` gives for that view and action.
    ///
    /// ```
    /// let gate = drf_gate::Gate::from_json(r#"{"views": {"posts": {}}}"#).unwrap();
    /// assert!(gate.resolve_check("posts", "list", false).is_ok());
    /// assert_eq!(gate.resolve_check("posts", "lst", false).unwrap_err().code, "unknown_action");
    /// ```
    pub fn resolve_check(&self, view: &str, action: &str, has_object: bool) -> Result<ResolvedTarget, ContextError> {
        let view_ref = self.view_or_error(view, "$.view")?;
        let view_index = self.view_index.get(view).copied().unwrap_or_default();
        let target = resolve_target(view_ref, Some(action), None, None, has_object)?;
        let route = view_ref.routes.iter().position(|route| std::ptr::eq(route, target.route)).unwrap_or(0);
        let action = target.action.and_then(|action| view_ref.actions.iter().position(|a| std::ptr::eq(a, action)));
        Ok(ResolvedTarget { view: view_index, route, action, method: target.method.into_owned() })
    }

    /// [`Gate::check`] of a context whose view and action were resolved by
    /// [`Gate::resolve_check`] (`context.view`, `action`, `method` and `detail` are not read).
    ///
    /// # Errors
    /// As [`Gate::check`]; `invalid_context` for a target of another gate.
    ///
    /// ```
    /// let gate = drf_gate::Gate::from_json(r#"{"permissions": ["IsAuthenticated"], "views": {"posts": {}}}"#).unwrap();
    /// let target = gate.resolve_check("posts", "list", false).unwrap();
    /// let context = drf_gate::context::Context { view: "posts".into(), action: Some("list".into()), ..Default::default() };
    /// assert_eq!(gate.check_resolved(&target, &context).unwrap(), gate.check(&context).unwrap());
    /// ```
    pub fn check_resolved(&self, target: &ResolvedTarget, context: &Context) -> Result<Decision<'_>, ContextError> {
        let unknown = || ContextError::new(ContextErrorCode::InvalidContext, "$", "internal: unknown target");
        let view = self.views.get(target.view).ok_or_else(unknown)?;
        let route = view.routes.get(target.route).ok_or_else(unknown)?;
        let action = match target.action {
            Some(index) => Some(view.actions.get(index).ok_or_else(unknown)?),
            None => None,
        };
        let resolved = Target { route, action, method: Cow::Borrowed(&target.method) };
        self.decide(view, &resolved, context)
    }

    /// Parses a JSON context and decides it.
    #[cfg(any(feature = "compiler", feature = "edge"))]
    pub fn check_json(&self, context: &str) -> Result<Decision<'_>, ContextError> {
        let context: Context = from_text(context).map_err(|error| context_error(&error))?;
        self.check(&context)
    }

    /// Parses a JSON-value context and decides it.
    #[cfg(any(feature = "compiler", feature = "edge"))]
    pub fn check_value(&self, context: Value) -> Result<Decision<'_>, ContextError> {
        let context: Context =
            from_json(&Json::from(context)).map_err(|error| context_error(&InputError::Typed(error)))?;
        self.check(&context)
    }

    /// UI gating: may `user` perform `action_or_method` on `view`? With an object, the object
    /// stage runs too; without one, an action that calls `get_object()` is answered for the view
    /// stage only (the object check is pending).
    ///
    /// `action_or_method` is an action of the view (`"destroy"`, a custom `@action`), else an
    /// HTTP method as clients send it: an RFC 9110 token without lower-case letters (`"GET"`,
    /// `"DELETE"`, `"PURGE"`); a method no handler takes is answered as DRF does (405: false).
    ///
    /// # Errors
    /// [`ContextError`] `unknown_view`, or `unknown_action` for a name that is neither (a typo
    /// such as `"destory"`, or a lower-case `"delete"`).
    ///
    /// ```
    /// let gate = drf_gate::Gate::from_json(r#"{"permissions": ["IsAuthenticatedOrReadOnly"], "views": {"posts": {}}}"#).unwrap();
    /// let anonymous = drf_gate::user::User::anonymous();
    /// assert!(gate.can(&anonymous, "posts", "list", None).unwrap());
    /// assert!(!gate.can(&anonymous, "posts", "POST", None).unwrap());
    /// assert_eq!(gate.can(&anonymous, "posts", "destory", None).unwrap_err().code, "unknown_action");
    /// ```
    pub fn can(
        &self,
        user: &User,
        view: &str,
        action_or_method: &str,
        object: Option<&Value>,
    ) -> Result<bool, ContextError> {
        let view = self.view_or_error(view, "view")?;
        let target = ui_target(view, action_or_method, object.is_some())?;
        Ok(self.decide_for_ui(view, &target, user, object))
    }

    /// Resolves a view and action (or method, as [`Gate::can`] reads it) once, for many
    /// [`Gate::can_resolved`] checks: a UI renders the same buttons again and again.
    ///
    /// # Errors
    /// As [`Gate::can`]: `unknown_view`, `unknown_action`.
    ///
    /// ```
    /// let gate = drf_gate::Gate::from_json(r#"{"permissions": ["IsAuthenticatedOrReadOnly"], "views": {"posts": {}}}"#).unwrap();
    /// let create = gate.resolve("posts", "create", false).unwrap();
    /// assert!(!gate.can_resolved(&drf_gate::user::User::anonymous(), &create, None));
    /// ```
    pub fn resolve(
        &self,
        view: &str,
        action_or_method: &str,
        with_object: bool,
    ) -> Result<ResolvedTarget, ContextError> {
        let view_ref = self.view_or_error(view, "view")?;
        let view_index = self.view_index.get(view).copied().unwrap_or_default();
        let target = ui_target(view_ref, action_or_method, with_object)?;
        let route = view_ref.routes.iter().position(|route| std::ptr::eq(route, target.route)).unwrap_or(0);
        let action = target.action.and_then(|action| view_ref.actions.iter().position(|a| std::ptr::eq(a, action)));
        Ok(ResolvedTarget { view: view_index, route, action, method: target.method.into_owned() })
    }

    /// [`Gate::can`] for a target from [`Gate::resolve`].
    pub fn can_resolved(&self, user: &User, target: &ResolvedTarget, object: Option<&Value>) -> bool {
        let Some(view) = self.views.get(target.view) else { return false };
        let Some(route) = view.routes.get(target.route) else { return false };
        let action = target.action.and_then(|index| view.actions.get(index));
        let resolved = Target { route, action, method: Cow::Borrowed(&target.method) };
        self.decide_for_ui(view, &resolved, user, object)
    }

    /// The object fields [`Gate::can_resolved`] may read for `target`, as paths (`obj.owner` is
    /// `["owner"]`; `has_perm(..., obj)` reads `pk` and `id`): two objects that agree on these
    /// (as JSON values, each missing or not) get the same answer. Empty: the answer does not
    /// depend on the object's content at all. `None`: it may read the object as a whole.
    ///
    /// ```
    /// let gate = drf_gate::Gate::from_json(r#"{"classes": {"IsOwner": {"hasObjectPermission": "obj.owner == request.user"}},
    ///   "permissions": ["IsOwner"], "views": {"posts": {}}}"#).unwrap();
    /// let destroy = gate.resolve("posts", "destroy", true).unwrap();
    /// assert_eq!(gate.object_reads(&destroy), Some(vec![vec!["owner".to_owned()]]));
    /// assert_eq!(gate.object_reads(&gate.resolve("posts", "list", false).unwrap()), Some(vec![]));
    /// ```
    pub fn object_reads(&self, target: &ResolvedTarget) -> Option<Vec<Vec<String>>> {
        let Some(view) = self.views.get(target.view) else { return Some(Vec::new()) };
        // Only `get_object()` reads the object; any other action never looks at it.
        if !target.action.and_then(|index| view.actions.get(index)).is_some_and(|action| action.get_object) {
            return Some(Vec::new());
        }
        // A compiled policy carries them (the runtime has no condition walk for it).
        if let Some(stored) = &self.programs {
            return stored.object_reads.clone();
        }
        #[cfg(feature = "compiler")]
        {
            self.policy_object_reads()
        }
        #[cfg(not(feature = "compiler"))]
        {
            None
        }
    }

    /// What [`Gate::object_reads`] answers for a target whose action calls `get_object()`.
    #[cfg(feature = "compiler")]
    pub(crate) fn policy_object_reads(&self) -> Option<Vec<Vec<String>>> {
        let mut paths = Vec::new();
        // Conservative: every condition of the policy (queryset filters and classes alike).
        if self
            .classes
            .iter()
            .any(|class| class.has_object_permission == crate::permissions::Check::DjangoObjectPermissions)
        {
            paths.push(vec!["pk".to_owned()]);
            paths.push(vec!["id".to_owned()]);
        }
        for condition in &self.conditions {
            if !condition.collect_object_reads(&mut paths) {
                return None;
            }
        }
        Some(paths)
    }

    fn decide_for_ui(&self, view: &View, target: &Target<'_, '_>, user: &User, object: Option<&Value>) -> bool {
        let object = object.map_or(ObjectArg::Absent, ObjectArg::Found);
        // A browser presents no API key: `HasAPIKey` answers False.
        #[cfg(not(any(feature = "compiler", feature = "edge")))]
        let no_trace: &mut dyn crate::decision::Tracer<'_> = &mut NoTrace;
        #[cfg(any(feature = "compiler", feature = "edge"))]
        let no_trace = &mut NoTrace;
        view.dispatch(&self.policy(), target, user, user.is_authenticated(), &NoApiKey, object, no_trace).allowed
    }

    /// UI gating for a whole view: every action mapped to whether `user` may perform it.
    ///
    /// ```
    /// let gate = drf_gate::Gate::from_json(r#"{"permissions": ["IsAuthenticatedOrReadOnly"], "views": {"posts": {"actions": ["list", "create"]}}}"#).unwrap();
    /// let allowed = gate.permissions_for(&drf_gate::user::User::anonymous(), "posts", None).unwrap();
    /// assert_eq!(allowed, [("list", true), ("create", false)]);
    /// ```
    pub fn permissions_for<'g>(
        &'g self,
        user: &User,
        view: &str,
        object: Option<&Value>,
    ) -> Result<Vec<(&'g str, bool)>, ContextError> {
        let view = self.view_or_error(view, "view")?;
        let mut allowed = Vec::with_capacity(view.actions.len());
        for action in &view.actions {
            let target = resolve_target(view, Some(&action.name), None, None, object.is_some())?;
            let object = if action.get_object { object } else { None };
            allowed.push((action.name.as_str(), self.decide_for_ui(view, &target, user, object)));
        }
        Ok(allowed)
    }
}

/// A view, route and action resolved by [`Gate::resolve`]; valid for the gate that made it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResolvedTarget {
    pub(crate) view: usize,
    pub(crate) route: usize,
    pub(crate) action: Option<usize>,
    pub(crate) method: String,
}

/// Whether `name` is an HTTP method as [`Gate::can`] accepts one: an RFC 9110 token (`tchar`)
/// without lower-case letters.
///
/// ```
/// use drf_gate::gate::is_method_token;
/// assert!(is_method_token("DELETE") && is_method_token("PURGE") && is_method_token("M-SEARCH"));
/// assert!(!is_method_token("delete") && !is_method_token("destory") && !is_method_token("") && !is_method_token("GET /"));
/// ```
pub fn is_method_token(name: &str) -> bool {
    !name.is_empty()
        && name.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b"!#$%&'*+-.^_`|~".contains(&b))
}

/// Names joined with `, ` for an error message.
fn listed(names: &mut dyn Iterator<Item = &str>) -> String {
    joined(names, ", ")
}

/// Names joined with `separator`: one non-generic copy where `[&str]::join` / `[String]::join`
/// link ~1 KB per element type into the browser runtime.
pub(crate) fn joined(names: &mut dyn Iterator<Item = &str>, separator: &str) -> String {
    let mut out = String::new();
    for (index, name) in names.enumerate() {
        if index > 0 {
            out.push_str(separator);
        }
        out.push_str(name);
    }
    out
}

/// `can`'s name: an action of the view, else an HTTP method; anything else is `unknown_action`.
fn ui_target<'g: 'c, 'c>(
    view: &'g View,
    action_or_method: &'c str,
    has_object: bool,
) -> Result<Target<'g, 'c>, ContextError> {
    if view.action(action_or_method).is_some() {
        return resolve_target(view, Some(action_or_method), None, None, has_object);
    }
    if is_method_token(action_or_method) {
        return resolve_target(view, None, Some(action_or_method), None, has_object);
    }
    let known = listed(&mut view.actions.iter().map(|a| a.name.as_str()));
    Err(ContextError::new(
        ContextErrorCode::UnknownAction,
        "actionOrMethod",
        cat!(
            "view `",
            view.name,
            "` has no action ",
            crate::error::quoted(action_or_method),
            " (it has: ",
            known,
            "), and it is not an HTTP method such as \"DELETE\""
        ),
    ))
}

/// Resolves (action, method, detail) onto a route and action, as DRF's router would route it.
pub(crate) fn resolve_target<'g: 'c, 'c>(
    view: &'g View,
    action: Option<&str>,
    method: Option<&'c str>,
    detail: Option<bool>,
    has_object: bool,
) -> Result<Target<'g, 'c>, ContextError> {
    let method = method.map(normalize_method);
    let route = match action {
        Some(name) => {
            let action = view.action(name).ok_or_else(|| {
                let known = listed(&mut view.actions.iter().map(|a| a.name.as_str()));
                ContextError::new(
                    ContextErrorCode::UnknownAction,
                    "$.action",
                    cat!("view `", view.name, "` has no action ", crate::error::quoted(name), "; it has: ", known),
                )
            })?;
            let route = view.routes.get(action.route).ok_or_else(|| {
                ContextError::new(ContextErrorCode::UnknownAction, "$.action", "internal: route missing")
            })?;
            if let Some(detail) = detail {
                let on_detail =
                    route.kind == RouteKind::Detail || (route.kind == RouteKind::Extra && action.get_object);
                if route.kind != RouteKind::Extra && detail != on_detail {
                    return Err(ContextError::new(
                        ContextErrorCode::MethodMismatch,
                        "$.detail",
                        cat!("action `", name, "` is on the ", if on_detail { "detail" } else { "list" }, " route"),
                    ));
                }
            }
            if method.is_none() {
                let method = action.methods.first().map_or("GET", String::as_str);
                return Ok(Target { route, action: Some(action), method: Cow::Borrowed(method) });
            }
            route
        }
        None => {
            let Some(method) = &method else {
                return Err(ContextError::new(
                    ContextErrorCode::InvalidContext,
                    "$",
                    "give `action`, or `method` (with `detail` for the detail route)",
                ));
            };
            let kind = match detail {
                Some(true) => RouteKind::Detail,
                Some(false) => RouteKind::List,
                None => {
                    let handles = |kind| {
                        view.route_for(kind).is_some_and(|r| r.handlers.iter().any(|(m, _)| m == method.as_ref()))
                    };
                    match (handles(RouteKind::List), handles(RouteKind::Detail)) {
                        (false, true) => RouteKind::Detail,
                        (true, true) | (false, false) if has_object => RouteKind::Detail,
                        _ => RouteKind::List,
                    }
                }
            };
            // A plain APIView has a single route of its own handlers.
            let only_route = || match view.routes.as_slice() {
                [route] => Some(route),
                _ => None,
            };
            view.route_for(kind)
                .or_else(|| view.route_for(if kind == RouteKind::List { RouteKind::Detail } else { RouteKind::List }))
                .or_else(only_route)
                .ok_or_else(|| {
                    ContextError::new(
                        ContextErrorCode::UnknownAction,
                        "$.detail",
                        cat!(
                            "view `",
                            view.name,
                            "` has no ",
                            if kind == RouteKind::Detail { "detail" } else { "list" },
                            " route"
                        ),
                    )
                })?
        }
    };
    let method = method.unwrap_or(Cow::Borrowed("GET"));
    let action = view.action_on(route, &method);
    Ok(Target { route, action, method })
}

/// What a context states of `HasAPIKey` (`apiKeys`).
#[cfg(any(feature = "compiler", feature = "edge"))]
fn context_api_keys(context: &Context) -> crate::permissions::api_key::StatedApiKeys<'_> {
    crate::permissions::api_key::StatedApiKeys(context.api_keys.as_ref())
}

/// The browser runtime's contexts come from the typed path, which never states `apiKeys` (it
/// refuses the field): no key, as in `can`.
#[cfg(not(any(feature = "compiler", feature = "edge")))]
fn context_api_keys(_context: &Context) -> NoApiKey {
    NoApiKey
}

/// A context's authentication: the user it gives, and the outcome it states.
struct ContextAuthentication<'c> {
    user: User,
    authenticated: Authenticated<'c>,
}

impl Authentication for ContextAuthentication<'_> {
    fn user(&self) -> &User {
        &self.user
    }

    fn authenticated(&self) -> Authenticated<'_> {
        self.authenticated
    }
}

/// The outcome a context states, checked against the view's classes.
fn resolve_authentication<'c>(
    authenticators: &[Authenticator],
    outcome: Option<&'c AuthenticationOutcome>,
    has_user: bool,
) -> Result<Authenticated<'c>, ContextError> {
    match outcome {
        Some(AuthenticationOutcome::Failed(failure)) => Ok(Authenticated::Failed(failure)),
        Some(AuthenticationOutcome::None(_)) => {
            if has_user {
                return Err(ContextError::new(
                    ContextErrorCode::InvalidContext,
                    "$.authentication",
                    "a user is given, but authentication says no class succeeded (DRF would make the user anonymous)",
                ));
            }
            Ok(Authenticated::Anonymous)
        }
        Some(AuthenticationOutcome::Succeeded(name)) => {
            let canonical = canonical_authentication_name(name);
            let known = authenticators.iter().any(|authenticator| authenticator.name == canonical);
            if !known {
                let names = listed(&mut authenticators.iter().map(|a| a.name.as_str()));
                return Err(ContextError::new(
                    ContextErrorCode::UnknownAuthenticationClass,
                    "$.authentication.succeeded",
                    cat!(crate::error::quoted(name), " is not among this view's authentication classes (", names, ')'),
                ));
            }
            Ok(Authenticated::Succeeded)
        }
        None => Ok(if has_user { Authenticated::Succeeded } else { Authenticated::Anonymous }),
    }
}
