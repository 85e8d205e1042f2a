//! DRF's built-in permission classes (`permissions.py`), by the names `permission_classes` gives
//! them: one table, read both to compile a class and to list the built-ins in error messages.

use super::Check;
#[cfg(feature = "compiler")]
use super::{PermissionClass, DEFAULT_PERMS_MAP};

/// djangorestframework-api-key's `HasAPIKey`, known by this name like DRF's own classes.
pub const HAS_API_KEY: &str = "HasAPIKey";

/// One built-in class: its two methods and whether `authenticated_users_only` holds.
#[cfg_attr(not(feature = "compiler"), allow(dead_code))]
struct Builtin {
    name: &'static str,
    has_permission: Check,
    has_object_permission: Check,
    authenticated_users_only: bool,
}

const fn builtin(name: &'static str, has_permission: Check, has_object_permission: Check, only: bool) -> Builtin {
    Builtin { name, has_permission, has_object_permission, authenticated_users_only: only }
}

/// `BasePermission` comes last: accepted, but not offered in messages (it is the base class).
static BUILTINS: [Builtin; 8] = [
    builtin("AllowAny", Check::AllowAll, Check::AllowAll, true),
    builtin("IsAuthenticated", Check::IsAuthenticated, Check::AllowAll, true),
    builtin("IsAdminUser", Check::IsAdminUser, Check::AllowAll, true),
    builtin("IsAuthenticatedOrReadOnly", Check::IsAuthenticatedOrReadOnly, Check::AllowAll, true),
    builtin("DjangoModelPermissions", Check::DjangoModelPermissions, Check::AllowAll, true),
    builtin("DjangoModelPermissionsOrAnonReadOnly", Check::DjangoModelPermissions, Check::AllowAll, false),
    builtin("DjangoObjectPermissions", Check::DjangoModelPermissions, Check::DjangoObjectPermissions, true),
    builtin("BasePermission", Check::AllowAll, Check::AllowAll, true),
];

/// The built-in class names offered to users, in `permissions.py` order.
///
/// ```
/// let names: Vec<&str> = drf_gate::permissions::builtin::names().collect();
/// assert_eq!(names.first(), Some(&"AllowAny"));
/// assert!(!names.contains(&"BasePermission"));
/// ```
pub fn names() -> impl Iterator<Item = &'static str> {
    BUILTINS.iter().map(|builtin| builtin.name).filter(|name| *name != "BasePermission")
}

/// A built-in class by its DRF name, compiled; `None` for any other name.
#[cfg(feature = "compiler")]
pub(crate) fn permission_class(name: &str) -> Option<PermissionClass> {
    if name == HAS_API_KEY {
        return Some(PermissionClass {
            name: name.to_owned(),
            has_permission: Check::HasApiKey(Box::default()),
            // DRF 3.14+: `BasePermission.has_object_permission`.
            has_object_permission: Check::AllowAll,
            message_body: None,
            code: None,
            perms_map: Vec::new(),
            authenticated_users_only: true,
        });
    }
    let builtin = BUILTINS.iter().find(|builtin| builtin.name == name)?;
    let perms_map = if builtin.has_permission == Check::DjangoModelPermissions {
        DEFAULT_PERMS_MAP
            .iter()
            .map(|(method, templates)| ((*method).to_owned(), templates.iter().map(|t| (*t).to_owned()).collect()))
            .collect()
    } else {
        Vec::new()
    };
    Some(PermissionClass {
        name: name.to_owned(),
        has_permission: builtin.has_permission.clone(),
        has_object_permission: builtin.has_object_permission.clone(),
        message_body: None,
        code: None,
        perms_map,
        authenticated_users_only: builtin.authenticated_users_only,
    })
}
