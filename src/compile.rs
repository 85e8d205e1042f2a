//! Compiles a [`PolicyDocument`] into the immutable form decisions read: classes resolved (with
//! inheritance and cycle detection), conditions checked, permission expressions bound to each
//! view's model, routes and `Allow` headers precomputed, messages pre-rendered.

use std::collections::HashMap;

/// Moved to [`crate::authentication`]; kept here for existing callers.
pub use crate::authentication::canonical_authentication_name;
use crate::authentication::{builtin as builtin_authentication, AuthenticationClass, Authenticator, CompiledSettings};
use crate::condition::{Condition, Scope};
use crate::error::{PolicyError, PolicyErrorCode};
use crate::perm_table::{PermId, PermissionTable};
use crate::permission_expr::{self, Expr};
use crate::permissions::{builtin, Check, Node, PermissionClass, PermsMap};
use crate::policy::{ActionSpec, PermissionClassSpec, PolicyDocument, ViewSpec};
use crate::renderers::render_detail;
use crate::views::{Action, AuthenticationList, Entry, ModelMeta, Route, RouteKind, View};

/// Everything a `Gate` holds.
pub(crate) struct Compiled {
    pub table: PermissionTable,
    pub classes: Vec<PermissionClass>,
    pub conditions: Vec<Condition>,
    pub views: Vec<View>,
    pub view_index: crate::perm_table::NameMap<usize>,
    pub routes: Vec<crate::routing::Route>,
    /// Kept by the edge build (raw-request authentication); the core build only validates them.
    #[cfg_attr(not(feature = "edge"), allow(dead_code))]
    pub settings: CompiledSettings,
}

/// DRF's `DEFAULT_AUTHENTICATION_CLASSES`.
const DEFAULT_AUTHENTICATION: [&str; 2] = ["SessionAuthentication", "BasicAuthentication"];
/// DRF's `DEFAULT_PERMISSION_CLASSES`.
const DEFAULT_PERMISSIONS: [&str; 1] = ["AllowAny"];

/// The six `ModelViewSet` actions: (name, method, detail route, calls `get_object`).
const STANDARD_ACTIONS: [(&str, &str, bool, bool); 6] = [
    ("list", "GET", false, false),
    ("create", "POST", false, false),
    ("retrieve", "GET", true, true),
    ("update", "PUT", true, true),
    ("partial_update", "PATCH", true, true),
    ("destroy", "DELETE", true, true),
];

/// DRF's default `http_method_names` (Django's `View`), upper-cased: the order of `Allow`.
const HTTP_METHOD_NAMES: [&str; 8] = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "TRACE"];

/// A class name resolves to a class or to a composition (`IsOwnerOrAdmin = IsOwner | IsAdminUser`).
#[derive(Clone, Debug)]
enum Resolved {
    Class(usize),
    Alias(Expr),
}

struct Compiler<'d> {
    doc: &'d PolicyDocument,
    settings: &'d CompiledSettings,
    table: PermissionTable,
    classes: Vec<PermissionClass>,
    conditions: Vec<Condition>,
    resolved: HashMap<String, Resolved>,
    /// Custom classes being resolved, for cycle detection.
    resolving: Vec<String>,
    /// The policy's classes by name (a policy may define many: no linear lookups).
    class_specs: HashMap<&'d str, &'d PermissionClassSpec>,
    /// Each resolved custom class's depth (1 + the deepest class it derives from or names).
    depths: HashMap<String, usize>,
    /// The deepest dependency seen so far by each class being resolved.
    depth_frames: Vec<usize>,
}

/// How deep custom classes may derive from each other (`base`) or refer to each other
/// (compositions naming compositions): resolution recurses once per level, and a hostile
/// policy must get a [`PolicyError`], not a stack overflow that traps the wasm instance.
pub const MAX_CLASS_DEPTH: usize = 64;

/// Most views one policy may declare. A view compiles to its routes, actions and permission
/// lists (about 2 KB for a bare `{}`, six default actions), and wasm memory never shrinks: a
/// hostile policy of 20,000 empty views would hold 37 MiB. DRF projects have tens to hundreds.
pub const MAX_VIEWS: usize = 4096;

