//! `rest_framework/permissions.py`: the built-in permission classes, `DjangoModelPermissions`
//! and `DjangoObjectPermissions`, and the `&` `|` `~` composition (`AND`, `OR`, `NOT`).
//!
//! Classes are compiled once per policy ([`PermissionClass`]); each view binds them to its model
//! ([`Node`]), so a decision only reads.

use crate::value::Value;

use crate::condition::{Condition, Environment};
use crate::decision::{CheckName, Tracer};
// Raised by the checks; they live with DRF's exceptions so that the trace can name them.
pub use crate::exceptions::{Raise, RaisedFor};
use crate::perm_table::{PermId, PermissionTable};
use crate::user::User;

pub mod api_key;
pub mod builtin;

use api_key::{ApiKeyCheck, ApiKeys};

/// `SAFE_METHODS`. TRACE is not safe for DRF (Django's CSRF check does treat it as safe).
pub const SAFE_METHODS: [&str; 3] = ["GET", "HEAD", "OPTIONS"];

/// The default `perms_map` of `DjangoModelPermissions` and `DjangoObjectPermissions` (3.18: no
/// permission needed to read).
pub const DEFAULT_PERMS_MAP: [(&str, &[&str]); 7] = [
    ("GET", &[]),
    ("OPTIONS", &[]),
    ("HEAD", &[]),
    ("POST", &["%(app_label)s.add_%(model_name)s"]),
    ("PUT", &["%(app_label)s.change_%(model_name)s"]),
    ("PATCH", &["%(app_label)s.change_%(model_name)s"]),
    ("DELETE", &["%(app_label)s.delete_%(model_name)s"]),
];

/// What one of a class's two methods does.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Check {
    /// `BasePermission`: `return True`.
    AllowAll,
    /// `IsAuthenticated.has_permission`.
    IsAuthenticated,
    /// `IsAdminUser.has_permission` (`is_staff` only).
    IsAdminUser,
    /// `IsAuthenticatedOrReadOnly.has_permission`.
    IsAuthenticatedOrReadOnly,
    /// `DjangoModelPermissions.has_permission`.
    DjangoModelPermissions,
    /// `DjangoObjectPermissions.has_object_permission`.
    DjangoObjectPermissions,
    /// A declared condition (index into the gate's conditions).
    Condition(usize),
    /// `BaseHasAPIKey.has_permission` (djangorestframework-api-key).
    HasApiKey(Box<ApiKeyCheck>),
}

/// A permission class, compiled.
#[derive(Clone, Debug)]
pub(crate) struct PermissionClass {
    pub name: String,
    pub has_permission: Check,
    pub has_object_permission: Check,
    /// The rendered 403 body for `message`, when the class sets one.
    pub message_body: Option<String>,
    pub code: Option<String>,
    /// `perms_map` templates (method, templates): the compiler's; entries carry them resolved.
    #[cfg(feature = "compiler")]
    pub perms_map: Vec<(String, Vec<String>)>,
    #[cfg(feature = "compiler")]
    pub authenticated_users_only: bool,
}

impl PermissionClass {
    #[cfg(feature = "compiler")]
    pub(crate) fn uses_model(&self) -> bool {
        self.has_permission == Check::DjangoModelPermissions
            || self.has_object_permission == Check::DjangoObjectPermissions
    }
}

/// `perms_map` resolved for one model: method → permission ids.
#[derive(Clone, Debug, Default)]
pub(crate) struct PermsMap {
    pub(crate) entries: Vec<(String, Box<[PermId]>)>,
    pub(crate) authenticated_users_only: bool,
}

impl PermsMap {
    pub(crate) fn new(entries: Vec<(String, Box<[PermId]>)>, authenticated_users_only: bool) -> Self {
        PermsMap { entries, authenticated_users_only }
    }

