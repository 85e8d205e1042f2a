//! The policy document: a DRF project's authentication and permission configuration as JSON
//! (see `docs/policy.md`). This module only describes the shape; [`crate::Gate`] compiles it.

use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::Value;

use crate::authentication::AuthenticationSettings;

/// The whole policy.
///
/// ```
/// let doc: drf_gate::policy::PolicyDocument = serde_json::from_str(r#"{
///   "authentication": ["token"],
///   "permissions": ["IsAuthenticated"],
///   "views": {"posts": {"model": "blog.Post"}}
/// }"#).unwrap();
/// assert_eq!(doc.views.0.len(), 1);
/// ```
#[derive(Clone, Debug, Default, serde::Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PolicyDocument {
    /// A JSON-schema reference, ignored (lets editors validate the file).
    #[serde(default, rename = "$schema")]
    pub schema: Option<String>,
    /// `DEFAULT_AUTHENTICATION_CLASSES` (DRF default: Session, Basic).
    #[serde(default)]
    pub authentication: Option<Vec<String>>,
    /// `DEFAULT_PERMISSION_CLASSES` (DRF default: AllowAny).
    #[serde(default)]
    pub permissions: Option<Vec<String>>,
    /// `DEFAULT_RENDERER_CLASSES` (DRF default: JSON, then the browsable API).
    #[serde(default)]
    pub renderers: Option<Vec<String>>,
    /// Custom authentication classes by name.
    #[serde(default)]
    pub authentication_classes: OrderedMap<AuthenticationClassSpec>,
    /// Custom permission classes by name.
    #[serde(default)]
    pub classes: OrderedMap<PermissionClassSpec>,
    /// Options of the authentication classes.
    #[serde(default)]
    pub settings: AuthenticationSettings,
    /// Views and viewsets by name.
    #[serde(default)]
    pub views: OrderedMap<ViewSpec>,
    /// URL routes to views, as DRF routers map them.
    #[serde(default)]
    pub routes: Vec<RouteSpec>,
    /// Views an exporter left to the origin server (informational).
    #[serde(default)]
    pub left_to_origin: Vec<Value>,
    /// `settings.MIDDLEWARE` and what it adds to DRF's responses (see [`crate::middleware`]).
    #[serde(default)]
    pub middleware: Option<crate::middleware::MiddlewareSpec>,
}

/// A custom authentication class.
///
/// ```
/// let spec: drf_gate::policy::AuthenticationClassSpec =
///     serde_json::from_str(r#"{"base": "token", "keyword": "Bearer"}"#).unwrap();
/// assert_eq!(spec.keyword.as_deref(), Some("Bearer"));
/// ```
#[derive(Clone, Debug, Default, serde::Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AuthenticationClassSpec {
    /// A built-in class this one derives from.
    #[serde(default)]
    pub base: Option<String>,
    /// What `authenticate_header` returns (`null`: nothing, so failures are 403).
    #[serde(default, deserialize_with = "present")]
    pub www_authenticate: Option<Option<String>>,
    /// `TokenAuthentication.keyword`.
    #[serde(default)]
    pub keyword: Option<String>,
    /// `www_authenticate_realm`.
    #[serde(default)]
    pub realm: Option<String>,
}

/// A custom permission class.
///
/// ```
/// let spec: drf_gate::policy::PermissionClassSpec = serde_json::from_str(
///     r#"{"hasObjectPermission": "obj.owner == request.user", "message": "Not yours."}"#).unwrap();
/// assert!(spec.has_permission.is_none());
/// ```
#[derive(Clone, Debug, Default, serde::Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PermissionClassSpec {
    /// The parent class.
    #[serde(default)]
    pub base: Option<String>,
    /// The `has_permission` condition.
    #[serde(default)]
    pub has_permission: Option<String>,
    /// The `has_object_permission` condition.
    #[serde(default)]
    pub has_object_permission: Option<String>,
    /// `message`: a string, or an object/array that becomes the whole body.
    #[serde(default)]
    pub message: Option<Value>,
    /// `code`.
    #[serde(default)]
    pub code: Option<String>,
    /// `perms_map` of a `DjangoModelPermissions` / `DjangoObjectPermissions` subclass.
    #[serde(default)]
    pub perms_map: Option<OrderedMap<Vec<String>>>,
    /// `authenticated_users_only` of a `DjangoModelPermissions` subclass.
    #[serde(default)]
    pub authenticated_users_only: Option<bool>,
    /// A composition (`"IsOwner | IsAdminUser"`) instead of a class body.
    #[serde(default)]
    pub expression: Option<String>,
    /// djangorestframework-api-key: a `BaseHasAPIKey` subclass (`has_permission` is
    /// `model.objects.is_valid(key)`; see `docs/policy.md`).
    #[serde(default)]
    pub api_key: Option<ApiKeySpec>,
}