pub(crate) fn compile(doc: &PolicyDocument) -> Result<Compiled, PolicyError> {
    if doc.views.0.len() > MAX_VIEWS {
        return Err(PolicyError::new(
            PolicyErrorCode::InvalidPolicy,
            "$.views",
            format!("more than {MAX_VIEWS} views ({})", doc.views.0.len()),
        ));
    }
    // Settings compile to settings errors only (`invalid_settings`).
    let settings = CompiledSettings::compile(&doc.settings)
        .map_err(|err| PolicyError::new(PolicyErrorCode::InvalidSettings, err.path, err.message))?;
    let mut compiler = Compiler {
        doc,
        settings: &settings,
        table: PermissionTable::default(),
        classes: Vec::new(),
        conditions: Vec::new(),
        resolved: HashMap::new(),
        resolving: Vec::new(),
        class_specs: doc.classes.0.iter().map(|(name, spec)| (name.as_str(), spec)).collect(),
        depths: HashMap::new(),
        depth_frames: Vec::new(),
    };
    for (name, _) in &doc.classes.0 {
        compiler.resolve_class(name, &format!("$.classes.{name}"), None)?;
    }
    check_authentication_classes(doc, &settings)?;
    // The defaults are bound per view, but are checked even when no view uses them.
    for (index, source) in doc.permissions.iter().flatten().enumerate() {
        let path = format!("$.permissions[{index}]");
        let expr = permission_expr::parse(source).map_err(|err| {
            PolicyError::new(PolicyErrorCode::SyntaxError, &path, err.message).at(err.line, err.column)
        })?;
        compiler.check_names(&expr, &path)?;
    }
    if let Some(names) = &doc.authentication {
        authentication_list(doc, &settings, names, "$.authentication")?;
    }
    let mut views = Vec::with_capacity(doc.views.0.len());
    let mut view_index = crate::perm_table::NameMap::default();
    for (name, spec) in &doc.views.0 {
        let view = compiler.compile_view(name, spec)?;
        view_index.insert(name.clone(), views.len());
        views.push(view);
    }
    let mut routes = Vec::with_capacity(doc.routes.len());
    for (index, route) in doc.routes.iter().enumerate() {
        let path = format!("$.routes[{index}]");
        routes.push(crate::routing::Route::compile(route, &path)?);
        let Some(view) = view_index.get(&route.view).and_then(|i| views.get(*i)) else {
            return Err(PolicyError::new(
                PolicyErrorCode::UnknownView,
                format!("{path}.view"),
                format!("route `{}` names the unknown view `{}`", route.pattern, route.view),
            ));
        };
        if let Some(action) = &route.action {
            if view.action(action).is_none() {
                return Err(PolicyError::new(
                    PolicyErrorCode::UnknownAction,
                    format!("{path}.action"),
                    format!("view `{}` has no action `{action}`", route.view),
                ));
            }
        }
        for (method, action) in route.actions.iter().flat_map(|map| map.0.iter()) {
            let handled = view.action(action).is_some_and(|a| a.methods.iter().any(|m| m.eq_ignore_ascii_case(method)));
            if !handled {
                return Err(PolicyError::new(
                    PolicyErrorCode::UnknownAction,
                    format!("{path}.actions.{method}"),
                    format!("view `{}` has no action `{action}` handling {method}", route.view),
                ));
            }
        }
    }
    let (table, classes, conditions) = (compiler.table, compiler.classes, compiler.conditions);
    Ok(Compiled { table, classes, conditions, views, view_index, routes, settings })
}

fn check_authentication_classes(doc: &PolicyDocument, settings: &CompiledSettings) -> Result<(), PolicyError> {
    for (name, _) in &doc.authentication_classes.0 {
        let path = format!("$.authenticationClasses.{name}");
        if settings.builtin_class(canonical_authentication_name(name)).is_some() {
            return Err(PolicyError::new(
                PolicyErrorCode::InvalidPolicy,
                path,
                format!("`{name}` is a built-in authentication class; give the custom class another name"),
            ));
        }
        resolve_authentication(doc, settings, name, &path)?;
    }
    Ok(())
}