    /// `get_required_permissions(method, model_cls)`: an unknown method raises
    /// `MethodNotAllowed(method)`.
    fn required(&self, method: &str, which: RaisedFor) -> Result<&[PermId], Raise> {
        self.entries
            .iter()
            .find(|(key, _)| key == method)
            .map(|(_, perms)| &**perms)
            .ok_or(Raise::MethodNotAllowed(which))
    }
}

/// A permission expression bound to a view: DRF's instantiated permission objects.
#[derive(Clone, Debug)]
pub(crate) enum Node {
    Leaf {
        class: usize,
        /// The class's `perms_map` for the view's model, if the class uses one.
        perms: Option<Box<PermsMap>>,
    },
    And(Box<Node>, Box<Node>),
    Or(Box<Node>, Box<Node>),
    Not(Box<Node>),
}

/// What the checks read: the compiled policy (`'g`) and this request (`'r`).
pub(crate) struct Request<'g, 'r> {
    pub method: &'r str,
    pub safe: bool,
    pub user: &'r User,
    pub action: Option<&'g str>,
    pub ignore_model_permissions: bool,
    pub table: &'g PermissionTable,
    pub classes: &'g [PermissionClass],
    pub conditions: &'g [Condition],
    /// Whether the request carries a valid API key (`HasAPIKey`).
    pub api_keys: &'r dyn ApiKeys,
}

struct ConditionEnv<'e, 'g, 'r> {
    request: &'e Request<'g, 'r>,
    object: Option<&'e Value>,
}

impl Environment for ConditionEnv<'_, '_, '_> {
    fn method(&self) -> &str {
        self.request.method
    }
    fn action(&self) -> Option<&str> {
        self.request.action
    }
    fn user(&self) -> &User {
        self.request.user
    }
    fn object(&self) -> Option<&Value> {
        self.object
    }
    fn has_perm(&self, perm: PermId, with_object: bool) -> bool {
        let object = if with_object { self.object } else { None };
        if with_object && object.is_none() {
            return false;
        }
        self.request.user.has_perm(perm, object, self.request.table)
    }
}

/// `permission.has_permission(request, view)`.
pub(crate) fn has_permission<'g, T: Tracer<'g> + ?Sized>(
    node: &'g Node,
    request: &Request<'g, '_>,
    tracer: &mut T,
) -> Result<bool, Raise> {
    match node {
        Node::Leaf { class, perms } => {
            let Some(def) = request.classes.get(*class) else {
                return Err(Raise::Error("unknown permission class".into()));
            };
            let token = tracer.enter(&def.name, CheckName::HasPermission);
            let result = run_check(&def.name, &def.has_permission, perms.as_deref(), request, None);
            tracer.exit(token, &result);
            result
        }
        Node::And(left, right) => {
            let token = tracer.enter("&", CheckName::HasPermission);
            let result = match has_permission(left, request, tracer) {
                Ok(true) => has_permission(right, request, tracer),
                other => other,
            };
            tracer.exit(token, &result);
            result
        }
        Node::Or(left, right) => {
            let token = tracer.enter("|", CheckName::HasPermission);
            let result = match has_permission(left, request, tracer) {
                Ok(false) => has_permission(right, request, tracer),
                other => other,
            };
            tracer.exit(token, &result);
            result
        }
        Node::Not(inner) => {
            let token = tracer.enter("~", CheckName::HasPermission);
            let result = has_permission(inner, request, tracer).map(|allowed| !allowed);
            tracer.exit(token, &result);
            result
        }
    }
}

