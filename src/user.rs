//! The user DRF puts on `request.user`, and Django's `has_perm` / `has_perms` rules.
//!
//! A [`UserInput`] is the JSON shape callers send. [`User`] is that user compiled against one
//! policy: its permissions become a bitset over the policy's [`PermissionTable`], so a check is a
//! bit test and a UI can reuse one compiled user for every button it renders.

use crate::value::{Map, Value};
use serde::{Deserialize, Serialize};

use crate::perm_table::{codename_part, BitSet, PermId, PermissionTable};

/// A user as JSON: the fields DRF's permission classes read.
///
/// ```
/// let user: drf_gate::user::UserInput = serde_json::from_str(
///     r#"{"id": 3, "isStaff": true, "permissions": ["blog.add_post"]}"#).unwrap();
/// assert!(user.is_active && user.is_staff && !user.is_superuser);
/// ```
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
#[serde(remote = "Self", rename_all = "camelCase", deny_unknown_fields)]
pub struct UserInput {
    /// The primary key (`user.pk`): a number or a string.
    #[serde(default)]
    pub id: Option<Value>,
    /// `user.username`.
    #[serde(default)]
    pub username: Option<String>,
    /// `user.is_active` (default true).
    #[serde(default = "default_true")]
    pub is_active: bool,
    /// `user.is_staff`: the only flag `IsAdminUser` reads.
    #[serde(default)]
    pub is_staff: bool,
    /// `user.is_superuser`: grants every permission, but only while active.
    #[serde(default)]
    pub is_superuser: bool,
    /// Model permissions, user and group permissions together (`user.get_all_permissions()`).
    #[serde(default)]
    pub permissions: Vec<String>,
    /// Object permissions (django-guardian): a list for the object of this check, or a map from
    /// the object's pk to its list.
    #[serde(default)]
    pub object_permissions: Option<ObjectPermissionsInput>,
    /// simplejwt's `TokenUser`: `has_perm` and `has_perms` always answer False.
    #[serde(default)]
    pub token_user: bool,
    /// Other fields conditions read as `request.user.<name>`.
    #[serde(default)]
    pub attributes: Map<String, Value>,
}

fn default_true() -> bool {
    true
}

// A user is a JSON object only (src/json_object.rs): a store's row of values (D1's `raw()`) was
// read by position.
object_only!(UserInput, "struct UserInput", serialize);

impl Default for UserInput {
    /// An active user with no flags and no permissions.
    fn default() -> Self {
        UserInput {
            id: None,
            username: None,
            is_active: true,
            is_staff: false,
            is_superuser: false,
            permissions: Vec::new(),
            object_permissions: None,
            token_user: false,
            attributes: Map::new(),
        }
    }
}

/// Object permissions as given: for the checked object, or keyed by object pk.
///
/// ```
/// use drf_gate::user::ObjectPermissionsInput;
/// let by_pk: ObjectPermissionsInput = serde_json::from_str(r#"{"7": ["change_post"]}"#).unwrap();
/// assert!(matches!(by_pk, ObjectPermissionsInput::ByPk(_)));
/// ```
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
#[serde(untagged)]
pub enum ObjectPermissionsInput {
    /// Permissions on whichever object is checked.
    ForCheckedObject(Vec<String>),
    /// Permissions per object pk (`"7"` for pk 7).
    ByPk(crate::perm_table::NameMap<Vec<String>>),
}

#[derive(Clone, Debug, Default)]
enum ObjectPermissions {
    #[default]
    None,
    ForCheckedObject(BitSet),
    ByPk(crate::perm_table::NameMap<BitSet>),
}

/// `request.user`, compiled against one policy.
///
/// ```
/// use drf_gate::perm_table::PermissionTable;
/// use drf_gate::user::{User, UserInput};
/// let mut table = PermissionTable::default();
/// let add = table.intern("blog.add_post");
/// let input = UserInput { id: Some(3.into()), permissions: vec!["blog.add_post".into()], ..Default::default() };
/// let user = User::compile(&input, &table);
/// assert!(user.is_authenticated());
/// assert!(user.has_perm(add, None, &table));
/// assert!(!User::anonymous().has_perm(add, None, &table));
/// ```
#[derive(Clone, Debug, Default)]
pub struct User {
    authenticated: bool,
    id: Option<Value>,
    username: Option<String>,
    is_active: bool,
    is_staff: bool,
    is_superuser: bool,
    token_user: bool,
    permissions: BitSet,
    object_permissions: ObjectPermissions,
    attributes: Map<String, Value>,
}

impl User {
    /// Django's `AnonymousUser`: not active, not staff, no permissions, `pk` None.
    pub fn anonymous() -> Self {
        User::default()
    }

