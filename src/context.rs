//! The request context: one request as the permission stage sees it.

use serde::{Deserialize, Deserializer};
use serde_json::Value;

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
#[serde(rename_all = "camelCase", deny_unknown_fields)]
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
}

fn present<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<Option<Value>>, D::Error> {
    Option::<Value>::deserialize(deserializer).map(Some)
}

/// A context's fields as the JS binding passes them without JSON: names as strings, and the
/// user, authentication outcome and object in the binary value encoding of
/// [`crate::compiled::value`] (`object_state`: 0 absent, 1 a lookup miss, 2 in `object`).
#[derive(Debug, Default)]
pub struct EncodedContext<'b> {
    /// `view`.
    pub view: String,
    /// `action`.
    pub action: Option<String>,
    /// `method`.
    pub method: Option<String>,
    /// `detail`.
    pub detail: Option<bool>,
    /// `user`, encoded.
    pub user: Option<&'b [u8]>,
    /// `authentication`, encoded.
    pub authentication: Option<&'b [u8]>,
    /// 0: no object; 1: a lookup miss (`null`); 2: `object`.
    pub object_state: u8,
    /// `object`, encoded.
    pub object: Option<&'b [u8]>,
    /// `accept`.
    pub accept: Option<String>,
    /// `lookupError`.
    pub lookup_error: bool,
    /// `trace`.
    pub trace: bool,
}

impl EncodedContext<'_> {
    /// Decodes the encoded fields into a [`Context`].
    ///
    /// # Errors
    /// A [`crate::ContextError`] naming the field that does not decode or has the wrong shape.
    ///
    /// ```
    /// use drf_gate::context::EncodedContext;
    /// let context = EncodedContext { view: "posts".into(), action: Some("list".into()), ..Default::default() }.decode().unwrap();
    /// assert_eq!(context.view, "posts");
    /// ```
    pub fn decode(self) -> Result<Context, crate::ContextError> {
        use crate::compiled::value::{decode_value, outcome_from_value, user_from_value};
        let user = match self.user {
            Some(bytes) => match decode_value(bytes, "$.user")? {
                Value::Null => None,
                value => Some(user_from_value(&value, "$.user")?),
            },
            None => None,
        };
        let authentication = match self.authentication {
            Some(bytes) => match decode_value(bytes, "$.authentication")? {
                Value::Null => None,
                value => Some(outcome_from_value(&value, "$.authentication")?),
            },
            None => None,
        };
        let object = match (self.object_state, self.object) {
            (0, _) => None,
            (_, Some(bytes)) => match decode_value(bytes, "$.object")? {
                Value::Null => Some(None),
                value => Some(Some(value)),
            },
            (_, None) => Some(None),
        };
        Ok(Context {
            view: self.view,
            action: self.action,
            method: self.method,
            detail: self.detail,
            user,
            authentication,
            object,
            accept: self.accept,
            lookup_error: self.lookup_error,
            trace: self.trace,
        })
    }
}