/// Resolves one `authentication_classes` entry.
fn resolve_authentication(
    doc: &PolicyDocument,
    settings: &CompiledSettings,
    name: &str,
    path: &str,
) -> Result<Authenticator, PolicyError> {
    let canonical = canonical_authentication_name(name);
    if let Some(class) = settings.builtin_class(canonical) {
        return Ok(Authenticator::new(canonical, class));
    }
    let Some(spec) = doc.authentication_classes.get(name) else {
        return Err(PolicyError::new(
            PolicyErrorCode::UnknownAuthenticationClass,
            path,
            format!(
                "unknown authentication class `{name}`; expected {}, or a class declared in `authenticationClasses`",
                builtin_authentication::expected()
            ),
        ));
    };
    let class = match (&spec.base, &spec.www_authenticate) {
        (Some(base), None) => {
            let base_name = canonical_authentication_name(base);
            let Some(mut class) = settings.builtin_class(base_name) else {
                return Err(PolicyError::new(
                    PolicyErrorCode::UnknownAuthenticationClass,
                    format!("$.authenticationClasses.{name}.base"),
                    format!("`{base}` is not a built-in authentication class"),
                ));
            };
            match &mut class {
                AuthenticationClass::Token { keyword } => {
                    if let Some(value) = &spec.keyword {
                        keyword.clone_from(value);
                    }
                }
                AuthenticationClass::Basic { realm } | AuthenticationClass::Jwt { realm, .. } => {
                    if let Some(value) = &spec.realm {
                        realm.clone_from(value);
                    }
                }
                _ => {}
            }
            class
        }
        (None, Some(www_authenticate)) => {
            AuthenticationClass::Custom { name: name.to_owned(), www_authenticate: www_authenticate.clone() }
        }
        (Some(_), Some(_)) => {
            return Err(PolicyError::new(
                PolicyErrorCode::InvalidPolicy,
                format!("$.authenticationClasses.{name}"),
                "give either `base` or `wwwAuthenticate`, not both",
            ));
        }
        (None, None) => {
            return Err(PolicyError::new(
                PolicyErrorCode::InvalidPolicy,
                format!("$.authenticationClasses.{name}"),
                "a custom authentication class needs `wwwAuthenticate` (a string, or null for none) or a built-in `base`",
            ));
        }
    };
    Ok(Authenticator::new(name, class))
}

fn authentication_list(
    doc: &PolicyDocument,
    settings: &CompiledSettings,
    names: &[String],
    path: &str,
) -> Result<AuthenticationList, PolicyError> {
    let mut classes = Vec::with_capacity(names.len());
    for (index, name) in names.iter().enumerate() {
        classes.push(resolve_authentication(doc, settings, name, &format!("{path}[{index}]"))?);
    }
    let header = classes.first().and_then(|authenticator| authenticator.class.authenticate_header());
    Ok(AuthenticationList { classes, header })
}

fn parse_model(model: &str, path: &str) -> Result<ModelMeta, PolicyError> {
    match model.split_once('.') {
        Some((app_label, object_name))
            if !app_label.is_empty() && !object_name.is_empty() && !object_name.contains('.') =>
        {
            Ok(ModelMeta {
                app_label: app_label.to_owned(),
                object_name: object_name.to_owned(),
                model_name: object_name.to_lowercase(),
            })
        }
        _ => Err(PolicyError::new(
            PolicyErrorCode::InvalidPolicy,
            path,
            format!("model `{model}` should be `app_label.ModelName`, e.g. `blog.Post`"),
        )),
    }
}

/// `perm % {'app_label': ..., 'model_name': ...}` for the templates Django projects write.
fn format_permission(template: &str, model: &ModelMeta) -> Result<String, String> {
    let mut out = String::with_capacity(template.len() + 16);
    let mut rest = template;
    while let Some(position) = rest.find('%') {
        out.push_str(rest.get(..position).unwrap_or_default());
        let tail = rest.get(position..).unwrap_or_default();
        if let Some(after) = tail.strip_prefix("%%") {
            out.push('%');
            rest = after;
        } else if let Some(after) = tail.strip_prefix("%(app_label)s") {
            out.push_str(&model.app_label);
            rest = after;
        } else if let Some(after) = tail.strip_prefix("%(model_name)s") {
            out.push_str(&model.model_name);
            rest = after;
        } else {
            return Err(format!("`{template}`: only %(app_label)s, %(model_name)s and %% are supported"));
        }
    }
    out.push_str(rest);
    Ok(out)
}

