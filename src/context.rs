//! The request context: one request as the permission stage sees it.

use crate::value::Value;
use serde::{Deserialize, Deserializer};

use crate::authentication::AuthenticationOutcome;
use crate::user::UserInput;

/// A request after authentication (see `docs/policy.md` §2).
///
/// ```
/// let ctx: drf_gate::Context = serde_json::from_str(
///     r#"{"view": "posts", "action": "destroy", "user": {"id": 3}, "object": {"id": 7, "owner": 3}}"#).unwrap();
/// assert_eq!(ctx.action.as_deref(), Some("destroy"));
/// assert!(matches!(ctx.object, Some(Some(_))));
/// ```
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(remote = "Self", rename_all = "camelCase", deny_unknown_fields)]
pub struct Context {
    /// The view's name in the policy.
    pub view: String,
    /// The action (`list`, `destroy`, a custom `@action`).
    #[serde(default)]
    pub action: Option<String>,
    /// The HTTP method (upper-cased as Django does).
    #[serde(default)]
    pub method: Option<String>,
    /// Detail route (`/posts/{pk}/`) rather than list route; with `method` and no `action`.
    #[serde(default)]
    pub detail: Option<bool>,
    /// `request.user`: `null` or absent for anonymous.
    #[serde(default)]
    pub user: Option<UserInput>,
    /// What authentication produced.
    #[serde(default)]
    pub authentication: Option<AuthenticationOutcome>,
    /// The object `get_object()` returns: `null` is a lookup miss (404); absent leaves the
    /// object stage undecided.
    #[serde(default, deserialize_with = "present")]
    pub object: Option<Option<Value>>,
    /// The `Accept` header (content negotiation runs before authentication); default `*/*`.
    #[serde(default)]
    pub accept: Option<String>,
    /// The URL's lookup value does not fit the field (`/posts/abc/` with an integer pk):
    /// `get_object` raises a bare `Http404` (`{"detail":"Not found."}`) instead of looking up.
    #[serde(default)]
    pub lookup_error: bool,
    /// Record the evaluation trace.
    #[serde(default)]
    pub trace: bool,
    /// djangorestframework-api-key: API key model label (or a class name, which wins) -> whether
    /// the request carries a key that `model.objects.is_valid(key)` accepts, as the class's key
    /// parser reads it (`{"rest_framework_api_key.APIKey": true}`). Not listed: no valid key.
    /// Read only when DRF evaluates a `HasAPIKey` class.
    #[serde(default)]
    pub api_keys: Option<crate::perm_table::NameMap<bool>>,
}
object_only!(Context, "struct Context");

fn present<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<Option<Value>>, D::Error> {
    Option::<Value>::deserialize(deserializer).map(Some)
}