/// `permission.has_object_permission(request, view, obj)`. `OR` re-runs each operand's
/// `has_permission` first (DRF 3.14+), lazily; `AND` and `NOT` do not.
pub(crate) fn has_object_permission<'g, T: Tracer<'g> + ?Sized>(
    node: &'g Node,
    request: &Request<'g, '_>,
    object: &Value,
    tracer: &mut T,
) -> Result<bool, Raise> {
    match node {
        Node::Leaf { class, perms } => {
            let Some(def) = request.classes.get(*class) else {
                return Err(Raise::Error("unknown permission class".into()));
            };
            let token = tracer.enter(&def.name, CheckName::HasObjectPermission);
            let result = run_check(&def.name, &def.has_object_permission, perms.as_deref(), request, Some(object));
            tracer.exit(token, &result);
            result
        }
        Node::And(left, right) => {
            let token = tracer.enter("&", CheckName::HasObjectPermission);
            let result = match has_object_permission(left, request, object, tracer) {
                Ok(true) => has_object_permission(right, request, object, tracer),
                other => other,
            };
            tracer.exit(token, &result);
            result
        }
        Node::Or(left, right) => {
            let token = tracer.enter("|", CheckName::HasObjectPermission);
            let operand = |side: &'g Node, tracer: &mut T| match has_permission(side, request, tracer) {
                Ok(true) => has_object_permission(side, request, object, tracer),
                other => other,
            };
            let result = match operand(left, tracer) {
                Ok(false) => operand(right, tracer),
                other => other,
            };
            tracer.exit(token, &result);
            result
        }
        Node::Not(inner) => {
            let token = tracer.enter("~", CheckName::HasObjectPermission);
            let result = has_object_permission(inner, request, object, tracer).map(|allowed| !allowed);
            tracer.exit(token, &result);
            result
        }
    }
}

fn run_check(
    class_name: &str,
    check: &Check,
    perms: Option<&PermsMap>,
    request: &Request<'_, '_>,
    object: Option<&Value>,
) -> Result<bool, Raise> {
    let user = request.user;
    match check {
        Check::AllowAll => Ok(true),
        Check::IsAuthenticated => Ok(user.is_authenticated()),
        Check::IsAdminUser => Ok(user.is_staff()),
        Check::IsAuthenticatedOrReadOnly => Ok(request.safe || user.is_authenticated()),
        Check::DjangoModelPermissions => {
            let authenticated_users_only = perms.is_none_or(|map| map.authenticated_users_only);
            if !user.is_authenticated() && authenticated_users_only {
                return Ok(false);
            }
            if request.ignore_model_permissions {
                return Ok(true);
            }
            let map = perms.ok_or_else(missing_queryset)?;
            let required = map.required(request.method, RaisedFor::RequestMethod)?;
            Ok(user.has_perms(required, None, request.table))
        }
        Check::DjangoObjectPermissions => {
            let map = perms.ok_or_else(missing_queryset)?;
            let object = object.ok_or_else(|| Raise::Error("has_object_permission without an object".into()))?;
            let required = map.required(request.method, RaisedFor::RequestMethod)?;
            if !user.has_perms(required, Some(object), request.table) {
                // No permission: a user who may not even read the object gets 404, not 403.
                if request.safe {
                    return Err(Raise::NotFound);
                }
                let read = map.required("GET", RaisedFor::ReadCheck)?;
                if !user.has_perms(read, Some(object), request.table) {
                    return Err(Raise::NotFound);
                }
                return Ok(false);
            }
            Ok(true)
        }
        Check::Condition(index) => {
            let condition = request.conditions.get(*index).ok_or_else(|| Raise::Error("unknown condition".into()))?;
            let env = ConditionEnv { request, object };
            condition.evaluate(&env).map_err(|err| Raise::Error(err.message))
        }
        Check::HasApiKey(check) => request.api_keys.has_api_key(class_name, check),
    }
}

/// Whether `object` is in the view's `get_queryset()`: its filter condition (an index into the
/// gate's conditions) holds for it.
/// `Err` carries the evaluation error (the server's 500).
pub(crate) fn in_queryset(condition: usize, request: &Request<'_, '_>, object: &Value) -> Result<bool, String> {
    let condition = request.conditions.get(condition).ok_or_else(|| "unknown condition".to_owned())?;
    let env = ConditionEnv { request, object: Some(object) };
    condition.evaluate(&env).map_err(|err| err.message)
}

fn missing_queryset() -> Raise {
    Raise::Error("Cannot apply DjangoModelPermissions on a view that does not set `.queryset` or have a `.get_queryset()` method.".into())
}