impl Compiler<'_> {
    fn compile_condition(&mut self, source: &str, scope: Scope, path: String) -> Result<usize, PolicyError> {
        let condition = Condition::compile(source, scope, &mut self.table)
            .map_err(|err| PolicyError::new(err.code, path, err.message).at(err.line, err.column))?;
        self.conditions.push(condition);
        Ok(self.conditions.len() - 1)
    }

    /// Resolves a class name (built-in or custom), compiling custom classes on first use.
    fn resolve_class(&mut self, name: &str, path: &str, position: Option<(u32, u32)>) -> Result<Resolved, PolicyError> {
        let resolved = self.resolve_class_once(name, path, position)?;
        let depth = self.depths.get(name).copied().unwrap_or(0);
        if let Some(frame) = self.depth_frames.last_mut() {
            *frame = (*frame).max(depth);
        }
        Ok(resolved)
    }

    fn resolve_class_once(
        &mut self,
        name: &str,
        path: &str,
        position: Option<(u32, u32)>,
    ) -> Result<Resolved, PolicyError> {
        if let Some(resolved) = self.resolved.get(name) {
            return Ok(resolved.clone());
        }
        let located = |err: PolicyError| match position {
            Some((line, column)) => err.at(line, column),
            None => err,
        };
        if let Some(class) = builtin::permission_class(name) {
            if self.class_specs.contains_key(name) {
                return Err(PolicyError::new(
                    PolicyErrorCode::InvalidPolicy,
                    format!("$.classes.{name}"),
                    format!("`{name}` is a built-in permission class; give the custom class another name"),
                ));
            }
            self.classes.push(class);
            let resolved = Resolved::Class(self.classes.len() - 1);
            self.resolved.insert(name.to_owned(), resolved.clone());
            return Ok(resolved);
        }
        let Some(&spec) = self.class_specs.get(name) else {
            let mut known: Vec<&str> = self.doc.classes.0.iter().map(|(n, _)| n.as_str()).collect();
            known.sort_unstable();
            let custom = if known.is_empty() {
                String::new()
            } else {
                format!(", or one of the policy's classes: {}", known.join(", "))
            };
            return Err(located(PolicyError::new(
                PolicyErrorCode::UnknownClass,
                path,
                format!(
                    "unknown permission class `{name}`; expected a built-in ({}){custom}",
                    builtin::names().collect::<Vec<_>>().join(", ")
                ),
            )));
        };
        if self.resolving.iter().any(|n| n == name) {
            let mut chain = self.resolving.clone();
            chain.push(name.to_owned());
            return Err(located(PolicyError::new(
                PolicyErrorCode::Cycle,
                path,
                format!("permission classes refer to each other in a cycle: {}", chain.join(" -> ")),
            )));
        }
        let too_deep = |from: &str| {
            located(PolicyError::new(
                PolicyErrorCode::InvalidPolicy,
                path,
                format!(
                    "permission classes derive from or refer to each other more than {MAX_CLASS_DEPTH} levels deep (from `{from}` to `{name}`)"
                ),
            ))
        };
        if self.resolving.len() >= MAX_CLASS_DEPTH {
            return Err(too_deep(self.resolving.first().map_or(name, String::as_str)));
        }
        self.resolving.push(name.to_owned());
        self.depth_frames.push(0);
        let result = self.compile_class(name, spec);
        self.resolving.pop();
        // Depth = 1 + the deepest class it uses, whichever order the classes were resolved in.
        let depth = self.depth_frames.pop().unwrap_or(0) + 1;
        let resolved = result?;
        if depth > MAX_CLASS_DEPTH {
            return Err(too_deep(name));
        }
        self.depths.insert(name.to_owned(), depth);
        self.resolved.insert(name.to_owned(), resolved.clone());
        Ok(resolved)
    }

    fn compile_class(&mut self, name: &str, spec: &PermissionClassSpec) -> Result<Resolved, PolicyError> {
        let path = format!("$.classes.{name}");
        if let Some(expression) = &spec.expression {
            let body = spec.base.is_some()
                || spec.has_permission.is_some()
                || spec.has_object_permission.is_some()
                || spec.message.is_some()
                || spec.code.is_some()
                || spec.perms_map.is_some()
                || spec.authenticated_users_only.is_some()
                || spec.api_key.is_some();
            if body {
                return Err(PolicyError::new(PolicyErrorCode::InvalidPolicy, path, "a class defined by `expression` is a composition (DRF's OperandHolder) and cannot also have base, conditions, message, code or permsMap"));
            }
            let expr_path = format!("{path}.expression");
            let expr = permission_expr::parse(expression).map_err(|err| {
                PolicyError::new(PolicyErrorCode::SyntaxError, &expr_path, err.message).at(err.line, err.column)
            })?;
            self.check_names(&expr, &expr_path)?;
            return Ok(Resolved::Alias(expr));
        }
        let base_name = spec
            .base
            .as_deref()
            .map(|base| base.strip_prefix("rest_framework.permissions.").unwrap_or(base))
            .unwrap_or("BasePermission");
        let base_path = format!("{path}.base");
        let base_index = match self.resolve_class(base_name, &base_path, None)? {
            Resolved::Class(index) => index,
            Resolved::Alias(_) => {
                return Err(PolicyError::new(
                    PolicyErrorCode::InvalidPolicy,
                    base_path,
                    format!("`{base_name}` is a composition, not a class; it cannot be a base"),
                ));
            }
        };
        let Some(mut class) = self.classes.get(base_index).cloned() else {
            return Err(PolicyError::new(PolicyErrorCode::InvalidPolicy, base_path, "internal: base class missing"));
        };
        class.name = name.to_owned();
        if let Some(source) = &spec.has_permission {
            class.has_permission =
                Check::Condition(self.compile_condition(source, Scope::View, format!("{path}.hasPermission"))?);
        }
        if let Some(source) = &spec.has_object_permission {
            class.has_object_permission = Check::Condition(self.compile_condition(
                source,
                Scope::Object,
                format!("{path}.hasObjectPermission"),
            )?);
        }
        if let Some(api_key) = &spec.api_key {
            class.has_permission = Check::HasApiKey(Box::new(api_key_check(&class.has_permission, api_key, &path)?));
            if spec.has_permission.is_some() {
                return Err(PolicyError::new(
                    PolicyErrorCode::InvalidPolicy,
                    format!("{path}.hasPermission"),
                    "a class with `apiKey` is a BaseHasAPIKey subclass: its has_permission is the API key check",
                ));
            }
        }
        if let Some(message) = &spec.message {
            class.message_body = Some(render_detail(message));
        }
        if let Some(code) = &spec.code {
            class.code = Some(code.clone());
        }
        if (spec.perms_map.is_some() || spec.authenticated_users_only.is_some()) && !class.uses_model() {
            return Err(PolicyError::new(
                PolicyErrorCode::InvalidPermsMap,
                path,
                "permsMap and authenticatedUsersOnly apply to subclasses of DjangoModelPermissions or DjangoObjectPermissions",
            ));
        }
        if let Some(map) = &spec.perms_map {
            class.perms_map = map.0.clone();
        }
        if let Some(only) = spec.authenticated_users_only {
            class.authenticated_users_only = only;
        }
        self.classes.push(class);
        Ok(Resolved::Class(self.classes.len() - 1))
    }

    /// Checks that every name in a composition resolves (and that compositions are acyclic).
    fn check_names(&mut self, expr: &Expr, path: &str) -> Result<(), PolicyError> {
        match expr {
            Expr::Class { name, line, column } => {
                self.resolve_class(name, path, Some((*line, *column)))?;
                Ok(())
            }
            Expr::And(left, right) | Expr::Or(left, right) => {
                self.check_names(left, path)?;
                self.check_names(right, path)
            }
            Expr::Not(inner) => self.check_names(inner, path),
        }
    }

    fn compile_view(&mut self, name: &str, spec: &ViewSpec) -> Result<View, PolicyError> {
        let doc = self.doc;
        let path = format!("$.views.{name}");
        let model = spec.model.as_deref().map(|model| parse_model(model, &format!("{path}.model"))).transpose()?;
        let no_match_body = model.as_ref().map_or_else(
            || crate::exceptions::not_found::BODY.to_owned(),
            |m| crate::exceptions::no_match_body(&m.object_name),
        );

        let (renderer_names, renderer_path): (Vec<String>, String) = match (&spec.renderers, &doc.renderers) {
            (Some(names), _) => (names.clone(), format!("{path}.renderers")),
            (None, Some(names)) => (names.clone(), "$.renderers".to_owned()),
            (None, None) => (
                crate::negotiation::DEFAULT_RENDERERS.iter().map(|s| (*s).to_owned()).collect(),
                "$.renderers".to_owned(),
            ),
        };
        let mut renderers = Vec::with_capacity(renderer_names.len());
        for (index, name) in renderer_names.iter().enumerate() {
            let renderer = crate::negotiation::builtin_renderer(name).ok_or_else(|| {
                PolicyError::new(
                    PolicyErrorCode::InvalidPolicy,
                    format!("{renderer_path}[{index}]"),
                    format!("unknown renderer `{name}`; expected JSONRenderer, BrowsableAPIRenderer, TemplateHTMLRenderer, StaticHTMLRenderer, AdminRenderer, HTMLFormRenderer or MultiPartRenderer"),
                )
            })?;
            renderers.push(renderer);
        }
        if renderers.is_empty() {
            return Err(PolicyError::new(
                PolicyErrorCode::InvalidPolicy,
                renderer_path,
                "a view needs at least one renderer",
            ));
        }
        let mut view = View {
            name: name.to_owned(),
            renderers,
            model,
            no_match_body,
            ignore_model_permissions: spec.ignore_model_permissions,
            throttled: spec.throttled,
            queryset: match &spec.queryset {
                Some(source) => Some(self.compile_condition(source, Scope::Object, format!("{path}.queryset"))?),
                None => None,
            },
            filter_params: spec.filter_params.clone(),
            routes: Vec::new(),
            actions: Vec::new(),
            permission_lists: Vec::new(),
            authentication_lists: Vec::new(),
        };

        let (auth_names, auth_path): (Vec<String>, String) = match (&spec.authentication, &doc.authentication) {
            (Some(names), _) => (names.clone(), format!("{path}.authentication")),
            (None, Some(names)) => (names.clone(), "$.authentication".to_owned()),
            (None, None) => {
                (DEFAULT_AUTHENTICATION.iter().map(|s| (*s).to_owned()).collect(), "$.authentication".to_owned())
            }
        };
        view.authentication_lists.push(authentication_list(doc, self.settings, &auth_names, &auth_path)?);
        let (perm_sources, perm_path): (Vec<String>, String) = match (&spec.permissions, &doc.permissions) {
            (Some(list), _) => (list.clone(), format!("{path}.permissions")),
            (None, Some(list)) => (list.clone(), "$.permissions".to_owned()),
            (None, None) => (DEFAULT_PERMISSIONS.iter().map(|s| (*s).to_owned()).collect(), "$.permissions".to_owned()),
        };
        let default_list = self.permission_list(&view, &perm_sources, &perm_path)?;
        view.permission_lists.push(default_list);

        let default_actions;
        let actions: &[(String, ActionSpec)] = match &spec.actions {
            Some(actions) => &actions.0,
            None => {
                default_actions =
                    STANDARD_ACTIONS.iter().map(|(n, ..)| ((*n).to_owned(), ActionSpec::default())).collect::<Vec<_>>();
                &default_actions
            }
        };
        let mut options_permissions = 0;
        for (action_name, action_spec) in actions {
            let action_path = format!("{path}.actions.{action_name}");
            if action_name == "metadata" {
                // `self.action == 'metadata'` is OPTIONS: only its permissions can differ.
                options_permissions = self.metadata_permissions(&mut view, action_spec, &action_path)?;
                continue;
            }
            self.add_action(&mut view, action_name, action_spec, &action_path)?;
        }
        for route in &mut view.routes {
            if route.kind != RouteKind::Extra {
                route.options_permissions = options_permissions;
            }
        }
        let method_names: Vec<String> = match &spec.http_method_names {
            // Django dispatches `request.method.lower()` if it is in the list, and `Allow` lists the
            // names that are handler attributes: a name with an upper-case letter is neither.
            Some(names) => names
                .iter()
                .filter(|name| name.is_ascii() && !name.bytes().any(|b| b.is_ascii_uppercase()))
                .map(|name| name.to_ascii_uppercase())
                .collect(),
            None => HTTP_METHOD_NAMES.iter().map(|name| (*name).to_owned()).collect(),
        };
        for route in &mut view.routes {
            finish_route(route, &method_names);
        }
        Ok(view)
    }

    fn metadata_permissions(&mut self, view: &mut View, spec: &ActionSpec, path: &str) -> Result<usize, PolicyError> {
        if spec.methods.is_some()
            || spec.detail.is_some()
            || spec.get_object.is_some()
            || spec.authentication.is_some()
            || spec.route.is_some()
            || spec.route_permissions.is_some()
        {
            return Err(PolicyError::new(
                PolicyErrorCode::InvalidPolicy,
                path,
                "`metadata` is the OPTIONS action: it may only set `permissions`",
            ));
        }
        let Some(list) = &spec.permissions else { return Ok(0) };
        let compiled = self.permission_list(view, list, &format!("{path}.permissions"))?;
        view.permission_lists.push(compiled);
        Ok(view.permission_lists.len() - 1)
    }

    fn add_action(&mut self, view: &mut View, name: &str, spec: &ActionSpec, path: &str) -> Result<(), PolicyError> {
        let standard = STANDARD_ACTIONS.iter().find(|(n, ..)| *n == name);
        let detail = match (spec.detail, standard) {
            (Some(detail), _) => detail,
            (None, Some((_, _, detail, _))) => *detail,
            (None, None) => {
                return Err(PolicyError::new(PolicyErrorCode::InvalidPolicy, path, format!("custom action `{name}` needs `detail` (true for /{{pk}}/{name}/ routes, false for list routes), as @action(detail=...) does")));
            }
        };
        let methods: Vec<String> = match (&spec.methods, standard) {
            (Some(methods), _) => methods.iter().map(|m| crate::http::normalize_method(m).into_owned()).collect(),
            (None, Some((_, method, ..))) => vec![(*method).to_owned()],
            (None, None) => vec!["GET".to_owned()],
        };
        for (index, method) in methods.iter().enumerate() {
            if !matches!(method.as_str(), "GET" | "POST" | "PUT" | "PATCH" | "DELETE") {
                return Err(PolicyError::new(PolicyErrorCode::InvalidPolicy, format!("{path}.methods[{index}]"), format!("`{method}` cannot be routed to an action; expected GET, POST, PUT, PATCH or DELETE (HEAD follows GET, OPTIONS is always handled)")));
            }
        }
        if methods.is_empty() {
            return Err(PolicyError::new(
                PolicyErrorCode::InvalidPolicy,
                format!("{path}.methods"),
                "an action needs at least one method",
            ));
        }
        let get_object = spec.get_object.unwrap_or(standard.map_or(detail, |(.., get_object)| *get_object));
        let kind = match (standard, detail) {
            (Some(_), false) => RouteKind::List,
            (Some(_), true) => RouteKind::Detail,
            (None, _) => RouteKind::Extra,
        };
        if standard.is_some() && spec.authentication.is_some() {
            return Err(PolicyError::new(
                PolicyErrorCode::InvalidPolicy,
                format!("{path}.authentication"),
                "DRF picks authentication classes before `self.action` is set, so only custom @action routes can override them",
            ));
        }
        let permissions = match &spec.permissions {
            Some(list) => {
                let compiled = self.permission_list(view, list, &format!("{path}.permissions"))?;
                view.permission_lists.push(compiled);
                view.permission_lists.len() - 1
            }
            None => 0,
        };
        if standard.is_some() && spec.route_permissions.is_some() {
            return Err(PolicyError::new(
                PolicyErrorCode::InvalidPolicy,
                format!("{path}.routePermissions"),
                "only custom actions have a route of their own",
            ));
        }
        let route_permissions = match &spec.route_permissions {
            Some(list) => {
                let compiled = self.permission_list(view, list, &format!("{path}.routePermissions"))?;
                view.permission_lists.push(compiled);
                view.permission_lists.len() - 1
            }
            None => permissions,
        };
        let authentication = match &spec.authentication {
            Some(names) => {
                view.authentication_lists.push(authentication_list(
                    self.doc,
                    self.settings,
                    names,
                    &format!("{path}.authentication"),
                )?);
                view.authentication_lists.len() - 1
            }
            None => 0,
        };
        if standard.is_some() && spec.route.is_some() {
            return Err(PolicyError::new(
                PolicyErrorCode::InvalidPolicy,
                format!("{path}.route"),
                "`route` groups custom actions; standard actions live on the list and detail routes",
            ));
        }
        let route = match kind {
            RouteKind::Extra => spec
                .route
                .as_ref()
                .and_then(|group| view.routes.iter().position(|route| route.group.as_ref() == Some(group))),
            _ => view.routes.iter().position(|route| route.kind == kind),
        };
        // A route group's actions each keep their own permissions and getObject (a plain
        // APIView's get_permissions() may choose by method; an @action's `.mapping` extra method
        // may never look the object up); the route's list, for OPTIONS and methods without a
        // handler, is the first action's `routePermissions`.
        let route = match route {
            Some(route) => route,
            None => {
                // An @action route carries the action's initkwargs for every method on it.
                let (route_permissions, route_authentication) =
                    if kind == RouteKind::Extra { (route_permissions, authentication) } else { (0, 0) };
                view.routes.push(Route {
                    kind,
                    handlers: Vec::new(),
                    handled: Vec::new(),
                    allow: String::new(),
                    permissions: route_permissions,
                    options_permissions: route_permissions,
                    authentication: route_authentication,
                    group: spec.route.clone(),
                });
                view.routes.len() - 1
            }
        };
        let action_index = view.actions.len();
        if let Some(route_ref) = view.routes.get_mut(route) {
            for method in &methods {
                if let Some((_, other)) = route_ref.handlers.iter().find(|(m, _)| m == method) {
                    let other_name = view.actions.get(*other).map_or("?", |a| a.name.as_str());
                    return Err(PolicyError::new(
                        PolicyErrorCode::InvalidPolicy,
                        path,
                        format!("`{name}` and `{other_name}` both handle {method} on the same route"),
                    ));
                }
                route_ref.handlers.push((method.clone(), action_index));
            }
        }
        view.actions.push(Action { name: name.to_owned(), route, methods, get_object, permissions });
        Ok(())
    }

    fn permission_list(&mut self, view: &View, sources: &[String], path: &str) -> Result<Vec<Entry>, PolicyError> {
        let mut entries = Vec::with_capacity(sources.len());
        for (index, source) in sources.iter().enumerate() {
            let entry_path = format!("{path}[{index}]");
            let expr = permission_expr::parse(source).map_err(|err| {
                PolicyError::new(PolicyErrorCode::SyntaxError, &entry_path, err.message).at(err.line, err.column)
            })?;
            let node = self.bind(&expr, view, &entry_path, 0)?;
            let single_class = match (&node, expr.single_class()) {
                (Node::Leaf { class, .. }, Some(_)) => Some(*class),
                _ => None,
            };
            entries.push(Entry { source: source.clone(), node, single_class });
        }
        Ok(entries)
    }

    /// Binds an expression to a view: DRF instantiates each class for the request.
    fn bind(&mut self, expr: &Expr, view: &View, path: &str, depth: u32) -> Result<Node, PolicyError> {
        if depth > 64 {
            return Err(PolicyError::new(
                PolicyErrorCode::InvalidPolicy,
                path,
                "compositions nest deeper than 64 levels",
            ));
        }
        Ok(match expr {
            Expr::Class { name, line, column } => match self.resolve_class(name, path, Some((*line, *column)))? {
                Resolved::Class(class) => {
                    let perms = self.bind_perms_map(class, view, path, (*line, *column))?;
                    Node::Leaf { class, perms }
                }
                Resolved::Alias(alias) => self.bind(&alias, view, path, depth + 1)?,
            },
            Expr::And(left, right) => Node::And(
                Box::new(self.bind(left, view, path, depth + 1)?),
                Box::new(self.bind(right, view, path, depth + 1)?),
            ),
            Expr::Or(left, right) => Node::Or(
                Box::new(self.bind(left, view, path, depth + 1)?),
                Box::new(self.bind(right, view, path, depth + 1)?),
            ),
            Expr::Not(inner) => Node::Not(Box::new(self.bind(inner, view, path, depth + 1)?)),
        })
    }

    fn bind_perms_map(
        &mut self,
        class: usize,
        view: &View,
        path: &str,
        (line, column): (u32, u32),
    ) -> Result<Option<Box<PermsMap>>, PolicyError> {
        let Some(def) = self.classes.get(class) else { return Ok(None) };
        if !def.uses_model() {
            return Ok(None);
        }
        let Some(model) = &view.model else {
            if view.ignore_model_permissions && def.has_object_permission != Check::DjangoObjectPermissions {
                return Ok(None);
            }
            return Err(PolicyError::new(
                PolicyErrorCode::MissingModel,
                path,
                format!(
                    "Cannot apply {} on a view that does not set `.queryset`: give view `{}` a `model`",
                    def.name, view.name
                ),
            )
            .at(line, column));
        };
        let mut entries: Vec<(String, Box<[PermId]>)> = Vec::with_capacity(def.perms_map.len());
        let templates = def.perms_map.clone();
        let authenticated_users_only = def.authenticated_users_only;
        let class_name = def.name.clone();
        for (method, list) in &templates {
            let mut ids = Vec::with_capacity(list.len());
            for template in list {
                let perm = format_permission(template, model).map_err(|message| {
                    PolicyError::new(
                        PolicyErrorCode::InvalidPermsMap,
                        format!("$.classes.{class_name}.permsMap.{method}"),
                        message,
                    )
                })?;
                ids.push(self.table.intern(&perm));
            }
            entries.push((method.clone(), ids.into_boxed_slice()));
        }
        Ok(Some(Box::new(PermsMap::new(entries, authenticated_users_only))))
    }
}