/// A `BaseHasAPIKey` subclass: its `model` and its key parser's `keyword`.
///
/// ```
/// let spec: drf_gate::policy::ApiKeySpec = serde_json::from_str(r#"{"model": "orgs.OrganizationAPIKey"}"#).unwrap();
/// assert_eq!(spec.model.as_deref(), Some("orgs.OrganizationAPIKey"));
/// ```
#[derive(Clone, Debug, Default, serde::Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ApiKeySpec {
    /// The API key model's label, `app_label.ModelName` (default: the base class's; `HasAPIKey`'s
    /// is `rest_framework_api_key.APIKey`).
    #[serde(default)]
    pub model: Option<String>,
    /// `key_parser.keyword` (default `Api-Key`).
    #[serde(default)]
    pub keyword: Option<String>,
}

/// A DRF view or viewset.
///
/// ```
/// let view: drf_gate::policy::ViewSpec =
///     serde_json::from_str(r#"{"model": "blog.Post", "actions": ["list", "retrieve"]}"#).unwrap();
/// assert_eq!(view.actions.map(|a| a.0.len()), Some(2));
/// ```
#[derive(Clone, Debug, Default, serde::Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ViewSpec {
    /// `queryset.model` as `app_label.ObjectName`.
    #[serde(default)]
    pub model: Option<String>,
    /// `authentication_classes`.
    #[serde(default)]
    pub authentication: Option<Vec<String>>,
    /// `permission_classes`.
    #[serde(default)]
    pub permissions: Option<Vec<String>>,
    /// `renderer_classes`.
    #[serde(default)]
    pub renderers: Option<Vec<String>>,
    /// The actions its routes handle (default: the six `ModelViewSet` actions).
    #[serde(default)]
    pub actions: Option<OrderedMap<ActionSpec>>,
    /// `_ignore_model_permissions` (DRF's API root view sets it).
    #[serde(default)]
    pub ignore_model_permissions: bool,
    /// The view has `throttle_classes`: DRF checks throttles after the permissions and before the
    /// handler lookup and `get_object()`, so its 405s, lookup 404s and object-stage denials may be
    /// the origin's 429 (the edge forwards those).
    #[serde(default)]
    pub throttled: bool,
    /// The filter of `get_queryset()`, as a condition over `obj` and `request`: `get_object()`
    /// finds only objects it holds for (others are a 404), e.g.
    /// `"obj.published or obj.owner == request.user"`.
    #[serde(default)]
    pub queryset: Option<String>,
    /// The query parameters the view's `filter_backends` read, by prefix (SearchFilter's
    /// `search_param`, django-filter's filter names): `get_object()` is
    /// `filter_queryset(get_queryset())`, so a request with a parameter whose name starts with
    /// one of them leaves the lookup and object stages to the origin (a filter may hide the
    /// object, or answer 400). Without them the backends do not filter.
    #[serde(default)]
    pub filter_params: Vec<String>,
    /// `http_method_names`, in order (default Django's: get, post, put, patch, delete, head,
    /// options, trace). It orders the `Allow` header and limits which methods reach a handler;
    /// `@api_view(['GET'])` views have `["get", "options"]` (DRF builds that list from a set, so
    /// its order varies between server processes). Names are as Python writes them: Django
    /// compares `request.method.lower()` with them, so `"GET"` matches nothing.
    #[serde(default)]
    pub http_method_names: Option<Vec<String>>,
}