    /// Compiles a user: permission names the policy never asks about are dropped.
    pub fn compile(input: &UserInput, table: &PermissionTable) -> Self {
        let mut permissions = BitSet::with_capacity(table.len());
        for name in &input.permissions {
            if let Some(id) = table.get(name) {
                permissions.insert(id.0);
            }
        }
        let codenames = |names: &[String]| {
            let mut set = BitSet::with_capacity(table.codename_count());
            for name in names {
                if let Some(id) = table.codename_id(codename_part(name)) {
                    set.insert(id.0);
                }
            }
            set
        };
        let object_permissions = match &input.object_permissions {
            None => ObjectPermissions::None,
            Some(ObjectPermissionsInput::ForCheckedObject(names)) => {
                ObjectPermissions::ForCheckedObject(codenames(names))
            }
            Some(ObjectPermissionsInput::ByPk(map)) => {
                ObjectPermissions::ByPk(map.iter().map(|(pk, names)| (pk.clone(), codenames(names))).collect())
            }
        };
        User {
            authenticated: true,
            id: input.id.clone(),
            username: input.username.clone(),
            is_active: input.is_active,
            is_staff: input.is_staff,
            is_superuser: input.is_superuser,
            token_user: input.token_user,
            permissions,
            object_permissions,
            attributes: input.attributes.clone(),
        }
    }

    /// `user.is_authenticated`: True for every real user, active or not.
    pub fn is_authenticated(&self) -> bool {
        self.authenticated
    }
    /// `user.is_anonymous`.
    pub fn is_anonymous(&self) -> bool {
        !self.authenticated
    }
    /// `user.pk` (None for anonymous).
    pub fn id(&self) -> Option<&Value> {
        self.id.as_ref()
    }
    /// `user.username` (`""` for anonymous, as Django's `AnonymousUser.username`).
    pub fn username(&self) -> &str {
        self.username.as_deref().unwrap_or("")
    }
    /// `user.is_active`.
    pub fn is_active(&self) -> bool {
        self.is_active
    }
    /// `user.is_staff`.
    pub fn is_staff(&self) -> bool {
        self.is_staff
    }
    /// `user.is_superuser`.
    pub fn is_superuser(&self) -> bool {
        self.is_superuser
    }
    /// Whether this is simplejwt's stateless `TokenUser`.
    pub fn is_token_user(&self) -> bool {
        self.token_user
    }
    /// A custom field, `request.user.<name>`. simplejwt's `TokenUser` answers any name with
    /// `token.get(name)`, so a claim it lacks reads as `None` rather than failing.
    ///
    /// ```
    /// let input: drf_gate::user::UserInput = serde_json::from_str(r#"{"id": "7", "tokenUser": true}"#).unwrap();
    /// let user = drf_gate::user::User::compile(&input, &Default::default());
    /// assert_eq!(user.attribute("email_verified"), Some(&serde_json::Value::Null));
    /// ```
    pub fn attribute(&self, name: &str) -> Option<&Value> {
        static NONE: Value = Value::Null;
        match self.attributes.get(name) {
            Some(value) => Some(value),
            None if self.token_user => Some(&NONE),
            None => None,
        }
    }

    /// Django's `user.has_perm(perm, obj)` with `[ModelBackend, guardian ObjectPermissionBackend]`.
    pub fn has_perm(&self, perm: PermId, obj: Option<&Value>, table: &PermissionTable) -> bool {
        if self.token_user || !self.authenticated || !self.is_active {
            // TokenUser answers False; AnonymousUser and inactive users hold nothing.
            return false;
        }
        if self.is_superuser {
            return true;
        }
        match obj {
            None => self.permissions.contains(perm.0),
            // ModelBackend never answers object checks; the object backend compares codenames.
            Some(obj) => {
                let Some(codename) = table.codename(perm) else { return false };
                match &self.object_permissions {
                    ObjectPermissions::None => false,
                    ObjectPermissions::ForCheckedObject(set) => set.contains(codename.0),
                    ObjectPermissions::ByPk(map) => {
                        object_pk(obj).and_then(|pk| map.get(&pk)).is_some_and(|set| set.contains(codename.0))
                    }
                }
            }
        }
    }

    /// Whether object permissions are given per object pk (then `has_perm(perm, obj)` depends on
    /// the object; otherwise not).
    ///
    /// ```
    /// use drf_gate::user::{User, UserInput};
    /// let user = User::compile(&UserInput::default(), &Default::default());
    /// assert!(!user.object_permissions_by_pk());
    /// ```
    pub fn object_permissions_by_pk(&self) -> bool {
        matches!(self.object_permissions, ObjectPermissions::ByPk(_))
    }

    /// Django's `user.has_perms(perm_list, obj)`: all of them; an empty list is True, except for
    /// simplejwt's `TokenUser`, which always answers False.
    pub fn has_perms(&self, perms: &[PermId], obj: Option<&Value>, table: &PermissionTable) -> bool {
        if self.token_user {
            return false;
        }
        perms.iter().all(|perm| self.has_perm(*perm, obj, table))
    }
}

/// The key of an object in a by-pk permission map: its `pk` or `id`, as text.
fn object_pk(obj: &Value) -> Option<String> {
    let pk = obj.get("pk").or_else(|| obj.get("id"))?;
    match pk {
        Value::String(text) => Some(text.clone()),
        Value::Number(number) => Some(crate::text::cat!(number)),
        _ => None,
    }
}