/// Adds HEAD (when GET is handled), then the methods that reach a handler and the `Allow`
/// header: `[m.upper() for m in self.http_method_names if hasattr(self, m)]`.
fn finish_route(route: &mut Route, method_names: &[String]) {
    if let Some(get_action) = route.handlers.iter().find(|(m, _)| m == "GET").map(|(_, a)| *a) {
        if !route.handlers.iter().any(|(m, _)| m == "HEAD") {
            route.handlers.push(("HEAD".to_owned(), get_action));
        }
    }
    route.handled = method_names
        .iter()
        .filter(|method| *method == "OPTIONS" || route.handlers.iter().any(|(m, _)| m == *method))
        .cloned()
        .collect();
    route.allow = route.handled.join(", ");
}

/// The `BaseHasAPIKey` subclass an `apiKey` spec declares, over its base's check.
fn api_key_check(
    base: &Check,
    spec: &crate::policy::ApiKeySpec,
    path: &str,
) -> Result<crate::permissions::api_key::ApiKeyCheck, PolicyError> {
    let inherited = match base {
        Check::HasApiKey(check) => Some(&**check),
        _ => None,
    };
    // `BaseHasAPIKey` without `model` asserts on every request: the policy must name one.
    let Some(model) = spec.model.clone().or_else(|| inherited.map(|check| check.model.clone())) else {
        return Err(PolicyError::new(
            PolicyErrorCode::InvalidPolicy,
            format!("{path}.apiKey.model"),
            "a BaseHasAPIKey subclass needs its API key model (`app_label.ModelName`), unless its base is HasAPIKey",
        ));
    };
    if model.split('.').count() != 2 || model.split('.').any(str::is_empty) {
        return Err(PolicyError::new(
            PolicyErrorCode::InvalidPolicy,
            format!("{path}.apiKey.model"),
            format!("`{model}` is not a model label (`app_label.ModelName`)"),
        ));
    }
    let keyword = spec
        .keyword
        .clone()
        .or_else(|| inherited.map(|check| check.keyword.clone()))
        .unwrap_or_else(|| crate::permissions::api_key::DEFAULT_KEYWORD.to_owned());
    Ok(crate::permissions::api_key::ApiKeyCheck { model, keyword })
}