/// One action of a view.
///
/// ```
/// let action: drf_gate::policy::ActionSpec =
///     serde_json::from_str(r#"{"detail": true, "methods": ["post"]}"#).unwrap();
/// assert_eq!(action.detail, Some(true));
/// ```
#[derive(Clone, Debug, Default, serde::Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ActionSpec {
    /// HTTP methods routed to it.
    #[serde(default)]
    pub methods: Option<Vec<String>>,
    /// Detail route (`/posts/{pk}/...`) or list route.
    #[serde(default)]
    pub detail: Option<bool>,
    /// Whether it calls `get_object()` (and so `check_object_permissions`).
    #[serde(default)]
    pub get_object: Option<bool>,
    /// Permission classes for this action.
    #[serde(default)]
    pub permissions: Option<Vec<String>>,
    /// Authentication classes for this action.
    #[serde(default)]
    pub authentication: Option<Vec<String>>,
    /// For a custom action: the permission classes of requests on its route that do not run
    /// this action (a method it does not handle, OPTIONS). Default: `permissions`, as
    /// `@action(permission_classes=...)` gives; a viewset that picks classes in
    /// `get_permissions()` by `self.action` gives the view's own classes here.
    #[serde(default)]
    pub route_permissions: Option<Vec<String>>,
    /// Custom actions naming the same `route` share one URL (a plain `APIView` with `get` and
    /// `patch` handlers); by default each custom action has its own route, as `@action` does.
    #[serde(default)]
    pub route: Option<String>,
}

/// A URL route (consumed by edge routing).
///
/// ```
/// let route: drf_gate::policy::RouteSpec =
///     serde_json::from_str(r#"{"pattern": "/api/posts/{pk}/", "view": "posts", "detail": true}"#).unwrap();
/// assert!(route.detail);
/// ```
#[derive(Clone, Debug, Default, serde::Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RouteSpec {
    /// The URL pattern with `{name}` placeholders.
    pub pattern: String,
    /// The view it dispatches to.
    pub view: String,
    /// Detail route.
    #[serde(default)]
    pub detail: bool,
    /// A custom action's route.
    #[serde(default)]
    pub action: Option<String>,
    /// The route's method → action map, as the router built it (checked against the view).
    #[serde(default)]
    pub actions: Option<OrderedMap<String>>,
    /// An equivalent regular expression, for tools; drf-gate matches `pattern`.
    #[serde(default)]
    pub regex: Option<String>,
}

/// A JSON object whose key order is kept and whose keys are unique. Also accepts an array of
/// names, each mapped to a default value (`"actions": ["list", "retrieve"]`).
///
/// ```
/// let map: drf_gate::policy::OrderedMap<u8> = serde_json::from_str(r#"{"b": 1, "a": 2}"#).unwrap();
/// assert_eq!(map.0, vec![("b".to_string(), 1), ("a".to_string(), 2)]);
/// assert!(serde_json::from_str::<drf_gate::policy::OrderedMap<u8>>(r#"{"a": 1, "a": 2}"#).is_err());
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct OrderedMap<V>(pub Vec<(String, V)>);

impl<V> Default for OrderedMap<V> {
    fn default() -> Self {
        OrderedMap(Vec::new())
    }
}

impl<V> OrderedMap<V> {
    /// The value for `key`.
    pub fn get(&self, key: &str) -> Option<&V> {
        self.0.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }
}

impl<'de, V: Deserialize<'de> + Default> Deserialize<'de> for OrderedMap<V> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct OrderedMapVisitor<V>(PhantomData<V>);
        impl<'de, V: Deserialize<'de> + Default> Visitor<'de> for OrderedMapVisitor<V> {
            type Value = OrderedMap<V>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object (or an array of names)")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Self::Value, A::Error> {
                let mut entries: Vec<(String, V)> = Vec::new();
                let mut seen = std::collections::HashSet::new();
                while let Some(key) = access.next_key::<String>()? {
                    if !seen.insert(key.clone()) {
                        return Err(de::Error::custom(format!("duplicate key `{key}`")));
                    }
                    let value = access.next_value::<V>()?;
                    entries.push((key, value));
                }
                Ok(OrderedMap(entries))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut access: A) -> Result<Self::Value, A::Error> {
                let mut entries: Vec<(String, V)> = Vec::new();
                let mut seen = std::collections::HashSet::new();
                while let Some(key) = access.next_element::<String>()? {
                    if !seen.insert(key.clone()) {
                        return Err(de::Error::custom(format!("duplicate name `{key}`")));
                    }
                    entries.push((key, V::default()));
                }
                Ok(OrderedMap(entries))
            }
        }
        deserializer.deserialize_any(OrderedMapVisitor(PhantomData))
    }
}

/// Distinguishes a key given as `null` (`Some(None)`) from a missing key (`None`).
fn present<'de, D: Deserializer<'de>, T: Deserialize<'de>>(deserializer: D) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(deserializer).map(Some)
}
